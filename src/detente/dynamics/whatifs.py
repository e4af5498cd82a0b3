"""What-ifs for the dynamics: the scenario's own named levers and shocks.

A scenario declares its what-ifs under ``what_ifs`` (see :mod:`detente.scenario.case`);
:func:`apply_what_if` applies one (raising :class:`detente.errors.WhatIfNotApplicable`, a
:class:`~detente.errors.ModelError`, when the scenario declares no such what-if), and
:func:`compare` reports the change a what-if makes to the outlook.
"""

from __future__ import annotations

from ..scenario.whatif import apply_what_if, what_ifs_of
from .result import HORIZONS, DynamicsResult

__all__ = ["apply_what_if", "compare", "what_ifs_of"]


def compare(base: DynamicsResult, other: DynamicsResult) -> dict[int, dict[str, float]]:
    """Change (other - base) in P(talks / agreement / crisis by the horizon) at each horizon."""
    out = {}
    for h in HORIZONS:
        if h <= min(base.n_months, other.n_months):
            a, b = base.at(h), other.at(h)
            out[h] = {k: b[k] - a[k] for k in ("talks", "agreement", "crisis")}
    return out
