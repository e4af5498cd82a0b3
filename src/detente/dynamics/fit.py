"""Fit the simulation's own parameters to its record (the backtest's training data for talks).

Two stages:

1. **What the record observes directly, by maximum likelihood.** Given the record's talks
   state last month, its strategic months and its exercise calendar, the simulation's
   provocation count is an explicit model (:mod:`detente.dynamics.regimes`: a
   regime-switching, self-exciting negative binomial) whose likelihood is exact by the
   forward algorithm, so its ten parameters are maximum-likelihood estimates (L-BFGS on
   transformed parameters; 90% intervals from the numerical Hessian, transformed back); a
   parameter at its boundary (the self-excitation at 0) is fixed there and says so. The
   missile count (mean: the event rate times the salvo size of the last 36 months, shrunk
   toward ``missiles_per_provocation``) is fitted the same way given the event fit. The crisis
   choice (``crisis_*``) is the penalised logit of a strategic month on the exercise month,
   talks last month and a strategic month last month
   (:func:`detente.dynamics.logit.fit_logit`). :func:`fit` stores the fit on the whole
   record (the outlook's values); the backtest re-estimates them at each origin on the
   months before it (:func:`detente.dynamics.posterior.fit_record`).
2. **Talks, by simulated likelihood.** Whether talks start and last depends on choices the
   record does not show, so ``challenger_engagement_base``, ``defender_engagement_base`` and
   ``talks_inertia`` maximise the simulation's own backtest score on the training origins
   (1995-06..2008-12, with the count and crisis values fitted on the months to
   :data:`FIT_END`; no test month is seen):
   the mean log score of the monthly talks state (the share of runs in talks each month)
   plus that of P(talks by 6/12/24/36 months), with common random numbers (one seed) and
   Nelder-Mead. Intervals: the curvature of that score treated as a log-likelihood, with
   the variance inflated by the overlap of the origins' windows (36 / 6 = 6 months scored
   by each month of the record on average), so they are approximate.

Everything else stays a judgement prior (the record is silent on it): the inhibition and
desperation terms (no driver series), obduracy and the concession terms (no record of
concessions), fatigue, political change, third parties and the logit noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ._numerics import _inverse_hessian, _inverse_hessian_batch, _with_gradient
from .logit import fit_logit

if TYPE_CHECKING:
    import pandas as pd

    from ..scenario.schema import Scenario

__all__ = [
    "FIT_END",
    "FitResult",
    "fit",
    "fit_counts",
    "fit_recency_months",
    "fit_talks",
    "months_without_talks",
]

FIT_END = "2011-12"
BURN_IN = 12
MISSILE_NAMES = ("missiles_per_provocation", "missile_dispersion")
TALKS_NAMES = (
    "challenger_engagement_base",
    "defender_engagement_base",
    "talks_inertia",
    "talks_recency",
)
#: The judgement priors the talks fit starts from (the simplex search is local): no pull of
#: recent talks at the start, so the data have to bring it in.
TALKS_START = (-1.5, 0.0, 2.0, 0.0)
#: Steps of the first simplex of the talks fit (scipy's default, 5% of each start value,
#: gives a start value of 0 a step of 0.00025: the search could not move it).
TALKS_STEP = 0.75
#: Bounds of the talks fit: the bases free within a wide box, the inertia and the pull of
#: recent talks non-negative (their rules' meaning: talks on, or just ended, make engaging
#: more attractive). Without them the search found an optimum with talks_inertia -4.1 that
#: fits the training origins almost perfectly and loses to every baseline out of sample.
TALKS_BOUNDS = ((-6.0, 8.0), (-6.0, 8.0), (0.0, 10.0), (0.0, 10.0))


@dataclass(frozen=True)
class FitResult:
    """Fitted values: name -> (value, low, high, provenance text)."""

    parameters: dict[str, tuple[float, float, float, str]]
    notes: tuple[str, ...] = field(default_factory=tuple)

    def table(self) -> pd.DataFrame:
        import pandas as pd  # only where a table is asked for

        rows = [(k, *v) for k, v in self.parameters.items()]
        return pd.DataFrame(rows, columns=["parameter", "value", "low", "high", "provenance"])


def _training_panel(record_id: str, end: str = FIT_END) -> dict[str, np.ndarray]:
    from ..data.records import load_record

    return load_record(record_id).columns(end=end)  # the panel as arrays


def _salvo(X: dict[str, np.ndarray], weight: float, prior: float) -> np.ndarray:
    """Missiles per event over the 36 months before each month, shrunk toward ``prior``."""
    from ._start import SALVO_WINDOW

    n = len(X["y"])
    events = np.r_[0.0, np.convolve(X["y"], np.ones(SALVO_WINDOW))[: n - 1]]
    launched = np.r_[0.0, np.convolve(X["m"], np.ones(SALVO_WINDOW))[: n - 1]]
    return np.asarray((weight * prior + launched) / (weight + events))


def _nb_logpmf(y: np.ndarray, mean: np.ndarray, size: float) -> np.ndarray:
    """``scipy.stats.nbinom.logpmf(y, size, p)`` with ``p = size / (size + mean)``: its
    formula and its rules (NaN for a size or p out of range, -inf off the support), without
    importing scipy.stats (some 0.3 s of CPU in every run that imports this module)."""
    from scipy import special  # imported here: a default run never calls it (start-up time)

    y, p = np.broadcast_arrays(np.asarray(y, float), np.asarray(size / (size + mean), float))
    valid = (size > 0) & (p > 0) & (p <= 1)
    ok = valid & (y >= 0) & (np.floor(y) == y)
    out = np.full(y.shape, -np.inf)
    out[~valid | np.isnan(y)] = np.nan
    k, q = y[ok], p[ok]
    log_choose = special.gammaln(size + k) - special.gammaln(k + 1) - special.gammaln(size)
    out[ok] = log_choose + size * np.log(q) + special.xlog1py(k, -q)
    return out


def fit_counts(
    record_id: str,
    end: str = FIT_END,
    *,
    intervals: bool = True,
    profile: bool = True,
    prior: tuple[dict[str, float], float] | None = None,
    joint: dict[str, Any] | None = None,
) -> dict[str, tuple[float, float, float, str]]:
    """Maximum-likelihood fit of the count process (events, then missiles) on the months
    up to ``end``; without ``intervals`` the low and high are the value (faster).

    ``joint`` (a dict, filled in) receives the event parameters' estimate on the fit's
    scale (``theta``, in the order of :data:`detente.dynamics.regimes.NAMES`) and its
    asymptotic covariance (``cov``, the inverse observed information; zero rows for a
    parameter at its boundary), for draws that keep the estimates' correlations.

    ``prior`` (reference values by name, sd) makes it a maximum a posteriori fit with an
    independent normal prior on each unconstrained parameter centred on the reference's
    (partial pooling toward a reference record); the reference also starts the search.
    A record without a missile series keeps the reference's (or default) missile values.
    """
    from scipy import optimize  # imported here: many runs never call it (start-up time)

    from . import regimes
    from .parameters import DEFAULTS

    p = _training_panel(record_id, end)
    X = regimes.design(p)
    centre = {n: DEFAULTS[n].value for n in (*regimes.NAMES, *MISSILE_NAMES)}
    if prior is not None:
        centre |= {k: v for k, v in prior[0].items() if k in centre}
    mu0 = regimes.to_theta(np.array([centre[n] for n in regimes.NAMES]))
    prec = 0.0 if prior is None else 1.0 / prior[1] ** 2

    def nll_batch(thetas: np.ndarray) -> np.ndarray:
        pen = 0.5 * prec * np.sum((thetas - mu0) ** 2, axis=1)
        return np.asarray(-regimes.forward_batch(thetas, X, BURN_IN)[0] + pen)

    def nll(theta: np.ndarray) -> float:
        return float(nll_batch(np.asarray(theta, float)[None, :])[0])

    res = optimize.minimize(_with_gradient(nll_batch), mu0, jac=True, method="L-BFGS-B")
    theta = res.x
    k = len(theta)
    at_boundary = prior is None and regimes.from_theta(theta)[4] < 1e-3
    # at the boundary the excitation (and its idle memory) leave the information singular:
    # the curvature is taken over the other parameters
    free = [j for j in range(k) if not (at_boundary and j in (4, 5))]
    cov = np.zeros((k, k))
    if intervals:

        def nll_free(z: np.ndarray) -> np.ndarray:
            x = np.tile(theta, (len(z), 1))
            x[:, free] = z
            return nll_batch(x)

        cov[np.ix_(free, free)] = _inverse_hessian_batch(nll_free, theta[free])
    if joint is not None:
        joint.update(theta=theta.copy(), cov=np.nan_to_num(cov, nan=0.0))
    span = f"{p['month'][BURN_IN]}..{end}"
    n = len(p["month"]) - BURN_IN
    how = "maximum likelihood" if prior is None else "maximum a posteriori (pooled)"
    why = (
        f"{how} (forward algorithm), regime-switching self-exciting "
        f"negative-binomial count of the record's provocation events given its talks, "
        f"strategic months and exercise calendar, {span} (n = {n}); detente backtest dynamics --fit"
    )
    se = np.sqrt(np.clip(np.nan_to_num(np.diag(cov), nan=0.0), 0.0, None))
    mid = regimes.from_theta(theta)
    with np.errstate(over="ignore"):  # a short record's interval may run to infinity
        lo, hi = regimes.from_theta(theta - 1.645 * se), regimes.from_theta(theta + 1.645 * se)
    out = {
        name: (float(mid[j]), float(min(lo[j], hi[j])), float(max(lo[j], hi[j])), why)
        for j, name in enumerate(regimes.NAMES)
    }
    if at_boundary:
        out |= _boundary_excitation(nll_batch, theta, why, intervals and profile)
    out["provocation_level_sd"] = _level_sd(theta, X, span, n)
    if "missiles" not in p:
        note = "prior: the record has no missile series; " + (
            "the reference record's value" if prior is not None else "the default"
        )
        for name in MISSILE_NAMES:
            v = float(centre[name])
            out[name] = (v, DEFAULTS[name].low, DEFAULTS[name].high, note)
        return out
    _, _, mu = regimes.forward(theta, X)
    keep = np.arange(len(p["month"])) >= BURN_IN
    weight = DEFAULTS["salvo_prior_events"].value
    phi0 = np.log([centre[n] for n in MISSILE_NAMES]) if prior is not None else None

    def nll_m(phi: np.ndarray) -> float:
        mean = _salvo(X, weight, float(np.exp(phi[0])))[keep] * mu[keep]
        pen = 0.0 if phi0 is None else 0.5 * prec * float(np.sum((phi - phi0) ** 2))
        return -float(_nb_logpmf(X["m"][keep], mean, float(np.exp(phi[1]))).sum()) + pen

    start_m = phi0 if phi0 is not None else np.array([np.log(1.0), np.log(0.5)])
    res_m = optimize.minimize(nll_m, start_m, method="L-BFGS-B")
    cov_m = _inverse_hessian(nll_m, res_m.x) if intervals else np.zeros((2, 2))
    se_m = np.sqrt(np.clip(np.nan_to_num(np.diag(cov_m), nan=0.0), 0.0, None))
    why_m = (
        f"maximum likelihood, negative-binomial count of CNS missiles launched with mean "
        f"= the fitted event rate x the salvo size of the last 36 months (shrunk toward this "
        f"ratio with the weight of salvo_prior_events), {span} (n = {n}); "
        "detente backtest dynamics --fit"
    )
    for j, name in enumerate(MISSILE_NAMES):
        x = res_m.x[j]
        with np.errstate(over="ignore"):  # a short record's interval may run to infinity
            out[name] = (
                float(np.exp(x)), float(np.exp(x - 1.645 * se_m[j])),
                float(np.exp(x + 1.645 * se_m[j])), why_m,
            )  # fmt: skip
    return out


def _boundary_excitation(
    nll_batch: Any, theta: np.ndarray, why: str, intervals: bool
) -> dict[str, tuple[float, float, float, str]]:
    """The self-excitation at its boundary 0: its 90% upper bound from the profile
    likelihood (one-sided, 2 x rise of the negative log-likelihood = 2.71), and the memory
    fitted at that bound (idle at 0) with its own curvature interval."""
    from scipy import optimize, special  # imported here: many runs never call it (start-up time)

    note = why + "; excitation at its boundary 0 (upper bound: profile likelihood)"
    if not intervals:
        m = float(special.expit(theta[5]))
        return {
            "provocation_excitation": (0.0, 0.0, 0.0, note),
            "provocation_memory": (m, m, m, note),
        }

    def nll(x: np.ndarray) -> float:
        return float(nll_batch(np.asarray(x, float)[None, :])[0])

    best = nll(theta)
    free = [j for j in range(len(theta)) if j != 4]
    bound, x_at = 0.0, theta.copy()
    for alpha in (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6):
        fixed = special.logit(alpha)

        def sub(z: np.ndarray, fixed: float = fixed) -> np.ndarray:
            x = np.tile(theta, (len(z), 1))
            x[:, free] = z
            x[:, 4] = fixed
            return np.asarray(nll_batch(x))

        res = optimize.minimize(_with_gradient(sub), theta[free], jac=True, method="L-BFGS-B")
        bound = alpha
        x_at = theta.copy()
        x_at[free], x_at[4] = res.x, fixed
        if res.fun - best > 2.71 / 2:
            break
    m_hat = float(special.expit(x_at[5]))

    def on_memory(z: np.ndarray) -> float:
        x = x_at.copy()
        x[5] = z[0]
        return float(nll(x))

    se = float(
        np.sqrt(max(float(np.nan_to_num(_inverse_hessian(on_memory, x_at[5:6])[0, 0])), 0.0))
    )
    lo, hi = special.expit(x_at[5] - 1.645 * se), special.expit(x_at[5] + 1.645 * se)
    return {
        "provocation_excitation": (0.0, 0.0, float(bound), note),
        "provocation_memory": (m_hat, float(lo), float(hi), note + "; memory fitted at that bound"),
    }


def _level_sd(
    theta: np.ndarray, X: dict[str, np.ndarray], span: str, n: int
) -> tuple[float, float, float, str]:
    """The local level's innovation sd by profile likelihood (:mod:`detente.dynamics.level`)."""
    from . import level

    lf = level.profile(theta, X, BURN_IN)
    why = (
        f"profile likelihood of a random-walk log level of the provocation rate (the other "
        f"count parameters at their maximum-likelihood values; forward algorithm over the "
        f"regimes and a grid of levels), {span} (n = {n}); gain over no level "
        f"{lf.gain:.2f} log-likelihood units; detente backtest dynamics --fit"
    )
    return (lf.sd, lf.low, lf.high, why)


