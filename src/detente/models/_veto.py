"""Veto and control: every model's forecast constrained to what the veto players accept.

The rule (Tsebelis 2002, *Veto Players*, doi:10.1515/9781400831456), applied once, here, to
the outcome of every registered model (:func:`detente.models.base.register` wraps each
model's ``forecast``):

Who vetoes what
    An actor with ``veto: true`` holds a veto on every issue; the actors an issue names in
    ``controlled_by`` hold a veto on that issue only. A veto player judges a package by its
    utility on the issues it holds a veto on, and its red lines bind there.
Win-sets
    Utilities, reservations, red lines and the zone of agreement are those of
    :mod:`detente.analysis.bargaining` (``U_v``, ``r_v = U_v(q) + k``), computed by its
    :func:`~detente.analysis.bargaining.bargaining_inputs` and
    :func:`~detente.analysis.bargaining.win_set_gap` on the veto players restricted as above.
Rule
    If the model's outcome ``x`` is accepted by every veto player (``U_v(x) >= r_v`` up to
    1e-9, within its red lines) or is the status quo, it is kept. Else, when the zone of
    agreement is open, ``x`` is projected onto it: the package of the zone nearest to ``x``
    in salience-weighted squared distance ``sum_j w_j ((z_j - x_j) / W_j)^2``, ``w_j`` the
    share of all actors' capability x salience on issue ``j`` (plus 1e-6 so that no issue
    moves for free), ``W_j`` the scale width. The zone is convex for curvature >= 1, so the
    nearest package is unique. When the zone is empty, every issue a veto player holds a veto
    on stays at the status quo, and the reason names the blockers (red lines that do not
    overlap, the veto player that would lose). Issues no veto player holds are left as the
    model put them.

Scenarios without any veto player are not constrained (the notes say so), and
``respect_veto=False`` on any model gives its raw outcome.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ..analysis.bargaining import BargainingInputs
    from ..scenario import Scenario, ScenarioArrays
    from .base import Forecast

__all__ = ["VetoResult", "apply_veto", "veto_matrix"]

#: Tolerance (normalised utility units) for "the veto player accepts the outcome".
ACCEPT_TOL = 1e-9


def veto_matrix(scenario: Scenario) -> np.ndarray:
    """``M[k, j]``: actor ``k`` holds a veto on issue ``j`` (a veto player, or a controller)."""
    ids = scenario.actor_ids
    m = np.zeros((scenario.n_actors, scenario.n_issues), dtype=bool)
    for k, a in enumerate(scenario.actors):
        if a.veto:
            m[k, :] = True
    for j, issue in enumerate(scenario.issues):
        for who in issue.controlled_by:
            m[ids.index(who), j] = True
    return m


def restricted_arrays(arrays: ScenarioArrays, m: np.ndarray) -> ScenarioArrays:
    """The arrays as the win-set kernel needs them: veto players are the actors holding any
    veto, each caring about and bound by red lines only on the issues it holds a veto on."""
    lo = np.broadcast_to(arrays.scale_low, arrays.red_low.shape)
    hi = np.broadcast_to(arrays.scale_high, arrays.red_high.shape)
    return replace(
        arrays,
        veto=np.asarray(m.any(axis=1), dtype=bool),
        saliences=np.where(m, arrays.saliences, 0.0),
        red_low=np.where(m, arrays.red_low, lo),
        red_high=np.where(m, arrays.red_high, hi),
    )


@dataclass(frozen=True)
class VetoResult:
    """The constrained outcome and why, per issue."""

    outcome: np.ndarray
    status: str  # "none", "kept", "projected", "blocked"
    players: dict[str, list[str]]
    issue_notes: dict[str, str]
    reason: str
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "players": self.players,
            "reason": self.reason,
        }


def _accepts(inp: BargainingInputs, y: np.ndarray) -> np.ndarray:
    """Per veto player: does it accept the normalised package ``y`` (I,)?"""
    u = inp.utility(y[None])[0]
    r = inp.reservation()[0]
    ok_u = (u >= r - ACCEPT_TOL) | inp.indifferent[0]
    tol = 1e-12
    inside = np.all((y >= inp.red_low[0] - tol) & (y <= inp.red_high[0] + tol), axis=1)
    return np.asarray(ok_u & inside)


def _in_zone(inp: BargainingInputs, y: np.ndarray) -> bool:
    from ..analysis.bargaining import LP_TOLERANCE, STRICT_MARGIN

    u = inp.utility(y[None])[0]
    r = inp.reservation()[0] + STRICT_MARGIN - LP_TOLERANCE
    ok = np.all((u >= r) | inp.indifferent[0])
    inside = np.all((y >= inp.red_low[0] - 1e-12) & (y <= inp.red_high[0] + 1e-12))
    return bool(ok and inside)


def _project(inp: BargainingInputs, y0: np.ndarray, y_in: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The package of the zone nearest ``y0`` (weights ``w``), from ``y_in`` inside the zone.

    Lifted to ``(y, e)`` with ``e_vj >= |y_j - pi_vj|`` the zone is convex and the objective
    strictly convex in ``y``; SLSQP solves it. If its answer is not inside the zone, the
    point where the segment from ``y0`` to ``y_in`` enters the zone is used (bisection).
    """
    from scipy.optimize import LinearConstraint, NonlinearConstraint, minimize

    from ..analysis.bargaining import STRICT_MARGIN

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
    A = np.zeros((2 * V * I, nv))
    lb = np.zeros(2 * V * I)
    for v in range(V):
        for j in range(I):
            r = 2 * (v * I + j)
            A[r, I + v * I + j], A[r, j], lb[r] = 1.0, -1.0, -pi[v, j]
            A[r + 1, I + v * I + j], A[r + 1, j], lb[r + 1] = 1.0, 1.0, pi[v, j]

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
        if _in_zone(inp, y0 + t * (y_in - y0)):
            b = t
        else:
            a = t
    entry = np.asarray(y0 + b * (y_in - y0))
    # SLSQP can stop short on this non-smooth problem: keep the nearer of its answer and the
    # point where the segment enters the zone, so the result does not hang on where it started
    nearer = np.sum(w * (y - y0) ** 2) <= np.sum(w * (entry - y0) ** 2) + 1e-12
    if np.all(np.isfinite(y)) and _in_zone(inp, y) and nearer:
        return y
    return entry


