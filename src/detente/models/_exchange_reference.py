"""The equal-gain exchange procedure as a plain Python loop: the reference for tests and speed.

Written from the procedure of Stokman & Van Oosten (1994) as the model's page
(``docs/models/exchange.md``) states it, one candidate and one actor at a time, with no
arrays and no compiled code: the yardstick the compiled round
(:mod:`detente.models._exchange_kernel`) is checked and timed against. Each step is the
textbook one:

1. Outcome ``O_j = sum_k c_k s_kj x_kj / D_j``; an actor is *left* on ``j`` when ``x_kj <= O_j``.
2. For each pair of issues ``p < q``, actors left on both trade with actors right on both, and
   left-on-p-right-on-q with right-on-p-left-on-q; the one with the larger ``s_p / s_q``
   demands ``p``.
3. Score every candidate (equal gain, moves capped so neither supplier passes its partner
   and no outcome passes the demander, as seen by that exchange).
4. Realise the highest gain (ties broken by a draw), then re-score every remaining candidate
   that shares a supplier and supply issue, or a demander and demand issue, with it; drop
   those no longer valid. Repeat until none is valid.
5. Next round's start: ``x' = x + ((1 - s) a + b)(y - x)``.

The floating-point operations are in the same order as in the compiled round, so for the
same draws both give the same exchanges.
"""

from __future__ import annotations

import sys
from typing import Any

EPS = 1e-10
TIE = 1e-12
ROOM_TOL = 1e-9

#: The smallest normal float (see the kernel's candidates).
_TINY = sys.float_info.min


def _sign(v: float) -> float:
    return 1.0 if v > 0 else (-1.0 if v < 0 else 0.0)


