"""Backtest of the simulation itself: rolling origins on the case's record, proper scores,
three baselines fitted before each origin.

**Origins.** Every June and December from the record's first origin to its end; an origin
is scored at horizon ``h`` (6, 12, 24, 36 months) when its ``h`` months lie in the record
(so 36-month origins end 2018-06 on a record ending 2021-06, 6-month ones 2020-12).
**Split by date** (:meth:`detente.data.records.Record.backtest_split`: the manifest's
``backtest:``, or a default from the record's span): origins up to the last training origin
are training origins; origins from the first test origin are test origins (out of sample);
the ones between are not scored. The flagship's record declares 1995-06, 2008-12 and 2012-06, so
its training windows end by 2011-12 and the fit in :mod:`detente.dynamics.fit` sees only
them and the months before 2012.

**State at each origin**, from the record: talks on (a talks month at the origin: the
simulation starts in limited talks), a strategic provocation at the origin (it starts in
crisis), else impasse; the provocation history (the initial excitation); the exercise
calendar of the scenario's events. The rest of the scenario is held as written (its
stances and red lines), except the distress and dependency drivers, which the record does
not measure: they are set to their reference levels (the inhibition terms vanish).

**Targets and scores.** Monthly counts of provocation events and of missiles launched
(each in its own unit) over months 1..h: log score and CRPS of the predictive mixture of
negative binomials. Yearly totals (years 1, 2, 3 after the origin): coverage of the central
50% and 90% intervals and the randomised PIT. P(talks by month h) (a talks, limited-talks
or agreement month among months 1..h) and P(a strategic provocation) in each of months
1..h: Brier and log score (probabilities clipped to [0.005, 0.995] for every forecaster).

**Fit at each origin, and its uncertainty.** The count process, the local level of
provocations and the crisis logit, which the record observes directly, are re-estimated
on the months up to each origin (as the baselines are:
:func:`detente.dynamics.posterior.fit_record_posterior`), and each parameter group of the
origin's simulation draws them from that fit's asymptotic posterior, as the outlook draws
a fitted case (:mod:`detente.dynamics.draws`): the event parameters jointly normal on the
fit's scale (their correlations kept), the others from their marginals; the regime and the
level are filtered from the record at the point estimates. Every run of an origin is its
own parameter group (the outlook groups five runs): the same predictive law with less
Monte Carlo noise in the scores and the coverage. The talks parameters are the
scenario's (fitted once on the training origins by :func:`detente.dynamics.fit.fit_talks`).

**Baselines**, each fitted only on months before its origin: ``climatology`` (all months
from the record's start), ``recent`` (the last 120 months), ``persistence`` (the last 12
months). Counts: a negative binomial with the window's mean and method-of-moments size
(persistence borrows the long window's size). Events: the window's share (for talks by
``h``, the share of ``h``-month windows with talks; for persistence ``1 - (1 - s)^h`` with
``s`` the share of talks months in the last 12). For talks by ``h`` also ``duration``:
the record's monthly hazard of talks by the months since the last talks month (buckets 0,
1, 2-3, 4-6, 7-12, 13-24, 25-48, 49+), applied from the origin's gap: a baseline that knows
how long the impasse has lasted, which the simulation does not (docs/dynamics.md).

The module is split by job: :mod:`._backtest_scoring` (targets, baselines and the scores of
one origin) and :mod:`._backtest_result` (:class:`BacktestResult` and its summaries); this
module picks the origins, replays the simulation from each and checks the heavy years.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from .. import defaults
from ..errors import ModelError
from ..executor import ExecutorSpec, run_variants
from ._backtest_result import BacktestResult
from ._backtest_scoring import (
    BASELINES,
    HORIZONS,
    SERIES,
    TARGETS,
    _score_origin,
)
from ._backtest_scoring import _window_share as _window_share  # imported by the tests
from .posterior import Posterior

if TYPE_CHECKING:
    from ..data.records import Record
    from ..scenario.schema import Scenario

__all__ = [
    "BASELINES",
    "HORIZONS",
    "TARGETS",
    "BacktestResult",
    "backtest",
    "backtest_scenario",
    "origins",
]

#: Months of record before an origin that the re-fit of the count process needs.
MIN_FIT_MONTHS = 60


def origins(record: Record, horizon: int = 1) -> list[pd.Period]:
    """June and December origins whose ``horizon`` months lie within the record."""
    first = record.backtest_split()[0]
    out = []
    m = first
    while m + horizon <= record.end:
        out.append(m)
        m += 6
    return out


def sample_of(origin: pd.Period, record: Record) -> str | None:
    """``train`` or ``test`` by date (the record's split), or None for the gap between."""
    _first, train_last, test_first = record.backtest_split()
    if origin <= train_last:
        return "train"
    if origin >= test_first:
        return "test"
    return None


def backtest_scenario(s: Scenario) -> Scenario:
    """The scenario as the backtest replays it: distress and dependency at reference levels."""
    from .parameters import DEFAULTS

    roles = s.roles
    if roles is None:
        from .roles import NOT_APPLICABLE

        raise ModelError(f"scenario {s.id}: {NOT_APPLICABLE}")
    out = s
    for role, ref in (("distress", "reference_distress"), ("dependency", "reference_dependency")):
        did = roles.drivers.get(role)
        if did is None:
            continue
        p = s.parameters.get(ref)
        level = p.value.value if p is not None else DEFAULTS[ref].value
        data = out.model_dump()
        data["drivers"][did]["value"] = {"value": level, "low": level, "high": level}
        out = type(s).model_validate(data)
    return out


def initial_state(panel: pd.DataFrame, k: int) -> str:
    """The mode at an origin (row ``k``): limited talks, crisis or impasse."""
    if bool(panel["talks"].iloc[k]):
        return "limited_talks"
    if bool(panel["strategic"].iloc[k]):
        return "crisis"
    return "impasse"


def run_origin(
    s: Scenario,
    panel: pd.DataFrame,
    k: int,
    *,
    runs: int,
    seed: int,
    parameters: dict[str, float] | None = None,
    fitted: Posterior | None = None,
    groups: int | None = None,
) -> Any:
    """The simulation from the origin at panel row ``k``, up to 36 months or the record's end;
    the regime of provocations (and the local level, when its sd is positive) is filtered
    from the record up to the origin at the point estimates. ``fitted`` (the fit at the
    origin with its asymptotic posterior) is drawn per parameter group
    (:func:`detente.dynamics.draws.fitted_draws`)."""
    from .level import filter_state
    from .parameters import DEFAULTS
    from .regimes import NAMES, design, filter_active, to_theta

    names = (*NAMES, "provocation_level_sd")
    point = (
        {
            n: (s.parameters[n].value.value if n in s.parameters else DEFAULTS[n].value)
            for n in names
        }
        | {n: v[0] for n, v in (fitted.marginals if fitted else {}).items() if n in names}
        | {n: v for n, v in (parameters or {}).items() if n in names}
    )
    past = panel.iloc[: k + 1]
    regime_probability: float | np.ndarray = (
        filter_state(
            to_theta(np.array([point[n] for n in NAMES])),
            point["provocation_level_sd"],
            design(past),
        )
        if point["provocation_level_sd"] > 0
        else filter_active(past, point)
    )
    from .simulation import simulate

    n = min(36, len(panel) - 1 - k)
    return simulate(
        s,
        months=n,
        runs=runs,
        seed=seed,
        groups=groups,
        start=str(panel["month"].iloc[k]),
        initial_mode=initial_state(panel, k),
        history=panel["provocations"].iloc[: k + 1].to_numpy(float),
        missile_history=(
            panel["missiles"].iloc[: k + 1].to_numpy(float) if "missiles" in panel else None
        ),
        regime_probability=regime_probability,
        parameters=parameters,
        fitted=fitted,
        talks_history=panel["talks"].iloc[: k + 1].to_numpy(bool),
    )


@dataclass(frozen=True)
class _OriginJob:
    scenario: Any
    panel: Any
    record_id: str
    runs: int
    seed: int
    parameters: dict[str, float]


def _simulate_origin(job: _OriginJob, item: tuple[str, int, bool]) -> Any:
    """The fit (when the record before the origin allows it) and the simulation of one origin,
    each parameter group drawing the fit's parameters from its posterior."""
    from .posterior import fit_record_posterior

    origin, k, can_fit = item
    fitted = fit_record_posterior(job.record_id, origin) if can_fit else None
    if fitted is not None and job.parameters:  # a parameter given is held at its value
        marginals = {n: v for n, v in fitted.marginals.items() if n not in job.parameters}
        if set(fitted.names) & set(job.parameters):  # then the rest of the joint, apart
            fitted = Posterior(marginals)
        else:
            fitted = Posterior(marginals, fitted.names, fitted.mean, fitted.cov)
    return run_origin(
        job.scenario, job.panel, k, runs=job.runs, seed=job.seed, parameters=job.parameters,
        fitted=fitted, groups=job.runs,
    )  # fmt: skip


def backtest(
    s: Scenario,
    *,
    runs: int = 400,
    seed: int = defaults.SEED,
    samples: tuple[str, ...] = ("train", "test"),
    parameters: dict[str, float] | None = None,
    heavy_runs: int = 4000,
    refit: bool = True,
    executor: ExecutorSpec | None = None,
) -> BacktestResult:
    """Rolling-origin backtest of :func:`simulate` on the scenario's record (``roles.record``).

    ``executor`` (:mod:`detente.executor`) runs the origins' fits and simulations in this
    process (default), on local processes or on a Dask cluster, with the same numbers.

    Raises
    ------
    ModelError
        When the scenario declares no roles or no record.
    """
    from ..data.records import load_record

    bt = backtest_scenario(s)
    assert s.roles is not None
    if s.roles.record is None:
        raise ModelError(
            f"scenario {s.id}: roles.record is not set; the backtest needs the case's record"
        )
    record = load_record(s.roles.record)
    panel = record.panel()
    months = list(panel["month"])
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    yearly: list[dict[str, Any]] = []
    thin: set[str] = set()
    todo = []
    for o in origins(record, 6):
        sample = sample_of(o, record)
        if sample is None or sample not in samples:
            continue
        k = months.index(o)
        # the count process and the crisis logit are re-estimated on the months before the
        # origin (as the baselines are); other parameters as given or as in the scenario
        # a record too short before the origin for the fit (five years) keeps the
        # scenario's parameters at that origin, and says so
        can_fit = refit and k >= MIN_FIT_MONTHS
        if refit and not can_fit:
            thin.add(str(o))
        todo.append((str(o), k, sample, can_fit))
    if not todo:
        raise ModelError(
            f"record {record.id} ({record.start}..{record.end}) is "
            f"too short for a rolling-origin backtest ({' and '.join(samples)} origins): it "
            "has no June or December origin followed by six months of record there; "
            "give a longer record (--record FILE.csv)"
        )
    # the origins' fits and simulations are independent: they run where the executor says;
    # the scoring draws from one generator in the origins' order, here
    job = _OriginJob(bt, panel, str(s.roles.record), runs, seed, parameters or {})
    sims = run_variants(_simulate_origin, job, [(o, k, f) for o, k, _, f in todo], executor)
    for (_, k, sample, _), sim in zip(todo, sims, strict=True):
        r, y = _score_origin(sim, panel, k, sample, rng)
        rows += r
        yearly += y
    heavy = heavy_years(s, panel, runs=heavy_runs, seed=seed) if heavy_runs else {}
    settings = {
        "scenario": s.id,
        "record": record.id,
        "runs": runs,
        "seed": seed,
        "first_origin": str(record.backtest_split()[0]),
        "train_last_origin": str(record.backtest_split()[1]),
        "test_first_origin": str(record.backtest_split()[2]),
        "record_end": str(record.end),
        "refit_at_each_origin": refit,
        "parameter_uncertainty": (
            "each run draws the origin's fit from its asymptotic posterior "
            "(event parameters jointly normal on the fit's scale, the others marginal)"
            if refit
            else "the scenario's ranges"
        ),
        "samples": list(samples),
        "origins_too_short_to_refit": sorted(thin),
        "series": [x for x in SERIES if x in panel],
    }
    return BacktestResult(pd.DataFrame(rows), pd.DataFrame(yearly), heavy, settings)


def heavy_years(
    s: Scenario, panel: pd.DataFrame, *, runs: int, seed: int, threshold: int = 20
) -> dict[str, Any]:
    """Share of years with >= ``threshold`` events (and missiles): the record's last nine full years
    against the simulation from the scenario's start (its years 1-3), with the mid-PIT of
    the record's number of heavy years under a binomial with the simulated share."""
    from .simulation import simulate

    sim = simulate(s, months=36, runs=runs, seed=seed)
    frame = panel.assign(year=panel["month"].dt.year)
    # the record's last nine full years (2012-2020 for a record that ends in 2021)
    last = int(frame["year"].max()) - 1
    first = max(int(frame["year"].min()), last - 8)
    yrs: Any = frame[(frame["year"] >= first) & (frame["year"] <= last)].groupby("year")
    out: dict[str, Any] = {"threshold": threshold, "record_years": f"{first}-{last}"}
    pairs = [("provocations", sim.provocations)]
    if "missiles" in panel and sim.missiles is not None:
        pairs.append(("missiles", sim.missiles))
    for series, counts in pairs:
        rec = yrs[series].sum().to_numpy()
        n_heavy = int((rec >= threshold).sum())
        totals = counts.reshape(3, 12, -1).sum(axis=1)
        q = float((totals >= threshold).mean())
        b = stats.binom(len(rec), q)
        out[series] = {
            "record_heavy_years": n_heavy,
            "record_years_n": len(rec),
            "record_share": n_heavy / len(rec),
            "simulated_share": q,
            "pit": float(b.cdf(n_heavy - 1) + 0.5 * b.pmf(n_heavy)),
        }
    return out
