"""Scoring one origin of the dynamics backtest (:mod:`detente.dynamics.backtest`).

The targets and horizons, the baselines fitted on the months before an origin
(``climatology``, ``recent``, ``persistence`` and, for P(talks by ``h``), ``duration``) and
:func:`_score_origin`, which scores the simulation from an origin and each baseline on the
record's months after it: log score and CRPS of the monthly counts, coverage and PIT of the
yearly totals, Brier and log score of the talks and strategic-provocation events.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from . import scores as S

__all__ = ["BASELINES", "HORIZONS", "SERIES", "TARGETS", "TARGET_BASELINES"]

HORIZONS = (6, 12, 24, 36)
BASELINES = ("climatology", "recent", "persistence")
#: Baselines of one kind of target only: P(talks by h) also against the duration baseline.
TARGET_BASELINES = {"talks_brier": ("duration",), "talks_log": ("duration",)}
SERIES = ("provocations", "missiles")
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
