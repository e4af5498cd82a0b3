"""Compiled round of the equal-gain exchange model (see :mod:`detente.models.exchange`).

:func:`candidates` lists a round's candidate exchanges; :func:`play_round` scores them, then
realises the most profitable one and re-scores only the candidates that trade touches, until
none is valid.
Symbols as in :mod:`detente.models.exchange`: ``x`` start positions (A, I) on 0-100, ``y``
voting positions, ``s`` saliences, ``c`` capabilities, ``d`` = ``D_j = sum_k c_k s_kj``.
A candidate ``(i, j, p, q)``: ``i`` demands ``p`` and supplies ``q``, ``j`` the reverse.

The arithmetic is written in the same order as the plain-Python reference loop
(:mod:`detente.models._exchange_reference`), so both give the same floats and, for the same
tie-breaking draws, the same exchanges. It is compiled ahead of time by the install, else by
numba on first use (:mod:`detente._kernels`).
"""

from __future__ import annotations

import numpy as np

from .._kernels import njit

EPS = 1e-10  # a zero move or a zero gain (decide-exchange-model's threshold)
TIE = 1e-12  # relative gap under which two gains are a tie
BLOCK = 32  # candidates per block of the running maxima
ROOM_TOL = 1e-9  # points on the 0-100 scale: an outcome this close to a demander is at it

# procedures (``ExchangeModel.procedure``)
PUBLISHED, STRICT, EVERYONE = 0, 1, 2

# columns of the per-candidate score table
G, DP, DQ, MI, MJ, OK = 0, 1, 2, 3, 4, 5
N_SCORE = 6


#: The smallest normal float: a weight share below it has no say (its inverse would overflow).
_TINY = float(np.finfo(np.float64).tiny)


@njit()
def candidates(x, s, c):  # pragma: no cover - compiled
    """Candidate exchanges at start positions ``x``, shape (N, 4) rows ``(i, j, p, q)``.

    For every pair of issues ``p < q``, every pair of actors on opposite sides of the outcome
    on both: groups by (left on p) + 2 (left on q), left meaning at or below the outcome; group
    0 pairs with 3 and 1 with 2. The actor with the larger ``s_p / s_q`` demands ``p``.
    """
    n_actors, n_issues = x.shape
    d = np.zeros(n_issues)
    num = np.zeros(n_issues)
    for k in range(n_actors):
        for jj in range(n_issues):
            d[jj] += c[k] * s[k, jj]
            num[jj] += c[k] * s[k, jj] * x[k, jj]
    o = num / d
    group = np.full((n_actors, n_issues, n_issues), -1, np.int64)
    count = 0
    for p in range(n_issues):
        for q in range(p + 1, n_issues):
            if not (d[p] > 0 and d[q] > 0):
                continue
            n_g = np.zeros(4, np.int64)
            for k in range(n_actors):
                # the weight's share c s / D is a normal float, not only c > 0 and s > 0: a
                # weight that underflows (a capability of 1e-74 times a salience of 1e-294,
                # or a capability of 5e-324 over D) has no say, and would divide by 0 below
                if c[k] * s[k, p] / d[p] >= _TINY and c[k] * s[k, q] / d[q] >= _TINY:
                    g = int(x[k, p] <= o[p]) + 2 * int(x[k, q] <= o[q])
                    group[k, p, q] = g
                    n_g[g] += 1
            count += n_g[0] * n_g[3] + n_g[1] * n_g[2]
    out = np.empty((count, 4), np.int64)
    n = 0
    for p in range(n_issues):
        for q in range(p + 1, n_issues):
            for ga, gb in ((0, 3), (1, 2)):
                for a in range(n_actors):
                    if group[a, p, q] != ga:
                        continue
                    for b in range(n_actors):
                        if group[b, p, q] != gb:
                            continue
                        if s[a, p] * s[b, q] < s[b, p] * s[a, q]:
                            out[n, 0], out[n, 1] = b, a
                        else:
                            out[n, 0], out[n, 1] = a, b
                        out[n, 2], out[n, 3] = p, q
                        n += 1
    return out


