"""Closed-form results of crisis-bargaining games, as plain functions (not Scenario models).

Each function states its equation and reference; the doctests recompute the published numbers
(see ``docs/models/games.md``).

References
----------
Nash, J. F. (1950). The bargaining problem. *Econometrica* 18(2), 155-162. doi:10.2307/1907266
Kalai, E., & Smorodinsky, M. (1975). Other solutions to Nash's bargaining problem.
*Econometrica* 43(3), 513-518. doi:10.2307/1914280
Rubinstein, A. (1982). Perfect equilibrium in a bargaining model. *Econometrica* 50(1), 97-109.
doi:10.2307/1912531
Fearon, J. D. (1995). Rationalist explanations for war. *International Organization* 49(3),
379-414. doi:10.1017/S0020818300033324
Maynard Smith, J. (1974). The theory of games and the evolution of animal conflicts. *Journal of
Theoretical Biology* 47(1), 209-221. doi:10.1016/0022-5193(74)90110-6
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

__all__ = [
    "ChickenEquilibrium",
    "FearonScreening",
    "attrition_expected_time",
    "attrition_hazard",
    "chicken_mixed",
    "egalitarian_point",
    "fearon_range",
    "fearon_screening",
    "kalai_smorodinsky_point",
    "nash_frontier_point",
    "rubinstein_share",
]

Frontier = Callable[[float], float]


def _check(name: str, value: float, low: float, high: float, *, closed_high: bool = True) -> None:
    ok = low <= value <= high if closed_high else low <= value < high
    if not (np.isfinite(value) and ok):
        bracket = "]" if closed_high else ")"
        raise ValueError(
            f"The '{name}' parameter must be in [{low}, {high}{bracket}. Got {value!r} instead."
        )


def rubinstein_share(d1: float, d2: float) -> float:
    """First proposer's share in Rubinstein's alternating-offers game: ``(1 - d2) / (1 - d1 d2)``.

    >>> round(rubinstein_share(0.9, 0.8), 7)
    0.7142857
    """
    _check("d1", d1, 0.0, 1.0)
    _check("d2", d2, 0.0, 1.0)
    if d1 * d2 == 1.0:
        raise ValueError("The discount factors d1 and d2 cannot both be 1 (no unique split).")
    return (1.0 - d2) / (1.0 - d1 * d2)


def fearon_range(p: float, c_a: float, c_b: float) -> tuple[float, float]:
    """Fearon's bargaining range: the shares for A that both sides prefer to war.

    A prize of size 1, A wins a war with probability ``p``, war costs ``c_a`` and ``c_b``:
    every share ``x`` for A in ``[p - c_a, p + c_b]`` (clipped to [0, 1]) beats war for both.

    >>> fearon_range(0.5, 0.1, 0.2)
    (0.4, 0.7)
    """
    _check("p", p, 0.0, 1.0)
    if c_a < 0 or c_b < 0:
        raise ValueError(f"War costs must be >= 0. Got c_a={c_a!r}, c_b={c_b!r} instead.")
    return (max(0.0, p - c_a), min(1.0, p + c_b))


class FearonScreening(NamedTuple):
    """A's optimal take-it-or-leave-it demand and the probability that it leads to war."""

    demand: float
    war_probability: float


def fearon_screening(p: float, c_a: float, cbar: float) -> FearonScreening:
    """A's optimal demand when B's war cost is private, uniform on ``[0, cbar]``.

    A demands ``x = p + y``; B accepts when ``c_b >= y``. A maximises
    ``(y + c_a)(1 - y / cbar)``, so ``y = max(0, (cbar - c_a) / 2)`` and war follows with
    probability ``y / cbar`` (Fearon 1995, section on private information).

    >>> r = fearon_screening(0.5, 0.1, 0.3)
    >>> round(r.demand, 12), round(r.war_probability, 12)
    (0.6, 0.333333333333)
    """
    _check("p", p, 0.0, 1.0)
    if c_a < 0 or not cbar > 0:
        raise ValueError(f"Need c_a >= 0 and cbar > 0. Got c_a={c_a!r}, cbar={cbar!r} instead.")
    y = max(0.0, (cbar - c_a) / 2)
    y = min(y, 1.0 - p)  # A cannot demand more than the whole prize
    return FearonScreening(demand=p + y, war_probability=y / cbar)


def attrition_hazard(prize: float, cost: float) -> float:
    """Each side's concession hazard in the symmetric war of attrition: ``c / V``.

    >>> attrition_hazard(10.0, 2.0)
    0.2
    """
    if not (prize > 0 and cost > 0):
        raise ValueError(f"Need prize > 0 and cost > 0. Got {prize!r}, {cost!r} instead.")
    return cost / prize


def attrition_expected_time(prize: float, cost: float) -> float:
    """Expected time to the first concession: two hazards ``c / V`` race, so ``V / (2c)``.

    >>> attrition_expected_time(10.0, 2.0)
    2.5
    """
    return 1.0 / (2.0 * attrition_hazard(prize, cost))


