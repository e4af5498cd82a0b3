"""Inside an open zone: its size, the Nash point, each veto player's favourite package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._sobol import sobol_points
from ..errors import ModelError
from ._lp import abs_epigraph
from .gap import solve
from .utility import STRICT_MARGIN, BargainingInputs, bargaining_inputs

if TYPE_CHECKING:
    from ..scenario import ScenarioArrays

__all__ = ["ZoneDetails", "zone_details", "zone_volume"]


# --------------------------------------------------------------------------------------
# inside a non-empty zone: size, Nash point, favourites (one scenario)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ZoneDetails:
    """What lies inside a non-empty zone (one scenario).

    volume_fraction : share of the issue box inside the zone, estimated from
        ``n_points`` scrambled Sobol points; ``volume_se`` its binomial standard error.
    nash_point : the package maximising the product of the veto players' surpluses
        ``prod_v (U_v(x) - r_v)`` inside the zone (Nash 1950).
    favourites : veto player -> its best package inside the zone.
    """

    volume_fraction: float
    volume_se: float
    n_points: int
    nash_point: np.ndarray | None
    favourites: dict[str, np.ndarray]

    def to_dict(self, issue_ids: tuple[str, ...]) -> dict[str, Any]:
        def pkg(x: np.ndarray | None) -> dict[str, float] | None:
            return None if x is None else {i: float(v) for i, v in zip(issue_ids, x, strict=True)}

        return {
            "volume_fraction": self.volume_fraction,
            "volume_se": self.volume_se,
            "n_points": self.n_points,
            "nash_point": pkg(self.nash_point),
            "favourites": {a: pkg(x) for a, x in self.favourites.items()},
        }


def zone_volume(
    inp: BargainingInputs, n_points: int = 16384, seed: int = 0, chunk: int = 4096
) -> tuple[np.ndarray, np.ndarray]:
    """Share of the issue box in the zone per draw, from ``n_points`` scrambled Sobol points.

    Returns (fraction (n,), standard error (n,)).
    """
    n, _V, I = inp.weights.shape
    m = 1 << max(1, int(np.ceil(np.log2(max(n_points, 2)))))
    pts = sobol_points(m, I, seed)
    inside = np.zeros(n)
    for s in range(0, m, chunk):
        p = np.broadcast_to(pts[s : s + chunk], (n, min(chunk, m - s), I))
        inside += inp.in_zone(p).sum(axis=1)
    frac = inside / m
    return frac, np.sqrt(frac * (1 - frac) / m)


def zone_details(
    arrays: ScenarioArrays,
    *,
    curvature: float | None = None,
    agreement_cost: float | None = None,
    n_points: int = 16384,
    seed: int = 0,
) -> ZoneDetails | None:
    """Size, Nash point and favourites of a non-empty zone (None when the zone is empty).

    Needs a single scenario (``scenario.to_arrays()``).
    """
    if arrays.n_draws is not None:
        raise ModelError("zone_details needs one scenario, not a batch; pick a draw")
    inp = bargaining_inputs(arrays, curvature=curvature, agreement_cost=agreement_cost)
    r = solve(inp, 1.0, 201)
    if not bool(r.zone_nonempty):
        return None
    frac, se = zone_volume(inp, n_points=n_points, seed=seed)
    lo = np.max(inp.red_low, axis=1)[0]
    hi = np.min(inp.red_high, axis=1)[0]
    res = inp.reservation()[0] + STRICT_MARGIN
    active = ~inp.indifferent[0]
    y0 = (r.best_package - inp.scale_low) / inp.scale_width

    best_nash = _nash_point(inp, y0, lo, hi, res, active)
    favourites: dict[str, np.ndarray] = {}
    for v, a in enumerate(inp.veto_ids):
        favourites[a] = inp.to_issue_units(_favourite(inp, v, lo, hi, res))
    return ZoneDetails(
        volume_fraction=float(frac[0]),
        volume_se=float(se[0]),
        n_points=int(1 << max(1, int(np.ceil(np.log2(max(n_points, 2)))))),
        nash_point=inp.to_issue_units(best_nash),
        favourites=favourites,
    )


def _nash_point(
    inp: BargainingInputs,
    y0: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    res: np.ndarray,
    active: np.ndarray,
) -> np.ndarray:
    """Maximise ``sum_v log(U_v(y) - r_v)`` over the zone (curvature 1).

    Lifted to ``(y, e)`` with ``e_vj >= |y_j - pi_vj|`` the objective is smooth and concave
    and the constraints linear, so SLSQP from the max-min package (an interior point)
    converges to the Nash point.
    """
    from scipy.optimize import LinearConstraint, minimize

    _, V, I = inp.weights.shape
    w, pi = inp.weights[0], inp.ideal[0]
    if float(inp.curvature[0]) != 1.0:
        raise ModelError("the Nash point needs curvature 1")
    nv = I + V * I
    A, lb = abs_epigraph(pi)  # e >= |y - pi|
    act = np.flatnonzero(active)

    def gains(z: np.ndarray) -> np.ndarray:
        e = z[I:].reshape(V, I)
        return -np.sum(w * e, axis=1)[act] - res[act]

    def f(z: np.ndarray) -> float:
        g = gains(z)
        return 1e6 if np.any(g <= 0) else float(-np.sum(np.log(g)))

    def grad(z: np.ndarray) -> np.ndarray:
        g = np.maximum(gains(z), 1e-12)
        out = np.zeros(nv)
        for k, v in enumerate(act):
            out[I + v * I : I + (v + 1) * I] = w[v] / g[k]
        return out

    z0 = np.concatenate([y0, np.abs(y0[None, :] - pi).ravel()])
    bounds = [(lo[j], hi[j]) for j in range(I)] + [(0.0, 1.0)] * (V * I)
    sol = minimize(
        f,
        z0,
        jac=grad,
        method="SLSQP",
        bounds=bounds,
        constraints=[LinearConstraint(A, lb, np.inf)],
        options={"ftol": 1e-12, "maxiter": 500},
    )
    y = np.clip(sol.x[:I], lo, hi)
    return y if f(np.concatenate([y, np.abs(y[None, :] - pi).ravel()])) <= f(z0) else y0


def _favourite(
    inp: BargainingInputs, v: int, lo: np.ndarray, hi: np.ndarray, res: np.ndarray
) -> np.ndarray:
    """v's best package inside the zone (one scenario, curvature 1 via LP, else search)."""
    from scipy.optimize import linprog

    _, V, I = inp.weights.shape
    w = inp.weights[0]
    pi = inp.ideal[0]
    c = float(inp.curvature[0])
    if c != 1.0:
        raise ModelError("favourite packages need curvature 1")
    # variables y (I), e (V*I)
    nv = I + V * I
    cost = np.zeros(nv)
    cost[I + v * I : I + (v + 1) * I] = w[v]
    A: list[np.ndarray] = []
    b: list[float] = []
    for k in range(V):
        for j in range(I):
            row = np.zeros(nv)
            row[j], row[I + k * I + j] = 1.0, -1.0
            A.append(row)
            b.append(pi[k, j])
            row = np.zeros(nv)
            row[j], row[I + k * I + j] = -1.0, -1.0
            A.append(row)
            b.append(-pi[k, j])
        if k != v and not inp.indifferent[0, k]:
            row = np.zeros(nv)
            row[I + k * I : I + (k + 1) * I] = w[k]
            A.append(row)
            b.append(-res[k])
    bounds = [(lo[j], hi[j]) for j in range(I)] + [(0, None)] * (V * I)
    sol = linprog(cost, A_ub=np.array(A), b_ub=np.array(b), bounds=bounds, method="highs")
    if sol.status != 0:  # pragma: no cover
        raise ModelError(f"favourite-package LP failed: {sol.message}")
    return np.clip(sol.x[:I], lo, hi)
