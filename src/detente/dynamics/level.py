"""A local level of provocations: a random walk in the log rate, estimated by likelihood.

The regime-switching count (:mod:`detente.dynamics.regimes`) has a fixed long-run rate: the
monthly rate returns to the same base after every testing campaign. The record does not:
the 1990s and 2000s averaged about four provocation events a year, 2014-2017 about twenty.
A *local level* lets the rate drift:

    mu_t = base_t x (active_t ? provocation_active_ratio : 1) x exp(L_t)
    L_t  = L_{t-1} + provocation_level_sd x e_t,   e_t ~ N(0, 1),   L_0 = 0

(a random walk in the log rate: its median is the last level, its spread grows with the
horizon as a level that can drift implies). The likelihood is exact up to a grid: the
level lives on :data:`GRID` (spacing :data:`DELTA`) and the forward algorithm runs over the
product of the two regimes and the grid. Its innovation sd is estimated on the months up to
an origin by the profile likelihood over :data:`CANDIDATES` (the other count parameters
held at their maximum-likelihood values without the level), refined by a parabola in
``log sd``; its 90% interval is where the profile log-likelihood falls by 1.35 (2.71 / 2).
The filtered joint law of (regime, level) after the last month of a history is the state
the simulation starts from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data.records import panel_until
from ..errors import ModelError
from .parameters import DEFAULTS
from .regimes import NAMES, _rates, design, filter_active, from_theta, nb_logpmf, to_theta

if TYPE_CHECKING:
    from ..scenario.schema import Scenario

__all__ = [
    "CANDIDATES",
    "DELTA",
    "GRID",
    "LevelFit",
    "filter_state",
    "initial_state",
    "level_forward",
    "profile",
    "start_draw",
]

#: Spacing of the log-level grid: a rate multiplier step of about 5%.
DELTA = 0.05
#: The log-level grid: rate multipliers from exp(-3) to exp(3).
GRID = np.round(np.arange(-60, 61) * DELTA, 10)
#: Innovation sds at which the profile likelihood is evaluated (one batched pass).
CANDIDATES = np.array([0.0, 0.01, 0.02, 0.03, 0.045, 0.06, 0.08, 0.1, 0.13, 0.17, 0.22, 0.3])


def kernel_matrix(sd: float) -> np.ndarray:
    """One month's transition of the level on :data:`GRID`, rows summing to one.

    An sd at most the grid's spacing moves one step up or down with probability
    ``sd^2 / (2 DELTA^2)`` each (the same variance); a larger one is the normal density on
    the grid. Rows are renormalised at the grid's ends (the level does not leave it).
    """
    G = len(GRID)
    if sd <= 0:
        return np.eye(G)
    if sd <= DELTA:
        p = sd * sd / (2 * DELTA * DELTA)
        M = np.eye(G) * (1 - 2 * p) + np.eye(G, k=1) * p + np.eye(G, k=-1) * p
    else:
        d = GRID[None, :] - GRID[:, None]
        M = np.exp(-0.5 * (d / sd) ** 2)
    return np.asarray(M / M.sum(axis=1, keepdims=True))


def level_forward(
    thetas: np.ndarray, sds: np.ndarray, X: dict[str, Any], burn_in: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Log-likelihood ``(B,)`` of the count with a local level (innovation sd ``sds``, one
    per row of ``thetas``), and the predicted joint law ``(B, 2, G)`` of (quiet / active,
    level) in the month after the history. An sd of 0 gives :func:`regimes.forward`'s
    likelihood exactly (the level stays at 0)."""
    with np.errstate(all="ignore"):
        ll, f = _level_forward(np.atleast_2d(thetas), sds, X, burn_in)
    return np.where(np.isfinite(ll), ll, -np.inf), f