def fit_crisis(
    record_id: str,
    end: str = FIT_END,
    *,
    prior: tuple[dict[str, float], float] | None = None,
    counts: dict[str, tuple[float, float, float, str]] | None = None,
) -> dict[str, tuple[float, float, float, str]]:
    """The penalised logit of a strategic month (the challenger's crisis utilities), with the
    probability of the active regime (filtered from the events before the month, under the
    count fit on the same months) as a covariate. ``prior`` (reference values, sd) centres
    the penalty on the reference's coefficients, every one of them (partial pooling)."""
    from . import regimes

    p = _training_panel(record_id, end)
    if counts is None:
        counts = fit_counts(record_id, end, intervals=False, prior=prior)
    theta = regimes.to_theta(np.array([counts[n][0] for n in regimes.NAMES]))
    _, pred, _ = regimes.forward(theta, regimes.design(p))
    y = np.asarray(p["strategic"], float)[1:]
    X = np.column_stack(
        [
            np.ones(len(y)),
            np.asarray(p["exercise"], float)[1:],
            np.asarray(p["talks"], float)[:-1],
            np.asarray(p["strategic"], float)[:-1],
            pred[1 : len(p["month"])],
        ]
    )
    names = (
        "crisis_base",
        "crisis_exercise",
        "crisis_talks",
        "crisis_persistence",
        "crisis_active",
    )
    if prior is None:
        f = fit_logit(X, y, names)
    else:
        centre = np.array([prior[0][n] for n in names])
        f = fit_logit(X, y, names, centre=centre, sd=prior[1])
    pooled = (
        "" if prior is None else f"pooled toward the reference's coefficients (sd {prior[1]:g}), "
    )
    why = (
        f"{pooled}penalised logit of a strategic-provocation month on exercise month, talks "
        f"last month, a strategic month last month and the filtered probability of the active "
        f"regime, {p['month'][1]}..{end} (n = {len(y)}); detente backtest dynamics --fit"
    )
    return {
        n: (float(c), float(c - 1.645 * s), float(c + 1.645 * s), why)
        for n, c, s in zip(names, f.coef, f.se, strict=True)
    }


