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

**Fit at each origin.** The count process and the crisis logit, which the record observes
directly, are re-estimated by maximum likelihood on the months up to each origin (as the
baselines are: :func:`detente.dynamics.fit.fit_record`), at their point estimates (the
early origins' intervals are too wide to draw from: a draw of their ranges gives absurd
rates); the talks parameters are the scenario's (fitted once on the training origins by
:func:`detente.dynamics.fit.fit_talks`).

**Baselines**, each fitted only on months before its origin: ``climatology`` (all months
from the record's start), ``recent`` (the last 120 months), ``persistence`` (the last 12
months). Counts: a negative binomial with the window's mean and method-of-moments size
(persistence borrows the long window's size). Events: the window's share (for talks by
``h``, the share of ``h``-month windows with talks; for persistence ``1 - (1 - s)^h`` with
``s`` the share of talks months in the last 12). For talks by ``h`` also ``duration``:
the record's monthly hazard of talks by the months since the last talks month (buckets 0,
1, 2-3, 4-6, 7-12, 13-24, 25-48, 49+), applied from the origin's gap: a baseline that knows
how long the impasse has lasted, which the simulation does not (docs/dynamics.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ModelError
from ..executor import ExecutorSpec, run_variants
from . import scores as S

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

HORIZONS = (6, 12, 24, 36)
BASELINES = ("climatology", "recent", "persistence")
#: Baselines of one kind of target only: P(talks by h) also against the duration baseline.
TARGET_BASELINES = {"talks_brier": ("duration",), "talks_log": ("duration",)}
SERIES = ("provocations", "missiles")
#: Months of record before an origin that the re-fit of the count process needs.
MIN_FIT_MONTHS = 60
#: target -> (score name, higher is better)
TARGETS: dict[str, tuple[str, bool]] = {
    "provocations_log": ("log score per month", True),
    "provocations_crps": ("CRPS per month", False),
    "missiles_log": ("log score per month", True),
    "missiles_crps": ("CRPS per month", False),
    "talks_brier": ("Brier score", False),
    "talks_log": ("log score", True),
    "strategic_brier": ("Brier score per month", False),
    "strategic_log": ("log score per month", True),
}


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


@dataclass(frozen=True, eq=False)
class BacktestResult:
    """Per-origin scores (tidy: origin, sample, target, horizon, forecaster, score), yearly
    coverage rows, the heavy-year check and the settings."""

    scores: pd.DataFrame
    yearly: pd.DataFrame
    heavy_years: dict[str, Any]
    settings: dict[str, Any]

    def table(self) -> pd.DataFrame:
        """Mean score per sample, target, horizon and forecaster, with the origin counts."""
        g = self.scores.groupby(["sample", "target", "horizon", "forecaster"], observed=True)
        return g["score"].agg(["mean", "count"]).reset_index()

    def summary_dict(self) -> dict[str, Any]:
        """Per target and horizon: the simulation's test score, each baseline's, the number of
        test origins and whether the simulation beats each baseline out of sample."""
        t = self.table()
        out: dict[str, Any] = {}
        for target, (unit, higher) in TARGETS.items():
            rows: dict[str, Any] = {}
            for h in HORIZONS:
                sel = t[(t["target"] == target) & (t["horizon"] == h)]
                test: Any = sel[sel["sample"] == "test"].set_index("forecaster")
                train: Any = sel[sel["sample"] == "train"].set_index("forecaster")
                if "simulation" not in test.index:
                    continue
                sim = float(test.at["simulation", "mean"])
                names = [*BASELINES, *(TARGET_BASELINES.get(target, ()))]
                base = {b: float(test.at[b, "mean"]) for b in names if b in test.index}
                beats = {b: bool(sim > v if higher else sim < v) for b, v in base.items()}
                rows[str(h)] = {
                    "simulation": sim,
                    "baselines": base,
                    "n_test_origins": int(test.at["simulation", "count"]),
                    "beats": beats,
                    "beats_all": all(beats.values()),
                    "train_simulation": (
                        float(train.at["simulation", "mean"])
                        if "simulation" in train.index
                        else None
                    ),
                }
            out[target] = {"score": unit, "higher_is_better": higher, "horizons": rows}
        return {
            "targets": out,
            "yearly": self.yearly_summary(),
            "forecasts": self.forecasts(),
            "heavy_years": self.heavy_years,
            "settings": self.settings,
        }

    def forecasts(self) -> list[dict[str, Any]]:
        """The simulation's out-of-sample forecasts of yearly totals, origin by origin: the
        origin, its sample, the series, the year after the origin (1-3), the observed total
        and the forecast's median and central 50% and 90% intervals (for the calibration
        figure)."""
        if self.yearly.empty:
            return []
        y = self.yearly[self.yearly["forecaster"] == "simulation"]
        cols = ("observed", "median", "lo50", "hi50", "lo90", "hi90")
        return [
            {
                "origin": str(r["origin"]),
                "sample": str(r["sample"]),
                "series": str(r["series"]),
                "year": int(r["year"]),
                **{c: float(r[c]) for c in cols},
            }
            for _, r in y.iterrows()
        ]

    def yearly_summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.yearly.empty:  # no origin with a whole year of test months (a thin record)
            return out

        def stats_of(g: pd.DataFrame) -> dict[str, Any]:
            return {
                "coverage_50": float(g["in50"].mean()),
                "coverage_90": float(g["in90"].mean()),
                "pit_mean": float(g["pit"].mean()),
                "pit_deciles": np.histogram(g["pit"], bins=10, range=(0, 1))[0].tolist(),
                "n": len(g),
            }

        y = self.yearly[self.yearly["sample"] == "test"]
        for key, g in y.groupby(["series", "forecaster"], observed=True):
            series, fc = str(key[0]), str(key[1])
            out.setdefault(series, {})[fc] = stats_of(g)
        # the same on the training origins: calibration where the parameters were chosen
        y = self.yearly[self.yearly["sample"] == "train"]
        for key, g in y.groupby(["series", "forecaster"], observed=True):
            series, fc = str(key[0]), str(key[1])
            if fc in out.get(series, {}):
                out[series][fc]["train"] = stats_of(g)
        return out


def _baseline_counts(hist: np.ndarray, size_long: float) -> dict[str, tuple[float, float]]:
    clim = S.nb_moments(hist)
    recent = S.nb_moments(hist[-120:])
    pers_mean = max(float(hist[-12:].mean()), 1.0 / 24.0)
    return {"climatology": clim, "recent": recent, "persistence": (pers_mean, size_long)}


def _window_share(flags: np.ndarray, h: int) -> float:
    """Share of the h-month windows (ending before the origin) with at least one flag."""
    if len(flags) < h:
        return float(flags.mean())
    c = np.convolve(flags.astype(float), np.ones(h), "valid")
    return float((c > 0).mean())


#: Buckets of months since the last talks month for the duration baseline (lower edges).
GAP_EDGES = (0, 1, 2, 4, 7, 13, 25, 49)


def _duration_share(flags: np.ndarray, h: int) -> float:
    """P(a talks month among the next ``h``) from the record's monthly hazard of talks by the
    months since the last talks month (bucketed at :data:`GAP_EDGES`, each bucket shrunk
    toward the bucket before it with the weight of one month), estimated on the months
    before the origin: a baseline that knows how long the impasse has lasted."""
    f = np.asarray(flags, bool)
    gap = np.full(len(f), -1)  # -1: no talks seen yet (the gap is unknown; not counted)
    last = None
    for i, x in enumerate(f):
        if x:
            last = i
        if last is not None:
            gap[i] = i - last
    edges = np.array(GAP_EDGES)

    def bucket(g: int) -> int:
        return int(np.searchsorted(edges, g, side="right") - 1)

    known = gap[:-1] >= 0
    ev = f[1:][known].astype(float)
    b = np.array([bucket(int(g)) for g in gap[:-1][known]], int)
    # each bucket shrunk (weight of one month) toward the bucket before it, the first two
    # toward the hazard of all months with a known gap: a long gap the record has not seen
    # yet borrows the hazard of the longest one it has
    prior = float(ev.mean()) if ev.size else 0.0
    hz = np.empty(len(edges))
    for k in range(len(edges)):
        hz[k] = (ev[b == k].sum() + prior) / ((b == k).sum() + 1.0)
        if k >= 1:
            prior = hz[k]
    g0 = int(gap[-1]) if len(gap) and gap[-1] >= 0 else int(edges[-1])
    none = np.prod([1.0 - hz[bucket(g0 + j)] for j in range(h)])
    return float(1.0 - none)


def _score_origin(
    sim: Any, panel: pd.DataFrame, k: int, sample: str, rng: np.random.Generator
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Scores of one origin (row ``k`` of the panel is the origin month)."""
    rows: list[dict[str, Any]] = []
    yearly: list[dict[str, Any]] = []
    n = sim.n_months
    origin = str(panel["month"].iloc[k])
    past = panel.iloc[: k + 1]
    future = panel.iloc[k + 1 : k + 1 + n]
    disp = sim.dispersion
    rates = {
        "provocations": (sim.rate, disp["provocations"]),
        "missiles": (sim.rate * disp["salvo"][None, :], disp["missiles"]),
    }

    def add(target: str, h: int, fc: str, score: float) -> None:
        rows.append(dict(origin=origin, sample=sample, target=target, horizon=h,
                         forecaster=fc, score=score))  # fmt: skip

    for series in (x for x in SERIES if x in panel):
        y = future[series].to_numpy(int)
        hist = past[series].to_numpy(float)
        mean, size = rates[series]
        pmf = S.count_pmf(S.K_MAX, mean, size[None, :])  # (months, K)
        base = _baseline_counts(hist, S.nb_moments(hist)[1])
        base_pmf = {b: S.count_pmf(S.K_MAX, np.array([[m]]), s)[0] for b, (m, s) in base.items()}
        lg, cr = S.log_count(pmf, y), S.crps_from_pmf(pmf, y)
        lgb = {b: S.log_count(np.broadcast_to(p, pmf.shape), y) for b, p in base_pmf.items()}
        crb = {b: S.crps_from_pmf(np.broadcast_to(p, pmf.shape), y) for b, p in base_pmf.items()}
        for h in HORIZONS:
            if h > n:
                continue
            add(f"{series}_log", h, "simulation", float(lg[:h].mean()))
            add(f"{series}_crps", h, "simulation", float(cr[:h].mean()))
            for b in base:
                add(f"{series}_log", h, b, float(lgb[b][:h].mean()))
                add(f"{series}_crps", h, b, float(crb[b][:h].mean()))
        counts = sim.provocations if series == "provocations" else sim.missiles
        for j in range(n // 12):
            obs = int(y[12 * j : 12 * j + 12].sum())
            draws = counts[12 * j : 12 * j + 12].sum(axis=0)
            u = float(rng.random())
            lo50, hi50, lo90, hi90, med = np.percentile(draws, [25, 75, 5, 95, 50])
            yearly.append(dict(origin=origin, sample=sample, series=series, year=j + 1,
                               forecaster="simulation", observed=obs,
                               in50=lo50 <= obs <= hi50, in90=lo90 <= obs <= hi90,
                               pit=S.pit_from_samples(draws, obs, u), median=med,
                               lo50=lo50, hi50=hi50, lo90=lo90, hi90=hi90))  # fmt: skip
            for b, (m, s) in base.items():
                # 12 independent NB(m, s) months: NB(12 m, 12 s)
                dist = stats.nbinom(12 * s, s / (s + m))
                pit = float(dist.cdf(obs - 1) + u * dist.pmf(obs))
                yearly.append(dict(origin=origin, sample=sample, series=series, year=j + 1,
                                   forecaster=b, observed=obs,
                                   in50=dist.ppf(0.25) <= obs <= dist.ppf(0.75),
                                   in90=dist.ppf(0.05) <= obs <= dist.ppf(0.95), pit=pit))  # fmt: skip
    talks_f = future["talks"].to_numpy(bool)
    talks_p = past["talks"].to_numpy(bool)
    strat_f = future["strategic"].to_numpy(bool)
    strat_p = past["strategic"].to_numpy(float)
    in_talks = sim.in_talks
    for h in HORIZONS:
        if h > n:
            continue
        y_t = bool(talks_f[:h].any())
        p_sim = float(in_talks[:h].any(axis=0).mean())
        s12 = float(talks_p[-12:].mean())
        p_base = {
            "climatology": _window_share(talks_p, h),
            "recent": _window_share(talks_p[-120:], h),
            "persistence": 1 - (1 - s12) ** h,
            "duration": _duration_share(talks_p, h),
        }
        for fc, p in (("simulation", p_sim), *p_base.items()):
            pc = float(np.clip(p, S.P_CLIP, 1 - S.P_CLIP))
            add("talks_brier", h, fc, float(S.brier(pc, y_t)))
            add("talks_log", h, fc, float(S.log_binary(pc, y_t)))
        ps = np.clip(sim.instigated[:h].mean(axis=1), S.P_CLIP, 1 - S.P_CLIP)
        y_s = strat_f[:h]
        sb = {
            "climatology": strat_p.mean(),
            "recent": strat_p[-120:].mean(),
            "persistence": strat_p[-12:].mean(),
        }
        add("strategic_brier", h, "simulation", float(S.brier(ps, y_s).mean()))
        add("strategic_log", h, "simulation", float(S.log_binary(ps, y_s).mean()))
        for b, p in sb.items():
            pc = float(np.clip(p, S.P_CLIP, 1 - S.P_CLIP))
            add("strategic_brier", h, b, float(S.brier(np.full(h, pc), y_s).mean()))
            add("strategic_log", h, b, float(S.log_binary(np.full(h, pc), y_s).mean()))
    return rows, yearly


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
) -> Any:
    """The simulation from the origin at panel row ``k``, up to 36 months or the record's end;
    the regime of provocations is filtered from the record up to the origin."""
    from .parameters import DEFAULTS
    from .regimes import NAMES, filter_active

    point = {
        n: (s.parameters[n].value.value if n in s.parameters else DEFAULTS[n].value) for n in NAMES
    } | {n: v for n, v in (parameters or {}).items() if n in NAMES}
    regime_probability = filter_active(panel.iloc[: k + 1], point)
    from .simulation import simulate

    n = min(36, len(panel) - 1 - k)
    return simulate(
        s,
        months=n,
        runs=runs,
        seed=seed,
        start=str(panel["month"].iloc[k]),
        initial_mode=initial_state(panel, k),
        history=panel["provocations"].iloc[: k + 1].to_numpy(float),
        missile_history=(
            panel["missiles"].iloc[: k + 1].to_numpy(float) if "missiles" in panel else None
        ),
        regime_probability=regime_probability,
        parameters=parameters,
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
    """The fit (when the record before the origin allows it) and the simulation of one origin."""
    from .fit import fit_record

    origin, k, can_fit = item
    par = (fit_record(job.record_id, origin) if can_fit else {}) | job.parameters
    return run_origin(job.scenario, job.panel, k, runs=job.runs, seed=job.seed, parameters=par)


def backtest(
    s: Scenario,
    *,
    runs: int = 400,
    seed: int = 0,
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
    # the origins' fits and simulations are independent: they run where the executor says;
    # the scoring draws from one generator in the origins' order, here
    job = _OriginJob(bt, panel, record.id, runs, seed, parameters or {})
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
