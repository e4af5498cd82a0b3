"""The spatial model of politics, one scalar at a time: a plain-Python transcription of KTAB.

This is the reference loop the vectorised engine (:mod:`detente.models.smp_fast`) is tested
and benchmarked against. It follows KTAB's ``SMPState::stepBCN`` line by line, in the order
KTAB adds and multiplies, so that every turn's positions match KTAB's reference runs to the
precision they print. It is slow (pure Python, O(n^3) scalar operations per turn) and is
meant for tests and benchmarks, not for use.

Adapted from KTAB ``examples/smp/libsrc/smp.cpp``, ``smpbcn.cpp`` and
``KTAB/kmodel/libsrc/kmodel.cpp`` (Copyright KAPSARC, MIT licence; see
``tests/data/LICENSE-KTAB.txt``).
"""

from __future__ import annotations

import math

import numpy as np

from .smp_core import SmpConfig, SmpRun, TraceBuilder, check_inputs
from .smp_prng import KtabPrng

__all__ = ["run_reference"]

Mat = list[list[float]]

_VR_TOL = 1e-8  # Model::vote sTol
_MIN_C = 1e-8  # Model::coalitions minC
_MIN_CLTN = 1e-10  # probEduChlg minCltn
_MIN_SIG_EDU = 1e-5  # bestChallenge minSigEDU


def vote(vr: str, w: float, uij: float, uik: float) -> float:
    """``Model::vote``: the vote of an actor of weight ``w`` for option j over option k."""
    du = uij - uik
    r_bin = min(1.0, max(-1.0, du / _VR_TOL))
    if vr == "Prop":
        return w * du
    if vr == "Binary":
        return w * r_bin
    if vr == "PropBin":
        return w * ((1 - 0.2) * du + 0.2 * r_bin)
    if vr == "PropCbc":
        return w * ((1 - 0.5) * du + 0.5 * (du * du * du))
    if vr == "Cubic":
        return w * (du * du * du)
    # ASymProsp
    if du < 0.0:
        return w * du
    if du > 0.0:
        return (2.0 * w * du) / 3.0
    return 0.0


def vprob(vpm: str, s1: float, s2: float) -> tuple[float, float]:
    """``Model::vProb``: probabilities that coalitions of strength s1 and s2 win."""
    if vpm == "Linear":
        x1, x2 = s1, s2
    elif vpm == "Square":
        x1, x2 = s1 * s1, s2 * s2
    elif vpm == "Quartic":
        x1, x2 = s1 * s1 * s1 * s1, s2 * s2 * s2 * s2
    elif vpm == "Octic":
        q1, q2 = s1 * s1 * s1 * s1, s2 * s2 * s2 * s2
        x1, x2 = q1 * q1, q2 * q2
    else:  # Binary
        thresh = 1.10
        if s1 >= thresh * s2:
            x1, x2 = 1.0, 1e-6
        elif s2 >= thresh * s1:
            x1, x2 = 1e-6, 1.0
        else:
            r12 = s1 / (s1 + s2)
            p12 = (r12 * (thresh + 1.0) - 1.0) / (thresh - 1.0)
            x1, x2 = p12, 1 - p12
    return x1 / (x1 + x2), x2 / (x1 + x2)


def coalitions(vr: str, w: list[float], u: Mat) -> Mat:
    """``Model::coalitions``: c[i][j] = strength of the coalition for option i over j."""
    na, no = len(u), len(u[0])
    c = [[0.0] * no for _ in range(no)]
    for i in range(no):
        for j in range(i):
            cij = cji = _MIN_C
            for k in range(na):
                v = vote(vr, w[k], u[k][i], u[k][j])
                if v > 0:
                    cij = cij + v
                if v < 0:
                    cji = cji - v
            c[i][j] = cij
            c[j][i] = cji
        c[i][i] = _MIN_C
    return c


def vprob_matrix(vpm: str, c: Mat) -> Mat:
    no = len(c)
    p = [[0.0] * no for _ in range(no)]
    for i in range(no):
        for j in range(i):
            p[i][j], p[j][i] = vprob(vpm, c[i][j], c[j][i])
        p[i][i] = 0.5
    return p


