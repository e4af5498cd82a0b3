"""What an actor wants: one utility over all issues, the reservation, the win-set test.

``U_v(x) = - sum_j w_vj |y_j - pi_vj| ** c`` over normalised packages ``y`` (``w_vj`` the
saliences normalised to sum to one, ``pi_vj`` the normalised position, ``c`` the curvature);
``r_v = U_v(q) + k``; ``y`` is in ``v``'s win-set when ``U_v(y) >= r_v + STRICT_MARGIN`` and
``y`` respects ``v``'s red lines (see :mod:`detente.core`). Who must agree:
:func:`veto_matrix` (veto players hold every issue, controllers the issues they control) and
:func:`restricted_arrays` (the veto players as the zone sees them).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ModelError

if TYPE_CHECKING:
    from ..scenario import Scenario, ScenarioArrays

__all__ = [
    "LP_TOLERANCE",
    "STRICT_MARGIN",
    "BargainingInputs",
    "agreement_arrays",
    "agreement_matrix",
    "apply_veto_matrix",
    "bargaining_inputs",
    "distance_utility",
    "package_in_win_sets",
    "restricted_arrays",
    "veto_holders",
    "veto_matrix",
    "win_set_masks",
]

#: Strict preference margin (normalised utility units): ``U_v(x) > r_v`` is ``U_v(x) >= r_v + tol``.
STRICT_MARGIN = 1e-6
#: Feasibility tolerance handed to HiGHS and used by the win-set test (utility and red lines).
LP_TOLERANCE = 1e-9


# --------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class BargainingInputs:
    """Normalised arrays for the veto players, batched as (n, V, I) / (n, I) / (n,)."""

    veto_ids: tuple[str, ...]
    veto_index: np.ndarray
    issue_ids: tuple[str, ...]
    scale_low: np.ndarray  # (I,)
    scale_width: np.ndarray  # (I,)
    weights: np.ndarray  # (n, V, I), rows sum to 1 (or 0 for an indifferent actor)
    ideal: np.ndarray  # (n, V, I) in [0, 1]
    status_quo: np.ndarray  # (n, I) in [0, 1]
    red_low: np.ndarray  # (n, V, I) in [0, 1]
    red_high: np.ndarray  # (n, V, I)
    has_red_low: np.ndarray  # (V, I) any draw has a lower red line
    has_red_high: np.ndarray  # (V, I)
    curvature: np.ndarray  # (n,)
    agreement_cost: np.ndarray  # (n,)
    indifferent: np.ndarray  # (n, V) no salience anywhere
    batched: bool

    @property
    def n(self) -> int:
        return int(self.weights.shape[0])

    def utility(self, y: np.ndarray) -> np.ndarray:
        """``U_v(y)`` for normalised packages ``y`` of shape (n, I) or (n, m, I) -> (n, V[, m])."""
        c = self.curvature
        if y.ndim == 2:
            d = np.abs(y[:, None, :] - self.ideal)
            return distance_utility(d, self.weights, c[:, None, None])
        d = np.abs(y[:, None, :, :] - self.ideal[:, :, None, :])
        return distance_utility(d, self.weights[:, :, None, :], c[:, None, None, None])

    def reservation(self) -> np.ndarray:
        """``r_v = U_v(q) + k`` of shape (n, V)."""
        return self.utility(self.status_quo) + self.agreement_cost[:, None]

    def to_issue_units(self, y: np.ndarray) -> np.ndarray:
        return self.scale_low + y * self.scale_width

    def within_red_lines(self, y: np.ndarray) -> np.ndarray:
        """Per veto player: ``y`` (n, I) or (n, m, I) respects its red lines -> (n, V[, m]).

        Up to :data:`LP_TOLERANCE` (normalised units), the solver's feasibility tolerance.
        """
        if y.ndim == 2:
            yy = y[:, None, :]
            lo, hi = self.red_low, self.red_high
        else:
            yy = y[:, None, :, :]
            lo, hi = self.red_low[:, :, None, :], self.red_high[:, :, None, :]
        return np.all((yy >= lo - LP_TOLERANCE) & (yy <= hi + LP_TOLERANCE), axis=-1)

    def surplus(self, y: np.ndarray) -> np.ndarray:
        """``U_v(y) - r_v`` for packages (n, I) -> (n, V) or (n, m, I) -> (n, V, m)."""
        r = self.reservation()
        return self.utility(y) - (r if y.ndim == 2 else r[:, :, None])

    def in_win_sets(self, y: np.ndarray) -> np.ndarray:
        """The win-set membership test: is ``y`` in each veto player's win-set?

        ``U_v(y) >= r_v + STRICT_MARGIN`` (strict preference over the status quo, up to the
        solver's tolerance :data:`LP_TOLERANCE`), or ``v`` is indifferent (no salience), and
        ``y`` within ``v``'s red lines. ``y`` normalised, (n, I) -> (n, V) or (n, m, I) ->
        (n, V, m). The zone of agreement is where this holds for every veto player.
        """
        ind = self.indifferent if y.ndim == 2 else self.indifferent[:, :, None]
        ok_u = (self.surplus(y) >= STRICT_MARGIN - LP_TOLERANCE) | ind
        return np.asarray(ok_u & self.within_red_lines(y))

    def in_zone(self, y: np.ndarray) -> np.ndarray:
        """Is ``y`` in the zone of agreement (every veto player's win-set)? (n[, m])."""
        return np.asarray(self.in_win_sets(y).all(axis=1))

    def subset(self, rows: np.ndarray) -> BargainingInputs:
        """The draws ``rows``."""
        return replace(
            self,
            weights=self.weights[rows],
            ideal=self.ideal[rows],
            status_quo=self.status_quo[rows],
            red_low=self.red_low[rows],
            red_high=self.red_high[rows],
            curvature=self.curvature[rows],
            agreement_cost=self.agreement_cost[rows],
            indifferent=self.indifferent[rows],
        )


def bargaining_inputs(
    arrays: ScenarioArrays,
    *,
    curvature: float | None = None,
    agreement_cost: float | None = None,
    reuse: tuple[ScenarioArrays, BargainingInputs] | None = None,
) -> BargainingInputs:
    """Veto players' normalised weights, ideal points, red lines; curvature and cost per draw.

    ``curvature`` / ``agreement_cost`` override ``parameters.utility_curvature`` /
    ``parameters.agreement_cost`` (defaults 1 and 0).

    ``reuse``: arrays that ``arrays`` was made from by replacing some of their fields
    (``dataclasses.replace``, as a lever's change does) and their inputs, built with the
    same ``curvature`` and ``agreement_cost``. Each part built from a field ``arrays`` shares
    with them (the very same array) is taken from those inputs instead of being built again:
    the same numbers, for the lever search's hundred changed copies of one batch of draws.
    """
    batched = arrays.n_draws is not None
    if reuse is not None:
        ref, ref_inp = reuse
        same_frame = (
            ref.veto is arrays.veto
            and ref.scale_low is arrays.scale_low
            and ref.scale_high is arrays.scale_high
            and ref.actor_ids == arrays.actor_ids
            and ref.issue_ids == arrays.issue_ids
            and ref_inp.batched == batched
        )
        if not same_frame:
            reuse = None
    veto = np.asarray(arrays.veto, dtype=bool)
    idx = np.flatnonzero(veto) if veto.any() else np.arange(arrays.n_actors)
    lo = np.asarray(arrays.scale_low, dtype=float)
    width = np.asarray(arrays.scale_high, dtype=float) - lo

    def b(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return x if batched else x[None]

    def kept(name: str) -> BargainingInputs | None:
        """The reused inputs when ``arrays`` shares the field ``name`` with their arrays."""
        if reuse is None or getattr(reuse[0], name) is not getattr(arrays, name):
            return None
        return reuse[1]

    if (had := kept("saliences")) is not None:
        weights, indifferent = had.weights, had.indifferent
    else:
        sal = b(arrays.saliences)[:, idx, :]
        tot = sal.sum(axis=-1, keepdims=True)
        weights = np.divide(sal, tot, out=np.zeros_like(sal), where=tot > 0)
        indifferent = tot[..., 0] <= 0
    had = kept("positions")
    ideal = had.ideal if had is not None else (b(arrays.positions)[:, idx, :] - lo) / width
    had = kept("status_quo")
    sq = had.status_quo if had is not None else (b(arrays.status_quo) - lo) / width
    if (had := kept("red_low")) is not None:
        rlo, has_lo = had.red_low, had.has_red_low
    else:
        rlo = np.clip((b(arrays.red_low)[:, idx, :] - lo) / width, 0.0, 1.0)
        has_lo = np.any(rlo > 0, axis=0)
    if (had := kept("red_high")) is not None:
        rhi, has_hi = had.red_high, had.has_red_high
    else:
        rhi = np.clip((b(arrays.red_high)[:, idx, :] - lo) / width, 0.0, 1.0)
        has_hi = np.any(rhi < 1, axis=0)
    n = weights.shape[0]

    def param(name: str, given: float | None, default: float) -> np.ndarray:
        if given is not None:
            return np.full(n, float(given))
        if name in arrays.parameters:
            return np.broadcast_to(b(arrays.parameters[name]), (n,)).astype(float)
        return np.full(n, default)

    c = param("utility_curvature", curvature, 1.0)
    k = param("agreement_cost", agreement_cost, 0.0)
    if np.any(c <= 0) or not np.all(np.isfinite(c)):
        bad = c[(c <= 0) | ~np.isfinite(c)][0]
        raise ModelError(
            f"utility curvature must be a finite number > 0 (1 = linear utilities); got {bad:g}"
        )
    if not np.all(np.isfinite(k)):
        raise ModelError("agreement cost must be a finite number (utility units, e.g. 0.05)")
    return BargainingInputs(
        veto_ids=tuple(arrays.actor_ids[i] for i in idx),
        veto_index=idx,
        issue_ids=tuple(arrays.issue_ids),
        scale_low=lo,
        scale_width=width,
        weights=weights,
        ideal=ideal,
        status_quo=sq,
        red_low=rlo,
        red_high=rhi,
        has_red_low=has_lo,
        has_red_high=has_hi,
        curvature=c,
        agreement_cost=k,
        indifferent=indifferent,
        batched=batched,
    )


def distance_utility(
    distance: np.ndarray, weights: np.ndarray, curvature: np.ndarray | float
) -> np.ndarray:
    """The one utility: ``-sum_j w_j * d_j ** c`` over the last axis.

    ``distance`` is ``|x_j - ideal_j|`` in scale widths, ``weights`` the saliences (any
    positive scale: the win-sets, Nash and Kalai-Smorodinsky do not depend on it), ``c`` the
    curvature (1 linear loss, 2 quadratic), broadcast against ``distance``.

    >>> import numpy as np
    >>> float(distance_utility(np.array([0.5, 0.25]), np.array([0.5, 0.5]), 1.0))
    -0.375
    """
    c = np.asarray(curvature)
    d = np.asarray(distance)
    linear = (
        d.dtype == np.float64
        and np.broadcast_shapes(d.shape, c.shape) == d.shape
        and bool(np.all(c == 1.0))
    )
    # linear utilities: d ** 1 is d itself, the same float, without a power per element
    return np.asarray(-np.sum(weights * (d if linear else d**c), axis=-1))


def win_set_masks(inp: BargainingInputs, jx: int, jy: int, base: np.ndarray, n: int) -> np.ndarray:
    """Each veto player's win-set on an ``n x n`` grid over issues ``jx`` (columns) and ``jy``
    (rows), the other issues at ``base`` (normalised, (I,)); one scenario. Returns a bool
    array (V, n * n), row-major over (y, x): the win-set map of the report and the plots."""
    g = np.linspace(0.0, 1.0, n)
    gx, gy = np.meshgrid(g, g)  # rows: y
    pk = np.broadcast_to(base, (n * n, base.shape[-1])).copy()
    pk[:, jx] = gx.ravel()
    pk[:, jy] = gy.ravel()
    return np.asarray(inp.in_win_sets(pk[None])[0])


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


def veto_holders(scenario: Scenario) -> tuple[str, ...]:
    """The actors who hold a veto on some issue (veto players and controllers), in the
    scenario's order; empty when nobody does (the zone then needs every actor: unanimity)."""
    held = veto_matrix(scenario).any(axis=1)
    return tuple(scenario.actor_ids[k] for k in np.flatnonzero(held))


def agreement_matrix(scenario: Scenario, arrays: ScenarioArrays | None = None) -> np.ndarray:
    """``M[k, j]`` on the arrays' actors and issues: actor ``k`` must agree on issue ``j``.

    The arrays' own veto players (a what-if may have given or taken a veto) hold every
    issue, the scenario's controllers (``controlled_by``) the issues they control.
    ``arrays`` defaults to ``scenario.to_arrays()``. All ``False`` when nobody holds a veto
    on anything (the zone then needs every actor: :func:`apply_veto_matrix`).
    """
    a = scenario.to_arrays() if arrays is None else arrays
    actors, issues = list(a.actor_ids), list(a.issue_ids)
    m = np.zeros((len(actors), len(issues)), dtype=bool)
    m |= np.asarray(a.veto, dtype=bool)[:, None]
    for issue in scenario.issues:
        if issue.id in issues:
            for who in issue.controlled_by:
                if who in actors:
                    m[actors.index(who), issues.index(issue.id)] = True
    return m


def apply_veto_matrix(arrays: ScenarioArrays, m: np.ndarray) -> ScenarioArrays:
    """Who must agree under the veto matrix ``m`` (:func:`agreement_matrix`): the arrays
    restricted to it (:func:`restricted_arrays`), or every actor when ``m`` is all ``False``.

    The one rule the diagnosis (through :func:`agreement_arrays`) and the simulation's
    monthly zone (on stances that have moved) both apply.
    """
    m = np.asarray(m, dtype=bool)
    return restricted_arrays(arrays, m) if m.any() else arrays


def agreement_arrays(scenario: Scenario, arrays: ScenarioArrays | None = None) -> ScenarioArrays:
    """Who must agree, as the zone sees it: the arrays restricted to the veto matrix
    (:func:`agreement_matrix`, :func:`restricted_arrays`), or every actor when nobody holds
    a veto on anything.

    ``arrays`` defaults to ``scenario.to_arrays()``; a batch from ``scenario.sample`` works too.
    The veto players are the arrays' own (a what-if may have given or taken a veto), the
    controllers the scenario's (``controlled_by``), on the arrays' actors and issues.
    """
    a = scenario.to_arrays() if arrays is None else arrays
    return apply_veto_matrix(a, agreement_matrix(scenario, a))


def restricted_arrays(arrays: ScenarioArrays, m: np.ndarray) -> ScenarioArrays:
    """The arrays as the win-set kernel needs them: veto players are the actors holding any
    veto, each caring about and bound by red lines only on the issues it holds a veto on."""
    lo = np.broadcast_to(arrays.scale_low, arrays.red_low.shape)
    hi = np.broadcast_to(arrays.scale_high, arrays.red_high.shape)
    return replace(
        arrays,
        veto=np.asarray(m.any(axis=-1), dtype=bool),
        saliences=np.where(m, arrays.saliences, 0.0),
        red_low=np.where(m, arrays.red_low, lo),
        red_high=np.where(m, arrays.red_high, hi),
    )


def package_in_win_sets(
    arrays: ScenarioArrays,
    package: dict[str, float],
    *,
    curvature: float | None = None,
    agreement_cost: float | None = None,
) -> tuple[tuple[str, ...], np.ndarray]:
    """Whether a package (issues not named stay at each draw's status quo) lies in each veto
    player's win-set (:meth:`BargainingInputs.in_win_sets`). Returns (veto ids, bool array
    (..., n_veto))."""
    inp = bargaining_inputs(arrays, curvature=curvature, agreement_cost=agreement_cost)
    y = inp.status_quo.copy()
    for iid, x in package.items():
        j = inp.issue_ids.index(iid)
        y[:, j] = (x - inp.scale_low[j]) / inp.scale_width[j]
    inside = inp.in_win_sets(y)
    return inp.veto_ids, (inside if inp.batched else inside[0])
