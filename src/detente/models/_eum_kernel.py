"""The expected utility model's array kernel (Bueno de Mesquita 1994; Scholz et al. 2011).

:func:`eum_kernel` plays the challenge rounds for many draws at once; :mod:`.eum` wraps it as
a registered model. Split from :mod:`.eum` so that module holds the model and its reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

__all__ = ["OFFER_NAMES", "EumRun", "eum_kernel"]

CompromiseRule = Literal["scholz", "least_movement"]
ProbabilityRule = Literal["scholz", "pairwise"]
CapitulationRule = Literal["scholz", "corrected"]
OutcomeRule = Literal["median", "mean"]
ForecastRule = Literal["final", "cycle_mean", "settled"]

#: Offer codes used in :attr:`EumRun.offer`: 0 means the actor accepted no offer.
OFFER_NAMES: tuple[str, ...] = ("none", "confrontation", "compromise", "capitulation")
_NONE, _CONFRONTATION, _COMPROMISE, _CAPITULATION = 0, 1, 2, 3

# Elements of the (draws, actors, actors, actors) vote tensor built at once; bigger
# batches are cut into chunks of draws so the tensor stays in a few tens of megabytes.
_CHUNK_ELEMENTS = 1 << 17
# Up to this many actors the O(A^3) vote tensor is built; above it, O(A^2 log A) prefix sums.
_DENSE_MAX_ACTORS = 16


@dataclass(frozen=True, eq=False)
class EumRun:
    """Arrays from :func:`eum_kernel`, for ``D`` draws, ``A`` actors and ``T`` rounds.

    Attributes
    ----------
    positions : ndarray, shape (D, T + 1, A)
        Row 0 is the initial positions.
    risk : ndarray, shape (D, T, A)
        Risk exponents r_i used in each round, in [0.5, 2].
    offer : ndarray of int8, shape (D, T, A)
        Accepted offer per actor and round, coded as in :data:`OFFER_NAMES`.
    counterpart : ndarray of int, shape (D, T, A)
        Index of the actor whose offer was accepted, -1 where none.
    eu_ij, eu_ji : ndarray, shape (D, T, A)
        The receiver's EU of challenging the counterpart and of being challenged by
        it, both from the receiver's perspective; NaN where no offer was accepted.
    mean, median : ndarray, shape (D, T + 1)
        The c·s-weighted mean and the pairwise-vote (Condorcet) median of each round.
    position_range : ndarray, shape (D,)
        R, the range of the initial positions (1 where all positions coincide).
    """

    positions: np.ndarray
    risk: np.ndarray
    offer: np.ndarray
    counterpart: np.ndarray
    eu_ij: np.ndarray
    eu_ji: np.ndarray
    mean: np.ndarray
    median: np.ndarray
    position_range: np.ndarray


def eum_kernel(
    positions: np.ndarray,
    capabilities: np.ndarray,
    saliences: np.ndarray,
    rounds: int = 10,
    *,
    compromise_rule: CompromiseRule = "scholz",
    probability: ProbabilityRule = "scholz",
    capitulation: CapitulationRule = "scholz",
) -> EumRun:
    """Run the expected utility model on a batch of draws at once.

    Parameters
    ----------
    positions, capabilities, saliences : array_like, shape (D, A) or (A,)
        x, c (>= 0) and s (in [0, 1]) of A actors on one issue, for D draws.
    rounds : int
        Number of bargaining rounds T.
    compromise_rule, probability, capitulation : str
        ``"scholz"`` for the published replication, or the documented departures
        ``"least_movement"``, ``"pairwise"`` and ``"corrected"``
        (see :class:`ExpectedUtilityModel`).

    Returns
    -------
    EumRun
        Positions of shape (D, T + 1, A) and the move log; a 1-D input gives D = 1.

    Notes
    -----
    All pairwise probabilities of a round come from one array computation. Up to
    16 actors the votes v_k(x_a, x_b) of every voter k on every ordered pair form one
    (D, A, A, A) tensor, contracted over k to the numerators of every P_ab at once
    (O(D A^3)); with more actors the numerators come from prefix sums over voters
    sorted by position (O(D A^2 log A), see ``_numerators_sorted``). The paper's
    denominator ``sum_k sum_a sum_b |v_k(x_a, x_b)|`` equals twice the sum of all
    numerators (the votes are antisymmetric in a, b) and is computed once per round,
    never per pair. Large batches are processed in chunks of draws.

    Ties: the published code takes the first of several equally good offers in input
    order; here exact ties go to the counterpart with the lower position first, so
    positions do not depend on the order of the actors (identical on the worked
    example, whose ties are all between counterparts at the same position).

    Examples
    --------
    >>> run = eum_kernel([4.0, 7.0, 10.0], [1.0, 1.0, 1.0], [0.5, 0.5, 0.5], rounds=2)
    >>> run.positions.shape
    (1, 3, 3)
    """
    x = np.atleast_2d(np.asarray(positions, dtype=float))
    c = np.broadcast_to(np.atleast_2d(np.asarray(capabilities, dtype=float)), x.shape)
    s = np.broadcast_to(np.atleast_2d(np.asarray(saliences, dtype=float)), x.shape)
    if x.ndim != 2:
        raise ValueError(f"positions must have shape (n_draws, n_actors); got {x.shape}")
    if rounds < 0:
        raise ValueError(f"rounds must be >= 0; got {rounds}")
    n_draws, n_actors = x.shape
    per_draw = n_actors**3 if n_actors <= _DENSE_MAX_ACTORS else 8 * n_actors**2
    chunk = max(1, _CHUNK_ELEMENTS // max(1, per_draw))
    out = EumRun(
        positions=np.empty((n_draws, rounds + 1, n_actors)),
        risk=np.ones((n_draws, rounds, n_actors)),
        offer=np.zeros((n_draws, rounds, n_actors), dtype=np.int8),
        counterpart=np.full((n_draws, rounds, n_actors), -1, dtype=np.int64),
        eu_ij=np.full((n_draws, rounds, n_actors), np.nan),
        eu_ji=np.full((n_draws, rounds, n_actors), np.nan),
        mean=np.empty((n_draws, rounds + 1)),
        median=np.empty((n_draws, rounds + 1)),
        position_range=np.empty(n_draws),
    )
    for lo in range(0, n_draws, chunk):
        part = slice(lo, lo + chunk)
        _run_chunk(
            x[part],
            c[part],
            s[part],
            rounds,
            compromise_rule,
            probability,
            capitulation,
            EumRun(**{name: getattr(out, name)[part] for name in EumRun.__dataclass_fields__}),
        )
    return out


def _run_chunk(
    x0: np.ndarray,
    c: np.ndarray,
    s: np.ndarray,
    rounds: int,
    compromise_rule: str,
    probability: str,
    capitulation: str,
    out: EumRun,
) -> None:
    """Run one chunk of draws, writing into ``out`` (views of the caller's arrays)."""
    D, A = x0.shape
    w = c * s
    big_r = x0.max(axis=1) - x0.min(axis=1)
    big_r = np.where(big_r > 0, big_r, 1.0)
    r3 = big_r[:, None, None]

    pos, risk, offer, counterpart = out.positions, out.risk, out.offer, out.counterpart
    eu_ij_log, eu_ji_log = out.eu_ij, out.eu_ji
    out.position_range[:] = big_r

    # Arrays indexed [draw, receiver i, counterpart j]; constants hoisted out of the loop.
    s_i, s_j = s[:, :, None], s[:, None, :]
    q_i, q_j = 1.0 - s_i, 1.0 - s_j
    rows, cols = np.arange(D)[:, None], np.arange(A)[None, :]
    corrected = capitulation == "corrected"
    least = compromise_rule == "least_movement"

    # Few actors: the dense vote tensor needs fewer NumPy calls; many: sorted prefix sums.
    buffer = np.empty((D, A, A, A)) if A <= _DENSE_MAX_ACTORS else None
    x = x0.copy()
    pos[:, 0] = x
    with np.errstate(divide="ignore", invalid="ignore"):
        for t in range(rounds):
            diff = x[:, None, :] - x[:, :, None]  # x_j - x_i
            dist = np.abs(diff)
            dist /= r3
            same = diff == 0

            # Risk exponents. With every r = 1, U_s = 2d, U_f = -2d, U_sq = 0, so
            # EU_i(k challenges i) = 2 d_ki (1 - 2 s_i (1 - P_ki)); it is 0 for k = i.
            p1 = _probabilities(dist, w, x, probability, buffer)  # p1[k, i]: k beats i
            eu_ki = 1.0 - p1  # target i on the last axis, hence s_j below
            eu_ki *= s_j
            eu_ki *= -2.0
            eu_ki += 1.0
            eu_ki *= dist
            danger = eu_ki.sum(axis=1) * 2.0  # sum over challengers k (axis 1)
            d_max = danger.max(axis=1, keepdims=True)
            d_min = danger.min(axis=1, keepdims=True)
            acceptance = (2 * danger - d_max - d_min) / (d_max - d_min)
            r = (3 - acceptance) / (3 + acceptance)  # = (1 - R_i/3) / (1 + R_i/3)
            r = np.where(d_max == d_min, 1.0, r)
            risk[:, t] = r

            # Offers to receiver i from every j, all utilities with the receiver's r_i.
            ri = r[:, :, None]
            p = _probabilities(dist**ri, w, x, probability, buffer)
            half = 0.5 * dist
            u_s = 2 - 4 * (0.5 - half) ** ri
            u_f = 2 - 4 * (0.5 + half) ** ri
            u_q = 2 - 4 * 0.5**ri
            du = u_s - u_f
            eu_ij = (p * du + u_f) * s_j + q_j * u_s - u_q
            eu_ji = (np.swapaxes(p, 1, 2) * du + u_f) * s_i + q_i * u_s - u_q

            valid = ~same
            confront = valid & (eu_ji > eu_ij) & (eu_ij > 0)
            mixed = valid & (eu_ji > 0) & (eu_ij < 0)
            a_ij = np.abs(eu_ij)
            compromise = mixed & (eu_ji > a_ij)
            capitulate = mixed & (a_ij > eu_ji) if corrected else None

            # Priority confrontation > compromise > capitulation; within the chosen type
            # the smallest key wins (least movement, or Scholz's compromise key).
            any_conf = confront.any(axis=2)
            any_comp = compromise.any(axis=2)
            kind = np.where(any_conf, _CONFRONTATION, np.where(any_comp, _COMPROMISE, _NONE))
            if capitulate is not None:
                any_cap = capitulate.any(axis=2)
                kind = np.where(kind == _NONE, np.where(any_cap, _CAPITULATION, _NONE), kind)
            kind = kind.astype(np.int8)
            moved = kind > 0
            if not moved.any():  # a fixed point: every later round repeats this one
                pos[:, t + 1 :] = x[:, None, :]
                risk[:, t + 1 :] = r[:, None, :]
                break
            to = np.broadcast_to(x[:, None, :], (D, A, A))
            key = dist
            mask = np.where(any_conf[:, :, None], confront, False)
            if any_comp.any():
                use_comp = (kind == _COMPROMISE)[:, :, None]
                to = np.where(use_comp, x[:, :, None] + diff * np.abs(eu_ij / eu_ji), to)
                if least:
                    comp_key = np.abs(to - x[:, :, None])
                else:
                    a_ji = np.abs(eu_ji)
                    comp_key = (a_ij * x[:, :, None] + a_ji * x[:, None, :]) / (a_ij + a_ji)
                key = np.where(use_comp, comp_key, key)
                mask = np.where(use_comp, compromise, mask)
            if capitulate is not None:
                mask = np.where((kind == _CAPITULATION)[:, :, None], capitulate, mask)
            key = np.where(mask, key, np.inf)
            # Exact ties on the key go to the lower position, then to input order, so
            # that positions never depend on the order in which actors are listed.
            tied = key == key.min(axis=2, keepdims=True)
            j = np.argmin(np.where(tied, x[:, None, :], np.inf), axis=2)
            offer[:, t] = kind
            counterpart[:, t] = np.where(moved, j, -1)
            eu_ij_log[:, t] = np.where(moved, eu_ij[rows, cols, j], np.nan)
            eu_ji_log[:, t] = np.where(moved, eu_ji[rows, cols, j], np.nan)
            x = np.where(moved, to[rows, cols, j], x)
            pos[:, t + 1] = x

    out.mean[:], out.median[:] = _mean_median(pos, w, r3)


def _probabilities(
    utility: np.ndarray,
    w: np.ndarray,
    x: np.ndarray,
    rule: str,
    buffer: np.ndarray | None = None,
) -> np.ndarray:
    """P[d, a, b] = probability that x_a beats x_b, from voters' (D, k, a) distance utilities.

    ``utility[d, k, a] = (|x_k - x_a| / R) ** r_k``, so the vote of k for a over b is
    ``v_k(a, b) = c_k s_k (utility[k, b] - utility[k, a])``. Under ``"scholz"`` the
    denominator is ``sum_k sum_a sum_b |v_k(a, b)| = 2 sum_a sum_b N_ab`` (the votes are
    antisymmetric in a, b), computed once; under ``"pairwise"`` it is ``N_ab + N_ba``.
    Where x_a == x_b both votes are exactly zero, so ``"scholz"`` gives P = 0 there
    (as the paper defines) and ``"pairwise"`` 0.5; neither is ever used in an offer.
    """
    if buffer is not None:
        numer = _numerators_dense(utility, w, buffer)
    else:
        numer = _numerators_sorted(utility, w, x)
    if rule == "pairwise":
        denom = numer + np.swapaxes(numer, 1, 2)
        p = np.divide(numer, denom, out=np.full_like(numer, 0.5), where=denom > 0)
    else:
        denom = 2.0 * numer.sum(axis=(1, 2))
        p = numer / np.where(denom > 0, denom, np.inf)[:, None, None]
    return p


def _numerators_dense(utility: np.ndarray, w: np.ndarray, buffer: np.ndarray) -> np.ndarray:
    """N_ab = sum_k max(0, v_k(a, b)) from the full (D, k, a, b) vote tensor: O(A^3)."""
    D, A, _ = utility.shape
    # gain[d, k, a, b] = max(0, utility[k, b] - utility[k, a]); c_k s_k >= 0 factors out.
    gain = np.subtract(utility[:, :, None, :], utility[:, :, :, None], out=buffer)
    np.maximum(gain, 0.0, out=gain)
    return np.matmul(w[:, None, :], gain.reshape(D, A, A * A)).reshape(D, A, A)


def _numerators_sorted(utility: np.ndarray, w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """N_ab = sum_k max(0, v_k(a, b)) by prefix sums over voters sorted by position.

    Utilities fall with distance, so v_k(a, b) > 0 exactly when voter k stands on a's
    side of the midpoint m_ab = (x_a + x_b) / 2: the voters with x_k < m_ab when
    x_a < x_b, those with x_k > m_ab otherwise (a voter at m_ab votes 0). With
    ``C[m, b] = sum of c_k s_k utility[k, b] over the m leftmost voters``,
    ``N_ab = C[n_ab, b] - C[n_ab, a]`` (or the complement), ``n_ab = #{k: x_k < m_ab}``.
    Cost O(A^2 log A) per draw instead of O(A^3).
    """
    D, A, _ = utility.shape
    order = np.argsort(x, axis=1, kind="stable")
    xs = np.take_along_axis(x, order, axis=1)
    ws = np.take_along_axis(w, order, axis=1)
    us = np.take_along_axis(utility, order[:, :, None], axis=1)  # voters sorted
    cum = np.zeros((D, A + 1, A))
    np.cumsum(ws[:, :, None] * us, axis=1, out=cum[:, 1:])
    mid = 0.5 * (x[:, :, None] + x[:, None, :])
    if D == 1:
        cut = np.searchsorted(xs[0], mid[0], side="left")[None]
    else:
        # Batched searchsorted: a stable sort of midpoints followed by voters puts every
        # midpoint before voters equal to it; the voters counted before a midpoint are n_ab.
        merged = np.concatenate([mid.reshape(D, A * A), xs], axis=1)
        o = np.argsort(merged, axis=1, kind="stable")
        voters_before = np.cumsum(o >= A * A, axis=1)
        rank = np.empty_like(o)
        np.put_along_axis(rank, o, np.arange(o.shape[1])[None, :], axis=1)
        cut = np.take_along_axis(voters_before, rank[:, : A * A], axis=1).reshape(D, A, A)
    g = np.take_along_axis(cum, cut, axis=1)  # g[a, b] = C[n_ab, b]; n_ab is symmetric
    left = g - np.swapaxes(g, 1, 2)  # votes of the voters left of m_ab, for a over b
    total = cum[:, A, :]
    numer = np.where(
        x[:, :, None] < x[:, None, :], left, total[:, None, :] - total[:, :, None] - left
    )
    return np.maximum(numer, 0.0, out=numer)


def _mean_median(
    pos: np.ndarray, w: np.ndarray, big_r: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """c·s-weighted mean and pairwise-vote median of every round, shapes (D, T + 1).

    With r = 1 the votes for x_a over x_b sum to ``g_b - g_a`` where
    ``g_a = sum_k c_k s_k |x_k - x_a| / R``, so the position beating every other in
    pairwise votes (the Condorcet winner, here the c·s-weighted median) is the one
    minimising g; among positions within rounding noise of the minimum the lowest is
    taken. Where every c·s is zero, both statistics are unweighted.
    """
    w = np.where(w.sum(axis=1, keepdims=True) > 0, w, 1.0)[:, None, :]  # (D, 1, A)
    mean = (pos * w).sum(axis=2) / w.sum(axis=2)
    g = _weighted_distances(pos, w) / big_r  # (D, T+1, a)
    tol = 1e-12 * w.sum(axis=2, keepdims=True)
    near = g <= g.min(axis=2, keepdims=True) + tol
    median = np.where(near, pos, np.inf).min(axis=2)
    return mean, median


def _weighted_distances(pos: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``g[d, t, a] = sum_k w[d, 0, k] |pos[d, t, k] - pos[d, t, a]|``, in blocks of a.

    The (D, T+1, k, a) distance tensor of all pairs would take D (T+1) A^2 floats (1.4 GB
    at 4,000 actors and 10 rounds); blocks of candidates a keep it near
    ``_CHUNK_ELEMENTS`` floats. Each g[d, t, a] is the same sum over k as unblocked.
    """
    D, T1, A = pos.shape
    g = np.empty((D, T1, A))
    block = max(1, _CHUNK_ELEMENTS // max(1, D * T1 * A))
    for lo in range(0, A, block):
        hi = min(A, lo + block)
        dist = np.abs(pos[:, :, :, None] - pos[:, :, None, lo:hi])  # (D, T+1, k, a-block)
        g[:, :, lo:hi] = np.matmul(w[:, :, None, :], dist)[:, :, 0, :]
    return g


_ALLOWED: dict[str, tuple[Any, ...]] = {
    "compromise_rule": ("scholz", "least_movement"),
    "probability": ("scholz", "pairwise"),
    "capitulation": ("scholz", "corrected"),
    "outcome": ("median", "mean"),
    "forecast_rule": ("final", "cycle_mean", "settled"),
}
