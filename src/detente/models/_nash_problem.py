"""The bargaining problem of the axiomatic solutions and its smooth solvers (see :mod:`.nash`).

``Problem`` (players, utilities, the red-line box, gains over the status quo), its smooth
lift ``z = (x / W, e)`` and the SLSQP steps the Nash, Kalai-Smorodinsky and egalitarian
solutions share.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._sobol import sobol_points
from ..core import distance_utility
from ..scenario.arrays import ScenarioArrays

MAX_PLAYERS = 60

_TOL = 1e-9  # a gain counts as positive above this share of the player's best possible gain


@dataclass(frozen=True)
class Problem:
    """The bargaining problem on the issues some player cares about.

    Attributes
    ----------
    players : tuple of str
    weights : ndarray (K,)          capability shares (bargaining weights)
    ideal : ndarray (K, J)          ideal points, in scale units
    salience : ndarray (K, J)       salience where the player has a stance, else 0
    gamma : ndarray (K,)            curvature per player
    width : ndarray (J,)            scale widths
    low, high : ndarray (J,)        the box allowed by the players' red lines
    status_quo : ndarray (J,)
    issues : tuple of str           the issues in the problem (active issues)
    offset : ndarray (K,)           gains already settled on consensus issues (see _problem)
    """

    players: tuple[str, ...]
    weights: np.ndarray
    ideal: np.ndarray
    salience: np.ndarray
    gamma: np.ndarray
    width: np.ndarray
    low: np.ndarray
    high: np.ndarray
    status_quo: np.ndarray
    issues: tuple[str, ...]
    offset: np.ndarray

    @property
    def n_players(self) -> int:
        return len(self.players)

    @property
    def n_issues(self) -> int:
        return len(self.issues)

    def distance_sq(self) -> np.ndarray:
        return np.abs(self.status_quo[None, :] - self.ideal) / self.width

    def utility(self, x: np.ndarray) -> np.ndarray:
        """``u_k(x)`` for packages ``x`` of shape (..., J); returns (..., K)."""
        d = np.abs(x[..., None, :] - self.ideal) / self.width
        return distance_utility(d, self.salience, self.gamma[:, None])

    def gains(self, x: np.ndarray) -> np.ndarray:
        """``g_k(x) = u_k(x) - u_k(q)``; (..., K)."""
        return self.utility(x) - self.utility(self.status_quo) + self.offset

    def best_packages(self) -> np.ndarray:
        """Each player's best package in the box (its ideal point clipped), (K, J)."""
        return np.clip(self.ideal, self.low, self.high)

    def best_gains(self) -> np.ndarray:
        """The most each player can gain within the box, ignoring the others, (K,)."""
        b = self.best_packages()
        return np.array([self.gains(b[k])[k] for k in range(self.n_players)])


def _problem(
    arrays: ScenarioArrays, gamma: np.ndarray
) -> tuple[
    Problem, np.ndarray, list[str], list[tuple[str, str, str, float, float]], dict[int, float]
]:
    """Build the problem from a single scenario's arrays.

    Issues where every player who cares has the same best point in the box are settled at that
    point (with separable utilities every Pareto-optimal package does so); their gains enter as a
    constant ``offset``, which also spares the solver issues whose saliences are tiny.

    Returns the problem, the index of its issues in the scenario, notes, red-line conflicts
    ``(issue, actor_low, actor_high, bound_low, bound_high)`` and the settled issues
    ``{issue index: value}``.
    """
    veto = arrays.veto
    idx = np.flatnonzero(veto) if veto.any() else np.arange(arrays.n_actors)
    players = tuple(arrays.actor_ids[k] for k in idx)
    notes = []
    caps = arrays.capabilities[idx]
    if caps.sum() > 0:
        weights = caps / caps.sum()
    else:
        weights = np.full(len(idx), 1.0 / len(idx))
        notes.append("Every bargaining player has zero capability; equal weights are used.")
    sal_raw = np.where(arrays.has_stance[idx], arrays.saliences[idx], 0.0)
    # saliences a billion times smaller than the largest cannot be told apart from zero by the
    # solver (and would make the result depend on actor order); they count only for consensus
    sal = np.where(sal_raw >= 1e-9 * sal_raw.max(initial=0.0), sal_raw, 0.0)
    active = np.flatnonzero((sal_raw > 0).any(axis=0))
    width = arrays.scale_high - arrays.scale_low
    rlo = arrays.red_low[idx]
    rhi = arrays.red_high[idx]
    low = rlo.max(axis=0)
    high = rhi.min(axis=0)
    conflicts = []
    for j in np.flatnonzero(low > high + 1e-12 * width):
        a_lo = players[int(np.argmax(rlo[:, j]))]
        a_hi = players[int(np.argmin(rhi[:, j]))]
        conflicts.append((arrays.issue_ids[j], a_lo, a_hi, float(low[j]), float(high[j])))
    fixed: dict[int, float] = {}
    offset = np.zeros(len(idx))
    if not conflicts:
        ideal = arrays.positions[idx]
        best = np.clip(ideal, low, high)
        keep = []
        for j in active:
            cares = sal_raw[:, j] > 0
            b = best[cares, j]
            if b.max() - b.min() <= 1e-12 * width[j]:
                fixed[int(j)] = float(b[0])
                g = gamma[idx]
                d_sq = (np.abs(arrays.status_quo[j] - ideal[:, j]) / width[j]) ** g
                d_fix = (np.abs(b[0] - ideal[:, j]) / width[j]) ** g
                offset += sal_raw[:, j] * (d_sq - d_fix)
            elif (sal[:, j] > 0).any():
                keep.append(j)
            else:
                notes.append(
                    f"{arrays.issue_ids[j]}: the bargaining players' saliences are negligible "
                    "(below 1e-9 of the largest); the issue stays at the status quo."
                )
        active = np.array(keep, dtype=int)
    prob = Problem(
        players=players,
        weights=weights,
        ideal=arrays.positions[idx][:, active],
        salience=sal[:, active],
        gamma=gamma[idx],
        width=width[active],
        low=low[active],
        high=high[active],
        status_quo=arrays.status_quo[active],
        issues=tuple(arrays.issue_ids[j] for j in active),
        offset=offset,
    )
    return prob, active, notes, conflicts, fixed


