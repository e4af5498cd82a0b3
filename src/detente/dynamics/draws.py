"""The parameter groups' draws: a Latin hypercube over the uncertain inputs, and the fitted
parameters drawn from their fit's asymptotic posterior.

**One design for every group.** The K parameter groups of a simulation share one Latin
hypercube (McKay, Beckman & Conover 1979, doi:10.1080/00401706.1979.10489755) over the
scenario's uncertain quantities (in the scenario's structural order, so renaming changes
nothing): each quantity's K uniforms fall one in each of K equal strata, randomly paired
across quantities. Every draw is still a draw from the same distribution (the estimator of a
probability stays unbiased); the part of its Monte Carlo variance that is additive in the
inputs falls, so the outlook moves less from seed to seed at the same cost.

**Fitted parameters, from the fit's posterior.** A parameter fitted on a record (by maximum
likelihood, or the penalised logit of the crisis terms) carries a 90% interval from the
observed information: ``estimate +- 1.645 se`` on the fit's scale (log for rates and ratios,
logit for shares, the logit's own units for crisis utilities). Each group draws it from that
asymptotic normal, ``estimate + se z`` with ``z`` the group's normal quantile, transformed
back (a triangle on the interval, as the scenario's judgement ranges are drawn, would have
two thirds of that sd). A parameter at a boundary of its space (an estimate equal to its
interval's low end, such as a self-excitation or a level sd of 0) is half-normal above it,
its one-sided 90% bound at 1.645 sd. The sd on the fit's scale is capped at
:data:`SE_CAP` (a weakly identified parameter of a short record, whose interval runs to
infinity, would otherwise give absurd rates). The event parameters fitted on a case's own
record (the outlook, :func:`detente.dynamics.casefit.case_joint`) and at each origin of the
backtest are drawn jointly (:func:`joint_draw`), keeping the estimates' correlations; a
scenario's own calibrated parameters (which store ranges, not a covariance) are drawn from
their marginals. At the backtest's early origins a weakly identified fit trades a near-zero
rate against a huge ratio: its marginals drawn apart would give absurd rates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .._special import expit, logit, ndtri
from ..scenario.arrays import ScenarioArrays
from ._memory import Memory
from .casefit import case_joint, case_parameters
from .posterior import Posterior
from .regimes import NAMES, TRANSFORMS, from_theta

if TYPE_CHECKING:
    from ..scenario.schema import Scenario

__all__ = [
    "SE_CAP",
    "antithetic",
    "fitted_draws",
    "joint_draw",
    "latin_hypercube",
    "posterior_draw",
    "scenario_draws",
]

#: Largest sd of a fitted parameter's draw on its fit's scale (a factor of e on a log scale).
SE_CAP = 1.0
_Z90 = 1.6448536269514722


def latin_hypercube(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """``(n, d)`` uniforms: a randomised Latin hypercube (one point in each of ``n`` strata
    of every column, at a uniform place inside it, the strata paired at random across
    columns). Column ``j`` comes from a stream of its own (one draw of ``rng`` and ``j``),
    so it is the same whatever ``d``: a variant of a scenario with a quantity more keeps the
    other quantities' draws (paired what-ifs). The columns of the last few streams are kept
    (every variant of a run draws the same ones)."""
    base = int(rng.integers(2**63))
    kept = _LHS.get((base, n))
    if kept is not None and kept.shape[1] >= d:
        return kept[:, :d].copy()
    out = np.empty((n, d))
    for j in range(d):
        col = np.random.default_rng([base, j])
        out[:, j] = (col.permutation(n) + col.random(n)) / n
    _LHS.put((base, n), out.copy())
    return out


#: Latin hypercubes kept by :func:`latin_hypercube`, by (stream, n).
_LHS = Memory(8)


def _scale(name: str, lo: float, hi: float) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The (forward, back) transforms of a fitted parameter's scale."""
    kind = TRANSFORMS[NAMES.index(name)] if name in NAMES else ("log" if lo > 0 else "linear")
    if kind == "logit" and lo > 0 and hi < 1:
        return logit, expit
    if kind == "log1" and lo > 1:
        return (lambda x: np.log(np.asarray(x) - 1.0)), (lambda z: 1.0 + np.exp(z))
    if kind in ("log", "log1") and lo > 0:
        return np.log, np.exp
    return (lambda x: np.asarray(x, float)), (lambda z: np.asarray(z, float))


def _norm_ppf(q: np.ndarray) -> np.ndarray:
    """The standard normal quantiles of ``q`` (in (0, 1)): what ``scipy.stats.norm.ppf``
    returns (its ``ndtri(q) * 1 + 0``), without its argument checks (a fifth of a
    millisecond a call, some twenty calls per simulation), by scipy's ``ndtri`` ported
    (:mod:`detente._special`, the same numbers)."""
    return np.asarray(ndtri(q) * 1.0 + 0.0)


#: The last few draws of :func:`posterior_draw`, by (name, the bytes of value, lo and hi,
#: the uniforms' shape and bytes; bytes, so 0.0 and -0.0 or two NaNs are told apart):
#: the variants of a run draw the same parameters at the same uniforms (the same Latin
#: hypercube), some twenty a simulation.
_DRAWS = Memory(256)


def posterior_draw(name: str, value: float, lo: float, hi: float, u: np.ndarray) -> np.ndarray:
    """A fitted parameter at uniforms ``u``: its asymptotic normal on the fit's scale (90%
    interval ``[lo, hi]``), half-normal above a boundary estimate (``value == lo``).

    The last few draws are kept (a new array is returned every call)."""
    u = np.asarray(u, float)
    key = (name, np.array((value, lo, hi), float).tobytes(), u.shape, u.tobytes())
    kept = _DRAWS.get(key)
    if kept is not None:
        return kept.copy()
    out = _posterior_draw(name, value, lo, hi, u)
    _DRAWS.put(key, out.copy())
    return out