def reference_round(
    x: list[list[float]],
    s: list[list[float]],
    c: list[float],
    lo: list[list[float]],
    hi: list[list[float]],
    rng: Any,
    procedure: str = "published",
) -> dict[str, Any]:
    """One round of exchanges. Positions ``x`` (A x I lists, 0-100), saliences ``s``,
    capabilities ``c``, bounds ``lo``/``hi`` per actor and issue; ``rng`` a NumPy Generator
    giving one uniform per candidate to break ties (as the compiled model draws them).

    ``procedure``: ``"published"`` (as decide-exchange-model computes it: no cap once the
    outcome an exchange sees is at or past its demander; the moves an exchange itself computed,
    superseded ones included, may not sum to more than 100); ``"strict"`` (no room past the
    demander; only realised moves count); ``"global"`` (every remaining candidate re-scored
    against all voting positions after each trade, the cap as ``"strict"``).
    """
    everyone = procedure == "global"
    decide = procedure == "published"
    n_actors, n_issues = len(x), len(x[0])
    d = [0.0] * n_issues
    num = [0.0] * n_issues
    for k in range(n_actors):
        for jj in range(n_issues):
            d[jj] += c[k] * s[k][jj]
            num[jj] += c[k] * s[k][jj] * x[k][jj]
    o = [num[jj] / d[jj] if d[jj] else float("nan") for jj in range(n_issues)]
    num0 = num[:]  # start sums; num follows the voting positions

    # step 2: candidates (i demands p and supplies q; j demands q and supplies p)
    cands: list[tuple[int, int, int, int]] = []
    for p in range(n_issues):
        for q in range(p + 1, n_issues):
            if not (d[p] > 0 and d[q] > 0):
                continue
            group = {}
            for k in range(n_actors):
                # a weight share c s / D that is not a normal float has no say (as the kernel)
                if c[k] * s[k][p] / d[p] >= _TINY and c[k] * s[k][q] / d[q] >= _TINY:
                    group[k] = int(x[k][p] <= o[p]) + 2 * int(x[k][q] <= o[q])
            for ga, gb in ((0, 3), (1, 2)):
                for a in range(n_actors):
                    if group.get(a) != ga:
                        continue
                    for b in range(n_actors):
                        if group.get(b) != gb:
                            continue
                        if s[a][p] * s[b][q] < s[b][p] * s[a][q]:
                            cands.append((b, a, p, q))
                        else:
                            cands.append((a, b, p, q))

    draws = [float(u) for u in rng.random(len(cands))]
    # constants of the round: c s; 1 / D; per candidate the equal-gain ratio dq/dp, the
    # outcome shift per point j moves on p and per point i moves on q, and their inverses
    cs = [[c[k] * s[k][jj] for jj in range(n_issues)] for k in range(n_actors)]
    inv_d = [1.0 / d[jj] if d[jj] > 0 else 0.0 for jj in range(n_issues)]
    consts = {}
    for i, j, p, q in cands:
        ratio = (s[j][p] + s[i][p]) / (s[j][q] + s[i][q])
        k_j = cs[j][p] / d[p]
        k_i = cs[i][q] / d[q]
        consts[(i, j, p, q)] = (ratio, 1.0 / ratio, k_j, 1.0 / k_j, k_i, 1.0 / k_i)
    y = [row[:] for row in x]
    # positions recorded for the actors who supplied an issue to a demander this round, and
    # sum_m c_m s_m z_m over them (z_m the recorded position, else the start position)
    received: dict[tuple[int, int], dict[int, float]] = {}
    sums: dict[tuple[int, int], float] = {}

    def view(demander: int, supplier: int, issue: int) -> float:
        """The outcome this exchange sees: everyone's voting positions (``"global"``), or the
        start positions but for the supplier's voting position and the positions recorded for
        those who supplied ``issue`` to ``demander``."""
        if everyone:
            return num[issue] * inv_d[issue]
        rec = received.get((demander, issue), {})
        z = rec.get(supplier, x[supplier][issue])
        total = sums.get((demander, issue), num0[issue])
        return (total + cs[supplier][issue] * (y[supplier][issue] - z)) * inv_d[issue]

    def record(demander: int, supplier: int, issue: int) -> None:
        rec = received.setdefault((demander, issue), {})
        old = rec.get(supplier, x[supplier][issue])
        new = y[supplier][issue]
        total = sums.get((demander, issue), num0[issue])
        sums[(demander, issue)] = total + cs[supplier][issue] * (new - old)
        rec[supplier] = new

    def score(cand: tuple[int, int, int, int]) -> dict[str, Any]:
        i, j, p, q = cand
        s_ip, s_iq = s[i][p], s[i][q]
        dir_j = _sign(x[i][p] - y[j][p])
        dir_i = _sign(x[j][q] - y[i][q])
        dist_j = abs(x[i][p] - y[j][p])
        dist_i = abs(x[j][q] - y[i][q])
        room_j = hi[j][p] - y[j][p] if dir_j > 0 else y[j][p] - lo[j][p]
        room_i = hi[i][q] - y[i][q] if dir_i > 0 else y[i][q] - lo[i][q]
        dist_j = min(dist_j, max(room_j, 0.0))
        dist_i = min(dist_i, max(room_i, 0.0))
        ratio, iratio, k_j, ik_j, k_i, ik_i = consts[cand]
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
        room_p = (x[i][p] - view(i, j, p)) * dir_j
        room_q = (x[j][q] - view(j, i, q)) * dir_i
        # decide caps a shift only when it carries the outcome across the demander, not when
        # the outcome is already past it (by more than rounding)
        room_p = float("inf") if decide and room_p < -ROOM_TOL else max(room_p, 0.0)
        room_q = float("inf") if decide and room_q < -ROOM_TOL else max(room_q, 0.0)
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
        ok = (
            gain > EPS
            and move_i > EPS
            and move_j > EPS
            and move_i <= 100.0 + EPS
            and move_j <= 100.0 + EPS
            and dir_i == _sign(x[j][q] - x[i][q])
            and dir_j == _sign(x[i][p] - x[j][p])
        )
        return {
            "gain": gain,
            "dp": dp,
            "dq": dq,
            "mi": dir_i * move_i,
            "mj": dir_j * move_j,
            "ok": ok,
        }

    def key(cand: tuple[int, int, int, int]) -> tuple[float, ...]:
        i, j, p, q = cand
        return (y[j][p], y[i][q], x[i][p], x[j][q], x[j][p], x[i][q])

    scored = {k: score(cand) for k, cand in enumerate(cands)}
    if not everyone:
        scored = {k: v for k, v in scored.items() if v["ok"]}
    # decide's per-exchange move history: (superseded entries, last entry) for sides i and j
    history = {k: [[0.0, v["mi"]], [0.0, v["mj"]]] for k, v in scored.items()}
    realised: list[dict[str, Any]] = []
    n_ties = 0
    while True:
        valid = [k for k, v in scored.items() if v["ok"]]
        if not valid:
            break
        best = max(scored[k]["gain"] for k in valid)
        tied = [k for k in valid if scored[k]["gain"] >= best * (1 - TIE)]
        tied.sort(key=lambda k: key(cands[k]))  # stable: candidate order among equal keys
        if len(tied) > 1:
            n_ties += 1
            pick = tied[min(int(draws[len(realised)] * len(tied)), len(tied) - 1)]
        else:
            pick = tied[0]
        i, j, p, q = cands[pick]
        v = scored.pop(pick)
        y[j][p] += v["mj"]
        y[i][q] += v["mi"]
        num[p] += cs[j][p] * v["mj"]
        num[q] += cs[i][q] * v["mi"]
        record(i, j, p)
        record(j, i, q)
        realised.append({"cand": cands[pick], **v})
        for k in list(scored):
            i2, j2, p2, q2 = cands[k]
            touched = everyone or (
                (j2, p2) in ((j, p), (i, q))
                or (i2, q2) in ((j, p), (i, q))
                or (i2, p2) in ((i, p), (j, q))
                or (j2, q2) in ((i, p), (j, q))
            )
            if touched:
                scored[k] = score(cands[k])
                if decide:
                    for side, pair, move in ((0, (i2, q2), "mi"), (1, (j2, p2), "mj")):
                        h = history[k][side]
                        if pair in ((j, p), (i, q)):  # this side's supplier has just moved
                            h[0] += h[1]
                        h[1] = scored[k][move]
                        if h[0] + h[1] > 100.0:
                            scored[k]["ok"] = False
                if not everyone and not scored[k]["ok"]:
                    del scored[k]
    return {"candidates": cands, "realised": realised, "y": y, "n_ties": n_ties}


def reference_rounds(
    x: list[list[float]],
    s: list[list[float]],
    s01: list[list[float]],
    c: list[float],
    lo: list[list[float]],
    hi: list[list[float]],
    rng: Any,
    rounds: int = 10,
    salience_weight: float = 0.4,
    fixed_weight: float = 0.1,
    procedure: str = "published",
) -> list[dict[str, Any]]:
    """Rounds until none realises an exchange or ``rounds`` is reached. ``rng`` is a NumPy
    Generator; each round draws one uniform per candidate (as the compiled model does)."""
    out = []
    x = [row[:] for row in x]
    for _ in range(rounds):
        r = reference_round(x, s, c, lo, hi, rng, procedure)
        out.append(r)
        if not r["realised"]:
            break
        y = r["y"]
        for k in range(len(x)):
            for jj in range(len(x[0])):
                w = (1 - s01[k][jj]) * salience_weight + fixed_weight
                x[k][jj] = x[k][jj] + w * (y[k][jj] - x[k][jj])
    return out
