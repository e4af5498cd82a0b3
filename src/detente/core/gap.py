"""The zone/gap solver: zone of agreement, gap, best package and blockers (one LP)."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import fields
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ModelError
from ._lp import _gap_lp, _gap_search, _maximin_lp, _maximin_search
from .results import GapResult
from .utility import LP_TOLERANCE, STRICT_MARGIN, BargainingInputs, bargaining_inputs

if TYPE_CHECKING:
    from ..scenario import ScenarioArrays

__all__ = ["solve", "win_set_gap"]


# --------------------------------------------------------------------------------------
# public
# --------------------------------------------------------------------------------------
def win_set_gap(
    arrays: ScenarioArrays,
    *,
    curvature: float | None = None,
    agreement_cost: float | None = None,
    red_line_price: float = 1.0,
    grid_points: int = 201,
) -> GapResult:
    """Zone of agreement, gap, best package and blockers for a scenario or a batch of draws.

    Parameters
    ----------
    arrays : ScenarioArrays
        ``scenario.to_arrays()`` (one scenario) or ``scenario.sample(n, seed)`` (a batch).
    curvature, agreement_cost : float, optional
        Override ``parameters.utility_curvature`` (default 1) and ``parameters.agreement_cost``
        (default 0).
    red_line_price : float
        Utility price of crossing a red line by a whole issue scale (default 1).
    grid_points : int
        Grid points per issue for the search used when the curvature is not 1.

    Returns
    -------
    GapResult

    Examples
    --------
    One issue on 0-100, status quo 50; ``a`` wants 80 but accepts nothing below 70, ``b``
    wants 20 and accepts nothing above 40. The red lines are 30 points apart, so the gap is
    0.3 (plus the two strict-preference margins of 1e-6):

    >>> from detente.scenario import Scenario
    >>> def actor(name, position, red_line):
    ...     return {"id": name, "label": name, "capability": 1, "veto": True,
    ...             "stances": {"x": {"position": position, "salience": 1}},
    ...             "red_lines": {"x": red_line}}
    >>> s = Scenario.model_validate({
    ...     "meta": {"id": "one", "title": "one issue"},
    ...     "issues": [{"id": "x", "label": "x"}],
    ...     "actors": [actor("a", 80, ">= 70"), actor("b", 20, "<= 40")],
    ...     "status_quo": {"x": 50}})
    >>> r = win_set_gap(s.to_arrays())
    >>> bool(r.zone_nonempty), round(float(r.gap), 4)
    (False, 0.3)
    >>> r.blockers()[0].detail
    'red lines on x do not overlap: a needs >= 70, b accepts <= 40 (30 apart)'
    """
    if red_line_price <= 0:
        raise ModelError(f"red_line_price must be > 0; got {red_line_price}")
    inp = bargaining_inputs(arrays, curvature=curvature, agreement_cost=agreement_cost)
    return solve(inp, red_line_price, grid_points)


#: Results of the last distinct problems solved: a run asks the same question of the core
#: many times (each model's veto projection, the Nash family, the diagnosis, the claims), and
#: the core answers each distinct problem once. Keyed by the problem's bytes, so a changed
#: scenario is a new problem; bounded, so memory stays flat.
_SOLVED: OrderedDict[bytes, GapResult] = OrderedDict()
_SOLVED_MAX = 64


def _problem_key(inp: BargainingInputs, red_line_price: float, grid_points: int) -> bytes:
    h = hashlib.blake2b(digest_size=20)
    h.update(repr((inp.veto_ids, inp.issue_ids, inp.batched, red_line_price, grid_points)).encode())
    for arr in (
        inp.scale_low,
        inp.scale_width,
        inp.weights,
        inp.ideal,
        inp.status_quo,
        inp.red_low,
        inp.red_high,
        inp.curvature,
        inp.agreement_cost,
        inp.indifferent,
    ):
        a = np.ascontiguousarray(arr)
        h.update(repr(a.shape).encode())
        h.update(a.tobytes())
    return h.digest()


def solve(inp: BargainingInputs, red_line_price: float = 1.0, grid_points: int = 201) -> GapResult:
    """:func:`win_set_gap` on inputs already built; each distinct problem is solved once
    (the result is shared, so treat its arrays as read-only)."""
    key = _problem_key(inp, red_line_price, grid_points)
    hit = _SOLVED.get(key)
    if hit is not None:
        _SOLVED.move_to_end(key)
        return hit
    out = _solve(inp, red_line_price, grid_points)
    for f in fields(out):  # shared: a caller writing into it would change every sharer's
        v = getattr(out, f.name)
        if isinstance(v, np.ndarray):
            v.flags.writeable = False
    _SOLVED[key] = out
    while len(_SOLVED) > _SOLVED_MAX:
        _SOLVED.popitem(last=False)
    return out


def _solve(inp: BargainingInputs, red_line_price: float, grid_points: int) -> GapResult:
    _n, _V, _I = inp.weights.shape
    linear = bool(np.all(inp.curvature == 1.0))
    if linear:
        y = _gap_lp(inp, red_line_price)
        method, resolution = "lp", LP_TOLERANCE
    else:
        y = _gap_search(inp, red_line_price, grid_points)
        method, resolution = "search", 1.0 / (grid_points - 1)
    res_v = inp.reservation()
    u = inp.utility(y)
    lo = np.max(inp.red_low, axis=1)
    hi = np.min(inp.red_high, axis=1)
    conflict = lo > hi + LP_TOLERANCE
    nonempty = inp.in_zone(y)  # every verdict re-checked on its witness by the one test
    short = np.where(inp.indifferent, 0.0, np.maximum(0.0, res_v + STRICT_MARGIN - u))
    excess = np.maximum(0.0, inp.red_low - y[:, None, :]) + np.maximum(
        0.0, y[:, None, :] - inp.red_high
    )
    gap = short.sum(axis=1) + red_line_price * excess.sum(axis=(1, 2))
    gap = np.where(nonempty, 0.0, np.maximum(gap, LP_TOLERANCE))
    best = y.copy()
    rows = np.flatnonzero(nonempty)
    if rows.size:
        sub = inp.subset(rows)
        lo_r, hi_r = lo[rows], np.maximum(hi[rows], lo[rows])
        if linear:
            yb = _maximin_lp(sub, lo_r, hi_r)
        else:
            yb = _maximin_search(sub, y[rows], lo_r, hi_r, grid_points)
        # keep the LP witness if the max-min package is numerically worse
        ub = sub.utility(yb) - sub.reservation()
        uw = sub.utility(y[rows]) - sub.reservation()
        ub = np.where(sub.indifferent, np.inf, ub).min(axis=1)
        uw = np.where(sub.indifferent, np.inf, uw).min(axis=1)
        best[rows] = np.where((ub >= uw)[:, None], yb, y[rows])
    u_best = inp.utility(best)
    surplus = u_best - res_v
    concession = inp.weights * (
        np.abs(best[:, None, :] - inp.ideal) ** inp.curvature[:, None, None]
        - np.abs(inp.status_quo[:, None, :] - inp.ideal) ** inp.curvature[:, None, None]
    )
    excess_units = excess * inp.scale_width

    def out(x: np.ndarray) -> np.ndarray:
        return x if inp.batched else x[0]

    notes = []
    if inp.indifferent.any():
        notes.append("a veto player without salience on any issue is treated as indifferent")
    return GapResult(
        veto_ids=inp.veto_ids,
        issue_ids=inp.issue_ids,
        zone_nonempty=out(nonempty),
        gap=out(gap),
        best_package=out(inp.to_issue_units(best)),
        surplus=out(surplus),
        shortfall=out(np.where(nonempty[:, None], 0.0, short)),
        red_line_excess=out(np.where(nonempty[:, None, None], 0.0, excess_units)),
        concession=out(concession),
        red_line_conflict=out(conflict),
        reservation=out(res_v),
        red_low=out(inp.to_issue_units(inp.red_low)),
        red_high=out(inp.to_issue_units(inp.red_high)),
        method=method,
        resolution=resolution,
        curvature=out(inp.curvature),
        agreement_cost=out(inp.agreement_cost),
        red_line_price=red_line_price,
        batched=inp.batched,
        notes=tuple(notes),
    )