def _posterior_draw(name: str, value: float, lo: float, hi: float, u: np.ndarray) -> np.ndarray:
    u = np.clip(u, 1e-9, 1 - 1e-9)
    lo, hi = min(lo, value), max(hi, value)
    if hi <= lo:
        return np.full(u.shape, float(value))
    fwd, back = _scale(name, lo, hi)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        c, a, b = float(fwd(value)), float(fwd(lo)), float(fwd(hi))
    if value <= lo:  # at a boundary: half-normal above it, its 90% one-sided bound at hi
        se = min((b - c) / _Z90, SE_CAP) if np.isfinite(b) else SE_CAP
        return np.asarray(back(c + se * _norm_ppf(0.5 + 0.5 * u)), float)
    width = b - a if np.isfinite(b - a) else np.inf
    se = min(width / (2 * _Z90), SE_CAP)
    return np.asarray(back(c + se * _norm_ppf(u)), float)


def joint_draw(mean: np.ndarray, cov: np.ndarray, U: np.ndarray) -> np.ndarray:
    """Rows of the joint normal ``N(mean, cov)`` at uniforms ``U`` ``(n, k)`` (normal
    quantiles times a square root of ``cov``), each sd capped at :data:`SE_CAP` with the
    correlations kept; a parameter with a zero row stays at its estimate."""
    cov = np.nan_to_num(np.asarray(cov, float), nan=0.0, posinf=0.0, neginf=0.0)
    sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    shrink = np.where(sd > SE_CAP, SE_CAP / np.maximum(sd, 1e-300), 1.0)
    cov = cov * shrink[:, None] * shrink[None, :]
    w, V = np.linalg.eigh((cov + cov.T) / 2)
    root = V * np.sqrt(np.clip(w, 0.0, None))
    z = _norm_ppf(np.clip(U, 1e-9, 1 - 1e-9))
    return np.asarray(mean[None, :] + z @ root.T)


def fitted_draws(
    s: Scenario,
    groups: int,
    rng: np.random.Generator,
    fitted: Posterior | None = None,
) -> tuple[dict[str, np.ndarray], list[str]]:
    """Per parameter group, the parameters the scenario does not set: those fitted on the
    case's record drawn from their fit's posterior (:func:`posterior_draw`), the priors at
    their values (:func:`detente.dynamics.casefit.case_parameters`). ``fitted`` (a fit made
    elsewhere, such as the backtest's at each origin) is drawn from its posterior (its
    joint parameters together, :func:`joint_draw`) and replaces the scenario's and the
    case's values of those names."""
    case, notes = case_parameters(s)
    marginals = {} if fitted is None else fitted.marginals
    # the event parameters together: the given fit's joint, else the case's own record's
    joint = fitted if fitted is not None else case_joint(s)
    together = () if joint is None or joint.mean is None else joint.names
    # the engine's parameter names, never a case's ids, order the stream
    todo: list[tuple[str, float, float, float]] = []
    out: dict[str, np.ndarray] = {}
    for name in sorted(case):
        cp = case[name]
        if name in together:
            continue
        if name in marginals:
            todo.append((name, *marginals[name]))
        elif cp.source == "scenario":
            continue
        elif cp.source in ("fitted", "pooled"):
            todo.append((name, cp.value, cp.low, cp.high))
        else:
            out[name] = np.full(groups, cp.value)
    U = latin_hypercube(groups, len(todo) + len(together), rng)
    for j, (name, v, lo, hi) in enumerate(todo):
        out[name] = posterior_draw(name, v, lo, hi, U[:, j])
    if together and joint is not None and joint.mean is not None and joint.cov is not None:
        assert tuple(together) == NAMES
        rows = joint_draw(joint.mean, joint.cov, U[:, len(todo) :])
        values = from_theta(rows)
        for j, name in enumerate(together):
            out[name] = values[:, j]
    return out, list(notes)


def scenario_draws(s: Scenario, groups: int, rng: np.random.Generator) -> ScenarioArrays:
    """The scenario's uncertain quantities for ``groups`` groups on one Latin hypercube (in
    the scenario's own order of quantities); its parameters marked ``calibrated`` drawn from
    their fit's posterior, every other quantity triangular on its range."""
    paths = [p for p, _ in s.quantities()]
    U = latin_hypercube(groups, len(paths), rng)
    uniforms = {p: U[:, j] for j, p in enumerate(paths)}
    arrays = ScenarioArrays.from_uniforms(s, uniforms) if paths else s.sample(groups, rng)
    for name, p in s.parameters.items():
        path = f"parameters.{name}"
        q = p.value
        # a number a what-if's shift moved follows its shift (scenario.arrays), not its fit
        calibrated = q.provenance is not None and q.provenance.kind == "calibrated"
        if path in uniforms and calibrated and q.shift is None:
            arrays.parameters[name] = posterior_draw(name, q.value, q.low, q.high, uniforms[path])
    return arrays


def antithetic(u: np.ndarray, runs: int) -> np.ndarray:
    """Runs in antithetic pairs: run ``2j + 1`` plays ``1 - u`` of run ``2j`` every month
    (each run's uniforms are still uniform, so every estimate stays unbiased; a pair's
    outcomes are negatively correlated, so probabilities vary less between seeds)."""
    T, half, n = u.shape
    return np.stack([u, 1.0 - u], axis=2).reshape(T, 2 * half, n)[:, :runs]
