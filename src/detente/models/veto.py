"""Veto and control: every model's forecast constrained to what the veto players accept.

The rule (Tsebelis 2002, *Veto Players*, doi:10.1515/9781400831456), applied once, here, to
the outcome of every registered model (:func:`detente.models.base.register` wraps each
model's ``forecast``):

Who vetoes what
    An actor with ``veto: true`` holds a veto on every issue; the actors an issue names in
    ``controlled_by`` hold a veto on that issue only. A veto player judges a package by its
    utility on the issues it holds a veto on, and its red lines bind there.
Win-sets
    Utilities, reservations, red lines, the win-set test and the zone of agreement are
    those of the bargaining core :mod:`detente.core` (``U_v``, ``r_v = U_v(q) + k``,
    :meth:`~detente.core.BargainingInputs.in_win_sets`, :func:`~detente.core.win_set_gap`)
    on the veto players restricted as above (:func:`~detente.core.restricted_arrays`).
Rule
    If the model's outcome ``x`` lies in every veto player's win-set (the core's one test:
    ``U_v(x) >= r_v + STRICT_MARGIN``, within its red lines) or is the status quo, it is kept. Else, when the zone of
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

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import (
    BargainingInputs,
    bargaining_inputs,
    nearest_in_zone,
    restricted_arrays,
    veto_matrix,
    win_set_gap,
)

if TYPE_CHECKING:
    from ..scenario import Scenario, ScenarioArrays
    from .base import Forecast

__all__ = [
    "VetoResult",
    "apply_veto",
    "restricted_arrays",
    "status_quo_assumed",
    "veto_matrix",
    "with_reference_point",
]


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
    if not at_sq and inp.in_win_sets(y0[None])[0].all():
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
        y = nearest_in_zone(inp, y0, y_in, share + 1e-6)
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
            _why_refuse(inp, restricted, x, int(v))
            for v in np.flatnonzero(~inp.in_win_sets(y0[None])[0])
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
