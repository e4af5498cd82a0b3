"""The package of the zone of agreement nearest to a given package (the veto projection)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ._lp import abs_epigraph
from .utility import STRICT_MARGIN, BargainingInputs

__all__ = ["nearest_in_zone"]


def _inside(inp: BargainingInputs, y: np.ndarray) -> bool:
    """In the zone with the solver's tolerance to spare: the projection lands on the zone's
    boundary, and the package must still pass :meth:`BargainingInputs.in_win_sets` after
    the round trip to issue units."""
    y1 = y[None]
    ok_u = (inp.surplus(y1) >= STRICT_MARGIN) | inp.indifferent
    ok_r = (y1[:, None, :] >= inp.red_low) & (y1[:, None, :] <= inp.red_high)
    return bool(inp.in_zone(y1)[0] and np.all(ok_u) and np.all(ok_r))


def nearest_in_zone(
    inp: BargainingInputs, y0: np.ndarray, y_in: np.ndarray, w: np.ndarray
) -> np.ndarray:
    """The package of the zone nearest ``y0`` (weights ``w``), from ``y_in`` inside the zone.

    Lifted to ``(y, e)`` with ``e_vj >= |y_j - pi_vj|`` the zone is convex and the objective
    strictly convex in ``y``; SLSQP solves it. If its answer is not inside the zone, the
    point where the segment from ``y0`` to ``y_in`` enters the zone is used (bisection).
    """
    # imported here: only a forecast outside an open zone needs it (start-up time)
    from scipy.optimize import LinearConstraint, NonlinearConstraint, minimize

    _, V, I = inp.weights.shape
    # the veto players in a canonical order (by ideal point, then weights), so the solver's
    # path, and with it the answer, does not depend on the order the actors were listed in
    order = np.lexsort((*inp.weights[0].T[::-1], *inp.ideal[0].T[::-1]))
    wv, pi, c = inp.weights[0][order], inp.ideal[0][order], float(inp.curvature[0])
    lo = inp.red_low[0].max(axis=0)
    hi = np.maximum(inp.red_high[0].min(axis=0), lo)
    res = (inp.reservation()[0] + 2 * STRICT_MARGIN)[order]
    act = np.flatnonzero(~inp.indifferent[0][order])
    nv = I + V * I
    A, lb = abs_epigraph(pi)  # e >= |y - pi|

    def util(z: np.ndarray) -> np.ndarray:
        e = np.maximum(z[I:].reshape(V, I), 0.0)
        return -np.sum(wv * e**c, axis=1)[act]

    def util_jac(z: np.ndarray) -> np.ndarray:
        e = np.maximum(z[I:].reshape(V, I), 0.0)
        jac = np.zeros((act.size, nv))
        for k, v in enumerate(act):
            jac[k, I + v * I : I + (v + 1) * I] = -wv[v] * c * e[v] ** (c - 1)
        return jac

    cons: list[Any] = [LinearConstraint(A, lb, np.inf)]
    if act.size:
        cons.append(NonlinearConstraint(util, res[act], np.inf, jac=util_jac))
    z0 = np.concatenate([y_in, np.abs(y_in[None, :] - pi).ravel()])
    bounds = [(lo[j], hi[j]) for j in range(I)] + [(0.0, 1.0)] * (V * I)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = minimize(
            lambda z: float(np.sum(w * (z[:I] - y0) ** 2)),
            z0,
            jac=lambda z: np.concatenate([2 * w * (z[:I] - y0), np.zeros(V * I)]),
            method="SLSQP",
            bounds=bounds,
            constraints=cons,
            options={"maxiter": 500, "ftol": 1e-14},
        )
    y = np.clip(np.asarray(sol.x[:I], dtype=float), lo, hi)
    a, b = 0.0, 1.0  # bisection on the segment: t = 1 is inside the zone
    for _ in range(60):
        t = (a + b) / 2
        if _inside(inp, y0 + t * (y_in - y0)):
            b = t
        else:
            a = t
    entry = np.asarray(y0 + b * (y_in - y0))
    # SLSQP can stop short on this non-smooth problem: keep the nearer of its answer and the
    # point where the segment enters the zone, so the result does not hang on where it started
    nearer = np.sum(w * (y - y0) ** 2) <= np.sum(w * (entry - y0) ** 2) + 1e-12
    if np.all(np.isfinite(y)) and _inside(inp, y) and nearer:
        return y
    return entry