def _why_refuse(inp: BargainingInputs, arrays: ScenarioArrays, x: np.ndarray, v: int) -> str:
    """Why veto player ``v`` refuses the package ``x`` (issue units): the red lines it
    crosses, else that it prefers the status quo."""
    k = int(inp.veto_index[v])
    who = inp.veto_ids[v]
    crossed = []
    for j, iid in enumerate(arrays.issue_ids):
        lo, hi = float(arrays.red_low[k, j]), float(arrays.red_high[k, j])
        if x[j] < lo - 1e-9 * inp.scale_width[j]:
            crossed.append(f"{iid} {x[j]:.4g} < its red line {lo:.4g}")
        elif x[j] > hi + 1e-9 * inp.scale_width[j]:
            crossed.append(f"{iid} {x[j]:.4g} > its red line {hi:.4g}")
    if crossed:
        return f"{who} refuses the model's outcome ({', '.join(crossed)})"
    return f"{who} refuses the model's outcome (it prefers the status quo)"


def apply_veto(scenario: Scenario, forecast: Forecast) -> VetoResult:
    """The forecast's outcome constrained by the scenario's veto players (see module doc)."""
    from ..analysis.bargaining import bargaining_inputs, win_set_gap

    arrays = scenario.to_arrays()
    m = veto_matrix(scenario)
    issues = scenario.issue_ids
    x0 = np.asarray(forecast.outcome, dtype=float)
    players = {
        iid: [scenario.actor_ids[k] for k in np.flatnonzero(m[:, j])]
        for j, iid in enumerate(issues)
    }
    if not m.any():
        note = (
            "No actor has a veto and no issue names who controls it: the outcome is the "
            "model's own, not constrained by veto players."
        )
        return VetoResult(
            x0.copy(),
            "none",
            players,
            {i: "no veto player: unconstrained" for i in issues},
            "",
            note,
        )
    sq = np.asarray(arrays.status_quo, dtype=float)
    held = np.asarray(m.any(axis=0), dtype=bool)
    width = arrays.scale_high - arrays.scale_low
    # a model that names no outcome on an issue (NaN) is read as "no change" there
    x = np.where(np.isfinite(x0), x0, sq)
    restricted = restricted_arrays(arrays, m)
    inp = bargaining_inputs(restricted)
    y0 = (x - arrays.scale_low) / width
    names = ", ".join(inp.veto_ids)
    notes: dict[str, str] = {}
    at_sq = np.allclose(x[held], sq[held], rtol=0, atol=1e-12 * width.max())
    if not at_sq and _accepts(inp, y0).all():
        for j, iid in enumerate(issues):
            notes[iid] = (
                f"within the win-set of every veto player ({', '.join(players[iid])}): kept"
                if held[j]
                else "no veto player on this issue: unconstrained"
            )
        note = f"Veto players ({names}) all accept the model's outcome: kept as it is."
        return VetoResult(x, "kept", players, notes, "", note)
    gap = win_set_gap(restricted)
    if at_sq and bool(gap.zone_nonempty):
        for j, iid in enumerate(issues):
            notes[iid] = (
                "the model's outcome is the status quo, which every veto player accepts: kept"
                if held[j]
                else "no veto player on this issue: unconstrained"
            )
        note = (
            f"Veto: the model's outcome is the status quo on the issues the veto players "
            f"({names}) hold, although their zone of agreement is open: kept."
        )
        return VetoResult(x, "kept", players, notes, "", note)
    if bool(gap.zone_nonempty):
        sal = np.where(arrays.has_stance, arrays.capabilities[:, None] * arrays.saliences, 0.0)
        share = sal.sum(axis=0)
        share = share / share.sum() if share.sum() > 0 else np.full(len(issues), 1.0 / len(issues))
        y_in = (np.asarray(gap.best_package, dtype=float) - arrays.scale_low) / width
        y = _project(inp, y0, y_in, share + 1e-6)
        out = np.where(held, arrays.scale_low + y * width, x)
        for j, iid in enumerate(issues):
            if not held[j]:
                notes[iid] = "no veto player on this issue: unconstrained"
            elif abs(out[j] - x[j]) <= 1e-9 * width[j]:
                notes[iid] = "kept: the nearest package the veto players accept leaves it"
            else:
                notes[iid] = (
                    f"moved from {x[j]:.4g} to {out[j]:.4g}: the nearest package every veto "
                    f"player ({', '.join(players[iid])}) accepts"
                )
        reason = "; ".join(
            _why_refuse(inp, restricted, x, int(v)) for v in np.flatnonzero(~_accepts(inp, y0))
        )
        note = (
            f"Veto: {reason}; the outcome is projected onto the zone of agreement of the veto players "
            f"({names}), to the nearest package in salience-weighted distance."
        )
        return VetoResult(out, "projected", players, notes, reason, note)
    details = [b.detail for b in gap.blockers()[:3]]
    reason = "; ".join(details) if details else "no change helps every veto player"
    out = np.where(held, sq, x)
    for j, iid in enumerate(issues):
        notes[iid] = (
            f"status quo {sq[j]:.4g}: no change is accepted by every veto player "
            f"({', '.join(players[iid])}): {reason}"
            if held[j]
            else "no veto player on this issue: unconstrained"
        )
    note = (
        f"Veto: the veto players ({names}) have no zone of agreement ({reason}); every issue "
        "they hold a veto on stays at the status quo."
    )
    return VetoResult(out, "blocked", players, notes, reason, note)