class ChickenEquilibrium(NamedTuple):
    """The symmetric mixed equilibrium of Chicken."""

    p_firm: float
    p_crash: float


def chicken_mixed(c: float) -> ChickenEquilibrium:
    """Chicken with payoffs 0 (both yield), +1/-1 (firm vs yield), -c (both firm), c > 1.

    Indifference ``-q = (1 - q) - c q`` gives ``q = 1/c``; a crash needs both firm: ``1/c^2``.

    >>> chicken_mixed(4.0)
    ChickenEquilibrium(p_firm=0.25, p_crash=0.0625)
    """
    if not c > 1:
        raise ValueError(f"The crash cost c must exceed 1. Got {c!r} instead.")
    return ChickenEquilibrium(p_firm=1.0 / c, p_crash=1.0 / c**2)


def _domain_where(
    frontier: Frontier, disagreement: tuple[float, float], domain: tuple[float, float]
) -> tuple[float, float]:
    """The part of ``domain`` where both players gain weakly (frontier decreasing)."""
    from scipy import optimize  # imported here: many runs never call it (start-up time)

    d1, d2 = disagreement
    lo, hi = max(domain[0], d1), domain[1]
    if frontier(lo) < d2:
        raise ValueError("No point of the frontier gives both players their disagreement payoff.")
    if frontier(hi) < d2:
        hi = optimize.brentq(lambda u: frontier(u) - d2, lo, hi, xtol=1e-15, rtol=1e-15)
    return lo, hi


def nash_frontier_point(
    frontier: Frontier,
    disagreement: tuple[float, float] = (0.0, 0.0),
    *,
    domain: tuple[float, float] = (0.0, 1.0),
    weights: tuple[float, float] = (1.0, 1.0),
) -> tuple[float, float]:
    """The (asymmetric) Nash bargaining point on a two-player frontier ``u2 = frontier(u1)``.

    Maximises ``(u1 - d1)^w1 (u2 - d2)^w2`` along the frontier (Nash 1950).

    >>> u1, u2 = nash_frontier_point(lambda u: (1 - u) ** 0.5)
    >>> round(u1, 7), round(u2, 7)
    (0.6666667, 0.5773503)
    """
    from scipy import optimize  # imported here: many runs never call it (start-up time)

    d1, d2 = disagreement
    lo, hi = _domain_where(frontier, disagreement, domain)
    w1, w2 = weights

    def neg(u: float) -> float:
        g1, g2 = u - d1, frontier(u) - d2
        if g1 <= 0 or g2 <= 0:
            return np.inf
        return -(w1 * np.log(g1) + w2 * np.log(g2))

    grid = np.linspace(lo, hi, 2001)[1:-1]
    vals = [neg(float(u)) for u in grid]
    k = int(np.argmin(vals))
    a, b = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    res = optimize.minimize_scalar(neg, bounds=(a, b), method="bounded", options={"xatol": 1e-13})
    u1 = float(res.x)
    return u1, float(frontier(u1))


def kalai_smorodinsky_point(
    frontier: Frontier,
    disagreement: tuple[float, float] = (0.0, 0.0),
    *,
    domain: tuple[float, float] = (0.0, 1.0),
) -> tuple[float, float]:
    """The Kalai-Smorodinsky point: the frontier point on the line from the disagreement point
    to the utopia point (each player's best payoff that leaves the other at least ``d``).

    >>> round(kalai_smorodinsky_point(lambda u: (1 - u) ** 0.5)[0], 7)
    0.618034
    """
    from scipy import optimize  # imported here: many runs never call it (start-up time)

    d1, d2 = disagreement
    lo, hi = _domain_where(frontier, disagreement, domain)
    best1 = hi
    best2 = max(frontier(lo), float(np.max([frontier(u) for u in np.linspace(lo, hi, 2001)])))
    r1, r2 = best1 - d1, best2 - d2
    u1 = optimize.brentq(
        lambda u: (frontier(u) - d2) / r2 - (u - d1) / r1, lo, hi, xtol=1e-15, rtol=1e-15
    )
    return float(u1), float(frontier(u1))


def egalitarian_point(
    frontier: Frontier,
    disagreement: tuple[float, float] = (0.0, 0.0),
    *,
    domain: tuple[float, float] = (0.0, 1.0),
) -> tuple[float, float]:
    """The egalitarian point: equal gains over the disagreement point, ``u1 - d1 = u2 - d2``.

    >>> round(egalitarian_point(lambda u: (1 - u) ** 0.5)[0], 7)
    0.618034
    """
    from scipy import optimize  # imported here: many runs never call it (start-up time)

    d1, d2 = disagreement
    lo, hi = _domain_where(frontier, disagreement, domain)
    u1 = optimize.brentq(lambda u: (frontier(u) - d2) - (u - d1), lo, hi, xtol=1e-15, rtol=1e-15)
    return float(u1), float(frontier(u1))
