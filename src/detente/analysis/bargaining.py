"""The bargaining set: win-sets, the zone of agreement, and the gap that keeps it shut.

Definitions (``docs/diagnosis.md`` has the long form). Coordinates are normalised per issue,
``y_j = (x_j - L_j) / (H_j - L_j)`` in ``[0, 1]``, so every issue counts on the same footing.

Utility
    ``U_v(x) = - sum_j w_vj |y_j - pi_vj| ** c``, with ``w_vj = s_vj / sum_k s_vk`` the
    actor's saliences normalised to sum to one, ``pi_vj`` its normalised position and ``c``
    the curvature (``parameters.utility_curvature`` if the scenario has it, else 1).
    ``U_v`` lies in ``[-1, 0]``.
Reservation
    ``r_v = U_v(q) + k``, the utility of the status quo ``q`` plus the cost of agreement ``k``
    (``parameters.agreement_cost`` if present, else 0), in the same utility units.
Win-set
    ``W_v = {x in the issue box, within v's red lines and priorities : U_v(x) > r_v}``. A
    stance's lexicographic ``priority`` (see :class:`~detente.scenario.schema.Stance`) is a
    level past which the issue outranks every other: no package beyond it beats the status
    quo, so it bounds the win-set as a red line does (it belongs to the utility, not to the
    stated limits, and is reported apart from them). Strict preference
    is implemented as ``U_v(x) >= r_v + tol`` with ``tol`` = :data:`STRICT_MARGIN`.
Zone of agreement
    ``Z = intersection of W_v`` over the veto players (all actors if nobody has a veto).
    A veto player with no salience anywhere is indifferent: its red lines bind, its
    utility condition is dropped.
Gap
    ``G = min_x sum_v [ max(0, r_v + tol - U_v(x)) + rho * sum_j dist(y_j, red-line interval_vj) ]``
    over the issue box: the smallest total utility the veto players would have to give up,
    below what they need to prefer a deal, plus the red-line distance they would have to
    cross (priced at ``rho`` = ``red_line_price`` per full scale, default 1: a red line is as
    dear as an issue that carried all of the actor's salience). ``G >= 0`` and ``G == 0``
    exactly when ``Z`` is non-empty. A gap of 0.1 means, e.g., one veto player conceding
    10 points on a 0-100 issue that carries all its salience, or 20 on one carrying half.

Computation. With ``c = 1`` every condition is piecewise linear and the gap is a linear
programme (absolute values through auxiliary variables). The batch is solved as *one*
block-diagonal LP by HiGHS (Huangfu & Hall 2018, doi:10.1007/s12532-017-0130-5), in chunks,
so the result is exact (to the solver's feasibility tolerance, reported as ``resolution``)
and the per-draw overhead of building and calling a solver disappears. Every non-empty
verdict is re-checked on its witness package in NumPy. Packages inside a non-empty zone are
the max-min package (the one that maximises the smallest surplus over the reservation),
a second block LP. With ``c != 1`` the problem is not an LP; a vectorised search
(candidate packages, then coordinate refinement on a grid of ``grid_points`` per issue) is
used: a non-empty verdict is certified by its witness, an empty one is not, and
``method == "search"`` with ``resolution`` = the grid step says so.

:func:`zone_open` answers only "is the zone open?" (and the max-min surplus ``m*``), fast:
in closed form for up to two veto players (LP duality), with pair certificates, witness
packages and an LP for the undecided draws beyond. The counterfactual levers use it.
Knife edge: with no red lines and no cost of agreement the status quo gives every veto
player exactly its reservation, so a zone shut only because the status quo is
Pareto-optimal for them has a gap of just the strict margins.

References: Tsebelis (2002) *Veto Players*, Princeton UP, doi:10.1515/9781400831456
(win-sets, the winset of the status quo); Putnam (1988) doi:10.1017/S0020818300027697
(win-sets in two-level games); Nash (1950) doi:10.2307/1907266.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ModelError

if TYPE_CHECKING:
    from ..scenario import ScenarioArrays

__all__ = [
    "LP_TOLERANCE",
    "STRICT_MARGIN",
    "Blocker",
    "GapResult",
    "ZoneDetails",
    "bargaining_inputs",
    "maximin_packages",
    "win_set_gap",
    "win_set_gap_per_draw",
    "zone_details",
    "zone_open",
    "zone_volume",
]

#: Strict preference margin (normalised utility units): ``U_v(x) > r_v`` is ``U_v(x) >= r_v + tol``.
STRICT_MARGIN = 1e-6
#: Feasibility tolerance handed to HiGHS and used when re-checking witnesses.
LP_TOLERANCE = 1e-9
#: Draws per block LP: big enough to amortise overhead, small enough for memory.
_CHUNK = 200


# --------------------------------------------------------------------------------------
# inputs
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
            return -np.sum(self.weights * d ** c[:, None, None], axis=-1)
        d = np.abs(y[:, None, :, :] - self.ideal[:, :, None, :])
        return -np.sum(self.weights[:, :, None, :] * d ** c[:, None, None, None], axis=-1)

    def reservation(self) -> np.ndarray:
        """``r_v = U_v(q) + k`` of shape (n, V)."""
        return self.utility(self.status_quo) + self.agreement_cost[:, None]

    def to_issue_units(self, y: np.ndarray) -> np.ndarray:
        return self.scale_low + y * self.scale_width


def bargaining_inputs(
    arrays: ScenarioArrays,
    *,
    curvature: float | None = None,
    agreement_cost: float | None = None,
) -> BargainingInputs:
    """Veto players' normalised weights, ideal points, red lines; curvature and cost per draw.

    ``curvature`` / ``agreement_cost`` override ``parameters.utility_curvature`` /
    ``parameters.agreement_cost`` (defaults 1 and 0).
    """
    batched = arrays.n_draws is not None
    veto = np.asarray(arrays.veto, dtype=bool)
    idx = np.flatnonzero(veto) if veto.any() else np.arange(arrays.n_actors)
    lo = np.asarray(arrays.scale_low, dtype=float)
    width = np.asarray(arrays.scale_high, dtype=float) - lo

    def b(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return x if batched else x[None]

    sal = b(arrays.saliences)[:, idx, :]
    tot = sal.sum(axis=-1, keepdims=True)
    weights = np.divide(sal, tot, out=np.zeros_like(sal), where=tot > 0)
    ideal = (b(arrays.positions)[:, idx, :] - lo) / width
    sq = (b(arrays.status_quo) - lo) / width
    red_low, red_high = arrays.red_low, arrays.red_high
    if arrays.prio_low is not None and arrays.prio_high is not None:
        # lexicographic priorities bound the win-set like red lines (see Stance.priority)
        red_low = np.maximum(red_low, arrays.prio_low)
        red_high = np.minimum(red_high, arrays.prio_high)
    rlo = np.clip((b(red_low)[:, idx, :] - lo) / width, 0.0, 1.0)
    rhi = np.clip((b(red_high)[:, idx, :] - lo) / width, 0.0, 1.0)
    n = sal.shape[0]

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
        has_red_low=np.any(rlo > 0, axis=0),
        has_red_high=np.any(rhi < 1, axis=0),
        curvature=c,
        agreement_cost=k,
        indifferent=(tot[..., 0] <= 0),
        batched=batched,
    )


# --------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Blocker:
    """One thing keeping the zone shut.

    kind:
        ``red-line-conflict`` (veto players' red lines leave no common value on ``issue``),
        ``red-line`` (the gap package has to cross ``actor``'s red line on ``issue``; not
        listed on issues with a red-line conflict, where who crosses is a tie),
        ``shortfall`` (``actor`` would still prefer the status quo at the gap package),
        ``concession`` (``actor`` loses utility against the status quo on ``issue`` there).
    amount:
        Its share of the gap (utility units), or the width of the red-line conflict
        (issue units) for ``red-line-conflict``.
    """

    kind: str
    actor: str | None
    issue: str | None
    amount: float
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "actor": self.actor,
            "issue": self.issue,
            "amount": float(self.amount),
            "detail": self.detail,
        }


@dataclass(frozen=True, eq=False)
class GapResult:
    """Zone of agreement and gap for one scenario or a batch of draws.

    Arrays have a leading draw axis of length ``n`` for batched input and none otherwise.

    Attributes
    ----------
    zone_nonempty : bool array (...)
    gap : float array (...), >= 0, 0 exactly where the zone is non-empty.
    best_package : (..., n_issues) in issue units: the max-min package inside the zone when
        it is non-empty, else the package that attains the gap.
    surplus : (..., n_veto) ``U_v(best) - r_v`` (>= tol inside the zone).
    shortfall : (..., n_veto) ``max(0, r_v + tol - U_v(best))`` at the gap package.
    red_line_excess : (..., n_veto, n_issues) issue units by which the gap package crosses
        each red line.
    concession : (..., n_veto, n_issues) utility lost against the status quo on each issue
        at ``best_package`` (negative = gained).
    red_line_conflict : (..., n_issues) bool: the veto players' red lines leave no value.
    method : ``"lp"`` (exact) or ``"search"``.
    resolution : the certification: LP feasibility tolerance, or the search grid step in
        normalised units (a fraction of each issue's scale).
    """

    veto_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    zone_nonempty: np.ndarray
    gap: np.ndarray
    best_package: np.ndarray
    surplus: np.ndarray
    shortfall: np.ndarray
    red_line_excess: np.ndarray
    concession: np.ndarray
    red_line_conflict: np.ndarray
    reservation: np.ndarray
    red_low: np.ndarray
    red_high: np.ndarray
    method: str
    resolution: float
    curvature: np.ndarray
    agreement_cost: np.ndarray
    red_line_price: float
    batched: bool
    notes: tuple[str, ...] = field(default=())

    @property
    def n_draws(self) -> int | None:
        return int(self.gap.shape[0]) if self.batched else None

    def __repr__(self) -> str:
        veto = ", ".join(self.veto_ids)
        if self.batched:
            return (
                f"<GapResult {self.n_draws} draws, veto {veto}: P(zone non-empty) = "
                f"{float(np.mean(self.zone_nonempty)):.3f}, mean gap {float(np.mean(self.gap)):.4g}; "
                f"{self.method}>"
            )
        state = "open" if bool(self.zone_nonempty) else f"empty, gap {float(self.gap):.4g}"
        return f"<GapResult veto {veto}: zone {state}; {self.method}>"

    def draw(self, k: int) -> GapResult:
        """The result of draw ``k`` as an unbatched result."""
        if not self.batched:
            return self

        def pick(x: np.ndarray) -> np.ndarray:
            return np.asarray(x[k])

        return GapResult(
            veto_ids=self.veto_ids,
            issue_ids=self.issue_ids,
            zone_nonempty=pick(self.zone_nonempty),
            gap=pick(self.gap),
            best_package=pick(self.best_package),
            surplus=pick(self.surplus),
            shortfall=pick(self.shortfall),
            red_line_excess=pick(self.red_line_excess),
            concession=pick(self.concession),
            red_line_conflict=pick(self.red_line_conflict),
            reservation=pick(self.reservation),
            red_low=pick(self.red_low),
            red_high=pick(self.red_high),
            method=self.method,
            resolution=self.resolution,
            curvature=pick(self.curvature),
            agreement_cost=pick(self.agreement_cost),
            red_line_price=self.red_line_price,
            batched=False,
            notes=self.notes,
        )

    def blockers(self, k: int | None = None) -> list[Blocker]:
        """What blocks the zone (empty list when it is open), largest first, for one draw."""
        r = self if not self.batched else self.draw(0 if k is None else k)
        if bool(r.zone_nonempty):
            return []
        out: list[Blocker] = []
        for j, iid in enumerate(self.issue_ids):
            if bool(r.red_line_conflict[j]):
                hi_v = int(np.argmax(r.red_low[:, j]))
                lo_v = int(np.argmin(r.red_high[:, j]))
                need, allow = float(r.red_low[hi_v, j]), float(r.red_high[lo_v, j])
                out.append(
                    Blocker(
                        "red-line-conflict",
                        f"{self.veto_ids[hi_v]}+{self.veto_ids[lo_v]}",
                        iid,
                        need - allow,
                        f"red lines on {iid} do not overlap: {self.veto_ids[hi_v]} needs >= "
                        f"{need:.4g}, {self.veto_ids[lo_v]} accepts <= {allow:.4g} "
                        f"({need - allow:.4g} apart)",
                    )
                )
        for v, a in enumerate(self.veto_ids):
            for j, iid in enumerate(self.issue_ids):
                ex = float(r.red_line_excess[v, j])
                # on a conflict issue who crosses is a tie the solver breaks arbitrarily:
                # the conflict blocker above names both sides instead
                if ex > 1e-7 and not bool(r.red_line_conflict[j]):
                    out.append(
                        Blocker(
                            "red-line",
                            a,
                            iid,
                            ex,
                            f"{a} would have to cross its red line on {iid} by {ex:.3g}",
                        )
                    )
        for v, a in enumerate(self.veto_ids):
            sf = float(r.shortfall[v])
            if sf > 1e-9:
                out.append(
                    Blocker(
                        "shortfall",
                        a,
                        None,
                        sf,
                        f"{a} still prefers the status quo by {sf:.3g} utility at the closest package",
                    )
                )
                losses = [
                    (float(r.concession[v, j]), iid)
                    for j, iid in enumerate(self.issue_ids)
                    if r.concession[v, j] > 1e-9
                ]
                for loss, iid in sorted(losses, reverse=True):
                    out.append(
                        Blocker(
                            "concession",
                            a,
                            iid,
                            loss,
                            f"{a} loses {loss:.3g} utility on {iid} against the status quo",
                        )
                    )
        order = {"red-line-conflict": 0, "red-line": 1, "shortfall": 2, "concession": 3}
        out.sort(key=lambda b: (order[b.kind], -b.amount))
        return out

    def blocker_frequencies(self) -> dict[str, float]:
        """Share of draws in which each (kind, actor, issue) blocker appears."""
        if not self.batched:
            return {_bkey(b): 1.0 for b in self.blockers()}
        n = int(self.gap.shape[0])
        out: dict[str, float] = {}
        nonempty = self.zone_nonempty
        for j, iid in enumerate(self.issue_ids):
            f = float(np.mean(self.red_line_conflict[:, j] & ~nonempty))
            if f > 0:
                out[f"red-line-conflict:{iid}"] = f
        for v, a in enumerate(self.veto_ids):
            for j, iid in enumerate(self.issue_ids):
                f = float(
                    np.mean(
                        (self.red_line_excess[:, v, j] > 1e-7)
                        & ~nonempty
                        & ~self.red_line_conflict[:, j]
                    )
                )
                if f > 0:
                    out[f"red-line:{a}:{iid}"] = f
            f = float(np.mean((self.shortfall[:, v] > 1e-9) & ~nonempty))
            if f > 0:
                out[f"shortfall:{a}"] = f
        del n
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def _bkey(b: Blocker) -> str:
    return ":".join(x for x in (b.kind, b.actor, b.issue) if x)


# --------------------------------------------------------------------------------------
# LP kernels (curvature 1)
# --------------------------------------------------------------------------------------
def _block_lp(
    c: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    data: np.ndarray,
    b_ub: np.ndarray,
    lb: np.ndarray,
    ub: np.ndarray,
) -> np.ndarray:
    """Solve ``n`` independent LPs ``min c_k x s.t. A_k x <= b_k, lb_k <= x <= ub_k`` at once.

    ``rows``/``cols`` give the sparsity pattern shared by every block, ``data`` (n, nnz) the
    values; ``c``, ``lb``, ``ub`` are (n, n_vars) and ``b_ub`` (n, n_rows). Returns (n, n_vars).
    """
    from scipy.optimize import linprog
    from scipy.sparse import csr_array

    n, nv = c.shape
    nr = b_ub.shape[1]
    out = np.empty((n, nv))
    for s in range(0, n, _CHUNK):
        m = min(_CHUNK, n - s)
        off_r = (np.arange(m) * nr)[:, None]
        off_c = (np.arange(m) * nv)[:, None]
        A = csr_array(
            (data[s : s + m].ravel(), ((rows + off_r).ravel(), (cols + off_c).ravel())),
            shape=(m * nr, m * nv),
        )
        bounds = np.stack([lb[s : s + m].ravel(), ub[s : s + m].ravel()], axis=1)
        res = linprog(
            c[s : s + m].ravel(),
            A_ub=A,
            b_ub=b_ub[s : s + m].ravel(),
            bounds=bounds,
            method="highs",
            options={"primal_feasibility_tolerance": LP_TOLERANCE, "presolve": True},
        )
        if res.status != 0:  # pragma: no cover - bounded and feasible by construction
            raise ModelError(f"the bargaining-set LP failed: {res.message}")
        out[s : s + m] = res.x.reshape(m, nv)
    return out


def _gap_lp(inp: BargainingInputs, red_line_price: float) -> np.ndarray:
    """The gap LP; returns normalised packages y (n, I).

    Variables per draw: y (I), e (V*I) = |y - pi|, d (V) shortfall, zl/zh red-line excesses.
    """
    n, V, I = inp.weights.shape
    lowers = np.argwhere(inp.has_red_low)  # (nL, 2) of (v, j)
    uppers = np.argwhere(inp.has_red_high)
    nL, nH = len(lowers), len(uppers)
    o_e, o_d = I, I + V * I
    o_zl = o_d + V
    o_zh = o_zl + nL
    nv = o_zh + nH
    vj = np.array([(v, j) for v in range(V) for j in range(I)], dtype=int).reshape(-1, 2)
    e_idx = o_e + vj[:, 0] * I + vj[:, 1]
    r_rows: list[np.ndarray] = []
    r_cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    rhs: list[np.ndarray] = []
    row = 0
    ones = np.ones((n, V * I))
    # y_j - e_vj <= pi_vj ; -y_j - e_vj <= -pi_vj
    for sign in (1.0, -1.0):
        rr = row + np.arange(V * I)
        r_rows += [rr, rr]
        r_cols += [vj[:, 1], e_idx]
        vals += [sign * ones, -ones]
        rhs.append(sign * inp.ideal.reshape(n, V * I))
        row += V * I
    # sum_j w_vj e_vj - d_v <= -(r_v + tol)   (indifferent players: rhs large, never binds)
    res_v = inp.reservation() + STRICT_MARGIN
    res_v = np.where(inp.indifferent, -10.0, res_v)
    rr = row + vj[:, 0]
    r_rows += [rr, row + np.arange(V)]
    r_cols += [e_idx, o_d + np.arange(V)]
    vals += [inp.weights.reshape(n, V * I), -np.ones((n, V))]
    rhs.append(-res_v)
    row += V
    # -y_j - zl <= -lo_vj ; y_j - zh <= hi_vj
    if nL:
        rr = row + np.arange(nL)
        r_rows += [rr, rr]
        r_cols += [lowers[:, 1], o_zl + np.arange(nL)]
        vals += [-np.ones((n, nL)), -np.ones((n, nL))]
        rhs.append(-inp.red_low[:, lowers[:, 0], lowers[:, 1]])
        row += nL
    if nH:
        rr = row + np.arange(nH)
        r_rows += [rr, rr]
        r_cols += [uppers[:, 1], o_zh + np.arange(nH)]
        vals += [np.ones((n, nH)), -np.ones((n, nH))]
        rhs.append(inp.red_high[:, uppers[:, 0], uppers[:, 1]])
        row += nH
    cost = np.zeros((n, nv))
    cost[:, o_d : o_d + V] = 1.0
    cost[:, o_zl:] = red_line_price
    lb = np.zeros((n, nv))
    ub = np.full((n, nv), np.inf)
    ub[:, :I] = 1.0
    x = _block_lp(
        cost,
        np.concatenate(r_rows),
        np.concatenate(r_cols),
        np.concatenate(vals, axis=1),
        np.concatenate(rhs, axis=1),
        lb,
        ub,
    )
    return np.clip(x[:, :I], 0.0, 1.0)


def _maximin_lp(inp: BargainingInputs, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Max over y in [lo, hi] of min_v (U_v(y) - r_v); returns y (n, I)."""
    n, V, I = inp.weights.shape
    o_e, o_m = I, I + V * I
    nv = o_m + 1
    vj = np.array([(v, j) for v in range(V) for j in range(I)], dtype=int).reshape(-1, 2)
    e_idx = o_e + vj[:, 0] * I + vj[:, 1]
    ones = np.ones((n, V * I))
    r_rows: list[np.ndarray] = []
    r_cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    rhs: list[np.ndarray] = []
    row = 0
    for sign in (1.0, -1.0):
        rr = row + np.arange(V * I)
        r_rows += [rr, rr]
        r_cols += [vj[:, 1], e_idx]
        vals += [sign * ones, -ones]
        rhs.append(sign * inp.ideal.reshape(n, V * I))
        row += V * I
    # sum_j w e + m <= -r_v
    res_v = np.where(inp.indifferent, -10.0, inp.reservation())
    r_rows += [row + vj[:, 0], row + np.arange(V)]
    r_cols += [e_idx, np.full(V, o_m)]
    vals += [inp.weights.reshape(n, V * I), np.ones((n, V))]
    rhs.append(-res_v)
    cost = np.zeros((n, nv))
    cost[:, o_m] = -1.0
    lb = np.zeros((n, nv))
    ub = np.full((n, nv), np.inf)
    lb[:, :I], ub[:, :I] = lo, hi
    lb[:, o_m], ub[:, o_m] = -2.0, 2.0
    x = _block_lp(
        cost,
        np.concatenate(r_rows),
        np.concatenate(r_cols),
        np.concatenate(vals, axis=1),
        np.concatenate(rhs, axis=1),
        lb,
        ub,
    )
    return np.clip(x[:, :I], lo, hi)


# --------------------------------------------------------------------------------------
# search (curvature != 1)
# --------------------------------------------------------------------------------------
def _objective(
    inp: BargainingInputs, y: np.ndarray, red_line_price: float, rows: np.ndarray | None = None
) -> np.ndarray:
    """Gap objective at packages y (n, m, I) -> (n, m)."""
    sub = inp if rows is None else _subset(inp, rows)
    u = sub.utility(y)  # (n, V, m)
    res = sub.reservation()[:, :, None] + STRICT_MARGIN
    short = np.where(sub.indifferent[:, :, None], 0.0, np.maximum(0.0, res - u))
    below = np.maximum(0.0, sub.red_low[:, :, None, :] - y[:, None, :, :])
    above = np.maximum(0.0, y[:, None, :, :] - sub.red_high[:, :, None, :])
    return short.sum(axis=1) + red_line_price * (below + above).sum(axis=(1, 3))


def _subset(inp: BargainingInputs, rows: np.ndarray) -> BargainingInputs:
    from dataclasses import replace

    return replace(
        inp,
        weights=inp.weights[rows],
        ideal=inp.ideal[rows],
        status_quo=inp.status_quo[rows],
        red_low=inp.red_low[rows],
        red_high=inp.red_high[rows],
        curvature=inp.curvature[rows],
        agreement_cost=inp.agreement_cost[rows],
        indifferent=inp.indifferent[rows],
    )


def _gap_search(
    inp: BargainingInputs, red_line_price: float, grid_points: int, n_cycles: int = 8
) -> np.ndarray:
    """Minimise the gap objective by coordinate search, from the best of several starts
    (the curvature-1 LP optimum, ideal points, red-line-clipped ideal points, the status
    quo and the mean ideal point)."""
    from dataclasses import replace as dc_replace

    n, V, _I = inp.weights.shape
    lo = np.max(inp.red_low, axis=1)
    hi = np.min(inp.red_high, axis=1)
    linear = dc_replace(inp, curvature=np.ones(n))
    cands = [_gap_lp(linear, red_line_price)]
    cands += [inp.ideal[:, v, :] for v in range(V)]
    cands += [np.clip(inp.ideal[:, v, :], np.minimum(lo, hi), hi) for v in range(V)]
    cands += [inp.status_quo, inp.ideal.mean(axis=1)]
    C = np.stack(cands, axis=1)  # (n, m, I)
    f = _objective(inp, C, red_line_price)
    y0 = C[np.arange(n), np.argmin(f, axis=1)]
    box_lo, box_hi = np.zeros_like(y0), np.ones_like(y0)
    return _coordinate_search(inp, y0, box_lo, box_hi, grid_points, "gap", red_line_price, n_cycles)


def _maximin_search(
    inp: BargainingInputs, y0: np.ndarray, lo: np.ndarray, hi: np.ndarray, grid_points: int
) -> np.ndarray:
    """Maximise ``min_v (U_v - r_v)`` over the box ``[lo, hi]`` by coordinate search."""
    return _coordinate_search(inp, np.clip(y0, lo, hi), lo, hi, grid_points, "maximin")


def _coordinate_search(
    inp: BargainingInputs,
    y0: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    grid_points: int,
    mode: str,
    red_line_price: float = 1.0,
    n_cycles: int = 8,
    chunk: int = 1000,
) -> np.ndarray:
    """Cyclic coordinate search on a grid of ``grid_points`` per issue within ``[lo, hi]``.

    Utilities are separable across issues, so moving one coordinate only changes that
    issue's term: each step costs O(n V G), with the grid's powers computed once per chunk.
    ``mode`` is ``"gap"`` (minimise the gap objective) or ``"maximin"`` (maximise the
    smallest surplus). A move is taken only if it strictly improves.
    """
    n, _V, _I = inp.weights.shape
    t = np.linspace(0.0, 1.0, grid_points)
    out = y0.copy()
    res_all = inp.reservation()
    for s in range(0, n, chunk):
        sl = slice(s, min(n, s + chunk))
        w, pi = inp.weights[sl], inp.ideal[sl]
        c = inp.curvature[sl][:, None, None]
        y = out[sl].copy()
        m = y.shape[0]
        rows = np.arange(m)
        L, H = lo[sl], hi[sl]
        grid = L[:, :, None] + t * (H - L)[:, :, None]  # (m, I, G)
        gp = np.abs(grid[:, None, :, :] - pi[:, :, :, None]) ** c[..., None]  # (m, V, I, G)
        dp = np.abs(y[:, None, :] - pi) ** c  # (m, V, I)
        U = -np.sum(w * dp, axis=2)  # (m, V)
        res = res_all[sl]
        indiff = inp.indifferent[sl]
        if mode == "gap":
            rlo, rhi = inp.red_low[sl], inp.red_high[sl]
            exg = np.maximum(0.0, rlo[..., None] - grid[:, None]) + np.maximum(
                0.0, grid[:, None] - rhi[..., None]
            )  # (m, V, I, G)
            ex = np.maximum(0.0, rlo - y[:, None, :]) + np.maximum(0.0, y[:, None, :] - rhi)
        for _ in range(n_cycles):
            moved = False
            for j in range(y.shape[1]):
                Ug = U[:, :, None] + w[:, :, j, None] * (dp[:, :, j, None] - gp[:, :, j, :])
                if mode == "gap":
                    short = np.where(
                        indiff[..., None], 0.0, np.maximum(0.0, res[..., None] + STRICT_MARGIN - Ug)
                    )
                    rest = ex.sum(axis=(1, 2)) - ex[:, :, j].sum(axis=1)
                    f = short.sum(axis=1) + red_line_price * (
                        exg[:, :, j, :].sum(axis=1) + rest[:, None]
                    )
                    cur_short = np.where(indiff, 0.0, np.maximum(0.0, res + STRICT_MARGIN - U)).sum(
                        axis=1
                    )
                    cur = cur_short + red_line_price * ex.sum(axis=(1, 2))
                    best = np.argmin(f, axis=1)
                    better = f[rows, best] < cur - 1e-15
                else:
                    score = np.where(indiff[..., None], np.inf, Ug - res[..., None]).min(axis=1)
                    cur = np.where(indiff, np.inf, U - res).min(axis=1)
                    best = np.argmax(score, axis=1)
                    better = score[rows, best] > cur + 1e-15
                if not better.any():
                    continue
                moved = True
                b = rows[better]
                y[b, j] = grid[b, j, best[better]]
                new_dp = gp[b, :, j, best[better]]  # (k, V)
                U[b] += w[b, :, j] * (dp[b, :, j] - new_dp)
                dp[b, :, j] = new_dp
                if mode == "gap":
                    ex[b, :, j] = exg[b, :, j, best[better]]
            if not moved:
                break
        out[sl] = y
    return out


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
    return _solve(inp, red_line_price, grid_points)


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
    within = np.all(
        (y[:, None, :] >= inp.red_low - LP_TOLERANCE)
        & (y[:, None, :] <= inp.red_high + LP_TOLERANCE),
        axis=(1, 2),
    )
    ok_u = np.all((u >= res_v + STRICT_MARGIN - LP_TOLERANCE) | inp.indifferent, axis=1)
    nonempty = within & ok_u
    short = np.where(inp.indifferent, 0.0, np.maximum(0.0, res_v + STRICT_MARGIN - u))
    excess = np.maximum(0.0, inp.red_low - y[:, None, :]) + np.maximum(
        0.0, y[:, None, :] - inp.red_high
    )
    gap = short.sum(axis=1) + red_line_price * excess.sum(axis=(1, 2))
    gap = np.where(nonempty, 0.0, np.maximum(gap, LP_TOLERANCE))
    best = y.copy()
    rows = np.flatnonzero(nonempty)
    if rows.size:
        sub = _subset(inp, rows)
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


def zone_open(
    arrays: ScenarioArrays | BargainingInputs,
    *,
    curvature: float | None = None,
    agreement_cost: float | None = None,
    exact: bool = True,
    hints: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Is the zone non-empty, and the max-min surplus ``m* = max_x min_v (U_v(x) - r_v)``.

    The fast path for counterfactual searches: no gap, no packages. With curvature 1 and at
    most two veto players it is exact and closed-form by LP duality (Sion's minimax)::

        m* = min_{t in [0, 1]} [ -(t r_1 + (1-t) r_2)
                                 + sum_j max_{y_j in F_j} (t u_1j(y_j) + (1-t) u_2j(y_j)) ]

    where ``F_j`` is the interval all red lines allow; each inner maximum of a concave
    piecewise-linear function lies at an ideal point clipped into ``F_j``, and the outer
    function is convex piecewise linear in ``t`` with one breakpoint per issue, so
    evaluating it at ``{0, 1}`` and those breakpoints gives the minimum exactly.
    Otherwise a max-min LP per draw (in one block LP), or the search for curvature != 1.
    The zone is non-empty iff ``m* >= tol`` (:data:`STRICT_MARGIN`); ``m* = -inf`` where
    red lines conflict. Returns ``(nonempty, m_star)``, each of shape (n,) or ().

    With more than two veto players and ``exact=False`` (what the lever search uses) the
    verdict is still exact but cheaper: a draw is certified empty when some *pair* of veto
    players has ``m* < tol`` (the pair's problem is a relaxation), certified open when a
    candidate package (clipped ideal points, their mean and median, Sobol points in the
    red-line box) gives every veto player ``tol``, and only the rest go to the LP. There
    ``m_star`` is the certificate's bound (an upper bound for empty draws, a lower bound for
    open ones) rather than the exact value. ``hints`` (n, m, n_issues, normalised) adds
    candidate packages, e.g. the max-min packages of a baseline the draws were changed from.
    """
    inp = (
        arrays
        if isinstance(arrays, BargainingInputs)
        else bargaining_inputs(arrays, curvature=curvature, agreement_cost=agreement_cost)
    )
    n, V, _I = inp.weights.shape
    lo = np.max(inp.red_low, axis=1)
    hi = np.min(inp.red_high, axis=1)
    conflict = np.any(lo > hi + LP_TOLERANCE, axis=1)
    hi = np.maximum(hi, lo)
    r = np.where(inp.indifferent, -10.0, inp.reservation())
    m_star = np.full(n, -np.inf)
    linear = bool(np.all(inp.curvature == 1.0))
    todo = ~conflict
    if linear and V <= 2:
        m_star = np.where(conflict, -np.inf, _pair_mstar(inp, list(range(V)), lo, hi, r))
        todo[:] = False
    elif linear and not exact:
        # certificates before any LP: a pair of veto players that cannot both gain means
        # nobody can (m* <= every pair's m*); a package all gain from proves the zone open
        upper = _min_pair_mstar(inp, lo, hi, r)
        lower = _witness_mstar(inp, lo, hi, r, hints=hints)
        empty = todo & (upper < STRICT_MARGIN - LP_TOLERANCE)
        opened = todo & ~empty & (lower >= STRICT_MARGIN - LP_TOLERANCE)
        m_star[empty] = upper[empty]
        m_star[opened] = lower[opened]
        todo &= ~(empty | opened)
    rows = np.flatnonzero(todo)
    if rows.size:
        sub = _subset(inp, rows)
        if linear:
            y = _maximin_lp(sub, lo[rows], hi[rows])
        else:
            from dataclasses import replace as dc_replace

            lin = dc_replace(sub, curvature=np.ones(rows.size))
            y0 = _maximin_lp(lin, lo[rows], hi[rows])
            y = _maximin_search(sub, y0, lo[rows], hi[rows], 201)
        u = sub.utility(y) - np.where(sub.indifferent, -10.0, sub.reservation())
        m_star[rows] = u.min(axis=1)
    nonempty = m_star >= STRICT_MARGIN - LP_TOLERANCE
    if not inp.batched:
        return np.asarray(nonempty[0]), np.asarray(m_star[0])
    return nonempty, m_star


def maximin_packages(arrays: ScenarioArrays | BargainingInputs) -> np.ndarray:
    """Normalised max-min packages per draw (n, n_issues), curvature 1, within the box all
    red lines allow (clipped to its nearest point where they conflict). Used as hints."""
    inp = arrays if isinstance(arrays, BargainingInputs) else bargaining_inputs(arrays)
    lo = np.max(inp.red_low, axis=1)
    hi = np.maximum(np.min(inp.red_high, axis=1), lo)
    return _maximin_lp(inp, lo, hi)


def _pair_mstar(
    inp: BargainingInputs, players: list[int], lo: np.ndarray, hi: np.ndarray, r: np.ndarray
) -> np.ndarray:
    """Exact ``m*`` of one or two veto players (curvature 1) on the red-line box [lo, hi]."""
    n = inp.weights.shape[0]
    w = inp.weights[:, players, :]
    ideal = inp.ideal[:, players, :]
    rr = r[:, players]
    cand = np.clip(ideal, lo[:, None, :], hi[:, None, :])  # (n, C, I)
    # a[n, v, c, j] = u_vj(cand_cj)
    a = -w[:, :, None, :] * np.abs(cand[:, None, :, :] - ideal[:, :, None, :])
    if len(players) == 1:
        return np.asarray(np.max(a[:, 0], axis=1).sum(axis=1) - rr[:, 0])
    num = a[:, 1, 1] - a[:, 1, 0]
    den = a[:, 0, 0] - a[:, 0, 1] - a[:, 1, 0] + a[:, 1, 1]
    safe = np.where(np.abs(den) > 1e-15, den, 1.0)
    tb = np.where(np.abs(den) > 1e-15, np.clip(num / safe, 0.0, 1.0), 0.0)
    T = np.concatenate([np.zeros((n, 1)), np.ones((n, 1)), tb], axis=1)  # (n, I+2)
    tt = T[:, :, None, None]  # (n, T, C, I)
    vals = tt * a[:, None, 0] + (1 - tt) * a[:, None, 1]
    psi = vals.max(axis=2).sum(axis=2) - (T * rr[:, None, 0] + (1 - T) * rr[:, None, 1])
    return np.asarray(psi.min(axis=1))


def _min_pair_mstar(
    inp: BargainingInputs, lo: np.ndarray, hi: np.ndarray, r: np.ndarray
) -> np.ndarray:
    """``min`` over all pairs of veto players of the pair's exact ``m*`` (an upper bound on
    the ``m*`` of them all), every pair at once."""
    n, V, _I = inp.weights.shape
    iu, ju = np.triu_indices(V, k=1)
    out = np.full(n, np.inf)
    step = max(1, 20000 // max(n, 1))  # pairs per block, to bound memory
    for s in range(0, len(iu), step):
        pv, pw = iu[s : s + step], ju[s : s + step]
        idx = np.stack([pv, pw], axis=1)  # (P, 2)
        w = inp.weights[:, idx, :]  # (n, P, 2, I)
        ideal = inp.ideal[:, idx, :]
        rr = r[:, idx]  # (n, P, 2)
        cand = np.clip(ideal, lo[:, None, None, :], hi[:, None, None, :])  # (n, P, C, I)
        a = -w[:, :, :, None, :] * np.abs(cand[:, :, None, :, :] - ideal[:, :, :, None, :])
        num = a[:, :, 1, 1] - a[:, :, 1, 0]
        den = a[:, :, 0, 0] - a[:, :, 0, 1] - a[:, :, 1, 0] + a[:, :, 1, 1]  # (n, P, I)
        ok = np.abs(den) > 1e-15
        tb = np.where(ok, np.clip(num / np.where(ok, den, 1.0), 0.0, 1.0), 0.0)
        nP = idx.shape[0]
        T = np.concatenate([np.zeros((n, nP, 1)), np.ones((n, nP, 1)), tb], axis=2)
        tt = T[..., None, None]  # (n, P, T, 1, 1)
        vals = tt * a[:, :, None, 0] + (1 - tt) * a[:, :, None, 1]  # (n, P, T, C, I)
        psi = vals.max(axis=3).sum(axis=3) - (T * rr[:, :, None, 0] + (1 - T) * rr[:, :, None, 1])
        out = np.minimum(out, psi.min(axis=2).min(axis=1))
    return out


def _witness_mstar(
    inp: BargainingInputs,
    lo: np.ndarray,
    hi: np.ndarray,
    r: np.ndarray,
    n_sobol: int = 64,
    hints: np.ndarray | None = None,
) -> np.ndarray:
    """The best smallest surplus over candidate packages (a lower bound on ``m*``)."""
    from scipy.stats import qmc

    n, V, I = inp.weights.shape
    cands = [np.clip(inp.ideal[:, v, :], lo, hi) for v in range(V)]
    cands += [
        np.clip(inp.ideal.mean(axis=1), lo, hi),
        np.clip(np.median(inp.ideal, axis=1), lo, hi),
    ]
    pts = qmc.Sobol(I, scramble=True, seed=0).random(n_sobol)
    best = np.full(n, -np.inf)
    C = np.stack(cands, axis=1)
    blocks = [C, lo[:, None, :] + pts[None] * (hi - lo)[:, None, :]]
    if hints is not None:
        blocks.insert(0, np.clip(hints, lo[:, None, :], hi[:, None, :]))
    for block in blocks:
        u = inp.utility(block) - r[:, :, None]  # (n, V, m)
        best = np.maximum(best, u.min(axis=1).max(axis=1))
    return best


def win_set_gap_per_draw(
    arrays: ScenarioArrays,
    *,
    curvature: float | None = None,
    agreement_cost: float | None = None,
    red_line_price: float = 1.0,
) -> np.ndarray:
    """Reference: the gap LP solved draw by draw with one HiGHS call each (for tests and
    benchmarks). Returns the gap per draw (n,)."""
    from dataclasses import replace

    inp = bargaining_inputs(arrays, curvature=curvature, agreement_cost=agreement_cost)
    if not np.all(inp.curvature == 1.0):
        raise ModelError("the per-draw LP reference needs curvature 1")
    out = np.empty(inp.n)
    for k in range(inp.n):
        one = replace(_subset(inp, np.array([k])), batched=True)
        out[k] = float(_solve(one, red_line_price, 2).gap[0])
    return out


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
    from scipy.stats import qmc

    n, _V, I = inp.weights.shape
    m = 1 << max(1, int(np.ceil(np.log2(max(n_points, 2)))))
    pts = qmc.Sobol(I, scramble=True, seed=seed).random(m)
    res = inp.reservation()[:, :, None] + STRICT_MARGIN
    inside = np.zeros(n)
    for s in range(0, m, chunk):
        p = np.broadcast_to(pts[s : s + chunk], (n, min(chunk, m - s), I))
        u = inp.utility(p)
        ok = np.all((u >= res) | inp.indifferent[:, :, None], axis=1)
        ok &= np.all(
            (p[:, None] >= inp.red_low[:, :, None]) & (p[:, None] <= inp.red_high[:, :, None]),
            axis=(1, 3),
        )
        inside += ok.sum(axis=1)
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
    r = _solve(inp, 1.0, 201)
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
    A = np.zeros((2 * V * I, nv))
    lb = np.zeros(2 * V * I)
    for v in range(V):
        for j in range(I):
            r = 2 * (v * I + j)
            A[r, I + v * I + j], A[r, j] = 1.0, -1.0  # e - y >= -pi
            lb[r] = -pi[v, j]
            A[r + 1, I + v * I + j], A[r + 1, j] = 1.0, 1.0  # e + y >= pi
            lb[r + 1] = pi[v, j]
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