def _ksum(xs: list[float]) -> float:
    s = 0.0
    for x in xs:
        s = s + x
    return s


def pce(pcem: str, vpm: str, c: Mat) -> list[float]:
    """``Model::probCE2``: probability that each option wins the Condorcet election."""
    no = len(c)
    pv = vprob_matrix(vpm, c)
    if pcem == "Conditional":
        p = []
        for i in range(no):
            pi = 1.0
            for j in range(no):
                pi = pi * pv[i][j]
            p.append(pi)
        tot = _ksum(p)
        return [x / tot for x in p]
    p = [1.0 / no] * no
    if pcem == "MarkovUniform":
        change = 1.0
        while change > 1e-6:
            change = 0.0
            q = []
            for i in range(no):
                pi = 0.0
                for j in range(no):
                    pi = pi + pv[i][j] * (p[i] + p[j])
                q.append(pi / no)
                change = max(change, abs(q[i] - p[i]))
            p = [(a + b) / 2.0 for a, b in zip(p, q, strict=True)]
        return p
    # MarkovIncentive
    inc = [[c[i][j] * pv[i][j] + (1e-10 if i == j else 0.0) for j in range(no)] for i in range(no)]
    col = [_ksum([inc[k][j] for k in range(no)]) for j in range(no)]
    chlg = [[inc[i][j] / col[j] for j in range(no)] for i in range(no)]
    change = 1.0
    while change > 1e-8:
        ct = [[p[i] * chlg[j][i] for j in range(no)] for i in range(no)]
        change = 0.0
        q = []
        for i in range(no):
            qi = 0.0
            for j in range(no):
                qi = qi + pv[i][j] * (ct[i][j] + ct[j][i])
            q.append(qi)
            change = max(change, abs(qi - p[i]))
        p = [(a + b) / 2.0 for a, b in zip(p, q, strict=True)]
    return p


def big_r(p: list[float], rr: str) -> list[float]:
    """``Model::bigRfromProb``: risk attitudes from the probabilities of the positions."""
    p_min = min([1.0, *p])
    p_max = max([0.0, *p])
    span = p_max - p_min
    if span <= 0.0:  # all positions alike: risk neutral (KTAB divides by zero here)
        return [0.0] * len(p)
    if rr == "Min":
        return [(x - p_min) / span for x in p]
    if rr == "Mid":
        return [(3 * x - (p_max + 2 * p_min)) / (2 * span) for x in p]
    return [(2 * x - (p_max + p_min)) / span for x in p]


def est_nra(rh: float, ri: float, ra: str) -> float:
    """``Model::estNRA``: h's estimate of i's risk attitude."""
    if ra == "Full":
        return ri
    if ra == "TwoThirds":
        return (rh + (2.0 * ri)) / 3.0
    if ra == "Half":
        return (rh + ri) / 2
    if ra == "OneThird":
        return ((2.0 * rh) + ri) / 3.0
    return rh


def bs_util(sd: float, r: float) -> float:
    return (1 - sd) * (1 + sd * r) if sd <= 1 else (1 - sd) * (1 + r)


def bv_diff(vd: list[float], vs: list[float]) -> float:
    ds_sqr = ss_sqr = 0.0
    for d, s in zip(vd, vs, strict=True):
        ds = d * s
        ds_sqr = ds_sqr + ds * ds
        ss_sqr = ss_sqr + s * s
    return math.sqrt(ds_sqr / ss_sqr)


def _round4(x: float) -> float:
    return float(int(0.5 + x * 10000.0)) / 10000.0