@njit()
def constants(cand, s, c, d):  # pragma: no cover - compiled
    """Per-candidate constants of a round and the weights: ``const[k]`` = (equal-gain ratio
    ``dq/dp``, its inverse, outcome shift per point moved by ``j`` on ``p``, its inverse, the
    same for ``i`` on ``q``, its inverse); ``cs = c s``; ``inv_d = 1 / D`` (0 where D is 0)."""
    n_actors, n_issues = s.shape
    cs = np.empty((n_actors, n_issues))
    for k in range(n_actors):
        for jj in range(n_issues):
            cs[k, jj] = c[k] * s[k, jj]
    inv_d = np.zeros(n_issues)
    for jj in range(n_issues):
        if d[jj] > 0:
            inv_d[jj] = 1.0 / d[jj]
    const = np.empty((cand.shape[0], 6))
    for k in range(cand.shape[0]):
        i, j, p, q = cand[k, 0], cand[k, 1], cand[k, 2], cand[k, 3]
        ratio = (s[j, p] + s[i, p]) / (s[j, q] + s[i, q])
        k_j = cs[j, p] / d[p]
        k_i = cs[i, q] / d[q]
        const[k, 0], const[k, 1] = ratio, 1.0 / ratio
        const[k, 2], const[k, 3] = k_j, 1.0 / k_j
        const[k, 4], const[k, 5] = k_i, 1.0 / k_i
    return const, cs, inv_d


@njit(inline="always")
def _view(x, y, cs, inv_d, demander, supplier, issue, view, rec, has_rec):  # pragma: no cover
    """The outcome on ``issue`` that an exchange of ``supplier`` with ``demander`` sees.

    ``view[demander, issue]`` holds ``sum_m c_m s_m z_m`` with ``z_m`` the position recorded
    when ``m`` last supplied ``issue`` to ``demander`` this round, else ``m``'s start position;
    the supplier's own term is replaced by its current voting position.
    """
    recorded = has_rec[demander, issue, supplier]
    z = rec[demander, issue, supplier] if recorded else x[supplier, issue]
    return (view[demander, issue] + cs[supplier, issue] * (y[supplier, issue] - z)) * inv_d[issue]


@njit(inline="always")
def score(
    k, cand, const, x, y, s, cs, inv_d, num, lo, hi, view, rec, has_rec, mode, out
):  # pragma: no cover
    """Equal-gain exchange of candidate ``k`` at voting positions ``y``, written to ``out[k]``."""
    i, j, p, q = cand[k, 0], cand[k, 1], cand[k, 2], cand[k, 3]
    s_ip, s_iq = s[i, p], s[i, q]
    # j supplies p: moves towards i's position on p; i supplies q: towards j's position on q
    dir_j = np.sign(x[i, p] - y[j, p])
    dir_i = np.sign(x[j, q] - y[i, q])
    dist_j = abs(x[i, p] - y[j, p])
    dist_i = abs(x[j, q] - y[i, q])
    # a supplier never votes beyond its own bounds (0-100, or its red lines)
    room_j = hi[j, p] - y[j, p] if dir_j > 0 else y[j, p] - lo[j, p]
    room_i = hi[i, q] - y[i, q] if dir_i > 0 else y[i, q] - lo[i, q]
    dist_j = min(dist_j, max(room_j, 0.0))
    dist_i = min(dist_i, max(room_i, 0.0))
    # per-candidate constants of the round: equal-gain ratio dq/dp, outcome shift per point
    ratio, iratio, k_j, ik_j, k_i, ik_i = (
        const[k, 0],
        const[k, 1],
        const[k, 2],
        const[k, 3],
        const[k, 4],
        const[k, 5],
    )
    # j moves all the way; if i would then pass j's position, i moves all the way instead
    move_j = dist_j
    dp = move_j * k_j
    dq = dp * ratio
    move_i = dq * ik_i
    if move_i > dist_i:
        move_i = dist_i
        dq = move_i * k_i
        dp = dq * iratio
        move_j = dp * ik_j
    # no outcome is pushed beyond the demander's position (as this exchange sees the outcome)
    if mode == EVERYONE:  # the outcome at everyone's voting positions
        o_p = num[p] * inv_d[p]
        o_q = num[q] * inv_d[q]
    else:
        o_p = _view(x, y, cs, inv_d, i, j, p, view, rec, has_rec)
        o_q = _view(x, y, cs, inv_d, j, i, q, view, rec, has_rec)
    room_p = (x[i, p] - o_p) * dir_j
    room_q = (x[j, q] - o_q) * dir_i
    # as decide-exchange-model, PUBLISHED caps a shift only when it would carry the outcome
    # across the demander's position, not when the outcome is already past it (by more than
    # rounding: an outcome an earlier exchange brought to the demander leaves no room)
    room_p = np.inf if mode == PUBLISHED and room_p < -ROOM_TOL else max(room_p, 0.0)
    room_q = np.inf if mode == PUBLISHED and room_q < -ROOM_TOL else max(room_q, 0.0)
    if dp > room_p:
        dp = room_p
        move_j = dp * ik_j
        dq = dp * ratio
        move_i = dq * ik_i
    if dq > room_q:
        dq = room_q
        move_i = dq * ik_i
        dp = dq * iratio
        move_j = dp * ik_j
    gain = dp * s_ip - dq * s_iq
    # a supplier keeps moving in the direction of its start (towards the other side)
    same_j = dir_j == np.sign(x[i, p] - x[j, p])
    same_i = dir_i == np.sign(x[j, q] - x[i, q])
    ok = (
        gain > EPS
        and move_i > EPS
        and move_j > EPS
        and move_i <= 100.0 + EPS
        and move_j <= 100.0 + EPS
        and same_i
        and same_j
    )
    out[k, G] = gain
    out[k, DP] = dp
    out[k, DQ] = dq
    out[k, MI] = dir_i * move_i
    out[k, MJ] = dir_j * move_j
    out[k, OK] = 1.0 if ok else 0.0
    return ok


