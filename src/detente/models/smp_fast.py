"""The spatial model of politics, vectorised: KTAB's arithmetic on whole arrays at once.

Each turn is a handful of array passes instead of KTAB's O(n^4) scalar calls:

* utilities ``U[h, i, j]`` (h's estimate of i's utility for j's position) as one (n, n, n)
  array;
* every actor's expected gain from challenging every other actor, with the third-party
  "little contests" of ``probEduChlg`` evaluated for all (i, j) pairs at once, one third
  party at a time;
* the interpolated bargains for all initiators at once, and each actor's probabilistic
  Condorcet election among the bargains involving it.

Sums run in KTAB's order (a running sum over actors, never a pairwise or reordered sum),
so results equal those of :mod:`detente.models.smp_reference` to the last bit in practice
and KTAB's reference runs to the precision they print.

Adapted from KTAB ``examples/smp/libsrc/smp.cpp``, ``smpbcn.cpp`` and
``KTAB/kmodel/libsrc/kmodel.cpp`` (Copyright KAPSARC, MIT licence; see
``tests/data/LICENSE-KTAB.txt``).
"""

from __future__ import annotations

import numpy as np

from .smp_core import SmpConfig, SmpRun, TraceBuilder, check_inputs
from .smp_elections import coalitions, pce, seqsum, vote
from .smp_prng import KtabPrng

__all__ = ["bs_util", "bv_diff", "run_fast"]


def est_nra(rh: np.ndarray, ri: np.ndarray, ra: str) -> np.ndarray:
    """``Model::estNRA``: h's estimate of i's risk attitude from R_h and R_i."""
    if ra == "Full":
        return np.broadcast_to(ri, np.broadcast_shapes(np.shape(rh), np.shape(ri)))
    if ra == "TwoThirds":
        return (rh + (2.0 * ri)) / 3.0
    if ra == "Half":
        return (rh + ri) / 2
    if ra == "OneThird":
        return ((2.0 * rh) + ri) / 3.0
    return np.broadcast_to(rh, np.broadcast_shapes(np.shape(rh), np.shape(ri)))


def _big_r(p: np.ndarray, rr: str) -> np.ndarray:
    p_min, p_max = min(1.0, float(p.min())), max(0.0, float(p.max()))
    span = p_max - p_min
    if span <= 0.0:  # all positions alike: risk neutral (KTAB divides by zero here)
        return np.zeros_like(p)
    if rr == "Min":
        return (p - p_min) / span
    if rr == "Mid":
        return (3 * p - (p_max + 2 * p_min)) / (2 * span)
    return (2 * p - (p_max + p_min)) / span


def bs_util(sd: np.ndarray, r: np.ndarray) -> np.ndarray:
    return np.where(sd <= 1, (1 - sd) * (1 + sd * r), (1 - sd) * (1 + r))


def bv_diff(diff: np.ndarray, sal: np.ndarray) -> np.ndarray:
    """``SMPModel::bvDiff`` over the last axis (dimensions), summed in order."""
    ds_sqr = np.zeros(diff.shape[:-1])
    ss_sqr = np.zeros(sal.shape[:-1])
    for k in range(diff.shape[-1]):
        ds = diff[..., k] * sal[..., k]
        ds_sqr = ds_sqr + ds * ds
        ss_sqr = ss_sqr + sal[..., k] * sal[..., k]
    return np.sqrt(ds_sqr / ss_sqr)