def interpolate(
    ivb: str,
    ti: list[float],
    si: list[float],
    pi: float,
    tj: list[float],
    sj: list[float],
    pj: float,
) -> tuple[list[float], list[float]]:
    """``SMPActor::interpolateBrgn``: the bargain positions of i and j, dimension by dimension."""
    bi, bj = [], []
    for tik, sik, tjk, sjk in zip(ti, si, tj, sj, strict=True):
        if ivb == "S2PMax":
            di = (pj - pi) if pj > pi else 0.0
            dj = (pi - pj) if pi > pj else 0.0
            sik2, sjk2 = sik * sik, sjk * sjk
            dik = (di * sjk2) / ((di * sjk2) + 1e-6 + ((1 - di) * sik2))
            djk = (dj * sik2) / ((dj * sik2) + 1e-6 + ((1 - dj) * sjk2))
            bi.append(tik + dik * (tjk - tik))
            bj.append(tjk + djk * (tik - tjk))
            continue
        e = 1 if ivb == "S1P1" else 2
        wik = sik**e * pi**e
        wjk = sjk**e * pj**e
        bi.append(_round4(((wik + 1e-6) * tik + wjk * tjk) / (wik + 1e-6 + wjk)))
        bj.append(_round4((wik * tik + (1e-6 + wjk) * tjk) / (wik + 1e-6 + wjk)))
    return bi, bj


class _State:
    """Positions, ideals and utilities of one state (``SMPState`` after ``setAllAUtil``)."""

    def __init__(self, cfg: SmpConfig, pos: Mat, ideals: Mat, sal: Mat, cap: list[float]) -> None:
        n = len(pos)
        self.pos, self.ideals = pos, ideals
        self.vdiff = [
            [
                bv_diff([a - b for a, b in zip(ideals[i], pos[j], strict=True)], sal[i])
                for j in range(n)
            ]
            for i in range(n)
        ]
        rn = [[bs_util(self.vdiff[i][j], 0.0) for j in range(n)] for i in range(n)]
        c = coalitions(cfg.voting_rule, cap, rn)
        self.nra = big_r(pce(cfg.pce_model, cfg.victory_prob_model, c), cfg.big_r_range)
        self.util = [
            [
                [
                    bs_util(self.vdiff[i][j], est_nra(self.nra[h], self.nra[i], cfg.big_r_adjust))
                    for j in range(n)
                ]
                for i in range(n)
            ]
            for h in range(n)
        ]

    def equiv(self, i: int, j: int, tol: float) -> bool:
        return (
            math.sqrt(_ksum([(a - b) ** 2 for a, b in zip(self.pos[i], self.pos[j], strict=True)]))
            < tol
        )

    def win_prob(self, cfg: SmpConfig, cap: list[float]) -> list[float]:
        """``SMPModel::showVPHistory``: probability of each actor's position (unique positions)."""
        n = len(self.pos)
        uniq: list[int] = []
        for i in range(n):
            if not any(self.equiv(i, k, cfg.pos_tol) for k in uniq):
                uniq.append(i)
        u = [[self.util[i][i][k] for k in uniq] for i in range(n)]
        p = pce(cfg.pce_model, cfg.victory_prob_model, coalitions(cfg.voting_rule, cap, u))
        out = []
        for i in range(n):
            kk = n + 1
            for j1, j2 in enumerate(uniq):
                if self.equiv(i, j2, cfg.pos_tol):
                    kk = j1
            out.append(p[kk])
        return out


def prob_edu(
    cfg: SmpConfig,
    st: _State,
    sal_sum: list[float],
    cap: list[float],
    h: int,
    k: int,
    i: int,
    j: int,
) -> tuple[float, float]:
    """``SMPState::probEduChlg``: h's estimate of P[i beats j] and of k's gain from i challenging j."""
    vr, tpc = cfg.voting_rule, cfg.third_party_commit
    u = st.util[h]
    uii, uij, uji, ujj = u[i][i], u[i][j], u[j][i], u[j][j]
    eu_sq = u[k][i] + u[k][j]
    uhkij = u[k][i] + u[k][i]
    uhkji = u[k][j] + u[k][j]
    si, ci, sj, cj = sal_sum[i], cap[i], sal_sum[j], cap[j]
    ci_ij = vote(vr, si * ci, uii, uij)
    cj_ij = vote(vr, sj * cj, uji, ujj)
    chij = chji = _MIN_CLTN
    if ci_ij > 0.0:
        chij = chij + ci_ij
    if ci_ij < 0.0:
        chji = chji - ci_ij
    if cj_ij > 0.0:
        chij = chij + cj_ij
    if cj_ij < 0.0:
        chji = chji - cj_ij
    base_i, base_j = chij, chji
    for n in range(len(cap)):
        if n in (i, j):
            continue
        wn = sal_sum[n] * cap[n]
        uni, unj, unn = u[n][i], u[n][j], u[n][n]
        v0 = vote(vr, wn, uni, unj)
        cni = base_i + v0 if v0 > 0 else base_i
        cnj = base_j - v0 if v0 < 0 else base_j
        pin = cni / (cni + cnj)
        pjn = 1.0 - pin
        if tpc == "FullCommit":
            a, b, c_, d = uni + uni + uni, unj + unj + unj, uni + uni + uni, unj + unj + unj
        elif tpc == "SemiCommit":
            a, b, c_, d = uni + uni + unn, unj + unj + unj, uni + uni + uni, unj + unj + unn
        else:
            a, b, c_, d = uni + uni + unn, unj + unj + unn, uni + uni + unn, unj + unj + unn
        u_ik_j = (pin * a) + (pjn * b)
        u_i_jk = (pin * c_) + (pjn * d)
        vk = vote(vr, wn, u_ik_j, u_i_jk)
        chij = chij + vk if vk > 0 else chij
        chji = chji - vk if vk < 0 else chji
    phij = chij / (chij + chji)
    phji = chji / (chij + chji)
    eu_cntst = phij * uhkij + phji * uhkji
    eu_chlg = (1 - sj) * uhkij + sj * eu_cntst
    return phij, eu_chlg - eu_sq