@njit(inline="always")
def _record(x, y, cs, demander, supplier, issue, view, rec, has_rec):  # pragma: no cover
    """``supplier`` has supplied ``issue`` to ``demander``: record its voting position."""
    if has_rec[demander, issue, supplier]:
        old = rec[demander, issue, supplier]
    else:
        old = x[supplier, issue]
    new = y[supplier, issue]
    view[demander, issue] += cs[supplier, issue] * (new - old)
    rec[demander, issue, supplier] = new
    has_rec[demander, issue, supplier] = True


@njit(inline="always")
def _before(a, b, cand, x, y):  # pragma: no cover - compiled
    """Canonical order of two tied candidates by numbers only (not actor order or names)."""
    ia, ja, pa, qa = cand[a, 0], cand[a, 1], cand[a, 2], cand[a, 3]
    ib, jb, pb, qb = cand[b, 0], cand[b, 1], cand[b, 2], cand[b, 3]
    ka = (y[ja, pa], y[ia, qa], x[ia, pa], x[ja, qa], x[ja, pa], x[ia, qa])
    kb = (y[jb, pb], y[ib, qb], x[ib, pb], x[jb, qb], x[jb, pb], x[ib, qb])
    return ka < kb


@njit(inline="always")
def _decide_history(k, cand, sup_a, sup_b, table, earlier, last):  # pragma: no cover - compiled
    """decide-exchange-model's running check that a supplier moves at most 100 in a round.

    It keeps, per exchange and side, the exchange's own computed moves: a side whose supplier
    has just moved on its supply issue (``sup_a``, ``sup_b``: the trade's (actor, issue)
    pairs) keeps its previous entry and adds the new one; the other side replaces its last
    entry. Their signed sum may not exceed 100.
    """
    i, j, p, q = cand[k, 0], cand[k, 1], cand[k, 2], cand[k, 3]
    ok = True
    for side in range(2):
        pair = (i, q) if side == 0 else (j, p)
        if pair == sup_a or pair == sup_b:  # noqa: SIM109 - numba has no tuple-in-tuple
            earlier[k, side] += last[k, side]
        last[k, side] = table[k, MI + side]
        if earlier[k, side] + last[k, side] > 100.0:
            ok = False
    return ok