class _State:
    def __init__(
        self, cfg: SmpConfig, pos: np.ndarray, ideals: np.ndarray, sal: np.ndarray, cap: np.ndarray
    ) -> None:
        self.pos, self.ideals = pos, ideals
        self.vdiff = bv_diff(ideals[:, None, :] - pos[None, :, :], sal[:, None, :])
        rn = bs_util(self.vdiff, np.zeros(1))
        c = coalitions(cfg.voting_rule, cap, rn)
        self.nra = _big_r(pce(cfg.pce_model, cfg.victory_prob_model, c), cfg.big_r_range)
        rhi = est_nra(self.nra[:, None], self.nra[None, :], cfg.big_r_adjust)  # (h, i)
        # U[h, i, j] = bsUtil(vdiff[i, j], estNRA(R_h, R_i))
        self.util = bs_util(self.vdiff[None, :, :], rhi[:, :, None])
        self.own = self.util[np.arange(len(cap)), np.arange(len(cap)), :]  # U[a, a, :]

    def win_prob(self, cfg: SmpConfig, cap: np.ndarray) -> np.ndarray:
        n = len(cap)
        uniq: list[int] = []
        eq_last = np.empty(n, dtype=int)
        for i in range(n):
            if uniq:
                d = np.sqrt(seqsum((self.pos[uniq] - self.pos[i]) ** 2, 1))
                hit = np.flatnonzero(d < cfg.pos_tol)
            else:
                hit = np.empty(0, dtype=int)
            if hit.size == 0:
                uniq.append(i)
        up = self.pos[uniq]
        for i in range(n):
            d = np.sqrt(seqsum((up - self.pos[i]) ** 2, 1))
            eq_last[i] = np.flatnonzero(d < cfg.pos_tol)[-1]
        p = pce(
            cfg.pce_model,
            cfg.victory_prob_model,
            coalitions(cfg.voting_rule, cap, self.own[:, uniq]),
        )
        return p[eq_last]


def _tp_vote(
    vr: str,
    tpc: str,
    wn: np.ndarray,
    uni: np.ndarray,
    unj: np.ndarray,
    unn: np.ndarray,
    base_i: np.ndarray,
    base_j: np.ndarray,
) -> np.ndarray:
    """Third party n's vote in (i:j): ``vProbLittle`` then ``thirdPartyVoteSU``."""
    v0 = vote(vr, wn, uni - unj)
    # x + 0.0 == x and x - v == x + (-v) exactly, so these equal KTAB's branches
    cni = base_i + np.maximum(v0, 0.0)
    cnj = base_j + np.maximum(-v0, 0.0)
    pin = cni / (cni + cnj)
    pjn = 1.0 - pin
    if tpc == "FullCommit":
        a, b, c_, d = uni + uni + uni, unj + unj + unj, uni + uni + uni, unj + unj + unj
    elif tpc == "SemiCommit":
        a, b, c_, d = uni + uni + unn, unj + unj + unj, uni + uni + uni, unj + unj + unn
    else:
        a, b, c_, d = uni + uni + unn, unj + unj + unn, uni + uni + unn, unj + unj + unn
    return vote(vr, wn, ((pin * a) + (pjn * b)) - ((pin * c_) + (pjn * d)))


