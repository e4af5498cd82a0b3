"""A plain-Python, per-actor loop implementation of the Scholz expected utility model.

This is the *reference* the benchmark compares :mod:`detente.models.eum` against. It is
written the way the public replications of Scholz, Calbert & Smith (2011) are written:
one actor and one pair at a time, with the probability denominator (a triple sum over
voters and all pairs of positions) recomputed for every probability it is needed for.
It implements the faithful ("scholz") variant only and deliberately uses no NumPy.

Reference: Scholz, J. B., Calbert, G. J. & Smith, G. A. (2011). Unravelling Bueno De
Mesquita's group decision model. *Journal of Theoretical Politics* 23(4), 510-531.
doi:10.1177/0951629811418142.

Symbols: ``x`` positions, ``c`` capabilities, ``s`` saliences in [0, 1], ``r`` risk
exponents, ``big_r`` the range of the initial positions (fixed for the run).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["LoopMove", "LoopRun", "run_loop"]


@dataclass
class LoopMove:
    round: int
    actor: int
    offer: str
    counterpart: int
    eu_pair: tuple[float, float]
    new_position: float


@dataclass
class LoopRun:
    positions: list[list[float]] = field(default_factory=list)  # one list per round, from 0
    means: list[float] = field(default_factory=list)
    medians: list[float] = field(default_factory=list)
    moves: list[LoopMove] = field(default_factory=list)


def _vote(k: int, xa: float, xb: float, x, c, s, r, big_r, risk=None) -> float:
    """v_k(xa, xb): voter k's capability- and salience-weighted preference for xa over xb."""
    rk = r[k] if risk is None else risk
    return c[k] * s[k] * ((abs(x[k] - xb) / big_r) ** rk - (abs(x[k] - xa) / big_r) ** rk)


def _probability(xi: float, xj: float, x, c, s, r, big_r) -> float:
    """P(xi beats xj) with the paper's large denominator, recomputed on every call."""
    if xi == xj:
        return 0.0
    n = len(x)
    denominator = 0.0
    for k in range(n):
        for a in range(n):
            for b in range(n):
                denominator += abs(_vote(k, x[a], x[b], x, c, s, r, big_r))
    numerator = 0.0
    for k in range(n):
        numerator += max(0.0, _vote(k, xi, xj, x, c, s, r, big_r))
    return numerator / denominator


def _eu_challenge(
    perspective: int, challenger: int, target: int, x, c, s, r, big_r, q: float = 1.0
) -> float:
    """EU of ``challenger`` challenging ``target``, with the risk exponent of ``perspective``."""
    rp = r[perspective]
    d = abs(x[challenger] - x[target]) / big_r
    u_success = 2 - 4 * (0.5 - 0.5 * d) ** rp
    u_failure = 2 - 4 * (0.5 + 0.5 * d) ** rp
    u_status_quo = 2 - 4 * 0.5**rp
    p = _probability(x[challenger], x[target], x, c, s, r, big_r)
    resist = s[target] * (p * u_success + (1 - p) * u_failure)
    give_in = (1 - s[target]) * u_success
    return resist + give_in - q * u_status_quo


def _risk_exponents(x, c, s, big_r) -> list[float]:
    n = len(x)
    ones = [1.0] * n
    danger = []
    for i in range(n):
        total = 0.0
        for k in range(n):
            if k != i:
                total += _eu_challenge(i, k, i, x, c, s, ones, big_r)
        danger.append(total)
    d_max, d_min = max(danger), min(danger)
    out = []
    for i in range(n):
        if d_max == d_min:
            out.append(1.0)
            continue
        acceptance = (2 * danger[i] - d_max - d_min) / (d_max - d_min)
        out.append((1 - acceptance / 3) / (1 + acceptance / 3))
    return out


def _mean(x, c, s) -> float:
    top = 0.0
    bottom = 0.0
    for k in range(len(x)):
        top += c[k] * s[k] * x[k]
        bottom += c[k] * s[k]
    return top / bottom


def _median(x, c, s, big_r) -> float:
    """Sequential pairwise scan over the distinct positions in ascending order, r = 1."""
    candidates = sorted(set(x))
    champion = candidates[0]
    ones = [1.0] * len(x)
    for p in candidates[1:]:
        votes = 0.0
        for k in range(len(x)):
            votes += _vote(k, p, champion, x, c, s, ones, big_r)
        if votes > 0:
            champion = p
    return champion


def run_loop(x0, c, s, rounds: int = 10) -> LoopRun:
    """Run the faithful model for ``rounds`` rounds on lists of positions, capabilities, saliences."""
    x = [float(v) for v in x0]
    n = len(x)
    big_r = max(x) - min(x)
    run = LoopRun()
    run.positions.append(list(x))
    run.means.append(_mean(x, c, s))
    run.medians.append(_median(x, c, s, big_r))
    for rnd in range(1, rounds + 1):
        r = _risk_exponents(x, c, s, big_r)
        new_x = list(x)
        for i in range(n):
            confrontations, compromises, capitulations = [], [], []
            for j in range(n):
                if x[j] == x[i]:
                    continue
                eu_ij = _eu_challenge(i, i, j, x, c, s, r, big_r)
                eu_ji = _eu_challenge(i, j, i, x, c, s, r, big_r)
                if eu_ji > eu_ij > 0:
                    confrontations.append((abs(x[i] - x[j]), j, eu_ij, eu_ji, x[j]))
                elif eu_ji > 0 > eu_ij and eu_ji > abs(eu_ij):
                    key = (abs(eu_ij) * x[i] + abs(eu_ji) * x[j]) / (abs(eu_ij) + abs(eu_ji))
                    new = x[i] + (x[j] - x[i]) * abs(eu_ij / eu_ji)
                    compromises.append((key, j, eu_ij, eu_ji, new))
                elif eu_ji > 0 > eu_ij and eu_ji < abs(eu_ji):  # never true: the published test
                    capitulations.append((abs(x[i] - x[j]), j, eu_ij, eu_ji, x[j]))
            chosen, kind = None, ""
            for offers, name in (
                (confrontations, "confrontation"),
                (compromises, "compromise"),
                (capitulations, "capitulation"),
            ):
                if offers:
                    chosen = min(offers, key=lambda o: o[0])  # first on ties, in actor order
                    kind = name
                    break
            if chosen is not None:
                _, j, eu_ij, eu_ji, new = chosen
                new_x[i] = new
                run.moves.append(LoopMove(rnd, i, kind, j, (eu_ij, eu_ji), new))
        x = new_x
        run.positions.append(list(x))
        run.means.append(_mean(x, c, s))
        run.medians.append(_median(x, c, s, big_r))
    return run