@njit()
def _touch_index(cand, n_actors, n_issues):  # pragma: no cover - compiled
    """CSR lists of candidates per (actor, issue): as supplier (0) and as demander (1)."""
    n = cand.shape[0]
    n_keys = n_actors * n_issues
    starts = np.zeros((2, n_keys + 1), np.int64)
    keys = np.empty((n, 4), np.int64)
    for k in range(n):
        i, j, p, q = cand[k, 0], cand[k, 1], cand[k, 2], cand[k, 3]
        keys[k, 0] = j * n_issues + p  # supply
        keys[k, 1] = i * n_issues + q  # supply
        keys[k, 2] = i * n_issues + p  # demand
        keys[k, 3] = j * n_issues + q  # demand
        for col in range(4):
            starts[col // 2, keys[k, col] + 1] += 1
    for kind in range(2):
        for key in range(n_keys):
            starts[kind, key + 1] += starts[kind, key]
    fill = starts[:, :n_keys].copy()
    members = np.empty((2, 2 * n), np.int64)
    for k in range(n):
        for col in range(4):
            kind = col // 2
            key = keys[k, col]
            members[kind, fill[kind, key]] = k
            fill[kind, key] += 1
    return starts, members


@njit(inline="always")
def _passed(k, cand, x, y):  # pragma: no cover - compiled
    """Has a supplier of candidate ``k`` reached or passed its partner's position? (Then the
    exchange is invalid: :func:`score` would find no move in the supplier's direction.)"""
    i, j, p, q = cand[k, 0], cand[k, 1], cand[k, 2], cand[k, 3]
    return np.sign(x[i, p] - y[j, p]) != np.sign(x[i, p] - x[j, p]) or np.sign(
        x[j, q] - y[i, q]
    ) != np.sign(x[j, q] - x[i, q])


@njit(inline="always")
def _set(eff, block_max, k, value, n):  # pragma: no cover - compiled
    """Set candidate ``k``'s effective gain and keep its block's maximum."""
    old = eff[k]
    eff[k] = value
    b = k // BLOCK
    if value >= block_max[b]:
        block_max[b] = value
    elif old >= block_max[b]:  # the maximum went down: recompute the block
        top = -1.0
        for m in range(b * BLOCK, min(n, (b + 1) * BLOCK)):
            top = max(top, eff[m])
        block_max[b] = top


@njit()
def play_round(x, s, c, lo, hi, cand, draws, mode):  # pragma: no cover - compiled
    """One round over the candidates ``cand`` (from :func:`candidates`). ``draws``: uniforms
    in [0, 1), one per candidate (the most trades a round can make), to break ties.

    ``mode`` PUBLISHED: after a trade, only candidates sharing a supplier and its supply
    issue, or a demander and its demand issue, with it are re-scored, each against its own
    view of the outcome, and a candidate found invalid is dropped; as decide-exchange-model
    does, a shift is not capped once that outcome is at or past the demander, and the moves
    an exchange itself computed (superseded ones included) may not sum to more than 100.
    STRICT: the same, but an outcome at or past the demander leaves no room and the 100-point
    limit counts realised moves only (which the 0-100 bounds already ensure). EVERYONE: every
    remaining candidate is re-scored against all voting positions (the cap as STRICT).

    Returns the realised candidates in order with their scores and the outcomes
    before and after on both issues, the voting positions and the number of ties broken.
    """
    n_actors, n_issues = x.shape
    n = cand.shape[0]
    d = np.zeros(n_issues)
    num = np.zeros(n_issues)
    for k in range(n_actors):
        for jj in range(n_issues):
            d[jj] += c[k] * s[k, jj]
            num[jj] += c[k] * s[k, jj] * x[k, jj]
    const, cs, inv_d = constants(cand, s, c, d)
    y = x.copy()
    view = np.empty((n_actors, n_issues))
    for k in range(n_actors):
        view[k] = num
    rec = np.zeros((n_actors, n_issues, n_actors))
    has_rec = np.zeros((n_actors, n_issues, n_actors), np.bool_)
    table = np.zeros((n, N_SCORE))
    alive = np.ones(n, np.bool_)
    eff = np.full(n, -1.0)  # the gain of a live, valid candidate, else -1
    for k in range(n):
        ok = score(k, cand, const, x, y, s, cs, inv_d, num, lo, hi, view, rec, has_rec, mode, table)
        if ok:
            eff[k] = table[k, G]
        elif mode != EVERYONE:
            alive[k] = False
    # decide's move history of each side: the sum of its superseded entries, and the last one
    earlier = np.zeros((n, 2))
    last = table[:, MI : MJ + 1].copy()
    starts, members = _touch_index(cand, n_actors, n_issues)
    # the largest gain per block of candidates, so a trade need not scan them all
    n_blocks = (n + BLOCK - 1) // BLOCK
    block_max = np.full(n_blocks, -1.0)
    for k in range(n):
        block_max[k // BLOCK] = max(block_max[k // BLOCK], eff[k])
    stamp = np.full(n, -1, np.int64)
    done = np.empty(n, np.int64)
    scores = np.empty((n, N_SCORE))
    outcomes = np.empty((n, 4))
    tied = np.empty(n, np.int64)
    n_done = 0
    n_ties = 0
    while True:
        best = -1.0
        for b in range(n_blocks):
            best = max(best, block_max[b])
        if best < 0:
            break
        n_tied = 0
        floor = best * (1 - TIE)
        for b in range(n_blocks):
            if block_max[b] < floor:
                continue
            for k in range(b * BLOCK, min(n, (b + 1) * BLOCK)):
                if eff[k] >= floor:
                    pos = n_tied  # insertion in canonical order
                    while pos > 0 and _before(k, tied[pos - 1], cand, x, y):
                        tied[pos] = tied[pos - 1]
                        pos -= 1
                    tied[pos] = k
                    n_tied += 1
        if n_tied > 1:
            n_ties += 1
            pick = tied[min(int(draws[n_done] * n_tied), n_tied - 1)]
        else:
            pick = tied[0]
        i, j, p, q = cand[pick, 0], cand[pick, 1], cand[pick, 2], cand[pick, 3]
        outcomes[n_done, 0] = num[p] / d[p]
        outcomes[n_done, 2] = num[q] / d[q]
        y[j, p] += table[pick, MJ]
        y[i, q] += table[pick, MI]
        num[p] += cs[j, p] * table[pick, MJ]
        num[q] += cs[i, q] * table[pick, MI]
        outcomes[n_done, 1] = num[p] / d[p]
        outcomes[n_done, 3] = num[q] / d[q]
        _record(x, y, cs, i, j, p, view, rec, has_rec)
        _record(x, y, cs, j, i, q, view, rec, has_rec)
        alive[pick] = False
        _set(eff, block_max, pick, -1.0, n)
        done[n_done] = pick
        scores[n_done] = table[pick]
        n_done += 1
        if mode == EVERYONE:
            for k in range(n):
                if alive[k]:
                    ok = score(
                        k,
                        cand,
                        const,
                        x,
                        y,
                        s,
                        cs,
                        inv_d,
                        num,
                        lo,
                        hi,
                        view,
                        rec,
                        has_rec,
                        mode,
                        table,
                    )
                    _set(eff, block_max, k, table[k, G] if ok else -1.0, n)
            continue
        # re-score what this trade touches: same supplier and supply issue, same demander and
        # demand issue
        keys = (j * n_issues + p, i * n_issues + q, i * n_issues + p, j * n_issues + q)
        for col in range(4):
            kind = col // 2
            key = keys[col]
            for m in range(starts[kind, key], starts[kind, key + 1]):
                k = members[kind, m]
                if alive[k] and stamp[k] != pick:
                    stamp[k] = pick
                    if _passed(k, cand, x, y):  # a supplier reached its partner: no exchange
                        alive[k] = False
                        _set(eff, block_max, k, -1.0, n)
                        continue
                    ok = score(
                        k,
                        cand,
                        const,
                        x,
                        y,
                        s,
                        cs,
                        inv_d,
                        num,
                        lo,
                        hi,
                        view,
                        rec,
                        has_rec,
                        mode,
                        table,
                    )
                    if mode == PUBLISHED:
                        ok = _decide_history(k, cand, (j, p), (i, q), table, earlier, last) and ok
                    if ok:
                        _set(eff, block_max, k, table[k, G], n)
                    else:
                        alive[k] = False
                        _set(eff, block_max, k, -1.0, n)
    return done[:n_done], scores[:n_done], outcomes[:n_done], y, n_ties


@njit()
def score_all(x, s, c, lo, hi, cand, mode):  # pragma: no cover - compiled
    """The score table of every candidate at the start of a round (no trade made yet)."""
    n_actors, n_issues = x.shape
    d = np.zeros(n_issues)
    num = np.zeros(n_issues)
    for k in range(n_actors):
        for jj in range(n_issues):
            d[jj] += c[k] * s[k, jj]
            num[jj] += c[k] * s[k, jj] * x[k, jj]
    const, cs, inv_d = constants(cand, s, c, d)
    view = np.empty((n_actors, n_issues))
    for k in range(n_actors):
        view[k] = num
    rec = np.zeros((n_actors, n_issues, n_actors))
    has_rec = np.zeros((n_actors, n_issues, n_actors), np.bool_)
    table = np.zeros((cand.shape[0], N_SCORE))
    for k in range(cand.shape[0]):
        score(k, cand, const, x, x, s, cs, inv_d, num, lo, hi, view, rec, has_rec, mode, table)
    return table
