"""Votes, coalitions and probabilistic Condorcet elections, as KTAB computes them, on arrays.

``Model::vote``, ``Model::coalitions``, ``Model::vProb`` and ``Model::probCE2`` of KTAB
(``KTAB/kmodel/libsrc/kmodel.cpp``; Copyright KAPSARC, MIT licence, see
``tests/data/LICENSE-KTAB.txt``), vectorised with leading batch axes. Sums and products run
left to right, in KTAB's order.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["coalitions", "pce", "seqsum", "vote"]


def vote(vr: str, w: np.ndarray | float, du: np.ndarray) -> np.ndarray:
    """``Model::vote`` for utility differences ``du = u_ij - u_ik`` and weights ``w``."""
    if vr == "Prop":
        return w * du
    if vr == "Cubic":
        return w * (du * du * du)
    if vr == "PropCbc":
        return w * ((1 - 0.5) * du + 0.5 * (du * du * du))
    r_bin = np.clip(du / 1e-8, -1.0, 1.0)
    if vr == "Binary":
        return w * r_bin
    if vr == "PropBin":
        return w * ((1 - 0.2) * du + 0.2 * r_bin)
    return np.where(du < 0.0, w * du, np.where(du > 0.0, (2.0 * w * du) / 3.0, 0.0))


@lru_cache(maxsize=64)
def _pairs(no: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (i, j) of the option pairs i > j, in KTAB's order."""
    return np.tril_indices(no, -1)


def coalitions(vr: str, w: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``Model::coalitions`` for utilities ``u`` (..., voters, options): c[..., i, j].

    KTAB votes on the pairs i > j only, sums over voters left to right, and files the
    negative votes under (j, i): with asymmetric rules (ASymProsp) vote(j over i) is not
    -vote(i over j).
    """
    no = u.shape[-1]
    il, jl = _pairs(no)
    v = vote(vr, w[:, None], u[..., il] - u[..., jl])  # (..., voters, pairs)
    steps = np.empty((*v.shape[:-2], v.shape[-2] + 1, v.shape[-1]))
    steps[..., 0, :] = 1e-8
    steps[..., 1:, :] = np.where(v > 0, v, 0.0)
    pos = np.cumsum(steps, axis=-2)[..., -1, :]
    steps[..., 1:, :] = np.where(v < 0, -v, 0.0)
    neg = np.cumsum(steps, axis=-2)[..., -1, :]
    c = np.full((*v.shape[:-2], no, no), 1e-8)
    c[..., il, jl] = pos
    c[..., jl, il] = neg
    return c


def _vprob(vpm: str, c: np.ndarray) -> np.ndarray:
    """P[i > j] for coalition strengths c[..., i, j], evaluated on the pairs i > j as KTAB does."""
    no = c.shape[-1]
    il, jl = _pairs(no)
    s1, s2 = c[..., il, jl], c[..., jl, il]
    if vpm == "Linear":
        x1, x2 = s1, s2
    elif vpm == "Square":
        x1, x2 = s1 * s1, s2 * s2
    elif vpm == "Quartic":
        x1, x2 = s1 * s1 * s1 * s1, s2 * s2 * s2 * s2
    elif vpm == "Octic":
        q1, q2 = s1 * s1 * s1 * s1, s2 * s2 * s2 * s2
        x1, x2 = q1 * q1, q2 * q2
    else:
        p12 = (s1 / (s1 + s2) * (1.10 + 1.0) - 1.0) / (1.10 - 1.0)
        x1 = np.where(s1 >= 1.10 * s2, 1.0, np.where(s2 >= 1.10 * s1, 1e-6, p12))
        x2 = np.where(s1 >= 1.10 * s2, 1e-6, np.where(s2 >= 1.10 * s1, 1.0, 1 - p12))
    p = np.full(c.shape, 0.5)
    p[..., il, jl] = x1 / (x1 + x2)
    p[..., jl, il] = x2 / (x1 + x2)
    return p


def seqsum(a: np.ndarray, axis: int) -> np.ndarray:
    """Left-to-right sum along ``axis`` (KTAB's order; NumPy's ``sum`` pairs terms)."""
    return np.cumsum(a, axis=axis).take(-1, axis=axis)


def pce(pcem: str, vpm: str, c: np.ndarray) -> np.ndarray:
    """``Model::probCE2``: probability that each option wins, from coalitions c[..., i, j].

    Leading axes are independent elections; the Markov iterations stop per election.
    """
    pv = _vprob(vpm, c)
    no = c.shape[-1]
    if pcem == "Conditional":
        p = np.cumprod(pv, axis=-1)[..., -1]
        return p / seqsum(p, -1)[..., None]
    p = np.full(c.shape[:-1], 1.0 / no)
    active = np.ones(c.shape[:-2], dtype=bool)
    if pcem == "MarkovUniform":
        while active.any():
            q = seqsum(pv * (p[..., :, None] + p[..., None, :]), -1) / no
            change = np.max(np.abs(q - p), axis=-1)
            p = np.where(active[..., None], (p + q) / 2.0, p)
            active = active & (change > 1e-6)
        return p
    inc = c * pv + np.eye(no) * 1e-10
    chlg = inc / seqsum(inc, -2)[..., None, :]
    chlg_t = np.swapaxes(chlg, -1, -2)
    while active.any():
        ct = p[..., :, None] * chlg_t
        q = seqsum(pv * (ct + np.swapaxes(ct, -1, -2)), -1)
        change = np.max(np.abs(q - p), axis=-1)
        p = np.where(active[..., None], (p + q) / 2.0, p)
        active = active & (change > 1e-8)
    return p
