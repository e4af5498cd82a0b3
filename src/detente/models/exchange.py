"""Stokman and Van Oosten's exchange model of voting positions, equal-gain variant, iterated.

Actors trade voting positions across pairs of issues: on issues ``p`` and ``q`` two actors on
opposite sides of the outcome on both issues can both gain if one cares relatively more about
``p`` and the other about ``q``. The actor who cares relatively more about ``p`` *demands* ``p``:
the other actor (the supplier of ``p``) shifts its voting position on ``p`` towards it, and in
return it supplies ``q``. Outcomes are the capability x salience weighted mean of the voting
positions (the compromise model), so a supplier's shift ``dx`` moves the outcome by
``c s dx / sum(c s)``. The shifts are set so both gain equally (the equal-gain solution) and so
that neither supplier moves beyond its partner's position and no outcome is pushed beyond the
demander's position. Within a round the exchange with the highest gain is realised first;
then the exchanges it touches (same supplier and supply issue, or same demander and demand
issue) are recomputed and those no longer valid dropped, the others keep their gains; a supplier
keeps moving in one direction. The compiled round is in :mod:`._exchange_kernel`, a plain Python
reference of the same procedure in :mod:`._exchange_reference`. At the end of a round each supplier's position for the next round moves
from its start towards its voting position by ``(1 - s) 0.4 + 0.1`` (low-salience positions are
given up more readily). Rounds repeat until no exchange is profitable or ``rounds`` is reached.

Symbols (as in ``decide/model/calculations.py`` of decide-exchange-model): ``x`` positions on a
0-100 scale, ``s`` saliences, ``c`` capability ("power"), ``D_j = sum_k c_k s_kj``, outcome
``O_j = sum_k c_k s_kj x_kj / D_j``; the outcome shift (exchange ratio) of a move ``dx`` by k is
``c_k s_kj dx / D_j``; an actor's gain from shifts ``dp`` (demanded) and ``dq`` (supplied) is
``dp s_p - dq s_q``; equal gain gives ``dq = dp (s_ip + s_jp) / (s_iq + s_jq)``.

References
----------
Stokman, F. N., & Van Oosten, R. (1994). The exchange of voting positions: an object-oriented
model of policy networks. In B. Bueno de Mesquita & F. N. Stokman (eds), *European Community
Decision Making*, Yale UP, 105-127.
Dijkstra, J., Van Assen, M. A. L. M., & Stokman, F. N. (2008). Outcomes of collective decisions
with externalities predicted. *Journal of Theoretical Politics* 20(4), 415-441.
doi:10.1177/0951629808093774
decide-exchange-model, J. Dijkstra & J. Bakker, https://github.com/foarsitter/decide-exchange-model
(``decide/model/equalgain.py``, ``base.py``, ``calculations.py``, ``helpers/helpers.py``): the
reference implementation whose algorithm is followed here, re-expressed over arrays.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..errors import ModelError
from ..scenario.arrays import ScenarioArrays, as_generator
from .base import Forecast, ModelSettings, Move, register

if TYPE_CHECKING:
    from ..scenario import Scenario

__all__ = ["Exchange", "ExchangeModel", "candidate_exchanges", "exchange_analysis"]


@dataclass(frozen=True)
class Exchange:
    """Candidate exchanges as parallel arrays (one entry per exchange).

    ``i`` demands issue ``p`` and supplies ``q``; ``j`` demands ``q`` and supplies ``p``.
    """

    i: np.ndarray
    j: np.ndarray
    p: np.ndarray
    q: np.ndarray

    def __len__(self) -> int:
        return int(self.i.size)

    def take(self, keep: np.ndarray) -> Exchange:
        return Exchange(self.i[keep], self.j[keep], self.p[keep], self.q[keep])


PROCEDURES = ("published", "strict", "global")  # in the order of the kernel's modes


def _as_float(a: Any) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64)


def candidate_exchanges(x: np.ndarray, s: np.ndarray, c: np.ndarray) -> Exchange:
    """All exchanges possible at positions ``x`` (A, I): for every pair of issues, every pair of
    actors on opposite sides of the outcome on both (decide's groups A-D and B-C).

    An actor is "left" of the outcome when its position is at or below it (as in
    decide-exchange-model). The actor with the larger salience ratio ``s_p / s_q`` demands ``p``.
    """
    from . import _exchange_kernel as kernel

    arr = kernel.candidates(_as_float(x), _as_float(s), _as_float(c))
    return Exchange(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3])


def exchange_analysis(
    scenario: Scenario, *, red_lines: bool = True, procedure: str = "published"
) -> list[dict[str, Any]]:
    """The round-1 candidate exchanges of a scenario with every quantity of the model.

    For each exchange: who demands and who supplies which issue; the starting outcomes; the
    outcomes if each supplier moved all the way to its partner (``shifted_outcome``); the
    resulting losses and gains (outcome shift x salience x capability, as decide's tests compute
    them); each actor's maximal gain (the best it can get while its partner does not lose); the
    equal-gain solution and its moves. Positions and outcomes are on the issues' own scales;
    gains in the scenario's salience units times points on a 0-100 scale.

    Examples
    --------
    Stokman & Van Oosten's two-actor example: the outcome on issue 1 starts at
    (0*10 + 100*60)/70 = 85 5/7; Actor-1 moving to 100 shifts it by 100*10/70, which costs
    Actor-1 10 * 100/7 = 1000/7 and gives Actor-2 60 * 100/7 = 6000/7.

    >>> from detente.testing import make_scenario
    >>> s = make_scenario(
    ...     {"Actor-1": {"capability": 1, "stances": {"i1": (0, 10), "i2": (0, 90)}},
    ...      "Actor-2": {"capability": 1, "stances": {"i1": (100, 60), "i2": (100, 50)}}},
    ...     ["i1", "i2"], salience_max=100)
    >>> (ex,) = exchange_analysis(s)
    >>> ex["supplier"]["i1"], round(ex["loss"]["Actor-1"] * 7, 9), round(ex["gain"]["Actor-2"] * 7, 9)
    ('Actor-1', 1000.0, 6000.0)
    >>> round(ex["max_gain"]["Actor-1"], 9), round(ex["max_gain"]["Actor-2"], 4)
    (1400.0, 777.7778)
    """
    from . import _exchange_kernel as kernel

    st = _start(scenario.to_arrays(), scenario.salience_max, red_lines)
    lo, width = st.scale_low, st.width
    e = candidate_exchanges(st.x, st.s, st.c)
    cand = np.ascontiguousarray(np.stack([e.i, e.j, e.p, e.q], 1), dtype=np.int64)
    mode = PROCEDURES.index(procedure)
    table = kernel.score_all(st.x, st.s, st.c, st.low, st.high, cand, mode)
    with np.errstate(invalid="ignore", divide="ignore"):
        o = (st.c[:, None] * st.s * st.x).sum(0) / st.d
    ids, issues = scenario.actor_ids, scenario.issue_ids
    out = []
    for k in range(len(e)):
        i, j, p, q = int(e.i[k]), int(e.j[k]), int(e.p[k]), int(e.q[k])
        s_ip, s_iq, s_jp, s_jq = st.s[i, p], st.s[i, q], st.s[j, p], st.s[j, q]
        # outcome if each supplier moved all the way to its partner's position
        full_p = o[p] + st.c[j] * s_jp * (st.x[i, p] - st.x[j, p]) / st.d[p]
        full_q = o[q] + st.c[i] * s_iq * (st.x[j, q] - st.x[i, q]) / st.d[q]
        delta_p, delta_q = abs(full_p - o[p]), abs(full_q - o[q])
        # maximal gains: linear programme over shifts 0 <= dp <= delta_p, 0 <= dq <= delta_q
        dp_star = min(delta_p, delta_q * s_jq / s_jp)
        max_i = dp_star * (s_ip - s_iq * s_jp / s_jq)
        dq_star = min(delta_q, delta_p * s_ip / s_iq)
        max_j = dq_star * (s_jq - s_jp * s_iq / s_ip)

        def on_scale(v: float, jj: int) -> float:
            return float(lo[jj] + v * width[jj] / 100)

        out.append(
            {
                "demander": {issues[p]: ids[i], issues[q]: ids[j]},
                "supplier": {issues[p]: ids[j], issues[q]: ids[i]},
                "start_outcome": {issues[p]: on_scale(o[p], p), issues[q]: on_scale(o[q], q)},
                "shifted_outcome": {
                    issues[p]: on_scale(full_p, p),
                    issues[q]: on_scale(full_q, q),
                },
                "loss": {
                    ids[j]: float(delta_p * s_jp * st.c[j]),
                    ids[i]: float(delta_q * s_iq * st.c[i]),
                },
                "gain": {
                    ids[i]: float(delta_p * s_ip * st.c[i]),
                    ids[j]: float(delta_q * s_jq * st.c[j]),
                },
                "max_gain": {ids[i]: float(max_i), ids[j]: float(max_j)},
                "equal_gain": float(table[k, kernel.G]),
                "moves": {
                    ids[j]: (
                        on_scale(st.x[j, p], p),
                        on_scale(st.x[j, p] + table[k, kernel.MJ], p),
                    ),
                    ids[i]: (
                        on_scale(st.x[i, q], q),
                        on_scale(st.x[i, q] + table[k, kernel.MI], q),
                    ),
                },
                "valid": bool(table[k, kernel.OK] > 0),
            }
        )
    return out


@dataclass
class _Start:
    x: np.ndarray  # (A, I) positions on 0-100
    s: np.ndarray  # (A, I) saliences in the scenario's units, 0 where no stance
    s01: np.ndarray  # (A, I) saliences in [0, 1]
    c: np.ndarray  # (A,) capabilities
    d: np.ndarray  # (I,) D_j = sum_k c_k s_kj
    low: np.ndarray  # (A, I) lowest voting position a supplier may take (0, or its red line)
    high: np.ndarray  # (A, I) highest
    scale_low: np.ndarray  # (I,) issue scale
    width: np.ndarray  # (I,)


def _start(a: ScenarioArrays, salience_max: float, red_lines: bool = True) -> _Start:
    """Positions on 0-100 and saliences in the scenario's own units (as decide reads them)."""
    lo, width = a.scale_low, a.scale_high - a.scale_low
    x = _as_float(100.0 * (a.positions - lo) / width)
    s01 = np.where(a.has_stance, a.saliences, 0.0)
    s = _as_float(s01 * salience_max)
    c = _as_float(a.capabilities)
    return _Start(
        x=x,
        s=s,
        s01=s01,
        c=c,
        d=(c[:, None] * s).sum(0),
        low=_as_float(100.0 * (a.red_low - lo) / width if red_lines else np.zeros_like(x)),
        high=_as_float(100.0 * (a.red_high - lo) / width if red_lines else np.full_like(x, 100.0)),
        scale_low=lo,
        width=width,
    )


@register
@dataclass(frozen=True, kw_only=True)
class ExchangeModel(ModelSettings):
    """Equal-gain exchange of voting positions across issue pairs, iterated over rounds.

    Parameters
    ----------
    rounds : int
        Maximum number of rounds (decide's default: 10).
    salience_weight, fixed_weight : float
        Weights of the start-position update after a round, ``x' = x + ((1 - s) a + b)(y - x)``
        with ``a = salience_weight`` (0.4) and ``b = fixed_weight`` (0.1), ``s`` in [0, 1].
    red_lines : bool
        If True (default; a departure from the paper, which has no red lines) a supplier never
        moves its voting position beyond its own red line. False gives the published model.
    procedure : {"published", "strict", "global"}
        Which exchanges are re-scored after a trade, and against which outcome.
        ``"published"`` (default): Stokman & Van Oosten's procedure as its reference
        implementation, decide-exchange-model, computes it: only the exchanges that share a
        supplier and its supply issue, or a demander and its demand issue, with the trade are
        re-scored, each against the outcome moved by its own suppliers and by those who
        already supplied its demanders; others keep their gains. ``"strict"``: the same,
        without two rules of that implementation (a shift is not capped once the outcome an
        exchange sees is at or past its demander; an exchange is dropped when the moves it
        computed, superseded ones included, sum to more than 100). ``"global"``: every
        remaining exchange re-scored against all voting positions realised so far (detente
        0.1). See ``docs/models/exchange.md``.
    """

    name: ClassVar[str] = "exchange"
    description: ClassVar[str] = (
        "Stokman & Van Oosten equal-gain exchange of voting positions, iterated"
    )

    rounds: int = 10
    salience_weight: float = 0.4
    fixed_weight: float = 0.1
    red_lines: bool = True
    procedure: str = "published"

    def __post_init__(self) -> None:
        if not (isinstance(self.rounds, int) and self.rounds >= 1):
            raise ModelError(
                f"The 'rounds' parameter of exchange must be an integer >= 1. Got {self.rounds!r} instead."
            )
        for nm in ("salience_weight", "fixed_weight"):
            v = getattr(self, nm)
            if not (isinstance(v, int | float) and 0 <= v <= 1):
                raise ModelError(
                    f"The '{nm}' parameter of exchange must be in [0, 1]. Got {v!r} instead."
                )
        if self.salience_weight + self.fixed_weight > 1:
            raise ModelError(
                "The 'salience_weight' and 'fixed_weight' parameters of exchange must sum to at "
                f"most 1. Got {self.salience_weight + self.fixed_weight!r} instead."
            )
        if self.procedure not in PROCEDURES:
            raise ModelError(
                "The 'procedure' parameter of exchange must be one of "
                f"{', '.join(map(repr, PROCEDURES))}. Got {self.procedure!r} instead."
            )

    def forecast(
        self, scenario: Scenario, *, seed: int | np.random.Generator | None = None
    ) -> Forecast:
        rng = as_generator(seed)
        a = scenario.to_arrays()
        st = _start(a, scenario.salience_max, self.red_lines)
        lo, width = st.scale_low, st.width
        ids, issues = a.actor_ids, a.issue_ids
        runs, converged = play(st, rng, self)
        trace = [st.x]
        outcomes = [outcome_of(st, st.x)]
        moves: list[Move] = []
        realised: list[dict[str, Any]] = []
        for r, run in enumerate(runs, 1):
            _record(r, run, lo, width, ids, issues, moves, realised)
            trace.append(run.y)
            outcomes.append(outcome_of(st, run.y))
        n_ties = sum(run.n_ties for run in runs)
        positions = lo + np.stack(trace) * width / 100
        # actors without a stance keep the scenario's placeholder (the status quo)
        positions = np.where(a.has_stance[None], positions, a.positions[None])
        from ._spatial import weighted_mean

        fallback_out, _ = weighted_mean(
            a.positions, a.capabilities[:, None] * st.s01, a.has_stance, a.status_quo
        )
        outcome = np.where(st.d > 0, lo + outcomes[-1] * width / 100, fallback_out)
        notes = []
        n_played = positions.shape[0] - 1
        if converged:
            notes.append(
                f"No profitable exchange left after {n_played} round(s); the model has converged."
            )
        else:
            notes.append(f"Stopped after the maximum of {self.rounds} rounds.")
        notes.append(
            "Positions per round are voting positions after that round's exchanges; the next "
            "round starts from positions moved part of the way towards them."
        )
        if n_ties:
            notes.append(
                f"{n_ties} tie(s) between equally profitable exchanges broken by the seed."
            )
        for jj in np.flatnonzero(st.d <= 0):
            notes.append(f"{issues[jj]}: no actor weighs in; the outcome is not from exchanges.")
        return Forecast(
            model=self.name,
            params=asdict(self),
            scenario_id=scenario.id,
            actor_ids=ids,
            issue_ids=issues,
            positions=positions,
            outcome=np.asarray(outcome, dtype=float),
            moves=tuple(moves),
            notes=tuple(notes),
            extra={
                "round_outcomes": [
                    dict(zip(issues, (lo + o * width / 100).tolist(), strict=True))
                    for o in outcomes
                ],
                "exchanges": realised,
                "converged": converged,
            },
            seed=seed if isinstance(seed, int) else None,
        )


@dataclass(frozen=True)
class _Round:
    trades: np.ndarray  # (K, 4) realised candidates (i, j, p, q) in order
    table: np.ndarray  # (K, 6) their scores (kernel columns G, DP, DQ, MI, MJ, OK)
    shifts: np.ndarray  # (K, 4) outcome on p before and after, on q before and after
    x: np.ndarray  # (A, I) start positions of the round
    y: np.ndarray  # (A, I) voting positions after it
    n_ties: int


def play(st: _Start, rng: np.random.Generator, model: ExchangeModel) -> tuple[list[_Round], bool]:
    """The rounds of the model on 0-100 positions: the realised exchanges of each round that
    made one, and whether the last round found none (converged)."""
    from . import _exchange_kernel as kernel

    mode = PROCEDURES.index(model.procedure)
    weight = (1 - st.s01) * model.salience_weight + model.fixed_weight
    x = st.x
    runs: list[_Round] = []
    for _ in range(model.rounds):
        cand = kernel.candidates(x, st.s, st.c)
        draws = rng.random(cand.shape[0])
        done, table, shifts, y, ties = kernel.play_round(
            x, st.s, st.c, st.low, st.high, cand, draws, mode
        )
        if done.size == 0:
            return runs, True
        runs.append(_Round(cand[done], table, shifts, x, y, int(ties)))
        # next round's positions: part of the way from the start to the voting position
        x = _as_float(x + weight * (y - x))
    return runs, False


def outcome_of(st: _Start, y: np.ndarray) -> np.ndarray:
    """Outcome on 0-100 at voting positions ``y`` (the compromise of the voting positions)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return (st.c[:, None] * st.s * y).sum(0) / st.d


def _record(
    r: int,
    run: _Round,
    lo: np.ndarray,
    width: np.ndarray,
    ids: tuple[str, ...] | list[str],
    issues: tuple[str, ...] | list[str],
    moves: list[Move],
    realised: list[dict[str, Any]],
) -> None:
    """Append a round's realised exchanges and their two moves each, on the issues' scales."""
    from . import _exchange_kernel as kernel

    # plain Python floats: numpy scalars would make this loop the slowest part of a forecast
    scale, low = (width / 100).tolist(), lo.tolist()
    cur = run.x.tolist()
    rows, outs = run.table.tolist(), run.shifts.tolist()
    for (i, j, p, q), row, out in zip(run.trades.tolist(), rows, outs, strict=True):
        gain = row[kernel.G]
        each = f"equal gain {gain:.4g} each"
        realised.append(
            {
                "round": r,
                "demander": {issues[p]: ids[i], issues[q]: ids[j]},
                "gain": gain,
                "outcome_shift": {
                    issues[p]: row[kernel.DP] * scale[p],
                    issues[q]: row[kernel.DQ] * scale[q],
                },
            }
        )
        for sup, dem, iss, oth, move, o0, o1 in (
            (j, i, p, q, row[kernel.MJ], out[0], out[1]),
            (i, j, q, p, row[kernel.MI], out[2], out[3]),
        ):
            old = low[iss] + cur[sup][iss] * scale[iss]
            cur[sup][iss] += move
            new = low[iss] + cur[sup][iss] * scale[iss]
            o_old, o_new = low[iss] + o0 * scale[iss], low[iss] + o1 * scale[iss]
            moves.append(
                Move(
                    round=r,
                    actor=ids[sup],
                    issue=issues[iss],
                    kind="supply",
                    old=old,
                    new=new,
                    counterpart=ids[dem],
                    explanation=(
                        f"{ids[sup]} supplies {issues[iss]} to {ids[dem]} in exchange for "
                        f"{issues[oth]}: moves {old:.4g} → {new:.4g} "
                        f"(outcome {o_old:.4g} → {o_new:.4g}); {each}"
                    ),
                    data={"gain": gain},
                )
            )
