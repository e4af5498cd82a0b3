"""The bargaining set as the simulation sees it: is there a zone of agreement, and how wide is the gap.

Every veto player of the scenario decides, and an issue's controllers (``controlled_by``)
decide on that issue: the zone is the set of packages every veto player prefers to the
status quo within every veto player's red lines, month by month at the stances that
political change and fatigue have moved, who must agree on what being the core's veto
matrix (:func:`detente.core.agreement_matrix`, applied by
:func:`detente.core.apply_veto_matrix` exactly as the diagnosis applies it; a controller
counts as a veto player below). With linear utilities the max-min surplus
``m* = max_y min_v (U_v(y) - r_v)`` over the box all red lines allow is the bargaining
core's (:func:`detente.core.zone_open`): closed form by LP duality for one or two veto
players (no LP in the monthly loop), and for more the
certificates of ``zone_open(exact=False)`` (a pair of veto players that cannot both gain
shuts the zone; a candidate package all gain from opens it), with an LP only for the
draws neither certificate decides. The zone is non-empty when the red lines overlap and
``m* >= STRICT_MARGIN``. The gap is, in the same utility units,

    G = sum_i max(0, lo_i - hi_i) + max(0, -m*)

where ``lo_i``/``hi_i`` are the highest lower and the lowest upper red-line bound on issue
``i`` (normalised to [0, 1]) and ``m*`` is computed on the box with each conflicting issue
collapsed to ``lo_i``: the red-line overlap deficit plus the shortfall of the worse-off
veto player at the best package. ``G = 0`` exactly when the zone is non-empty. With more
than two veto players a shut draw decided by a pair certificate takes that pair's ``m*``
(an upper bound of ``m*``), so its gap is a lower bound of ``G``. It is not
the diagnosis gap (which sums the shortfalls of both and prices red lines at one unit per
scale), but it is zero on the same draws and moves the same way; the simulation's
obduracy parameters are fitted against it. Clipped to [0, 1].

Without the diagnosis kernel (``kernel="red_lines"``) :func:`red_line_zone` looks at the
red lines only.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from ..core import (
    LP_TOLERANCE,
    STRICT_MARGIN,
    agreement_matrix,
    apply_veto_matrix,
    bargaining_inputs,
    zone_open,
)
from ..errors import ModelError
from ..scenario.arrays import ScenarioArrays
from ._zone_kernel import MAX_ISSUES, zone_rows

if TYPE_CHECKING:
    from ..scenario import Scenario

__all__ = [
    "MonthlyZone",
    "closed_form_zone",
    "controllers_note",
    "holders",
    "red_line_zone",
    "subset",
    "zone_and_gap",
]


def holders(s: Scenario, arrays: ScenarioArrays) -> tuple[tuple[bool, ...], ...]:
    """Who must agree on which issue in the simulation of ``s``: the core's veto matrix
    (:func:`detente.core.agreement_matrix` on ``arrays``' actors and issues) as nested
    tuples when some issue has controllers, else () (the arrays' veto players on every
    issue, which is what the matrix says then, at no cost in the monthly loop)."""
    if not any(i.controlled_by for i in s.issues):
        return ()
    return tuple(tuple(bool(x) for x in row) for row in agreement_matrix(s, arrays))


def controllers_note(s: Scenario, roles: tuple[int, ...]) -> str | None:
    """The simulation's note on controllers who have no role of their own (``roles``: the
    actor indices that have one), or None when there are none."""
    ids = s.actor_ids
    named = {ids[k] for k in roles}
    held = [f"{who} on {i.id}" for i in s.issues for who in i.controlled_by if who not in named]
    if not held:
        return None
    return (
        f"controllers (a veto on their issue): {', '.join(held)}; they have no role of their "
        "own in talks or crises, but an agreement needs the zone of agreement with their "
        "consent on those issues"
    )


def red_line_zone(arrays: ScenarioArrays) -> tuple[np.ndarray, np.ndarray]:
    """Zone and gap from the veto players' red lines alone.

    ``gap = max_i max(0, max_v red_low[v, i] - min_v red_high[v, i]) / (high_i - low_i)``
    over issues ``i`` and veto players ``v``; the zone is non-empty when the gap is 0.
    """
    veto = np.asarray(arrays.veto, bool)
    if veto.sum() == 0:
        veto = np.ones_like(veto)
    lo = arrays.red_low[..., veto, :].max(axis=-2)
    hi = arrays.red_high[..., veto, :].min(axis=-2)
    width = arrays.scale_high - arrays.scale_low
    gap = (np.clip(lo - hi, 0.0, None) / width).max(axis=-1)
    gap = np.atleast_1d(gap)
    return gap <= 0.0, gap


def closed_form_zone(arrays: ScenarioArrays) -> tuple[np.ndarray, np.ndarray]:
    """Per draw: (zone non-empty, gap) among all veto players of ``arrays``.

    Exact and closed-form for one or two veto players; for more, the certificates of
    ``zone_open(exact=False)`` and an LP for the undecided draws (module docstring).
    """
    inp = bargaining_inputs(arrays)
    _n, V, _I = inp.weights.shape
    if not np.all(inp.curvature == 1.0):
        raise ModelError("the simulation's zone test needs linear utilities (utility_curvature 1)")
    lo = np.max(inp.red_low, axis=1)
    hi = np.min(inp.red_high, axis=1)
    deficit = np.clip(lo - hi, 0.0, None).sum(axis=1)
    # the box every red line allows, conflicting issues collapsed to their highest lower bound
    box = replace(
        inp,
        red_low=np.broadcast_to(lo[:, None, :], inp.red_low.shape).copy(),
        red_high=np.broadcast_to(np.maximum(hi, lo)[:, None, :], inp.red_high.shape).copy(),
    )
    _open, m_star = zone_open(box, exact=V <= 2)
    m_star = np.atleast_1d(m_star)
    zone = (deficit <= 0.0) & (m_star >= STRICT_MARGIN)
    # shut at the knife edge (m* in [0, tol)) still has a positive gap, as in the core
    gap = np.where(zone, 0.0, np.clip(deficit + np.clip(-m_star, 0.0, None), LP_TOLERANCE, 1.0))
    return zone, gap


def zone_and_gap(
    arrays: ScenarioArrays,
    *,
    kernel: str = "auto",
    pair: tuple[int, int] | None = None,
    holders: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per draw: (zone non-empty, gap in [0, 1]) among every veto player.

    ``kernel``: auto, diagnosis or red_lines. ``holders`` is the core's veto matrix
    (:func:`detente.core.agreement_matrix`, actors x issues): who must agree on which issue,
    an issue's controllers (``controlled_by``) included on that issue only; the arrays are
    seen through it as the diagnosis sees them (:func:`detente.core.apply_veto_matrix`).
    ``None``: the arrays' own veto players on every issue (the core's matrix when no issue
    has controllers). ``pair`` (two actor indices) makes those two the only veto players on
    every issue (the two-player reading the simulation used before every veto player
    decided; kept for comparisons, never the simulation's default; it ignores ``holders``).
    """
    if pair is not None:
        veto = np.zeros(arrays.n_actors, bool)
        veto[list(pair)] = True
        arrays = replace(arrays, veto=veto)
    elif holders is not None:
        arrays = apply_veto_matrix(arrays, holders)
    if kernel in ("auto", "diagnosis"):
        return closed_form_zone(arrays)
    elif kernel != "red_lines":
        raise ModelError(f"kernel must be 'auto', 'diagnosis' or 'red_lines'; got {kernel!r}")
    return red_line_zone(arrays)