# ----- smooth formulation: z = (x (J), e (K*J)) --------------------------------------------------


class _Smooth:
    """Gains as smooth functions of ``z = (u, e)``: ``u = x / W`` (the package in scale widths,
    which keeps the solver well conditioned) and ``e_kj >= |u_j - p_kj / W_j|``."""

    def __init__(self, p: Problem) -> None:
        self.p = p
        self.K, self.J = p.n_players, p.n_issues
        dsq = p.distance_sq()
        self.base = (p.salience * dsq ** p.gamma[:, None]).sum(1) + p.offset  # -u_k(q)
        self.mask = p.salience > 0

    def split(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return z[: self.J], z[self.J :].reshape(self.K, self.J)

    def join(self, x: np.ndarray) -> np.ndarray:
        e = np.abs(x[None, :] - self.p.ideal) / self.p.width
        return np.concatenate([x / self.p.width, e.ravel()])

    def x_of(self, z: np.ndarray) -> np.ndarray:
        """The package (in scale units, clipped to the box) of a solver vector."""
        return np.clip(z[: self.J] * self.p.width, self.p.low, self.p.high)

    def gains(self, z: np.ndarray) -> np.ndarray:
        _, e = self.split(z)
        return self.base - (self.p.salience * np.maximum(e, 0) ** self.p.gamma[:, None]).sum(1)

    def gains_jac(self, z: np.ndarray) -> np.ndarray:
        _, e = self.split(z)
        g = self.p.gamma[:, None]
        de = -self.p.salience * g * np.maximum(e, 0) ** (g - 1)
        jac = np.zeros((self.K, self.J + self.K * self.J))
        for k in range(self.K):
            jac[k, self.J + k * self.J : self.J + (k + 1) * self.J] = de[k]
        return jac

    def abs_constraints(self, n_extra: int = 0) -> dict[str, Any]:
        """``e_kj - (x_j - p_kj)/W_j >= 0`` and ``e_kj + (x_j - p_kj)/W_j >= 0``."""
        K, J, p = self.K, self.J, self.p
        rows = []
        for k in range(K):
            for j in range(J):
                for sign in (1.0, -1.0):
                    r = np.zeros(J + K * J)
                    r[J + k * J + j] = 1.0
                    r[j] = -sign
                    rows.append((r, sign * p.ideal[k, j] / p.width[j]))
        A = np.array([r for r, _ in rows])
        b = np.array([c for _, c in rows])
        m = A.shape[1]
        A_full = np.hstack([A, np.zeros((A.shape[0], n_extra))])
        return {"type": "ineq", "fun": lambda z: A @ z[:m] + b, "jac": lambda z: A_full}

    def bounds(self) -> list[tuple[float, float]]:
        p = self.p
        xb = list(zip((p.low / p.width).tolist(), (p.high / p.width).tolist(), strict=True))
        return xb + [(0.0, 1.0)] * (self.K * self.J)


def _slsqp(
    fun: Any, jac: Any, z0: np.ndarray, cons: list[dict[str, Any]], bounds: Any
) -> np.ndarray | None:
    from scipy import optimize  # imported here: many runs never call it (start-up time)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = optimize.minimize(
            fun,
            z0,
            jac=jac,
            method="SLSQP",
            bounds=bounds,
            constraints=cons,
            options={"maxiter": 500, "ftol": 1e-13},
        )
    return np.asarray(res.x, dtype=float) if np.all(np.isfinite(res.x)) else None


