"""Each case its own record: the dynamics' parameters of a scenario, with their provenance.

Every simulation parameter (:data:`detente.dynamics.parameters.DEFAULTS`) is set for a
scenario in this order:

1. **The scenario's own value** (``parameters:``, or ``--set parameters.NAME=...``), with the
   scenario's provenance.
2. **Fitted on the case's record** (``roles.record``: a bundled record or a user's CSV of
   dated events): the count process of provocations and missiles by maximum likelihood and
   the crisis logit (:mod:`detente.dynamics.fit`). When the case declares
   ``roles.pooling`` the fit is partially pooled toward a reference record (a normal prior
   of the declared sd around the reference's fit, on each parameter's unconstrained scale),
   so a thin record moves the values as far as its months support. A record shorter than
   :data:`MIN_MONTHS` months without a declared pooling is not fitted: its parameters keep
   the defaults and a note says so.
3. **Priors**: the defaults. Their calibrated entries were fitted on the reference record
   :data:`DEFAULTS_RECORD` (so a case on that record is "fitted on" it); the talks
   parameters are fitted by simulated likelihood on that record's training origins and are
   not refitted on another record (minutes of simulation per fit), so elsewhere they are
   priors from it; the rest are judgement priors with their stated reasons.

The fit's 90% intervals are the parameters' ranges: :func:`detente.dynamics.simulate` draws
each fitted parameter per parameter group from the fit's asymptotic normal on its fit's
scale (:func:`detente.dynamics.draws.posterior_draw`; the event parameters of a case's own
record jointly, :func:`case_joint`), so the outlook carries the fit's uncertainty.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..data.months import month_label
from ..data.records import load_record, record_key
from .fit import BURN_IN, MISSILE_NAMES, TALKS_NAMES, fit_counts, fit_crisis
from .parameters import DEFAULTS, DEFAULTS_RECORD
from .posterior import Posterior
from .regimes import NAMES as COUNT_NAMES

if TYPE_CHECKING:
    from ..scenario.schema import Scenario

__all__ = ["FITTED_NAMES", "MIN_MONTHS", "CaseParameter", "case_joint", "case_parameters"]

#: Months (after the fit's burn-in) a record needs to be fitted without pooling.
MIN_MONTHS = 120
CRISIS_NAMES = (
    "crisis_base",
    "crisis_exercise",
    "crisis_talks",
    "crisis_persistence",
    "crisis_active",
)
#: The parameters a case's record sets (the others are priors).
FITTED_NAMES = (*COUNT_NAMES, *MISSILE_NAMES, *CRISIS_NAMES)

Source = Literal["scenario", "fitted", "pooled", "prior"]


@dataclass(frozen=True)
class CaseParameter:
    """One parameter's value, 90% range and where it comes from.

    ``source``: ``scenario`` (the case sets it), ``fitted`` (on the case's record),
    ``pooled`` (on the case's record, pooled toward a reference record) or ``prior``.
    """

    value: float
    low: float
    high: float
    source: Source
    provenance: str


def _record_label(record: str) -> str:
    return f"record {record}"


def _fit_all(
    record: str, end: str, toward: str | None, sd: float | None
) -> tuple[dict[str, tuple[float, float, float, str]], dict[str, Any]]:
    """The record's fit (pooled toward ``toward`` with ``sd``, when given) and its joint;
    cached per record and reference record as :func:`detente.data.records.record_key` tells
    them apart (a user's file is fitted again when it changes)."""
    towards = record_key(toward) if toward is not None else None
    return _fit_all_of(record_key(record), towards, record, end, toward, sd)


@functools.cache
def _fit_all_of(
    key: tuple[str, int, int],
    towards: tuple[str, int, int] | None,
    record: str,
    end: str,
    toward: str | None,
    sd: float | None,
) -> tuple[dict[str, tuple[float, float, float, str]], dict[str, Any]]:
    prior = None
    if toward is not None and sd is not None:
        prior = (_reference(toward), sd)
    joint: dict[str, Any] = {}
    counts = fit_counts(record, end, prior=prior, joint=joint)
    return counts | fit_crisis(record, end, prior=prior, counts=counts), joint


def _fit(
    record: str, end: str, toward: str | None, sd: float | None
) -> dict[str, tuple[float, float, float, str]]:
    return _fit_all(record, end, toward, sd)[0]


def case_joint(s: Scenario) -> Posterior | None:
    """The joint posterior of the event parameters when the case's own record sets them all
    (fitted or pooled, none set by the scenario): their estimate and covariance on the fit's
    scale, so the outlook draws them together as the backtest does; else None."""
    roles = s.roles
    if roles is None or roles.record is None or roles.record == DEFAULTS_RECORD:
        return None
    if any(n in s.parameters for n in COUNT_NAMES):
        return None
    n, _span, end = _months(roles.record)
    pooling = roles.pooling
    if pooling is not None:
        joint = _fit_all(roles.record, end, pooling.toward, pooling.sd)[1]
    elif n >= MIN_MONTHS:
        joint = _fit_all(roles.record, end, None, None)[1]
    else:
        return None
    if "cov" not in joint:
        return None
    return Posterior({}, COUNT_NAMES, joint["theta"], joint["cov"])


def _reference(toward: str) -> dict[str, float]:
    """The reference record's fitted values (the defaults when it is the defaults' record);
    cached per :func:`detente.data.records.record_key`."""
    return _reference_of(record_key(toward), toward)


@functools.cache
def _reference_of(key: tuple[str, int, int], toward: str) -> dict[str, float]:
    if toward == DEFAULTS_RECORD:
        return {n: DEFAULTS[n].value for n in FITTED_NAMES}
    end = month_label(load_record(toward).last)
    return {k: v[0] for k, v in _fit(toward, end, None, None).items()}


def _months(record: str) -> tuple[int, str, str]:
    """Months the fit scores (after its burn-in), the record's span and its last month."""
    rec = load_record(record)
    first, last = month_label(rec.first), month_label(rec.last)
    return rec.last - rec.first + 1 - BURN_IN, f"{first}..{last}", last


def case_parameters(s: Scenario) -> tuple[dict[str, CaseParameter], tuple[str, ...]]:
    """Every dynamics parameter of ``s`` with its value, range and provenance, and notes.

    Raises
    ------
    DataError
        When the case's record cannot be read (a bad CSV: every problem with its line).
    """
    roles = s.roles
    record = None if roles is None else roles.record
    pooling = None if roles is None else roles.pooling
    notes: list[str] = []
    fitted: dict[str, tuple[float, float, float, str]] = {}
    how: Source = "fitted"
    where = ""
    if record is not None and record != DEFAULTS_RECORD:
        n, span, end = _months(record)
        where = f"{_record_label(record)} ({span})"
        if pooling is not None:
            fitted = _fit(record, end, pooling.toward, pooling.sd)
            how = "pooled"
            where += f", pooled toward record {pooling.toward} (sd {pooling.sd:g})"
            notes.append(
                f"record {record} has {n} months to fit on; the count and crisis parameters are "
                f"pooled toward record {pooling.toward} (roles.pooling, sd {pooling.sd:g})"
                + (f": {pooling.reason}" if pooling.reason else "")
            )
        elif n >= MIN_MONTHS:
            fitted = _fit(record, end, None, None)
        else:
            notes.append(
                f"record {record} has {n} months, fewer than the {MIN_MONTHS} a fit of its own "
                "needs, and the case declares no pooling (roles.pooling): the count and crisis "
                f"parameters keep the defaults fitted on record {DEFAULTS_RECORD}"
            )
    out: dict[str, CaseParameter] = {}
    for name, d in DEFAULTS.items():
        if name in s.parameters:
            q = s.parameters[name].value
            out[name] = CaseParameter(
                q.value, q.low, q.high, "scenario", f"the scenario's parameters.{name}"
            )
        elif name in fitted:
            v, lo, hi, why = fitted[name]
            if why.startswith("prior"):  # the record has no series for it
                out[name] = CaseParameter(v, lo, hi, "prior", f"{why} (record {record})")
            else:
                out[name] = CaseParameter(v, lo, hi, how, f"fitted on {where}: {why}")
        elif d.kind == "calibrated" and record == DEFAULTS_RECORD:
            out[name] = CaseParameter(
                d.value, d.low, d.high, "fitted", f"fitted on record {DEFAULTS_RECORD}: {d.why}"
            )
        elif d.kind == "calibrated":
            extra = (
                "; not refitted on the case's record (a simulated-likelihood fit)"
                if name in TALKS_NAMES and record is not None
                else ""
            )
            out[name] = CaseParameter(
                d.value,
                d.low,
                d.high,
                "prior",
                f"prior: fitted on record {DEFAULTS_RECORD}{extra}: {d.why}",
            )
        else:
            out[name] = CaseParameter(
                d.value, d.low, d.high, "prior", f"prior: judgement default: {d.why}"
            )
    return out, tuple(notes)