def subset(arrays: ScenarioArrays, idx: np.ndarray) -> ScenarioArrays:
    """The draws ``idx`` of a batched :class:`ScenarioArrays`."""
    return arrays.take(idx)


class MonthlyZone:
    """The zone and gap of the monthly loop: :func:`zone_and_gap` of the runs' arrays at
    their current stances, for a few runs at a time.

    What the monthly moves leave alone (who must agree, the weights, the status quo, the
    agreement cost) is read once; with one or two veto players and linear utilities the
    closed form runs compiled, run by run (up to :data:`MAX_ISSUES` issues) (:mod:`detente.dynamics._zone_kernel`, the same
    floats as :func:`closed_form_zone`), otherwise :func:`zone_and_gap` on the runs' arrays.

    Parameters
    ----------
    arrays : ScenarioArrays
        The runs' arrays (batched, one draw per run).
    kernel : str
        As :func:`zone_and_gap`.
    holders : tuple of tuple of bool
        The core's veto matrix as :attr:`detente.dynamics.kernel.Setup.holders` has it (()
        for the arrays' veto players on every issue).
    """

    def __init__(
        self, arrays: ScenarioArrays, kernel: str, holders: tuple[tuple[bool, ...], ...] = ()
    ) -> None:
        self.arrays = arrays
        self.kernel = kernel
        self.holders = np.array(holders, dtype=bool) if holders else None
        self.compiled = False
        if kernel not in ("auto", "diagnosis"):
            return
        seen = arrays if self.holders is None else apply_veto_matrix(arrays, self.holders)
        inp = bargaining_inputs(seen)
        _n, V, n_issues = inp.weights.shape
        if V > 2 or n_issues > MAX_ISSUES or not np.all(inp.curvature == 1.0):
            return  # the certificates and the LP, or closed_form_zone's own error
        self.compiled = True
        veto = np.asarray(inp.veto_index, np.int64)
        self.veto = veto
        self.held = (
            np.ones((veto.size, arrays.n_issues), bool)
            if self.holders is None or not self.holders.any()
            else np.array(self.holders[veto], order="C")
        )
        self.weights = np.array(inp.weights, order="C")
        self.status_quo = np.array(inp.status_quo, order="C")
        self.cost = np.array(inp.agreement_cost, float)
        self.indifferent = np.array(inp.indifferent, order="C")
        self.s_lo = np.array(arrays.scale_low, float)
        self.s_hi = np.array(arrays.scale_high, float)
        self.width = self.s_hi - self.s_lo

    def __call__(
        self,
        positions: np.ndarray,
        red_low: np.ndarray,
        red_high: np.ndarray,
        rows: np.ndarray,
        zone: np.ndarray,
        gap: np.ndarray,
    ) -> None:
        """Write the zone and gap of the runs ``rows`` at the stances given (runs, actors,
        issues) into ``zone`` and ``gap`` (runs,)."""
        if self.compiled:
            zone_rows(
                np.asarray(rows, np.int64), positions, red_low, red_high, self.veto, self.held,
                self.weights, self.status_quo, self.cost, self.indifferent, self.s_lo,
                self.s_hi, self.width, zone, gap,
            )  # fmt: skip
            return
        moved = replace(
            self.arrays.take(rows),
            positions=positions[rows],
            red_low=red_low[rows],
            red_high=red_high[rows],
        )
        zone[rows], gap[rows] = zone_and_gap(moved, kernel=self.kernel, holders=self.holders)