def status_quo_assumed(scenario: Scenario) -> list[str]:
    """Issues whose status quo the scenario does not give (absent, or an importer's
    "not in file" placeholder written by an older detente)."""
    out = []
    for iid in scenario.issue_ids:
        q = scenario.status_quo.get(iid)
        if q is None or (q.provenance is not None and "not in file" in q.provenance.text):
            out.append(iid)
    return out


def with_reference_point(
    scenario: Scenario, missing: list[str]
) -> tuple[Scenario, dict[str, float]]:
    """The scenario with the documented reference point where its status quo is unknown.

    The rule (``docs/models/contract.md``): the capability x salience weighted mean of the
    stances on the issue (the ``compromise`` forecast), or the scale midpoint when nobody
    takes a stance. Every model, the veto constraint and the Nash family's disagreement point
    use it, and each forecast says so in its notes.
    """
    from ..scenario import Scenario as _Scenario
    from ._spatial import stance_weights, weighted_mean

    a = scenario.to_arrays()
    mean, fallback = weighted_mean(a.positions, stance_weights(a), a.has_stance, a.status_quo)
    mid = (a.scale_low + a.scale_high) / 2
    ref = np.where(fallback == 2, mid, mean)
    data = scenario.model_dump()
    values: dict[str, float] = {}
    for iid in missing:
        j = scenario.issue_ids.index(iid)
        values[iid] = float(ref[j])
        data["status_quo"][iid] = float(ref[j])
    return _Scenario.model_validate(data), values