def months_without_talks(talks: np.ndarray) -> np.ndarray:
    """Months without talks since the last talks month, at each month (0 in a talks month;
    inf before the first talks month)."""
    out = np.empty(len(talks))
    c = np.inf
    for i, x in enumerate(np.asarray(talks, bool)):
        c = 0.0 if x else c + 1.0
        out[i] = c
    return out


def fit_recency_months(record_id: str, end: str = FIT_END) -> tuple[float, float, float, str]:
    """The decay (in months) of the pull of recent talks (rule ``talks_recency``), by the
    profile likelihood of a logit of "talks start next month" on
    ``exp(-(w - 1) / months)`` over the record's months without talks up to ``end`` (``w``
    the months without talks since the last talks month); the 90% interval is where twice
    the drop of the log-likelihood stays below 2.71."""

    p = _training_panel(record_id, end)
    talks = np.asarray(p["talks"], bool)
    w = months_without_talks(talks)
    rows = np.flatnonzero(~talks[:-1])
    y = talks[rows + 1].astype(float)

    def loglik(months: float) -> float:
        x = np.where(np.isfinite(w[rows]), np.exp(-np.maximum(w[rows] - 1.0, 0.0) / months), 0.0)
        X = np.column_stack([np.ones(len(y)), x])
        b = fit_logit(X, y, ("intercept", "recency")).coef
        z = X @ b
        return float((y * z - np.logaddexp(0.0, z)).sum())

    grid = np.round(np.arange(0.5, 36.01, 0.25), 2)
    ll = np.array([loglik(float(m)) for m in grid])
    best = int(np.argmax(ll))
    inside = grid[2.0 * (ll[best] - ll) <= 2.71]
    why = (
        f"profile likelihood: logit of talks starting next month on exp(-(w - 1) / months) "
        f"over the {len(y)} months without talks of record {record_id}, "
        f"{p['month'][0]}..{end} ({int(y.sum())} followed by talks), grid 0.5..36 by "
        "0.25; detente backtest dynamics --fit"
    )
    return float(grid[best]), float(inside.min()), float(inside.max()), why


