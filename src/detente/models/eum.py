"""Bueno de Mesquita's expected utility (challenge) model, as unravelled by Scholz et al.

Each round every actor estimates, for every other actor, the expected utility of
challenging it and of being challenged by it; from the pair of expected utilities it
reads off an offer (confrontation, compromise or capitulation), accepts at most one
offer, and all accepted moves apply at once at the end of the round. The default
settings reproduce the published replication of Scholz, Calbert & Smith (2011)
exactly, including its quirks; each departure is a named setting.

Symbol map (paper → code): x_i ``x``, c_i ``c``, s_i ``s`` (salience in [0, 1]),
r_i ``r`` (risk exponent), R ``big_r`` (range of the initial positions),
v_k(x_a, x_b) the vote of k for x_a over x_b, P_ab ``p``, EU_i(i→j) ``eu_ij``,
EU_i(j→i) ``eu_ji``, D_i ``danger``.

References
----------
Bueno de Mesquita, B. (1994). Political forecasting: an expected utility method. In
B. Bueno de Mesquita & F. N. Stokman (eds.), *European Community Decision Making*,
71-104. Yale University Press.

Scholz, J. B., Calbert, G. J. & Smith, G. A. (2011). Unravelling Bueno De Mesquita's
group decision model. *Journal of Theoretical Politics* 23(4), 510-531.
doi:10.1177/0951629811418142.

Examples
--------
>>> from detente.models import get_model
>>> from detente.scenario.bundled import load_bundled
>>> f = get_model("eum").forecast(load_bundled("ec-emissions-1994"))
>>> print(f.moves[0].explanation)
Belgium compromises with France: EU -0.115 vs 0.243, moves 7.00 → 8.42
>>> round(f.extra["mean"]["emission_standards"][0], 6)  # sum(c s x) / sum(c s)
7.389956
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from ..errors import ModelError
from ._convergence import cycle_mean, detect_cycles
from .base import Forecast, ModelSettings, Move, register

if TYPE_CHECKING:
    from ..scenario import Scenario

__all__ = ["OFFER_NAMES", "EumRun", "ExpectedUtilityModel", "eum_kernel"]

#: Offer codes used in :attr:`EumRun.offer`: 0 means the actor accepted no offer.
OFFER_NAMES: tuple[str, ...] = ("none", "confrontation", "compromise", "capitulation")
_NONE, _CONFRONTATION, _COMPROMISE, _CAPITULATION = 0, 1, 2, 3

# Elements of the (draws, actors, actors, actors) vote tensor built at once; bigger
# batches are cut into chunks of draws so the tensor stays in a few tens of megabytes.
_CHUNK_ELEMENTS = 1 << 17
# Up to this many actors the O(A^3) vote tensor is built; above it, O(A^2 log A) prefix sums.
_DENSE_MAX_ACTORS = 16

CompromiseRule = Literal["scholz", "least_movement"]
ProbabilityRule = Literal["scholz", "pairwise"]
CapitulationRule = Literal["scholz", "corrected"]
OutcomeRule = Literal["median", "mean"]
ForecastRule = Literal["final", "cycle_mean", "settled"]


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


@register
@dataclass(frozen=True, kw_only=True)
class ExpectedUtilityModel(ModelSettings):
    """Bueno de Mesquita's expected utility model (Scholz, Calbert & Smith 2011).

    Runs per issue, among the actors that take a stance on it; issues are independent.
    Saliences are the scenario's, normalised to [0, 1]; capabilities are used as given.

    Parameters
    ----------
    rounds : int, default 10
        Number of bargaining rounds.
    compromise_rule : {"scholz", "least_movement"}
        Which of several compromise offers an actor accepts. ``"scholz"`` (published
        code): the one minimising ``(|eu_ij| x_i + |eu_ji| x_j) / (|eu_ij| + |eu_ji|)``,
        which sends Belgium to the Netherlands' side in round 4 of the worked example.
        ``"least_movement"`` (departure): the one that moves the actor least, as the
        paper's text and Bueno de Mesquita describe.
    probability : {"scholz", "pairwise"}
        ``"scholz"``: ``P_ij = sum_k max(0, v_k(x_i, x_j)) / sum_k sum_a sum_b |v_k(x_a, x_b)|``,
        the large denominator over all pairs, so probabilities are small.
        ``"pairwise"`` (departure): the denominator is the votes on this pair only,
        so ``P_ij + P_ji = 1``.
    capitulation : {"scholz", "corrected"}
        ``"scholz"``: the published test (``eu_ji < |eu_ji|``) can never hold, so no
        actor ever capitulates. ``"corrected"`` (departure): capitulate to x_j when
        ``eu_ji > 0 > eu_ij`` and ``|eu_ij| > eu_ji``.
    outcome : {"median", "mean"}, default "median"
        Which statistic of the final round is the forecast. Bueno de Mesquita's
        forecast is the median voter position (the pairwise-vote winner);
        the replication prints the c·s-weighted mean each round. Both are in ``extra``.
    forecast_rule : {"final", "cycle_mean"}, default "final"
        Which round(s) the forecast reads. ``"final"`` (faithful): the last round's
        statistic. ``"cycle_mean"``: where the positions end in a cycle (period >= 2,
        e.g. the common period-2 oscillation), the mean of the statistic over the rounds
        of one whole cycle, so the forecast no longer depends on the round the run stops
        at; elsewhere the final round. ``"settled"``: play on past ``rounds`` (up to
        ``max_rounds``) until every issue has reached its fixed point or cycle, then
        as ``"cycle_mean"``. Either way ``extra["convergence"]`` reports per issue
        whether the run converged, the cycle length and the round the cycle started
        (see :mod:`detente.models._convergence`).
    max_rounds : int, default 200
        The most rounds ``forecast_rule="settled"`` plays.
    """

    name: ClassVar[str] = "eum"
    description: ClassVar[str] = (
        "Bueno de Mesquita's expected utility (challenge) model, Scholz et al. (2011) replication"
    )

    rounds: int = 10
    compromise_rule: CompromiseRule = "scholz"
    probability: ProbabilityRule = "scholz"
    capitulation: CapitulationRule = "scholz"
    outcome: OutcomeRule = "median"
    forecast_rule: ForecastRule = "final"
    max_rounds: int = 200

    def __post_init__(self) -> None:
        if (
            isinstance(self.max_rounds, bool)
            or not isinstance(self.max_rounds, int | np.integer)
            or self.max_rounds < 1
        ):
            raise ModelError(
                f"The 'max_rounds' parameter of ExpectedUtilityModel must be an int >= 1. Got {self.max_rounds!r} instead."
            )
        if isinstance(self.rounds, bool) or not isinstance(self.rounds, int | np.integer):
            raise ModelError(
                f"The 'rounds' parameter of ExpectedUtilityModel must be an int >= 0. Got {self.rounds!r} instead."
            )
        if self.rounds < 0:
            raise ModelError(
                f"The 'rounds' parameter of ExpectedUtilityModel must be an int >= 0. Got {self.rounds!r} instead."
            )
        for name, allowed in _ALLOWED.items():
            value = getattr(self, name)
            if value not in allowed:
                options = ", ".join(repr(a) for a in allowed)
                raise ModelError(
                    f"The '{name}' parameter of ExpectedUtilityModel must be one of {options}. Got {value!r} instead."
                )

    @property
    def departures(self) -> tuple[str, ...]:
        """Names of the settings that depart from the published replication."""
        return tuple(
            f"{name}={getattr(self, name)!r}"
            for name in ("compromise_rule", "probability", "capitulation")
            if getattr(self, name) != "scholz"
        )

    def _settled_rounds(self, arrays: Any) -> int:
        """Rounds until every issue's positions repeat (fixed point or one whole cycle),
        at least ``rounds`` and at most ``max_rounds``."""
        need = self.rounds
        for j in range(arrays.n_issues):
            idx = np.flatnonzero(arrays.has_stance[:, j])
            if idx.size == 0:
                continue
            run = self._kernel(
                arrays.positions[idx, j],
                arrays.capabilities[idx],
                arrays.saliences[idx, j],
                max(self.max_rounds, self.rounds),
            )
            period, start = (int(v) for v in detect_cycles(run.positions[0]))
            cut = start + 2 * period - 1 if period else max(self.max_rounds, self.rounds)
            need = max(need, cut)
        return need

    def _kernel(
        self, x: np.ndarray, c: np.ndarray, s: np.ndarray, rounds: int | None = None
    ) -> EumRun:
        return eum_kernel(
            x,
            c,
            s,
            self.rounds if rounds is None else rounds,
            compromise_rule=self.compromise_rule,
            probability=self.probability,
            capitulation=self.capitulation,
        )

    def forecast(
        self, scenario: Scenario, *, seed: int | np.random.Generator | None = None
    ) -> Forecast:
        """Run the model on every issue of ``scenario``.

        The model is deterministic; ``seed`` is accepted for the common interface and
        recorded, but unused.
        """
        arrays = scenario.to_arrays()
        A, I = arrays.n_actors, arrays.n_issues
        T = self._settled_rounds(arrays) if self.forecast_rule == "settled" else self.rounds
        labels = {a.id: a.label for a in scenario.actors}
        # Actors without a stance take no part; they are shown at the status quo throughout.
        positions = np.broadcast_to(arrays.positions, (T + 1, A, I)).copy()
        outcome = np.empty(I)
        moves: list[Move] = []
        notes: list[str] = [
            f"Outcome per issue is the final round's {self._outcome_words()}; "
            "the weighted mean and the median of every round are in extra."
        ]
        extra: dict[str, Any] = {
            "outcome_rule": self.outcome,
            "mean": {},
            "median": {},
            "risk_exponents": {},
            "position_range": {},
            "unsettled": {},
            "forecast_rule": self.forecast_rule,
            "convergence": {},
        }
        if self.departures:
            notes.append(
                "Departures from Scholz et al. (2011): " + ", ".join(self.departures) + "."
            )
        for j, issue in enumerate(arrays.issue_ids):
            idx = np.flatnonzero(arrays.has_stance[:, j])
            if idx.size == 0:
                outcome[j] = float(arrays.status_quo[j])
                notes.append(f"{issue}: no actor takes a stance; the status quo is the outcome.")
                continue
            x = arrays.positions[idx, j]
            c = arrays.capabilities[idx]
            s = arrays.saliences[idx, j]
            if not np.any(c * s > 0):
                notes.append(
                    f"{issue}: every actor has zero capability × salience, so no actor's votes "
                    "count: every win probability is 0, offers follow from saliences alone, "
                    "and the mean and median are unweighted."
                )
            run = self._kernel(x, c, s, T)
            positions[:, idx, j] = run.positions[0]
            mean, median = run.mean[0], run.median[0]
            stat = median if self.outcome == "median" else mean
            conv = _convergence_report(run.positions[0], stat, issue, self.forecast_rule)
            extra["convergence"][issue] = conv
            outcome[j] = conv.pop("_forecast")
            if conv["note"]:
                notes.append(conv["note"])
            ids = [arrays.actor_ids[k] for k in idx]
            extra["mean"][issue] = mean.tolist()
            extra["median"][issue] = median.tolist()
            extra["risk_exponents"][issue] = {
                a: run.risk[0, :, n].tolist() for n, a in enumerate(ids)
            }
            extra["position_range"][issue] = float(run.position_range[0])
            prefix = f"{issue}: " if I > 1 else ""
            moves += _moves(run, issue, ids, labels, prefix)
            if T > 0 and np.any(run.offer[0, -1] > 0):
                n_last = int(np.count_nonzero(run.offer[0, -1]))
                extra["unsettled"][issue] = n_last
                notes.append(
                    f"{issue}: not settled after {T} rounds ({n_last} actors still moved in the "
                    f"last round); the mean went {mean[0]:.3g} → {mean[-1]:.3g}, "
                    f"the median {median[0]:.3g} → {median[-1]:.3g}."
                )
        if not arrays.has_stance.all():
            notes.append(
                "Actors without a stance on an issue take no part in it; their positions are "
                "shown at the status quo."
            )
        conv_all = extra["convergence"].values()
        extra["converged"] = all(c["converged"] for c in conv_all)
        lengths = [c["cycle_length"] for c in conv_all if c["cycle_length"]]
        extra["cycle_length"] = max(lengths) if lengths else None
        order = {issue: j for j, issue in enumerate(arrays.issue_ids)}
        moves.sort(key=lambda m: (m.round, order[m.issue]))  # stable: actor order within
        return Forecast(
            model=self.name,
            params=asdict(self),
            scenario_id=scenario.id,
            actor_ids=arrays.actor_ids,
            issue_ids=arrays.issue_ids,
            positions=positions,
            outcome=outcome,
            moves=tuple(moves),
            notes=tuple(notes),
            extra=extra,
            seed=seed if isinstance(seed, int) else None,
        )

    def sample_outcomes(
        self, scenario: Scenario, n_draws: int, *, seed: int | np.random.Generator | None = None
    ) -> np.ndarray:
        """Outcomes of ``n_draws`` draws of the scenario's uncertain quantities.

        Draws come from :meth:`Scenario.sample` (triangular on each range) and run in
        one batched kernel call per issue.

        Returns
        -------
        ndarray, shape (n_draws, n_issues)
        """
        arrays = scenario.sample(n_draws, seed)
        out = np.empty((n_draws, arrays.n_issues))
        for j in range(arrays.n_issues):
            idx = np.flatnonzero(arrays.has_stance[:, j])
            if idx.size == 0:
                out[:, j] = arrays.status_quo[:, j]
                continue
            run = self._kernel(
                arrays.positions[:, idx, j],
                arrays.capabilities[:, idx],
                arrays.saliences[:, idx, j],
                max(self.rounds, self.max_rounds) if self.forecast_rule == "settled" else None,
            )
            stat = run.median if self.outcome == "median" else run.mean
            if self.forecast_rule != "final":
                period, _ = detect_cycles(run.positions)
                out[:, j] = cycle_mean(stat, period)
            else:
                out[:, j] = stat[:, -1]
        return out

    def _outcome_words(self) -> str:
        if self.outcome == "median":
            return "median (the pairwise-vote winner among positions, Bueno de Mesquita's forecast)"
        return "capability × salience weighted mean (as the replication reports each round)"


_VERBS = {
    _CONFRONTATION: "gives in to a challenge from",
    _COMPROMISE: "compromises with",
    _CAPITULATION: "capitulates to",
}


def _moves(
    run: EumRun, issue: str, ids: list[str], labels: dict[str, str], prefix: str = ""
) -> list[Move]:
    out = []
    rounds = run.offer.shape[1]
    for t in range(rounds):
        for n in np.flatnonzero(run.offer[0, t]):
            code = int(run.offer[0, t, n])
            other = int(run.counterpart[0, t, n])
            old, new = float(run.positions[0, t, n]), float(run.positions[0, t + 1, n])
            eu_ij, eu_ji = float(run.eu_ij[0, t, n]), float(run.eu_ji[0, t, n])
            actor, counterpart = ids[n], ids[other]
            explanation = (
                f"{prefix}{labels.get(actor, actor)} {_VERBS[code]} {labels.get(counterpart, counterpart)}: "
                f"EU {eu_ij:.3f} vs {eu_ji:.3f}, moves {old:.2f} → {new:.2f}"
            )
            out.append(
                Move(
                    round=t + 1,
                    actor=actor,
                    issue=issue,
                    kind=OFFER_NAMES[code],
                    old=old,
                    new=new,
                    counterpart=counterpart,
                    explanation=explanation,
                    data={
                        "offer": OFFER_NAMES[code],
                        "counterpart": counterpart,
                        "eu_pair": [eu_ij, eu_ji],
                        "risk_exponent": float(run.risk[0, t, n]),
                    },
                )
            )
    return out


def _convergence_report(
    positions: np.ndarray, stat: np.ndarray, issue: str, rule: str
) -> dict[str, Any]:
    """Converged / cycle length / cycle start of one issue's run, the forecast under
    ``rule`` (key ``_forecast``) and a note when the run did not converge."""
    T = positions.shape[0] - 1
    period, start = (int(v) for v in detect_cycles(positions))
    final = float(stat[-1])
    forecast = final
    out: dict[str, Any] = {
        "converged": period == 1,
        "cycle_length": period or None,
        "cycle_start": start if period else None,
        "note": "",
    }
    if T == 0:
        out["_forecast"] = final
        return out
    if period >= 2:
        cyc = stat[T - period + 1 :]
        lo, hi = float(cyc.min()), float(cyc.max())
        out["cycle_range"] = [lo, hi]
        out["cycle_mean"] = float(cyc.mean())
        if rule != "final":
            forecast = float(cyc.mean())
        took = (
            f"the forecast is the mean over the cycle, {forecast:.4g}"
            if rule != "final"
            else f"the forecast is round {T}'s ({final:.4g}); forecast_rule='cycle_mean' "
            f"averages the cycle ({float(cyc.mean()):.4g})"
        )
        spread = (
            f"the statistic swings between {lo:.4g} and {hi:.4g} with the stopping round"
            if hi - lo > 1e-9 * max(1.0, abs(hi))
            else "the statistic stays at the same value through the cycle"
        )
        out["note"] = (
            f"{issue}: not converged: positions cycle with period {period} from round {start}; "
            f"{spread}; {took}."
        )
    elif period == 0:
        step = float(np.abs(positions[-1] - positions[-2]).max())
        out["last_move"] = step
        out["note"] = (
            f"{issue}: not converged after {T} rounds and no cycle found (positions still "
            f"moved by up to {step:.3g} in the last round); the forecast depends on the round "
            f"the run stops at (round {T}: {final:.4g})."
        )
    out["_forecast"] = forecast
    return out