def _level_forward(
    thetas: np.ndarray, sds: np.ndarray, X: dict[str, Any], burn_in: int
) -> tuple[np.ndarray, np.ndarray]:
    v = from_theta(thetas)
    B, G = len(v), len(GRID)
    base, excited = _rates(v, X)
    size, mult = v[:, 6], v[:, 7]
    stay_q, stay_a = v[:, 8], v[:, 9]
    M = np.stack([kernel_matrix(float(s)) for s in np.broadcast_to(sds, (B,))])
    scale = np.exp(GRID)[None, None, :] * np.stack([np.ones(B), mult], axis=1)[:, :, None]
    y = X["y"]
    f = np.zeros((B, 2, G))
    p0 = (1 - stay_q) / ((1 - stay_q) + (1 - stay_a))
    f[:, 0, G // 2], f[:, 1, G // 2] = 1 - p0, p0
    ll = np.zeros(B)
    sz = size[:, None, None]
    for t in range(len(y)):
        mu = base[:, t, None, None] * scale + excited[:, t, None, None]
        e = np.exp(nb_logpmf(y[t], mu, sz))
        joint = f * e
        s = joint.sum(axis=(1, 2))
        if t >= burn_in:
            ll += np.log(np.maximum(s, 1e-300))
        post = joint / np.where(s > 0, s, 1.0)[:, None, None]
        q, a = post[:, 0], post[:, 1]
        mixed = np.stack(
            [
                q * stay_q[:, None] + a * (1 - stay_a)[:, None],
                q * (1 - stay_q)[:, None] + a * stay_a[:, None],
            ],
            axis=1,
        )
        f = mixed @ M
    return ll, f


@dataclass(frozen=True)
class LevelFit:
    """The level's innovation sd by profile likelihood: the estimate, its 90% interval, the
    gain in log-likelihood over no level (sd 0) and the profile at :data:`CANDIDATES`."""

    sd: float
    low: float
    high: float
    gain: float
    profile: tuple[float, ...]


def profile(theta: np.ndarray, X: dict[str, Any], burn_in: int = 0) -> LevelFit:
    """The level's sd maximising the profile likelihood (the other parameters at ``theta``)."""
    ll, _ = level_forward(np.tile(theta, (len(CANDIDATES), 1)), CANDIDATES, X, burn_in)
    j = int(np.argmax(ll))
    sd = float(CANDIDATES[j])
    best = float(ll[j])
    if 0 < j < len(CANDIDATES) - 1:  # a parabola in log sd through the best and its neighbours
        x = np.log(CANDIDATES[j - 1 : j + 2])
        a, b, _c = np.polyfit(x, ll[j - 1 : j + 2], 2)
        if a < 0:
            top = float(np.clip(-b / (2 * a), x[0], x[2]))
            sd = float(np.exp(top))
            best = max(best, float(np.polyval([a, b, _c], top)))
    inside = CANDIDATES[ll >= best - 1.35]
    lo = float(inside.min()) if inside.size else sd
    hi = float(inside.max()) if inside.size else sd
    return LevelFit(sd, min(lo, sd), max(hi, sd), best - float(ll[0]), tuple(map(float, ll)))


def filter_state(theta: np.ndarray, sd: float, X: dict[str, Any]) -> np.ndarray:
    """The joint law ``(2, G)`` of (quiet / active, level on :data:`GRID`) in the month after
    the history ``X``, given the count parameters ``theta`` and the level's sd."""
    _, f = level_forward(np.asarray(theta, float)[None, :], np.array([sd]), X)
    out = f[0]
    return np.asarray(out / out.sum())


def initial_state(
    s: Scenario,
    start: str,
    history: Sequence[float] | np.ndarray | None,
    given: float | np.ndarray | None,
    overrides: dict[str, float] | None,
) -> float | np.ndarray:
    """P(the active regime) in the first month, or the joint law ``(2, G)`` of (quiet /
    active, level on :data:`detente.dynamics.level.GRID`) when the level's sd is positive:
    ``given``, else filtered from the scenario's record up to ``start`` (with the scenario's
    point values of the count parameters), else the chain's stationary probability."""
    if given is not None:
        g = np.asarray(given, float)
        if g.ndim == 0 and not 0.0 <= float(g) <= 1.0:
            raise ModelError(f"regime_probability must be in [0, 1]; got {given}")
        return float(g) if g.ndim == 0 else g
    names = (*NAMES, "provocation_level_sd")
    point = {
        n: (s.parameters[n].value.value if n in s.parameters else DEFAULTS[n].value) for n in names
    } | {k: v for k, v in (overrides or {}).items() if k in names}
    panel = None
    if history is None and s.roles is not None and s.roles.record is not None:
        panel = panel_until(s.roles.record, start)
    if panel is not None and point["provocation_level_sd"] > 0:
        theta = to_theta(np.array([point[n] for n in NAMES]))
        return filter_state(theta, point["provocation_level_sd"], design(panel))
    return filter_active(panel, point)


def start_draw(state: float | np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per run (uniforms ``u``): P(active) in the first month and the starting log level,
    the level drawn from the joint law's margin and P(active) given it."""
    if np.ndim(state) == 0:
        return np.full(len(u), float(state)), np.zeros(len(u))
    joint = np.asarray(state, float)
    margin = joint.sum(axis=0)
    g = np.minimum(np.searchsorted(np.cumsum(margin) / margin.sum(), u), len(GRID) - 1)
    return joint[1, g] / np.maximum(margin[g], 1e-300), GRID[g].astype(float)