def _max_min_share(
    p: Problem, sm: _Smooth, scale: np.ndarray, starts: list[np.ndarray]
) -> tuple[float, np.ndarray]:
    """Largest ``t`` with ``g_k(x) >= t * scale_k`` for all k, and a package achieving it."""
    n = sm.J + sm.K * sm.J
    cons = [
        sm.abs_constraints(n_extra=1),
        {
            "type": "ineq",
            "fun": lambda z: sm.gains(z[:n]) - z[n] * scale,
            "jac": lambda z: np.hstack([sm.gains_jac(z[:n]), -scale[:, None]]),
        },
    ]
    bounds = [*sm.bounds(), (-np.inf, np.inf)]
    best_t, best_x = -np.inf, starts[0]
    for x0 in starts:
        z0 = sm.join(x0)
        t0 = float(np.min(p.gains(x0) / scale))
        z = _slsqp(
            lambda z: -z[n],
            lambda z: np.r_[np.zeros(n), -1.0],
            np.r_[z0, t0],
            cons,
            bounds,
        )
        cand = [x0] if z is None else [x0, sm.x_of(z)]
        for x in cand:
            t = float(np.min(p.gains(x) / scale))
            if t > best_t + 1e-15:
                best_t, best_x = t, x
    return best_t, best_x


def _lexi_refine(
    p: Problem, sm: _Smooth, floor: np.ndarray, x0: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """Maximise the (weighted) total gain subject to ``g_k >= floor_k``: a Pareto-optimal
    package among those at least as good as ``floor`` for everyone."""
    w = np.ones(sm.K) if weights is None else weights
    cons = [
        sm.abs_constraints(),
        {
            "type": "ineq",
            "fun": lambda z: sm.gains(z) - floor,
            "jac": lambda z: sm.gains_jac(z),
        },
    ]
    z = _slsqp(
        lambda z: -float(w @ sm.gains(z)),
        lambda z: -(w @ sm.gains_jac(z)),
        sm.join(x0),
        cons,
        sm.bounds(),
    )
    if z is None:
        return x0
    x = sm.x_of(z)
    g0, g = p.gains(x0), p.gains(x)
    tol = 1e-9 * p.best_gains()
    if np.all(g >= floor - tol) and w @ g >= w @ g0:
        return x
    return x0


def _least_change(p: Problem, sm: _Smooth, x0: np.ndarray) -> np.ndarray:
    """Among packages giving every player at least what ``x0`` gives, the one nearest the status
    quo (in scale widths). With linear utilities many packages can give the same gains; this
    picks one of them independently of the order or names of the actors."""
    g0 = p.gains(x0)
    tol = 1e-9 * p.best_gains()
    floor = g0 - tol
    q = p.status_quo / p.width
    cons = [
        sm.abs_constraints(),
        {"type": "ineq", "fun": lambda z: sm.gains(z) - floor, "jac": sm.gains_jac},
    ]

    def fun(z: np.ndarray) -> float:
        return float(((z[: sm.J] - q) ** 2).sum())

    def jac(z: np.ndarray) -> np.ndarray:
        out = np.zeros_like(z)
        out[: sm.J] = 2 * (z[: sm.J] - q)
        return out

    z = _slsqp(fun, jac, sm.join(x0), cons, sm.bounds())
    if z is None:
        return x0
    x = sm.x_of(z)
    if np.all(p.gains(x) >= g0 - 2 * tol):
        return x
    return x0


def _sample(p: Problem, n: int, seed: int = 0) -> np.ndarray:
    """Quasi-random packages in the box plus each player's best package and the status quo."""
    if p.n_issues == 0:
        return np.zeros((1, 0))
    u = sobol_points(n, p.n_issues, seed)
    pts = p.low + u * (p.high - p.low)
    extra = np.vstack([p.best_packages(), np.clip(p.status_quo, p.low, p.high)[None]])
    return np.vstack([pts, extra])


_MAX_PAIR_PLAYERS = 8


def _why_not(p: Problem, sm: _Smooth, best: np.ndarray) -> str:
    """Name the pairs of players who cannot both gain, or say that all together cannot."""
    if p.n_players > _MAX_PAIR_PLAYERS:
        if p.n_issues == 1:
            side = np.sign(p.ideal[:, 0] - p.status_quo[0]) * (p.salience[:, 0] > 0)
            up, down = int((side > 0).sum()), int((side < 0).sum())
            return (
                f"on {p.issues[0]}, {up} of the {p.n_players} players want more than the "
                f"status quo and {down} want less: no change helps them all"
            )
        return f"no package helps all {p.n_players} players at once"
    pairs = []
    for a in range(p.n_players):
        for b in range(a + 1, p.n_players):
            sub = Problem(
                players=(p.players[a], p.players[b]),
                weights=p.weights[[a, b]],
                ideal=p.ideal[[a, b]],
                salience=p.salience[[a, b]],
                gamma=p.gamma[[a, b]],
                width=p.width,
                low=p.low,
                high=p.high,
                status_quo=p.status_quo,
                issues=p.issues,
                offset=p.offset[[a, b]],
            )
            ssm = _Smooth(sub)
            t, _ = _max_min_share(sub, ssm, best[[a, b]], list(sub.best_packages()))
            if t <= _TOL:
                pairs.append(f"{p.players[a]} and {p.players[b]}")
    if pairs:
        return "every package that helps one hurts the other for " + "; ".join(pairs)
    return "each pair could gain together, but no package helps all players at once"
