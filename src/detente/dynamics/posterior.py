"""The fit of the count process, the local level and the crisis logit on the months up to an
origin, with its asymptotic posterior: what the backtest re-estimates at each origin
(:mod:`detente.dynamics.backtest`) and draws per run (:mod:`detente.dynamics.draws`)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data.records import record_key
from . import regimes
from .fit import fit_counts, fit_crisis

__all__ = ["Posterior", "fit_record", "fit_record_posterior"]


@dataclass(frozen=True, eq=False)
class Posterior:
    """A fit's asymptotic posterior for the simulation's draws: every parameter's estimate
    and 90% interval (``marginals``: name -> value, low, high), and the parameters ``names``
    jointly normal on the fit's scale with ``mean`` and ``cov`` (drawn together, so the
    estimates' correlations are kept; :func:`detente.dynamics.draws.fitted_draws`)."""

    marginals: dict[str, tuple[float, float, float]]
    names: tuple[str, ...] = ()
    mean: np.ndarray | None = None
    cov: np.ndarray | None = None


def _fit_record(
    record_id: str, end: str, intervals: bool
) -> tuple[dict[str, tuple[float, float, float, str]], dict[str, Any]]:
    """The fit up to ``end``, cached per record as :func:`detente.data.records.record_key`
    tells them apart (a user's file is fitted again when it changes)."""
    return _fit_record_of(record_key(record_id), record_id, end, intervals)


@functools.cache
def _fit_record_of(
    key: tuple[str, int, int], record_id: str, end: str, intervals: bool
) -> tuple[dict[str, tuple[float, float, float, str]], dict[str, Any]]:
    # the backtest's intervals at each origin skip the excitation's profile bound (it stays
    # at its boundary 0 there): a profile is nine constrained fits
    joint: dict[str, Any] = {}
    counts = fit_counts(record_id, end, intervals=intervals, profile=False, joint=joint)
    return counts | fit_crisis(record_id, end, counts=counts), joint


def fit_record(record_id: str, end: str, *, intervals: bool = False) -> dict[str, float]:
    """Point estimates of the count process and the crisis logit on the months up to ``end``
    (what the backtest re-estimates at each origin, as the baselines are; cached)."""
    return {k: v[0] for k, v in _fit_record(record_id, end, intervals)[0].items()}


def fit_record_posterior(record_id: str, end: str) -> Posterior:
    """:func:`fit_record` with its asymptotic posterior (cached): every parameter's estimate
    and 90% interval, and the event parameters' joint normal on the fit's scale."""
    out, joint = _fit_record(record_id, end, True)
    return Posterior(
        {k: v[:3] for k, v in out.items()}, regimes.NAMES, joint["theta"], joint["cov"]
    )