def _principals(
    vr: str,
    wi: np.ndarray,
    wj: np.ndarray,
    uii: np.ndarray,
    uij: np.ndarray,
    uji: np.ndarray,
    ujj: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The principals' own contributions to the coalitions for i and for j (plus 1e-10)."""
    ci = vote(vr, wi, uii - uij)
    cj = vote(vr, wj, uji - ujj)
    chij = np.full(np.shape(ci), 1e-10)
    chji = np.full(np.shape(ci), 1e-10)
    chij = np.where(ci > 0.0, chij + ci, chij)
    chji = np.where(ci < 0.0, chji - ci, chji)
    chij = np.where(cj > 0.0, chij + cj, chij)
    chji = np.where(cj < 0.0, chji - cj, chji)
    return chij, chji


# Third parties are taken this many elements of the (pairs x third parties) block at a time.
_BLOCK = 1 << 16


def _accumulate(
    chij: np.ndarray, chji: np.ndarray, vk: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Add third-party votes ``vk`` (..., q) to the coalitions, left to right over q."""
    steps = np.concatenate([chij[..., None], np.maximum(vk, 0.0)], axis=-1)
    chij = np.cumsum(steps, axis=-1)[..., -1]
    steps = np.concatenate([chji[..., None], np.maximum(-vk, 0.0)], axis=-1)
    chji = np.cumsum(steps, axis=-1)[..., -1]
    return chij, chji


def _contest_all(cfg: SmpConfig, util: np.ndarray, wsc: np.ndarray) -> np.ndarray:
    """P[i beats j] as estimated by i (h = i) for every pair, as an (n, n) array."""
    vr, tpc = cfg.voting_rule, cfg.third_party_commit
    n = util.shape[0]
    ar = np.arange(n)
    own = util[ar, ar, :]  # own[i, j] = U_i[i, j]
    uii = own[ar, ar][:, None]
    uji = util[ar, :, ar]  # uji[i, j] = U_i[j, i]
    ujj = util[ar[:, None], ar[None, :], ar[None, :]]  # U_i[j, j]
    base_i, base_j = _principals(vr, wsc[:, None], wsc[None, :], uii, own, uji, ujj)
    chij, chji = base_i, base_j
    step = max(1, _BLOCK // (n * n))
    for q0 in range(0, n, step):
        qs = ar[q0 : q0 + step]
        m = util[:, qs, :].transpose(0, 2, 1)  # m[i, j, q] = U_i[q, j]
        uni = util[ar[:, None], qs[None, :], ar[:, None]][:, None, :]  # U_i[q, i]
        unn = util[ar[:, None], qs[None, :], qs[None, :]][:, None, :]  # U_i[q, q]
        vk = _tp_vote(vr, tpc, wsc[qs], uni, m, unn, base_i[..., None], base_j[..., None])
        third = (qs[None, None, :] != ar[:, None, None]) & (qs[None, None, :] != ar[None, :, None])
        chij, chji = _accumulate(chij, chji, np.where(third, vk, 0.0))
    return chij / (chij + chji)


def _contest(
    cfg: SmpConfig, util: np.ndarray, wsc: np.ndarray, h: np.ndarray, i: np.ndarray, j: np.ndarray
) -> np.ndarray:
    """h's estimate of P[i beats j] (``probEduChlg``'s phij) for index arrays h, i, j."""
    vr, tpc = cfg.voting_rule, cfg.third_party_commit
    base_i, base_j = _principals(
        vr, wsc[i], wsc[j], util[h, i, i], util[h, i, j], util[h, j, i], util[h, j, j]
    )
    chij, chji = base_i, base_j
    n = util.shape[1]
    step = max(1, _BLOCK // max(1, len(h)))
    for q0 in range(0, n, step):
        qs = np.arange(q0, min(n, q0 + step))[None, :]
        hh, ii, jj = h[:, None], i[:, None], j[:, None]
        vk = _tp_vote(
            vr,
            tpc,
            wsc[qs],
            util[hh, qs, ii],
            util[hh, qs, jj],
            util[hh, qs, qs],
            base_i[:, None],
            base_j[:, None],
        )
        third = (ii != qs) & (jj != qs)
        chij, chji = _accumulate(chij, chji, np.where(third, vk, 0.0))
    return chij / (chij + chji)


def _interp(
    ivb: str,
    ti: np.ndarray,
    si: np.ndarray,
    pi: np.ndarray,
    tj: np.ndarray,
    sj: np.ndarray,
    pj: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    pi, pj = pi[:, None], pj[:, None]
    if ivb == "S2PMax":
        di = np.where(pj > pi, pj - pi, 0.0)
        dj = np.where(pi > pj, pi - pj, 0.0)
        si2, sj2 = si * si, sj * sj
        dik = (di * sj2) / ((di * sj2) + 1e-6 + ((1 - di) * si2))
        djk = (dj * si2) / ((dj * si2) + 1e-6 + ((1 - dj) * sj2))
        return ti + dik * (tj - ti), tj + djk * (ti - tj)
    if ivb == "S1P1":
        wi, wj = si * pi, sj * pj
    else:
        wi, wj = (si * si) * (pi * pi), (sj * sj) * (pj * pj)
    bi = ((wi + 1e-6) * ti + wj * tj) / (wi + 1e-6 + wj)
    bj = (wi * ti + (1e-6 + wj) * tj) / (wi + 1e-6 + wj)
    return np.trunc(0.5 + bi * 10000.0) / 10000.0, np.trunc(0.5 + bj * 10000.0) / 10000.0


def _elections(
    cfg: SmpConfig, cap: np.ndarray, util_opt: np.ndarray, options: list[list[int]]
) -> list[np.ndarray]:
    """Each actor's probabilistic Condorcet election among its options, batched by size.

    ``util_opt[a, 0]`` is actor a's utility for the status quo, ``util_opt[a, b + 1]`` for
    the state after bargain b; ``options[k]`` lists k's bargains (-1: status quo).
    """
    out: list[np.ndarray] = [np.empty(0)] * len(options)
    sizes: dict[int, list[int]] = {}
    for k, opts in enumerate(options):
        sizes.setdefault(len(opts), []).append(k)
    for size, ks in sizes.items():
        cols = np.array([[0 if b < 0 else b + 1 for b in options[k]] for k in ks])  # (G, size)
        step = max(1, _BLOCK // max(1, util_opt.shape[0] * size * size))
        for g0 in range(0, len(ks), step):
            u = np.moveaxis(util_opt[:, cols[g0 : g0 + step]], 1, 0)  # (G, voters, size)
            p = pce(cfg.pce_model, cfg.victory_prob_model, coalitions(cfg.voting_rule, cap, u))
            for r, k in enumerate(ks[g0 : g0 + step]):
                out[k] = p[r]
    return out


def run_fast(
    positions: np.ndarray,
    saliences: np.ndarray,
    capabilities: np.ndarray,
    cfg: SmpConfig,
    accommodation: np.ndarray | None = None,
) -> SmpRun:
    """Run KTAB's SMP from positions and saliences on [0, 1] (n, d) and capabilities (n,)."""
    x, sal, cap, acc = check_inputs(positions, saliences, capabilities, accommodation)
    n, dim = x.shape
    sal_sum = seqsum(sal, 1)
    wsc = sal_sum * cap
    rng = KtabPrng(cfg.seed) if cfg.state_transitions == "Stochastic" else None
    tb = TraceBuilder(n, dim)
    st = _State(cfg, x, x.copy(), sal, cap)
    pos_hist = [x]

    def record(s_: _State) -> None:
        tb.positions.append(s_.pos)
        tb.ideals.append(s_.ideals)
        tb.risk.append(s_.nra)
        tb.win_prob.append(s_.win_prob(cfg, cap))

    record(st)
    ii, jj = np.nonzero(~np.eye(n, dtype=bool))
    d01 = 0.0
    turn = 0
    while True:
        turn += 1
        t = turn - 1
        # every actor's expected gain from challenging every other (h = k = i)
        u = st.util
        phij = _contest_all(cfg, u, wsc)[ii, jj]
        uii, uij = u[ii, ii, ii], u[ii, ii, jj]
        uhkij, uhkji = uii + uii, uij + uij
        sj = sal_sum[jj]
        edu = ((1 - sj) * uhkij + sj * (phij * uhkij + (1.0 - phij) * uhkji)) - (uii + uij)
        gain = np.full((n, n), -np.inf)
        gain[ii, jj] = np.where(edu > 1e-5, edu, -np.inf)
        prob = np.zeros((n, n))
        prob[ii, jj] = phij
        best = np.argmax(gain, axis=1)
        has = np.isfinite(gain[np.arange(n), best])
        init = np.flatnonzero(has)
        rcvr = best[init]
        p_ij = prob[init, rcvr]
        p_ji = _contest(cfg, u, wsc, rcvr, init, rcvr) if init.size else np.zeros(0)
        tgt = np.where(has, best, -1)
        tb.target.append(tgt)
        tb.gain.append(np.where(has, gain[np.arange(n), best], np.nan))
        pi_full, pr_full = np.full(n, np.nan), np.full(n, np.nan)
        pi_full[init], pr_full[init] = p_ij, p_ji
        tb.p_init.append(pi_full)
        tb.p_rcvr.append(pr_full)
        # the proposed bargains
        ti, tj, si, sj_ = st.pos[init], st.pos[rcvr], sal[init], sal[rcvr]
        iij = _interp(cfg.inter_vec_brgn, ti, si, p_ij, tj, sj_, 1 - p_ij)
        kinds: list[tuple[int, np.ndarray, np.ndarray]] = []
        if cfg.bargn_model != "InitOnlyInterp":
            jij = _interp(cfg.inter_vec_brgn, ti, si, p_ji, tj, sj_, 1 - p_ji)
        if cfg.bargn_model in ("InitOnlyInterp", "InitRcvrInterp"):
            kinds.append((0, *iij))
        if cfg.bargn_model == "InitRcvrInterp":
            kinds.append((1, *jij))
        if cfg.bargn_model == "PWCompInterp":
            wi = (cap[init] * sal_sum[init])[:, None]
            wj = (cap[init] * sal_sum[rcvr])[:, None]  # KTAB uses the initiator's capability here
            both0 = (wi + wj) <= 0  # only when the weights underflow: take the plain mean
            wi, wj = np.where(both0, 1.0, wi), np.where(both0, 1.0, wj)
            kinds.append(
                (
                    2,
                    (wi * iij[0] + wj * jij[0]) / (wi + wj),
                    (wi * iij[1] + wj * jij[1]) / (wi + wj),
                )
            )
        b_i, b_j, b_kind, b_id, b_pi, b_pr = [], [], [], [], [], []
        for m, (i, j) in enumerate(zip(init.tolist(), rcvr.tolist(), strict=True)):
            for kind, bpi, bpr in kinds:
                b_id.append(tb.add_bargain(t, i, j, kind, bpi[m], bpr[m]))
                b_i.append(i)
                b_j.append(j)
                b_kind.append(kind)
                b_pi.append(bpi[m])
                b_pr.append(bpr[m])
        B = len(b_id)
        bi_a, bj_a = np.array(b_i, dtype=int), np.array(b_j, dtype=int)
        # utility to every actor of the state after each bargain, summed in KTAB's order
        own = st.own
        tot_sq = seqsum(own, 1)
        if B:
            bp_i, bp_r = np.array(b_pi), np.array(b_pr)
            r_a = st.nra[:, None]
            u_init = bs_util(bv_diff(st.ideals[:, None, :] - bp_i[None], sal[:, None, :]), r_a)
            u_rcvr = bs_util(bv_diff(st.ideals[:, None, :] - bp_r[None], sal[:, None, :]), r_a)
            tot_b = u_init + u_rcvr
            for q in range(n):
                keep = (bi_a != q) & (bj_a != q)
                tot_b = np.where(keep[None, :], tot_b + own[:, q : q + 1], tot_b)
        else:
            tot_b = np.zeros((n, 0))
        util_opt = np.concatenate([tot_sq[:, None], tot_b], axis=1) / n  # column 0: status quo
        involved: list[list[int]] = [[] for _ in range(n)]
        for b in range(B):
            involved[b_i[b]].append(b)
            involved[b_j[b]].append(b)
        new_pos = st.pos.copy()
        chosen, cprob, nopt = np.full(n, -1), np.full(n, np.nan), np.zeros(n, dtype=int)
        order = list(cfg.draw_order(t)) if cfg.draw_order is not None else range(n)
        options: list[list[int]] = []
        for k in range(n):
            opts = [-1, *sorted(involved[k], key=lambda b: (b_i[b], b_kind[b]))]
            if cfg.bargain_order is not None:
                keyed = {((k, k, -1) if b < 0 else (b_i[b], b_j[b], b_kind[b])): b for b in opts}
                opts = [keyed[key] for key in cfg.bargain_order(t, k, list(keyed))]
            options.append(opts)
        probs = _elections(cfg, cap, util_opt, options)
        for k in order:
            opts, p = options[k], probs[k]
            mm = int(np.argmax(np.abs(p))) if rng is None else rng.prob_sel(p.tolist())
            b = opts[mm]
            chosen[k], cprob[k], nopt[k] = -1 if b < 0 else b_id[b], p[mm], len(opts)
            if b >= 0:
                new_pos[k] = b_pi[b] if b_i[b] == k else b_pr[b]
        tb.chosen.append(chosen)
        tb.chosen_prob.append(cprob)
        tb.n_options.append(nopt)
        ip = np.zeros((n, dim))
        si_acc = np.zeros(n)
        for j in range(n):
            si_acc = si_acc + acc[:, j]
            ip = ip + acc[:, j : j + 1] * new_pos[j][None, :]
        ideals = ip + (1.0 - np.minimum(si_acc, 1.0))[:, None] * st.ideals
        st = _State(cfg, new_pos, ideals, sal, cap)
        pos_hist.append(new_pos)
        record(st)

        def dist(a: np.ndarray, b: np.ndarray) -> float:
            return float(seqsum(np.sqrt(seqsum((a - b) ** 2, 1)), 0))

        if turn == 1:
            d01 = dist(pos_hist[0], pos_hist[1]) + cfg.min_sig_delta
        ratio = dist(pos_hist[turn], pos_hist[turn - 1]) / d01
        tb.ratio.append(ratio)
        if cfg.max_turns <= turn or (cfg.min_turns <= turn and ratio < cfg.min_delta_ratio):
            break
    return tb.build()
