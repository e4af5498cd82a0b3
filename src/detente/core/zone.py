"""Is the zone open? The fast test (closed form for two veto players, certificates, one LP)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from ._lp import _maximin_lp, _maximin_search
from .utility import LP_TOLERANCE, STRICT_MARGIN, BargainingInputs, bargaining_inputs

if TYPE_CHECKING:
    from ..scenario import ScenarioArrays

__all__ = ["maximin_packages", "pair_max_min_surplus", "zone_open"]


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
        m_star = np.where(conflict, -np.inf, pair_max_min_surplus(inp, list(range(V)), lo, hi, r))
        todo[:] = False
    elif linear and not exact:
        # certificates before any LP: a pair of veto players that cannot both gain means
        # nobody can (m* <= every pair's m*); a package all gain from proves the zone open
        upper = _min_pair_max_min_surplus(inp, lo, hi, r)
        lower = _witness_mstar(inp, lo, hi, r, hints=hints)
        empty = todo & (upper < STRICT_MARGIN - LP_TOLERANCE)
        opened = todo & ~empty & (lower >= STRICT_MARGIN - LP_TOLERANCE)
        m_star[empty] = upper[empty]
        m_star[opened] = lower[opened]
        todo &= ~(empty | opened)
    rows = np.flatnonzero(todo)
    if rows.size:
        sub = inp.subset(rows)
        if linear:
            y = _maximin_lp(sub, lo[rows], hi[rows])
        else:
            lin = replace(sub, curvature=np.ones(rows.size))
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


def pair_max_min_surplus(
    inp: BargainingInputs, players: list[int], lo: np.ndarray, hi: np.ndarray, r: np.ndarray
) -> np.ndarray:
    """Exact ``m*`` of one or two veto players (curvature 1) on the red-line box [lo, hi]."""
    n = inp.weights.shape[0]
    w = inp.weights[:, players, :]
    ideal = inp.ideal[:, players, :]
    rr = r[:, players]
    if len(players) == 1:
        cand = np.clip(ideal, lo[:, None, :], hi[:, None, :])  # (n, C, I)
        # a[n, v, c, j] = u_vj(cand_cj)
        a = -w[:, :, None, :] * np.abs(cand[:, None, :, :] - ideal[:, :, None, :])
        return np.asarray(np.max(a[:, 0], axis=1).sum(axis=1) - rr[:, 0])
    # every array below is laid out draws-last, so each step is one NumPy call on long
    # contiguous rows whatever the number of draws and issues; element by element the
    # values are the ones the (n, v, c, I) layout gives
    w = np.ascontiguousarray(np.moveaxis(w, 0, -1))  # (v, I, n)
    ideal = np.ascontiguousarray(np.moveaxis(ideal, 0, -1))
    cand = np.clip(ideal, lo.T[None], hi.T[None])  # (c, I, n)
    # a[v, c, j, n] = u_vj(cand_cj)
    a = -w[:, None] * np.abs(cand[None] - ideal[:, None])
    a00, a01, a10, a11 = a[0, 0], a[0, 1], a[1, 0], a[1, 1]
    num = a11 - a10
    den = a00 - a01 - a10 + a11
    safe = np.where(np.abs(den) > 1e-15, den, 1.0)
    tb = np.where(np.abs(den) > 1e-15, np.clip(num / safe, 0.0, 1.0), 0.0)
    T = np.concatenate([np.zeros((1, n)), np.ones((1, n)), tb], axis=0)  # (I+2, n)
    # psi(t) at every breakpoint at once: the same products and maxima as one (n, T, C, I)
    # array reduced over C, then summed over the issues in NumPy's order (_issue_sum), so
    # each psi is the float np.sum over an (n, I) array gives
    tt = T[:, None, :]
    ut = 1 - tt
    x = np.multiply(tt, a00)
    np.add(x, np.multiply(ut, a10), out=x)
    y = np.multiply(tt, a01)
    np.add(y, np.multiply(ut, a11), out=y)
    psi = _issue_sum(np.maximum(x, y, out=x)) - (T * rr[:, 0] + ut[:, 0] * rr[:, 1])
    # the smallest over breakpoints, one breakpoint at a time in order (ties of zeros and
    # NaNs resolved as they always were)
    m_star = np.full(n, np.inf)
    for k in range(T.shape[0]):
        m_star = np.minimum(m_star, psi[k])
    return np.asarray(m_star)


def _issue_sum(m: np.ndarray) -> np.ndarray:
    """``m`` (T, I, n) summed over the issues (axis 1) in the order ``np.sum`` sums the
    contiguous last axis of an (n, I) array: its identity 0 plus NumPy's pairwise summation
    (plain from -0 below 8 terms, else eight accumulators; beyond 128 terms NumPy recurses,
    so there the sum is NumPy's own), each step one call on (T, n) rows."""
    n_i = m.shape[1]
    if n_i == 0:
        return np.zeros((m.shape[0], m.shape[2]))
    if n_i > 128:
        return np.ascontiguousarray(np.moveaxis(m, 1, -1)).sum(axis=-1)
    if n_i < 8:
        res = np.add(-0.0, m[:, 0])
        for i in range(1, n_i):
            np.add(res, m[:, i], out=res)
        return np.add(0.0, res, out=res)
    r = [np.add(-0.0, m[:, j]) for j in range(8)]  # copies (-0 is the identity of +)
    i = 8
    while i < n_i - (n_i % 8):
        for j in range(8):
            np.add(r[j], m[:, i + j], out=r[j])
        i += 8
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n_i:
        np.add(res, m[:, i], out=res)
        i += 1
    return np.add(0.0, res, out=res)


def _min_pair_max_min_surplus(
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