def _pos_util(st: _State, sal: Mat, a: int, p: list[float]) -> float:
    d = bv_diff([x - y for x, y in zip(st.ideals[a], p, strict=True)], sal[a])
    return bs_util(d, st.nra[a])


def run_reference(
    positions: np.ndarray,
    saliences: np.ndarray,
    capabilities: np.ndarray,
    cfg: SmpConfig,
    accommodation: np.ndarray | None = None,
) -> SmpRun:
    """Run KTAB's SMP from positions and saliences on [0, 1] (n, d) and capabilities (n,)."""
    x, s, c, acc = check_inputs(positions, saliences, capabilities, accommodation)
    n, dim = x.shape
    sal = s.tolist()
    cap = c.tolist()
    A = acc.tolist()
    sal_sum = [_ksum(r) for r in sal]
    rng = KtabPrng(cfg.seed) if cfg.state_transitions == "Stochastic" else None
    tb = TraceBuilder(n, dim)
    st = _State(cfg, x.tolist(), x.tolist(), sal, cap)
    history = [st]

    def record_state(s_: _State) -> None:
        tb.positions.append(np.array(s_.pos))
        tb.ideals.append(np.array(s_.ideals))
        tb.risk.append(np.array(s_.nra))
        tb.win_prob.append(np.array(s_.win_prob(cfg, cap)))

    record_state(st)
    d01 = 0.0
    turn = 0
    while True:
        turn += 1
        t = turn - 1
        brg: list[list[tuple[int, int, int, int]]] = [[(k, k, -1, -1)] for k in range(n)]
        tgt, gain, pin_, prc = [-1] * n, [math.nan] * n, [math.nan] * n, [math.nan] * n
        offers: dict[int, tuple[list[float], list[float]]] = {}
        for i in range(n):
            best_j, p_ij, best_eu = -1, 0.0, -1.0
            for j in range(n):
                if j == i:
                    continue
                p, edu = prob_edu(cfg, st, sal_sum, cap, i, i, i, j)
                if edu > _MIN_SIG_EDU and best_eu < edu:
                    best_j, p_ij, best_eu = j, p, edu
            if best_j < 0:
                continue
            j = best_j
            p_ji = prob_edu(cfg, st, sal_sum, cap, j, i, i, j)[0]
            tgt[i], gain[i], pin_[i], prc[i] = j, best_eu, p_ij, p_ji
            iij = interpolate(
                cfg.inter_vec_brgn, st.pos[i], sal[i], p_ij, st.pos[j], sal[j], 1 - p_ij
            )
            jij = interpolate(
                cfg.inter_vec_brgn, st.pos[i], sal[i], p_ji, st.pos[j], sal[j], 1 - p_ji
            )
            made: list[tuple[int, list[float], list[float]]] = []
            if cfg.bargn_model in ("InitOnlyInterp", "InitRcvrInterp"):
                made.append((0, *iij))
            if cfg.bargn_model == "InitRcvrInterp":
                made.append((1, *jij))
            if cfg.bargn_model == "PWCompInterp":
                wi = cap[i] * sal_sum[i]
                wj = cap[i] * sal_sum[j]  # KTAB uses the initiator's capability here
                bpi = [(wi * a + wj * b) / (wi + wj) for a, b in zip(iij[0], jij[0], strict=True)]
                bpj = [(wi * a + wj * b) / (wi + wj) for a, b in zip(iij[1], jij[1], strict=True)]
                made.append((2, bpi, bpj))
            for kind, bpi, bpj in made:
                b = tb.add_bargain(t, i, j, kind, bpi, bpj)
                offers[b] = (bpi, bpj)
                brg[i].append((i, j, kind, b))
                brg[j].append((i, j, kind, b))
        tb.target.append(np.array(tgt))
        tb.gain.append(np.array(gain))
        tb.p_init.append(np.array(pin_))
        tb.p_rcvr.append(np.array(prc))
        # each actor's election among the bargains involving it
        new_pos = [list(p) for p in st.pos]
        chosen, cprob, nopt = [-1] * n, [math.nan] * n, [0] * n
        order = list(cfg.draw_order(t)) if cfg.draw_order is not None else list(range(n))
        for k in order:
            opts = brg[k][:1] + sorted(brg[k][1:], key=lambda b: (b[0], b[2]))
            if cfg.bargain_order is not None:
                keyed = {(b[0], b[1], b[2]): b for b in opts}
                opts = [keyed[key] for key in cfg.bargain_order(t, k, list(keyed))]
            u_im = [[0.0] * len(opts) for _ in range(n)]
            for a in range(n):
                own = st.util[a][a]
                for m, (bi, bj, _kind, b) in enumerate(opts):
                    if b < 0:
                        tot = 0.0
                        for q in range(n):
                            tot = tot + own[q]
                    else:
                        tot = _pos_util(st, sal, a, offers[b][0])
                        tot = tot + _pos_util(st, sal, a, offers[b][1])
                        for q in range(n):
                            if q not in (bi, bj):
                                tot = tot + own[q]
                    u_im[a][m] = tot / n
            pk = pce(cfg.pce_model, cfg.victory_prob_model, coalitions(cfg.voting_rule, cap, u_im))
            if rng is None:
                m_max, top = 0, -1.0
                for m, pm in enumerate(pk):
                    if top < abs(pm):
                        m_max, top = m, abs(pm)
            else:
                m_max = rng.prob_sel(pk)
            bi, bj, _kind, b = opts[m_max]
            chosen[k], cprob[k], nopt[k] = b, pk[m_max], len(opts)
            if b >= 0:
                new_pos[k] = list(offers[b][0] if bi == k else offers[b][1])
        tb.chosen.append(np.array(chosen))
        tb.chosen_prob.append(np.array(cprob))
        tb.n_options.append(np.array(nopt))
        # new ideals: a_ij-weighted positions plus the lagged old ideal
        ideals = []
        for i in range(n):
            si = 0.0
            ip = [0.0] * dim
            for j in range(n):
                si = si + A[i][j]
                ip = [v + A[i][j] * pj for v, pj in zip(ip, new_pos[j], strict=True)]
            lag = 1.0 - min(si, 1.0)
            ideals.append([v + lag * o for v, o in zip(ip, st.ideals[i], strict=True)])
        st = _State(cfg, new_pos, ideals, sal, cap)
        history.append(st)
        record_state(st)

        def dist(s1: _State, s2: _State) -> float:
            tot = 0.0
            for a, b in zip(s1.pos, s2.pos, strict=True):
                tot = tot + math.sqrt(_ksum([(u - v) ** 2 for u, v in zip(a, b, strict=True)]))
            return tot

        if turn == 1:
            d01 = dist(history[0], history[1]) + cfg.min_sig_delta
        ratio = dist(history[turn], history[turn - 1]) / d01
        tb.ratio.append(ratio)
        if cfg.max_turns <= turn or (cfg.min_turns <= turn and ratio < cfg.min_delta_ratio):
            break
    return tb.build()