def _talks_objective(
    s: Scenario, panel: pd.DataFrame, ks: list[int], runs: int, seed: int, fixed: dict[str, float]
) -> Any:
    from . import scores as S
    from .backtest import HORIZONS, run_origin

    def score(theta: np.ndarray) -> float:
        par = dict(fixed) | dict(zip(TALKS_NAMES, map(float, theta), strict=True))
        total, n = 0.0, 0
        for k in ks:
            sim = run_origin(s, panel, k, runs=runs, seed=seed, parameters=par)
            h = sim.n_months
            y = panel["talks"].to_numpy(bool)[k + 1 : k + 1 + h]
            p = sim.in_talks.mean(axis=1)
            total += float(S.log_binary(p, y).sum())
            n += h
            for hz in HORIZONS:
                if hz <= h:
                    total += float(S.log_binary(sim.in_talks[:hz].any(axis=0).mean(), y[:hz].any()))
                    n += 1
        return total / n

    return score


def fit_talks(
    s: Scenario, *, runs: int = 150, seed: int = 0, fixed: dict[str, float] | None = None
) -> dict[str, tuple[float, float, float, str]]:
    """Simulated-likelihood fit of the talks parameters on the training origins."""
    from scipy import optimize  # imported here: many runs never call it (start-up time)

    from ..data.records import load_record
    from .backtest import backtest_scenario, origins, sample_of

    assert s.roles is not None and s.roles.record is not None
    rec = load_record(s.roles.record)
    panel = rec.panel()
    months = list(panel["month"])
    ks = [months.index(o) for o in origins(rec, 6) if sample_of(o, rec) == "train"]
    bt = backtest_scenario(s)
    fixed_all = dict(fixed or {})
    fixed_all.setdefault("talks_recency_months", fit_recency_months(s.roles.record)[0])
    f = _talks_objective(bt, panel, ks, runs, seed, fixed_all)
    x0 = np.array(TALKS_START)
    simplex = np.vstack([x0, x0 + TALKS_STEP * np.eye(len(x0))])
    res = optimize.minimize(
        lambda x: -f(x),
        x0,
        method="Nelder-Mead",
        bounds=TALKS_BOUNDS,
        options={"xatol": 0.05, "fatol": 1e-4, "maxfev": 160, "initial_simplex": simplex},
    )
    n_obs = sum(min(36, len(panel) - 1 - k) for k in ks)
    cov = _inverse_hessian(lambda x: -f(x) * n_obs, res.x, h=0.15) * 6.0
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    why = (
        f"simulated likelihood: maximises the backtest log score of the monthly talks state "
        f"and of P(talks by 6/12/24/36 months) over {len(ks)} training origins "
        f"({FIRST}..{LAST}), {runs} runs each, seed {seed}, Nelder-Mead from the judgement "
        f"priors {TALKS_START} (steps {TALKS_STEP}, {res.nfev} evaluations; talks_inertia and "
        f"talks_recency bounded at 0), with "
        f"talks_recency_months {fixed_all['talks_recency_months']:.4g} (its own fit); "
        "detente backtest dynamics --fit"
    )
    return {
        n: (float(v), float(v - 1.645 * e), float(v + 1.645 * e), why)
        for n, v, e in zip(TALKS_NAMES, res.x, se, strict=True)
    }


FIRST, LAST = "1995-06", "2008-12"


def fit(
    s: Scenario, *, runs: int = 150, seed: int = 0, talks: bool = True, end: str | None = None
) -> FitResult:
    """Both stages. Counts and crisis by maximum likelihood on the whole record up to
    ``end`` (default: the record's end; these are the values the outlook uses, and the
    backtest re-estimates them at each origin on the months before it); talks by the
    simulated score on the training origins (with the count and crisis values fitted on
    the training months), unless ``talks`` is False."""
    from ..data.records import load_record

    assert s.roles is not None and s.roles.record is not None
    rid = s.roles.record
    last = end or str(load_record(rid).end)
    counts = fit_counts(rid, last)
    out = counts | fit_crisis(rid, last, counts=counts)
    if talks:
        train = fit_counts(rid, FIT_END, intervals=False)
        fixed = {k: v[0] for k, v in (train | fit_crisis(rid, FIT_END, counts=train)).items()}
        recency = fit_recency_months(rid, FIT_END)
        out["talks_recency_months"] = recency
        fixed["talks_recency_months"] = recency[0]
        out |= fit_talks(s, runs=runs, seed=seed, fixed=fixed)
    return FitResult(out)
