"""Stokman and Van Oosten's exchange model of voting positions, equal-gain variant, iterated.

Actors trade voting positions across pairs of issues: on issues ``p`` and ``q`` two actors on
opposite sides of the outcome on both issues can both gain if one cares relatively more about
``p`` and the other about ``q``. The actor who cares relatively more about ``p`` *demands* ``p``:
the other actor (the supplier of ``p``) shifts its voting position on ``p`` towards it, and in
return it supplies ``q``. Outcomes are the capability x salience weighted mean of the voting
positions (the compromise model), so a supplier's shift ``dx`` moves the outcome by
``c s dx / sum(c s)``. The shifts are set so both gain equally (the equal-gain solution) and so
that neither supplier moves beyond its partner's position and no outcome is pushed beyond the
demander's position. Within a round the exchange with the highest gain is realised first,
then every remaining exchange is recomputed against the new voting positions; a supplier keeps
moving in one direction. At the end of a round each supplier's position for the next round moves
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
from itertools import combinations
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..errors import ModelError
from ..scenario.arrays import ScenarioArrays, as_generator
from .base import Forecast, ModelSettings, Move, register

if TYPE_CHECKING:
    from ..scenario import Scenario

__all__ = ["Exchange", "ExchangeModel", "candidate_exchanges", "exchange_analysis"]

_EPS = 1e-10  # decide's threshold for a zero move or a zero gain


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


@dataclass
class _State:
    x: np.ndarray  # (A, I) positions (preferences) at the round start, 0-100 scale
    y: np.ndarray  # (A, I) voting positions, updated as exchanges are realised
    s: np.ndarray  # (A, I) saliences in the scenario's units, 0 where no stance
    c: np.ndarray  # (A,) capabilities
    d: np.ndarray  # (I,) D_j = sum_k c_k s_kj
    sign: np.ndarray  # (A, I) direction of the moves already made this round (-1, 0, 1)
    moved: np.ndarray  # (A, I) total distance moved this round
    red_low: np.ndarray  # (A, I) lowest voting position an actor's red lines allow (0-100)
    red_high: np.ndarray  # (A, I) highest

    def outcome(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return (self.c[:, None] * self.s * self.y).sum(0) / self.d


def candidate_exchanges(x: np.ndarray, s: np.ndarray, c: np.ndarray) -> Exchange:
    """All exchanges possible at positions ``x`` (A, I): for every pair of issues, every pair of
    actors on opposite sides of the outcome on both (decide's groups A-D and B-C).

    An actor is "left" of the outcome when its position is strictly below it. The actor with the
    larger salience ratio ``s_p / s_q`` demands ``p``.
    """
    n_issues = x.shape[1]
    d = (c[:, None] * s).sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        o = (c[:, None] * s * x).sum(0) / d
    has = (s > 0) & (c[:, None] > 0)
    left = x < o[None, :]
    rows: list[tuple[int, int, int, int]] = []
    for p, q in combinations(range(n_issues), 2):
        if not (d[p] > 0 and d[q] > 0):
            continue
        both = has[:, p] & has[:, q]
        group = np.where(both, left[:, p].astype(int) + 2 * left[:, q].astype(int), -1)
        for ga, gb in ((0, 3), (1, 2)):
            for a in np.flatnonzero(group == ga):
                for b in np.flatnonzero(group == gb):
                    # who demands p: the one who cares relatively more about p
                    if s[a, p] * s[b, q] < s[b, p] * s[a, q]:
                        rows.append((int(b), int(a), p, q))
                    else:
                        rows.append((int(a), int(b), p, q))
    arr = np.array(rows, dtype=int).reshape(-1, 4)
    return Exchange(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3])


def _evaluate(st: _State, e: Exchange) -> dict[str, np.ndarray]:
    """The equal-gain exchange for every candidate, vectorised (decide's ``calculate`` and
    ``check_nbs``)."""
    i, j, p, q = e.i, e.j, e.p, e.q
    s_ip, s_iq, s_jp, s_jq = st.s[i, p], st.s[i, q], st.s[j, p], st.s[j, q]
    c_i, c_j = st.c[i], st.c[j]
    o = st.outcome()
    # j supplies p: moves its voting position towards i's position on p, and vice versa on q
    dist_j = np.abs(st.x[i, p] - st.y[j, p])
    dist_i = np.abs(st.x[j, q] - st.y[i, q])
    sign_j = np.sign(st.x[i, p] - st.y[j, p])
    sign_i = np.sign(st.x[j, q] - st.y[i, q])
    # a supplier never votes beyond its own red line
    room_j = np.where(sign_j > 0, st.red_high[j, p] - st.y[j, p], st.y[j, p] - st.red_low[j, p])
    room_i = np.where(sign_i > 0, st.red_high[i, q] - st.y[i, q], st.y[i, q] - st.red_low[i, q])
    dist_j = np.minimum(dist_j, np.maximum(room_j, 0.0))
    dist_i = np.minimum(dist_i, np.maximum(room_i, 0.0))
    ratio = (s_jp + s_ip) / (s_jq + s_iq)  # dq / dp under equal gain
    # first j moves all the way (decide: by_absolute_move, by_exchange_ratio)
    dp = dist_j * s_jp * c_j / st.d[p]
    dq = dp * ratio
    # if i would then have to move past j's position, i moves all the way instead
    dq_max = dist_i * s_iq * c_i / st.d[q]
    dq = np.minimum(dq, dq_max)
    dp = dq / ratio
    # no outcome may be pushed beyond the demander's position (decide: check_nbs)
    room_p = np.maximum((st.x[i, p] - o[p]) * sign_j, 0.0)
    room_q = np.maximum((st.x[j, q] - o[q]) * sign_i, 0.0)
    dp = np.minimum(dp, room_p)
    dq = np.minimum(dp * ratio, room_q)
    dp = dq / ratio
    move_j = dp * st.d[p] / (c_j * s_jp)
    move_i = dq * st.d[q] / (c_i * s_iq)
    gain = dp * s_ip - dq * s_iq
    gain_j = dq * s_jq - dp * s_jp
    ok_dir_j = (st.sign[j, p] == 0) | (st.sign[j, p] == sign_j)
    ok_dir_i = (st.sign[i, q] == 0) | (st.sign[i, q] == sign_i)
    valid = (
        (gain > _EPS)
        & (move_i > _EPS)
        & (move_j > _EPS)
        & ok_dir_i
        & ok_dir_j
        & (st.moved[j, p] + move_j <= 100 + _EPS)
        & (st.moved[i, q] + move_i <= 100 + _EPS)
    )
    return {
        "dp": dp,
        "dq": dq,
        "move_i": sign_i * move_i,
        "move_j": sign_j * move_j,
        "gain": gain,
        "gain_j": gain_j,
        "valid": valid,
    }


def exchange_analysis(scenario: Scenario, *, red_lines: bool = True) -> list[dict[str, Any]]:
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
    st, lo, width = _initial_state(scenario.to_arrays(), scenario.salience_max, red_lines)
    e = candidate_exchanges(st.x, st.s, st.c)
    ev = _evaluate(st, e)
    o = st.outcome()
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
                "equal_gain": float(ev["gain"][k]),
                "moves": {
                    ids[j]: (
                        on_scale(st.y[j, p], p),
                        on_scale(st.y[j, p] + ev["move_j"][k], p),
                    ),
                    ids[i]: (
                        on_scale(st.y[i, q], q),
                        on_scale(st.y[i, q] + ev["move_i"][k], q),
                    ),
                },
                "valid": bool(ev["valid"][k]),
            }
        )
    return out


def _initial_state(
    a: ScenarioArrays, salience_max: float, red_lines: bool = True
) -> tuple[_State, np.ndarray, np.ndarray]:
    """Positions on 0-100 and saliences in the scenario's own units (as decide reads them)."""
    lo, width = a.scale_low, a.scale_high - a.scale_low
    x = 100.0 * (a.positions - lo) / width
    s = np.where(a.has_stance, a.saliences, 0.0) * salience_max
    c = np.asarray(a.capabilities, dtype=float)
    d = (c[:, None] * s).sum(0)
    st = _State(
        x=x,
        y=x.copy(),
        s=s,
        c=c,
        d=d,
        sign=np.zeros_like(x),
        moved=np.zeros_like(x),
        red_low=100.0 * (a.red_low - lo) / width if red_lines else np.zeros_like(x),
        red_high=100.0 * (a.red_high - lo) / width if red_lines else np.full_like(x, 100.0),
    )
    return st, lo, width


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
    """

    name: ClassVar[str] = "exchange"
    description: ClassVar[str] = (
        "Stokman & Van Oosten equal-gain exchange of voting positions, iterated"
    )

    rounds: int = 10
    salience_weight: float = 0.4
    fixed_weight: float = 0.1
    red_lines: bool = True

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

    def forecast(
        self, scenario: Scenario, *, seed: int | np.random.Generator | None = None
    ) -> Forecast:
        rng = as_generator(seed)
        a = scenario.to_arrays()
        st, lo, width = _initial_state(a, scenario.salience_max, self.red_lines)
        s01 = np.where(a.has_stance, a.saliences, 0.0)
        ids, issues = a.actor_ids, a.issue_ids

        def on_scale(v: np.ndarray | float, jj: Any = slice(None)) -> Any:
            return lo[jj] + np.asarray(v) * width[jj] / 100

        trace = [on_scale(st.x)]
        outcomes = [st.outcome()]
        moves: list[Move] = []
        realised: list[dict[str, Any]] = []
        n_ties = 0
        converged = False
        for r in range(1, self.rounds + 1):
            st.y = st.x.copy()
            st.sign[:] = 0
            st.moved[:] = 0
            e = candidate_exchanges(st.x, st.s, st.c)
            done_any = False
            while len(e):
                ev = _evaluate(st, e)
                valid = np.flatnonzero(ev["valid"])
                if valid.size == 0:
                    break
                g = ev["gain"][valid]
                top = valid[g >= g.max() * (1 - 1e-12)]
                if top.size > 1:
                    n_ties += 1
                    # canonical order by numbers only, so actor order and names do not matter
                    key = np.lexsort(
                        (
                            ev["move_j"][top],
                            ev["move_i"][top],
                            st.y[e.i[top], e.q[top]],
                            st.y[e.j[top], e.p[top]],
                        )
                    )
                    k = int(top[key][rng.integers(top.size)])
                else:
                    k = int(top[0])
                i, j, p, q = int(e.i[k]), int(e.j[k]), int(e.p[k]), int(e.q[k])
                o0 = st.outcome()
                old_j, old_i = st.y[j, p], st.y[i, q]
                st.y[j, p] += ev["move_j"][k]
                st.y[i, q] += ev["move_i"][k]
                st.sign[j, p] = np.sign(ev["move_j"][k])
                st.sign[i, q] = np.sign(ev["move_i"][k])
                st.moved[j, p] += abs(ev["move_j"][k])
                st.moved[i, q] += abs(ev["move_i"][k])
                o1 = st.outcome()
                gain = float(ev["gain"][k])
                realised.append(
                    {
                        "round": r,
                        "demander": {issues[p]: ids[i], issues[q]: ids[j]},
                        "gain": gain,
                        "outcome_shift": {
                            issues[p]: float(ev["dp"][k] * width[p] / 100),
                            issues[q]: float(ev["dq"][k] * width[q] / 100),
                        },
                    }
                )
                for sup, dem, iss, oth, old, new in (
                    (j, i, p, q, old_j, st.y[j, p]),
                    (i, j, q, p, old_i, st.y[i, q]),
                ):
                    o_old, o_new = on_scale(o0[iss], iss), on_scale(o1[iss], iss)
                    moves.append(
                        Move(
                            round=r,
                            actor=ids[sup],
                            issue=issues[iss],
                            kind="supply",
                            old=float(on_scale(old, iss)),
                            new=float(on_scale(new, iss)),
                            counterpart=ids[dem],
                            explanation=(
                                f"{ids[sup]} supplies {issues[iss]} to {ids[dem]} in exchange for "
                                f"{issues[oth]}: moves {on_scale(old, iss):.4g} → "
                                f"{on_scale(new, iss):.4g} (outcome {o_old:.4g} → {o_new:.4g}); "
                                f"equal gain {gain:.4g} each"
                            ),
                            data={"gain": gain},
                        )
                    )
                e = e.take(np.arange(len(e)) != k)
                done_any = True
            if not done_any:
                converged = True
                break
            trace.append(on_scale(st.y))
            outcomes.append(st.outcome())
            # next round's positions: part of the way from the start to the voting position
            w = (1 - s01) * self.salience_weight + self.fixed_weight
            st.x = np.where(st.moved > 0, st.x + w * (st.y - st.x), st.x)
        positions = np.stack(trace)
        # actors without a stance keep the scenario's placeholder (the status quo)
        positions = np.where(a.has_stance[None], positions, a.positions[None])
        o_last = outcomes[-1]
        from ._spatial import weighted_mean

        fallback_out, fb = weighted_mean(
            a.positions, a.capabilities[:, None] * s01, a.has_stance, a.status_quo
        )
        outcome = np.where(st.d > 0, on_scale(o_last), fallback_out)
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
        del fb
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
                    dict(zip(issues, on_scale(o).tolist(), strict=True)) for o in outcomes
                ],
                "exchanges": realised,
                "converged": converged,
            },
            seed=seed if isinstance(seed, int) else None,
        )
