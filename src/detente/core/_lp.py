"""The solver kernels: block LPs (curvature 1) and the grid search (curvature != 1)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..errors import ModelError
from ._highs import linprog_highs
from .utility import LP_TOLERANCE, STRICT_MARGIN, BargainingInputs

#: Draws per block LP: big enough to amortise overhead, small enough for memory.
_CHUNK = 200


# --------------------------------------------------------------------------------------
# LP kernels (curvature 1)
# --------------------------------------------------------------------------------------
def abs_epigraph(pi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``A z >= lb`` over ``z = (y (I), e (V x I))`` that make ``e[v, j] >= |y[j] -
    pi[v, j]|``: ``e - y >= -pi`` and ``e + y >= pi``, two rows per actor and issue.

    The linear form of the distance terms of every actor's utility, for the solvers that
    keep ``y`` and ``e`` as variables (the Nash point, the projection into the zone).
    """
    V, I = pi.shape
    A = np.zeros((2 * V * I, I + V * I))
    lb = np.zeros(2 * V * I)
    for v in range(V):
        for j in range(I):
            r = 2 * (v * I + j)
            A[r, I + v * I + j], A[r, j], lb[r] = 1.0, -1.0, -pi[v, j]
            A[r + 1, I + v * I + j], A[r + 1, j], lb[r + 1] = 1.0, 1.0, pi[v, j]
    return A, lb


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

    ``rows``/``cols`` give the sparsity pattern shared by every block (no (row, column) pair
    twice), ``data`` (n, nnz) the values; ``c``, ``lb``, ``ub`` are (n, n_vars) and ``b_ub``
    (n, n_rows). Returns (n, n_vars).

    Up to :data:`_CHUNK` blocks make one block-diagonal LP for HiGHS (:func:`linprog_highs`:
    the answers ``scipy.optimize.linprog(method="highs")`` gives, bit for bit).
    """
    n, nv = c.shape
    nr = b_ub.shape[1]
    cells = np.sort(rows * nv + cols)  # np.unique would import numpy.ma (14 ms of start-up)
    if bool(np.any(cells[1:] == cells[:-1])):
        raise ValueError("_block_lp: the sparsity pattern names a (row, column) pair twice")
    # the matrix column by column, each column's rows in order, as scipy hands it to HiGHS
    order = np.lexsort((rows, cols))
    col_rows = rows[order]
    col_counts = np.bincount(cols, minlength=nv)
    out = np.empty((n, nv))
    for s in range(0, n, _CHUNK):
        m = min(_CHUNK, n - s)
        start = np.concatenate([[0], np.cumsum(np.tile(col_counts, m))])
        index = (col_rows + (np.arange(m) * nr)[:, None]).ravel()
        x, status, message = linprog_highs(
            c[s : s + m].ravel(),
            start,
            index,
            data[s : s + m][:, order].ravel(),
            b_ub[s : s + m].ravel(),
            lb[s : s + m].ravel(),
            ub[s : s + m].ravel(),
            primal_feasibility_tolerance=LP_TOLERANCE,
        )
        if x is None or status != 0:  # pragma: no cover - bounded and feasible by construction
            raise ModelError(f"the bargaining-set LP failed: {message}")
        out[s : s + m] = x.reshape(m, nv)
    return out


def _abs_rows(
    inp: BargainingInputs, o_e: int
) -> tuple[
    np.ndarray, np.ndarray, list[np.ndarray], list[np.ndarray], list[np.ndarray], list[np.ndarray]
]:
    """The batched sparse form of :func:`abs_epigraph` for :func:`_block_lp`: rows 0 to
    ``2 V I`` make ``e_vj >= |y_j - pi_vj|`` (``y_j - e_vj <= pi_vj``, then ``-y_j - e_vj <=
    -pi_vj``), ``e`` starting at column ``o_e``. Returns the (v, j) pairs, the columns of
    ``e``, and the rows, columns, values and right-hand sides, as lists to extend."""
    n, V, I = inp.weights.shape
    vj = np.array([(v, j) for v in range(V) for j in range(I)], dtype=int).reshape(-1, 2)
    e_idx = o_e + vj[:, 0] * I + vj[:, 1]
    ones = np.ones((n, V * I))
    r_rows: list[np.ndarray] = []
    r_cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    rhs: list[np.ndarray] = []
    for k, sign in enumerate((1.0, -1.0)):
        rr = k * V * I + np.arange(V * I)
        r_rows += [rr, rr]
        r_cols += [vj[:, 1], e_idx]
        vals += [sign * ones, -ones]
        rhs.append(sign * inp.ideal.reshape(n, V * I))
    return vj, e_idx, r_rows, r_cols, vals, rhs


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
    vj, e_idx, r_rows, r_cols, vals, rhs = _abs_rows(inp, o_e)
    row = 2 * V * I
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
    vj, e_idx, r_rows, r_cols, vals, rhs = _abs_rows(inp, o_e)
    row = 2 * V * I
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
    sub = inp if rows is None else inp.subset(rows)
    u = sub.utility(y)  # (n, V, m)
    res = sub.reservation()[:, :, None] + STRICT_MARGIN
    short = np.where(sub.indifferent[:, :, None], 0.0, np.maximum(0.0, res - u))
    below = np.maximum(0.0, sub.red_low[:, :, None, :] - y[:, None, :, :])
    above = np.maximum(0.0, y[:, None, :, :] - sub.red_high[:, :, None, :])
    return short.sum(axis=1) + red_line_price * (below + above).sum(axis=(1, 3))


def _gap_search(
    inp: BargainingInputs, red_line_price: float, grid_points: int, n_cycles: int = 8
) -> np.ndarray:
    """Minimise the gap objective by coordinate search, from the best of several starts
    (the curvature-1 LP optimum, ideal points, red-line-clipped ideal points, the status
    quo and the mean ideal point)."""
    n, V, _I = inp.weights.shape
    lo = np.max(inp.red_low, axis=1)
    hi = np.min(inp.red_high, axis=1)
    linear = replace(inp, curvature=np.ones(n))
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
