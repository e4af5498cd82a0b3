"""Frozen copy of the dynamics simulation before issue 11 (git 9f02f42), for bench_dynamics.py.

It plays the old rules (Poisson counts, the bargaining-set LP for every snapshot) and is timed
against the current simulate() in the same run. Not part of the package; do not import it
elsewhere.
"""

# ruff: noqa
# mypy: ignore-errors
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np


@dataclass(frozen=True)
class ParameterDefault:
    value: float
    low: float
    high: float
    kind: Literal["calibrated", "judgement"]
    why: str
    label: str


def _j(value: float, low: float, high: float, label: str, why: str) -> ParameterDefault:
    return ParameterDefault(value, low, high, "judgement", why, label)


def _c(value: float, low: float, high: float, label: str, why: str) -> ParameterDefault:
    return ParameterDefault(value, low, high, "calibrated", why, label)


DEFAULTS: dict[str, ParameterDefault] = {
    "logit_noise": _j(
        1.0,
        0.7,
        1.5,
        "Logit choice noise (temperature)",
        "the utilities' unit is the noise of the fitted crisis logit, so 1 reproduces the "
        "calibrated choice frequencies; the range allows the other utilities to be judged "
        "more or less sharply",
    ),
    "crisis_base": _c(
        -2.494,
        -2.976,
        -2.012,
        "Crisis utility intercept (logit)",
        "penalised logit of a strategic provocation month (nuclear test, IRBM/ICBM/SLV; CNS + Yao et al. 2018, Korean months) on intercept, 1990-02..2018-09 (n = 344); detente calibrate",
    ),
    "crisis_exercise": _c(
        -0.844,
        -2.076,
        0.387,
        "Crisis utility in exercise months",
        "penalised logit of a strategic provocation month (nuclear test, IRBM/ICBM/SLV; CNS + Yao et al. 2018, Korean months) on exercise_month, 1990-02..2018-09 (n = 344); detente calibrate",
    ),
    "crisis_talks": _c(
        -3.144,
        -5.195,
        -1.093,
        "Crisis utility while talks are on",
        "penalised logit of a strategic provocation month (nuclear test, IRBM/ICBM/SLV; CNS + Yao et al. 2018, Korean months) on talks_last_month, 1990-02..2018-09 (n = 344); detente calibrate",
    ),
    "crisis_persistence": _c(
        2.245,
        1.356,
        3.134,
        "Crisis utility after a crisis month",
        "penalised logit of a strategic provocation month (nuclear test, IRBM/ICBM/SLV; CNS + Yao et al. 2018, Korean months) on strategic_last_month, 1990-02..2018-09 (n = 344); detente calibrate",
    ),
    "provocation_rate_no_talks": _c(
        0.465,
        0.35,
        0.58,
        "Provocations per month, no talks, no crisis",
        "mean CSIS provocation events per month, no talks last month, no strategic provocation, 1990-02..2018-09 (n = 185 months); detente calibrate",
    ),
    "provocation_rate_talks": _c(
        0.254,
        0.151,
        0.357,
        "Provocations per month during talks",
        "mean CSIS provocation events per month, talks last month, no strategic provocation, 1990-02..2018-09 (n = 138 months); detente calibrate",
    ),
    "provocation_rate_crisis": _c(
        1.81,
        1.375,
        2.244,
        "Provocations in a crisis month",
        "mean CSIS provocation events per month, months with a strategic provocation, 1990-02..2021-06 (n = 21 months); detente calibrate",
    ),
    "provocation_exercise_ratio": _c(
        1.446,
        0.966,
        2.165,
        "Rate ratio of routine provocations in exercise months",
        "rate ratio exp(b) of the exercise-month term in the NB2 count model of CSIS provocation events, 1990-02..2018-09 (n = 344); detente calibrate",
    ),
    "inhibit_distress": _j(
        1.5,
        0.5,
        3.0,
        "Crisis inhibition by economic distress",
        "essay ¶7 s2: inhibition is stated, its size is not; 1.5 halves the crisis odds "
        "between reference and high distress",
    ),
    "inhibit_china": _j(
        1.5,
        0.5,
        3.0,
        "Crisis inhibition by dependency on China",
        "essay ¶7 s2: as for distress, the size is a judgement",
    ),
    "reference_distress": _j(
        0.5, 0.3, 0.6, "Distress level of the fit window", "the 1990-2021 average on the 0-1 scale"
    ),
    "reference_china_dependency": _j(
        0.5,
        0.3,
        0.6,
        "China dependency of the fit window",
        "the 1990-2021 average on the 0-1 scale; dependency rose after 2016 sanctions",
    ),
    "us_escalation": _j(
        0.5,
        -0.5,
        1.5,
        "Defender's pressure utility when the challenger instigates",
        "strict deterrence answers provocations; about three answers in five",
    ),
    "us_pressure_base": _j(
        -1.5, -2.5, -0.5, "Defender's pressure utility", "sanctions stay; new pressure is rarer"
    ),
    "us_engagement_base": _j(
        0.0,
        -1.0,
        1.0,
        "Defender's engagement utility",
        "essay ¶1 s3, ¶9 s2: standing offers of dialogue",
    ),
    "crisis_comm": _j(
        1.0,
        0.0,
        2.0,
        "Defender's engagement utility per unit of crisis-communication interest",
        "essay ¶9 s1",
    ),
    "us_wait": _j(
        1.0,
        0.0,
        2.0,
        "Defender's value of waiting per unit of distress",
        "essay ¶8 s1: the US anticipates economic desperation",
    ),
    "us_concession_base": _j(
        -1.5, -2.5, -0.5, "Defender's concession utility", "no concession before talks"
    ),
    "us_obduracy": _j(
        10.0,
        5.0,
        15.0,
        "Defender's concession penalty per unit of gap",
        "essay ¶5 s2: the US cannot accept the North as a nuclear state",
    ),
    "dprk_engagement_base": _j(
        -1.5, -2.5, -0.5, "Challenger's engagement utility", "talks for prestige (essay ¶3 s3)"
    ),
    "desperation": _j(
        1.5,
        0.5,
        2.5,
        "Challenger's engagement utility per unit of distress",
        "essay ¶8 s2",
    ),
    "obduracy": _j(
        20.0,
        10.0,
        30.0,
        "Challenger's engagement and concession penalty per unit of gap (the diagnosis gap is "
        "in utility units, typically 0.05-0.3)",
        "essay ¶7 s3: obdurate until the US waters down its demands",
    ),
    "seoul_push": _j(
        0.3,
        0.0,
        0.8,
        "Challenger's engagement utility per engaging third party",
        "essay ¶1 s3: Seoul's efforts have gone unanswered, so small",
    ),
    "dprk_concession_base": _j(
        -1.0, -2.0, 0.0, "Challenger's concession utility", "no quid pro quo without a zone"
    ),
    "weakness": _j(
        2.5,
        1.0,
        4.0,
        "Challenger's concession penalty per unit of distress",
        "essay ¶8 s3-4: weakness blocks reciprocity",
    ),
    "zone_bonus": _j(
        2.0,
        1.0,
        3.0,
        "Concession utility when a zone of agreement exists",
        "a deal both prefer to the status quo makes conceding worthwhile",
    ),
    "talks_inertia": _j(
        2.0,
        1.0,
        3.0,
        "Engagement utility while talks are on",
        "talks once started tend to continue (the record: talks months cluster)",
    ),
    "fatigue_rate": _j(
        0.01,
        0.0,
        0.02,
        "Monthly drift of the defender's stance per unit of fatigue",
        "essay ¶6 s2: at most 2 % of the gap a month",
    ),
    "recompute_every": _j(
        12.0,
        12.0,
        12.0,
        "Months between checks for stances moved by fatigue",
        "a setting: fatigue moves stances by at most a few points a year; leadership "
        "changes are recomputed at once",
    ),
    "recompute_threshold": _j(
        3.0,
        3.0,
        3.0,
        "Stance movement (scale points) that triggers a bargaining-set recomputation",
        "a setting: smaller moves change the gap by less than the kernel's precision matters",
    ),
    "election_change": _j(
        0.05,
        0.0,
        0.15,
        "Chance of a dramatic change in an election month",
        "an election (midterms included) rarely brings a dramatic change of stance: one in twenty",
    ),
    "leader_shift_max": _j(
        0.5,
        0.2,
        0.8,
        "Largest move of a new leader toward the other side (share of the distance)",
        "essay ¶9 s5: a dramatic change could end the impasse; on average a new leader moves a quarter of the way",
    ),
    "third_party_engagement": _j(
        1.0, 0.0, 2.0, "Third parties' engagement utility", "Seoul keeps trying (essay ¶1 s3)"
    ),
    "third_party_pressure": _j(
        -1.0, -2.0, 0.0, "Third parties' pressure utility", "sanctions are kept, rarely added"
    ),
    "third_party_concession": _j(
        -1.0, -2.0, 0.0, "Third parties' concession utility", "essay ¶7 s1: awaited, not given"
    ),
}


def resolve_parameters(
    params: dict[str, np.ndarray], shape: tuple[int, ...]
) -> dict[str, np.ndarray]:
    """Every simulation parameter as an array of ``shape``: the scenario's where it has one."""
    out: dict[str, np.ndarray] = {}
    for name, d in DEFAULTS.items():
        v = params.get(name)
        out[name] = np.broadcast_to(np.asarray(d.value if v is None else v, float), shape)
    return out


from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.stats import poisson

from detente.errors import ModelError
from detente.dynamics.zone import subset, zone_and_gap as _zg

from detente.scenario.arrays import ScenarioArrays

if TYPE_CHECKING:
    from detente.scenario.schema import Scenario


MODES = ("impasse", "limited_talks", "substantive_talks", "agreement", "crisis")
IMPASSE, LIMITED, SUBSTANTIVE, AGREEMENT, CRISIS = range(5)
KINDS = ("delay", "engagement", "concession", "pressure")
DELAY, ENGAGE, CONCEDE, PRESSURE = range(4)

# Columns of the per-month uniform draws.
_U_CHANGE_C, _U_CHANGE_D, _U_SHIFT_C, _U_SHIFT_D, _U_CRISIS, _U_CHOICE_C, _U_CHOICE_D, _U_PROV = (
    range(8)
)
_N_FIXED = 8


@dataclass(frozen=True)
class DriverNames:
    """Which scenario drivers play which part (a missing driver counts as 0)."""

    distress: str = "economic_distress"
    patron: str = "china_dependency"
    fatigue: str = "adversary_fatigue"
    crisis_communication: str = "crisis_communication"
    change_defender: str = "political_change_washington"
    change_challenger: str = "political_change_pyongyang"


@dataclass(frozen=True)
class Roles:
    """Actor indices: the challenger (instigates crises), the defender, the third parties."""

    challenger: int
    defender: int
    third: tuple[int, ...]


def find_roles(s: Scenario, challenger: str | None = None, defender: str | None = None) -> Roles:
    """The challenger and defender among the veto players.

    By default the challenger is the veto player owning a pressure tool whose id or label
    mentions a crisis, and the defender the other veto player.
    """
    ids = list(s.actor_ids)
    veto = [a.id for a in s.actors if a.veto]
    if challenger is None:
        for a in s.actors:
            if a.id in veto and any(
                t.kind == "pressure" and "crisis" in (t.id + " " + t.label).lower() for t in a.tools
            ):
                challenger = a.id
                break
    if challenger is None and len(veto) >= 2:
        challenger = veto[1]
    if defender is None:
        others = [v for v in veto if v != challenger]
        defender = others[0] if others else None
    if challenger is None or defender is None or challenger == defender:
        raise ModelError(
            "dynamics need two veto players, a challenger and a defender; "
            f"the scenario has veto players {veto or 'none'}; mark two actors veto: true "
            "or name them with --challenger/--defender (challenger=/defender= in Python)"
        )
    for name, who in (("challenger", challenger), ("defender", defender)):
        if who not in ids:
            raise ModelError(f"{name} {who!r} is not an actor; actors are {', '.join(ids)}")
    c, d = ids.index(challenger), ids.index(defender)
    return Roles(c, d, tuple(k for k in range(len(ids)) if k not in (c, d)))


def _event_actor(event_id: str, event_label: str, s: Scenario) -> int | None:
    tokens = set(event_id.lower().replace("_", "-").split("-"))
    words = event_label.lower()
    aliases = {
        "usa": ("us", "washington", "united states", "american", "u.s."),
        "rok": ("seoul", "south korea", "korean presidential"),
    }
    for k, a in enumerate(s.actors):
        if a.id.lower() in tokens:
            return k
        for alias in aliases.get(a.id.lower(), ()):
            if alias in tokens or (len(alias) > 3 and alias in words):
                return k
        if a.label.lower() in words:
            return k
    return None


def calendar(s: Scenario, months: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The simulated months ("YYYY-MM", from the month after ``meta.start``), exercise
    months (T,) and election months per actor (T, A), from the scenario's events.

    Events whose ``kind`` mentions "exercise" mark exercise months; "election" marks
    elections, attributed to the actor named in the event id or label.
    """
    if s.meta.start is None:
        raise ModelError(
            f"scenario {s.id}: meta.start is not set; give the month the simulation starts "
            "from, e.g. start: '2021-06'"
        )
    first = pd.Period(s.meta.start, freq="M") + 1
    labels = [str(first + k) for k in range(months)]
    exercise = np.zeros(months, bool)
    election = np.zeros((months, s.n_actors), bool)
    for e in s.events:
        kind = (e.kind + " " + e.id).lower()
        for t, lab in enumerate(labels):
            hit = any(d == lab or (d.startswith("*-") and d[2:] == lab[5:]) for d in e.dates)
            if not hit:
                continue
            if "exercise" in kind:
                exercise[t] = True
            elif "election" in kind:
                k = _event_actor(e.id, e.label, s)
                if k is not None:
                    election[t, k] = True
    return labels, exercise, election


def _lp_zone_and_gap(arrays):
    """The old kernel: the diagnosis LP (win_set_gap) on every snapshot."""
    from detente.analysis.bargaining import win_set_gap

    res = win_set_gap(arrays)
    zone = np.atleast_1d(np.asarray(res.zone_nonempty, bool))
    gap = np.atleast_1d(np.asarray(res.gap, float))
    gap = np.where(zone, 0.0, np.clip(np.nan_to_num(gap, nan=1.0), 0.0, 1.0))
    return zone, gap


def _choose(
    utilities: np.ndarray, available: np.ndarray, tau: np.ndarray, u: np.ndarray
) -> np.ndarray:
    """Logit choice: index of the option drawn with probabilities softmax(U / tau)."""
    z = np.where(available, utilities / tau[:, None], -np.inf)
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    cum = np.cumsum(p, axis=1)
    cum /= cum[:, -1:]
    pick = (cum <= u[:, None]).sum(axis=1)
    last = np.flatnonzero(available)[-1] if available.any() else DELAY
    return np.minimum(pick, last)


def _available(s: Scenario) -> np.ndarray:
    """Which kinds each actor can choose: delay always; its tools' kinds; and, for veto
    players, engagement and concession (coming to the table and trading are open to any
    party to the negotiation, whether or not the scenario lists them as tools)."""
    out = np.zeros((s.n_actors, 4), bool)
    out[:, DELAY] = True  # doing nothing new is always possible
    for k, a in enumerate(s.actors):
        if a.veto:
            out[k, ENGAGE] = out[k, CONCEDE] = True
        for t in a.tools:
            out[k, KINDS.index(t.kind)] = True
    return out


@dataclass
class _Setup:
    scenario: Scenario
    arrays: ScenarioArrays
    par: dict[str, np.ndarray]
    drv: dict[str, np.ndarray]
    roles: Roles
    available: np.ndarray
    labels: list[str]
    exercise: np.ndarray
    election: np.ndarray
    kernel: str


def _prepare(
    s: Scenario,
    months: int,
    runs: int,
    seed: int | None,
    challenger: str | None,
    defender: str | None,
    drivers: DriverNames,
    kernel: str,
) -> tuple[_Setup, np.ndarray]:
    if months < 1 or runs < 1:
        raise ModelError(f"months and runs must be >= 1; got months={months}, runs={runs}")
    roles = find_roles(s, challenger, defender)
    labels, exercise, election = calendar(s, months)
    ss = np.random.SeedSequence(seed)
    sample_ss, month_ss = ss.spawn(2)
    arrays = s.sample(runs, np.random.default_rng(sample_ss))
    par = resolve_parameters(arrays.parameters, (runs,))
    drv = {}
    for field in DriverNames.__dataclass_fields__:
        name = getattr(drivers, field)
        v = arrays.drivers.get(name)
        drv[field] = np.zeros(runs) if v is None else np.asarray(v, float)
    n_cols = _N_FIXED + len(roles.third)
    children = month_ss.spawn(months)
    uniforms = np.stack([np.random.default_rng(c).random((runs, n_cols)) for c in children])
    setup = _Setup(s, arrays, par, drv, roles, _available(s), labels, exercise, election, kernel)
    return setup, uniforms


def _bargaining_path(
    st: _Setup,
    idx: np.ndarray,
    uniforms: np.ndarray,
    P: dict[str, np.ndarray],
    D: dict[str, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stances month by month and the bargaining set wherever it must be recomputed.

    Stances move only by leadership changes and fatigue, neither of which depends on the
    actors' choices, so the whole path is known before the month loop: the snapshots that
    need a recomputation (the start, every leadership change, every periodic check that
    finds a move above the threshold) are solved in one batched kernel call.

    Returns zone (T, R), gap (T, R), change_challenger (T, R), change_defender (T, R).
    """
    from dataclasses import replace

    arrays = subset(st.arrays, idx)
    c, d = st.roles.challenger, st.roles.defender
    T, R = uniforms.shape[0], len(idx)
    pos = arrays.positions.copy()
    red_lo, red_hi = arrays.red_low.copy(), arrays.red_high.copy()
    lo_set = red_lo > arrays.scale_low  # which bounds are real red lines
    hi_set = red_hi < arrays.scale_high
    last_pos, last_lo, last_hi = pos.copy(), red_lo.copy(), red_hi.copy()
    change_c = np.zeros((T, R), bool)
    change_d = np.zeros((T, R), bool)
    snap_t, snap_r = [np.zeros(R, int)], [np.arange(R)]
    snap_pos, snap_lo, snap_hi = [pos.copy()], [red_lo.copy()], [red_hi.copy()]
    every = max(1, round(float(np.median(P["recompute_every"]))))

    def toward(flag: np.ndarray, who: int, target: np.ndarray, f: np.ndarray) -> None:
        pos[flag, who, :] += f * (target - pos[flag, who, :])
        lo, hi = red_lo[flag, who, :], red_hi[flag, who, :]
        red_lo[flag, who, :] = np.where(
            lo_set[flag, who, :], lo + f * np.minimum(0.0, target - lo), lo
        )
        red_hi[flag, who, :] = np.where(
            hi_set[flag, who, :], hi + f * np.maximum(0.0, target - hi), hi
        )

    for t in range(T):
        u = uniforms[t, idx]
        # --- rule political_change: hazards, then the new leader's stance --------------
        h_c = D["change_challenger"] + P["election_change"] * st.election[t, c]
        h_d = D["change_defender"] + P["election_change"] * st.election[t, d]
        change_c[t] = u[:, _U_CHANGE_C] < h_c
        change_d[t] = u[:, _U_CHANGE_D] < h_d
        for flag, who, other, col in (
            (change_c[t], c, d, _U_SHIFT_C),
            (change_d[t], d, c, _U_SHIFT_D),
        ):
            if flag.any():
                f = (u[flag, col] * P["leader_shift_max"][flag])[:, None]
                toward(flag, who, pos[flag, other, :].copy(), f)
        moved = change_c[t] | change_d[t]
        # --- rule adversary_fatigue: the defender drifts toward the challenger --------
        everyone = np.ones(R, bool)
        toward(everyone, d, pos[:, c, :].copy(), (P["fatigue_rate"] * D["fatigue"])[:, None])
        recompute = moved.copy()
        if t > 0 and t % every == 0:
            drift = np.maximum(
                np.abs(pos - last_pos).max(axis=(1, 2)),
                np.maximum(
                    np.abs(red_lo - last_lo).max(axis=(1, 2)),
                    np.abs(red_hi - last_hi).max(axis=(1, 2)),
                ),
            )
            recompute |= drift > P["recompute_threshold"]
        if recompute.any():
            rid = np.flatnonzero(recompute)
            snap_t.append(np.full(len(rid), t))
            snap_r.append(rid)
            snap_pos.append(pos[rid].copy())
            snap_lo.append(red_lo[rid].copy())
            snap_hi.append(red_hi[rid].copy())
            last_pos[rid], last_lo[rid], last_hi[rid] = pos[rid], red_lo[rid], red_hi[rid]

    rows = np.concatenate(snap_r)
    batch = replace(
        subset(arrays, rows),
        positions=np.concatenate(snap_pos),
        red_low=np.concatenate(snap_lo),
        red_high=np.concatenate(snap_hi),
    )
    z_all, g_all = _lp_zone_and_gap(batch)
    times = np.concatenate(snap_t)
    zone = np.empty((T, R), bool)
    gap = np.empty((T, R))
    cur_z, cur_g = np.zeros(R, bool), np.zeros(R)
    order = np.arange(len(rows))  # snapshots are in time order; later ones override
    for t in range(T):
        sel = order[times == t]
        cur_z[rows[sel]] = z_all[sel]
        cur_g[rows[sel]] = g_all[sel]
        zone[t], gap[t] = cur_z, cur_g
    return zone, gap, change_c, change_d


def _run(
    st: _Setup,
    idx: np.ndarray,
    uniforms: np.ndarray,
    initial_mode: int,
    progress: Callable[[int], None] | None = None,
) -> dict[str, np.ndarray]:
    """Play all months for the runs ``idx`` (vectorised over them)."""
    P = {k: v[idx] for k, v in st.par.items()}
    D = {k: v[idx] for k, v in st.drv.items()}
    c, d, third = st.roles.challenger, st.roles.defender, st.roles.third
    T, R = uniforms.shape[0], len(idx)
    tau = P["logit_noise"]
    zones, gaps, change_c, change_d = _bargaining_path(st, idx, uniforms, P, D)
    mode = np.full(R, initial_mode, np.int8)
    crisis_prev = mode == CRISIS
    out: dict[str, np.ndarray] = {
        "modes": np.empty((T, R), np.int8),
        "provocations": np.empty((T, R), np.int16),
        "choices": np.empty((T, R, st.available.shape[0]), np.int8),
        "instigated": np.empty((T, R), bool),
        "zone": zones,
        "gap": gaps,
        "change_challenger": change_c,
        "change_defender": change_d,
    }
    for t in range(T):
        u = uniforms[t, idx]
        talks = (mode == LIMITED) | (mode == SUBSTANTIVE) | (mode == AGREEMENT)
        zone, gap = zones[t], gaps[t]

        # --- third parties: a logit over their tools' kinds ---------------------------
        choices = np.full((R, st.available.shape[0]), DELAY, np.int8)
        n_engaging = np.zeros(R)
        for j, k in enumerate(third):
            U3 = np.zeros((R, 4))
            U3[:, ENGAGE] = P["third_party_engagement"]
            U3[:, CONCEDE] = P["third_party_concession"]
            U3[:, PRESSURE] = P["third_party_pressure"]
            ch = _choose(U3, st.available[k], tau, u[:, _N_FIXED + j])
            choices[:, k] = ch
            n_engaging += (ch == ENGAGE) | (ch == CONCEDE)

        # --- rules crisis_threat + crisis_inhibition: instigate a crisis or not --------
        U_crisis = (
            P["crisis_base"]
            + P["crisis_exercise"] * st.exercise[t]
            + P["crisis_talks"] * talks
            + P["crisis_persistence"] * crisis_prev
            - P["inhibit_distress"] * (D["distress"] - P["reference_distress"])
            - P["inhibit_china"] * (D["patron"] - P["reference_china_dependency"])
        )
        can_press = bool(st.available[c, PRESSURE])
        instigate = (u[:, _U_CRISIS] < 1.0 / (1.0 + np.exp(-U_crisis / tau))) & can_press

        # --- rules obduracy, desperation, weakness_blocks_reciprocity, seoul_push -----
        Uc = np.zeros((R, 4))
        Uc[:, ENGAGE] = (
            P["dprk_engagement_base"]
            + P["desperation"] * D["distress"]
            + P["seoul_push"] * n_engaging
            + P["talks_inertia"] * talks
            - P["obduracy"] * gap
        )
        Uc[:, CONCEDE] = (
            P["dprk_concession_base"]
            + P["zone_bonus"] * zone
            + P["talks_inertia"] * talks
            - P["weakness"] * D["distress"]
            - P["obduracy"] * gap
        )
        avail_c = st.available[c].copy()
        avail_c[PRESSURE] = False
        ch_c_kind = _choose(Uc, avail_c, tau, u[:, _U_CHOICE_C])
        ch_c_kind = np.where(instigate, PRESSURE, ch_c_kind)

        # --- rules crisis_communication, pressure_before_talks: the defender answers ---
        Ud = np.zeros((R, 4))
        Ud[:, DELAY] = P["us_wait"] * D["distress"]
        Ud[:, ENGAGE] = (
            P["us_engagement_base"]
            + P["crisis_comm"] * D["crisis_communication"]
            + P["talks_inertia"] * talks
        )
        Ud[:, CONCEDE] = (
            P["us_concession_base"]
            + P["zone_bonus"] * zone
            + P["talks_inertia"] * talks
            - P["us_obduracy"] * gap
        )
        Ud[:, PRESSURE] = P["us_pressure_base"] + P["us_escalation"] * instigate
        ch_d_kind = _choose(Ud, st.available[d], tau, u[:, _U_CHOICE_D])
        choices[:, c] = ch_c_kind
        choices[:, d] = ch_d_kind

        # --- mode transition from the choices -----------------------------------------
        eng_c = (ch_c_kind == ENGAGE) | (ch_c_kind == CONCEDE)
        eng_d = (ch_d_kind == ENGAGE) | (ch_d_kind == CONCEDE)
        both = eng_c & eng_d
        one_concedes = (ch_c_kind == CONCEDE) | (ch_d_kind == CONCEDE)
        both_concede = (ch_c_kind == CONCEDE) & (ch_d_kind == CONCEDE)
        d_press = ch_d_kind == PRESSURE
        escalation = instigate & d_press
        either = eng_c | eng_d
        calm = ~instigate
        new = mode.copy()
        # impasse / crisis: talks only when both engage (crisis channel), else impasse
        start_from = (mode == IMPASSE) | (mode == CRISIS)
        new[start_from & calm] = np.where(both[start_from & calm], LIMITED, IMPASSE)
        # limited talks: pressure ends them; a zone and a concession make them substantive
        m = (mode == LIMITED) & calm
        new[m] = np.select(
            [d_press[m], (both & zone & one_concedes)[m], either[m]],
            [IMPASSE, SUBSTANTIVE, LIMITED],
            IMPASSE,
        )
        m = (mode == SUBSTANTIVE) & calm
        new[m] = np.select(
            [d_press[m], (both_concede & zone)[m], (both & zone)[m], either[m]],
            [IMPASSE, AGREEMENT, SUBSTANTIVE, LIMITED],
            IMPASSE,
        )
        m = (mode == AGREEMENT) & calm
        new[m] = np.where(d_press[m], IMPASSE, AGREEMENT)
        # instigation: escalation makes a crisis; otherwise it strains what there is
        m = instigate & ~escalation
        new[m] = np.select(
            [mode[m] == CRISIS, mode[m] == SUBSTANTIVE, mode[m] == LIMITED],
            [CRISIS, LIMITED, LIMITED],
            IMPASSE,
        )
        new[escalation] = CRISIS
        mode = new
        crisis_prev = instigate

        # --- provocations: calibrated Poisson rates ------------------------------------
        # routine rates are means over all months: exercise months (2 in 12) get the
        # calibrated rate ratio, the others a rate that keeps the yearly mean
        ratio = P["provocation_exercise_ratio"]
        seasonal = np.where(st.exercise[t], ratio, 1.0) / (1.0 + (ratio - 1.0) / 6.0)
        routine = np.where(talks, P["provocation_rate_talks"], P["provocation_rate_no_talks"])
        rate = np.where(instigate, P["provocation_rate_crisis"], routine * seasonal)
        prov = poisson.ppf(np.clip(u[:, _U_PROV], 1e-12, 1 - 1e-12), rate)
        out["modes"][t] = mode
        out["provocations"][t] = np.maximum(prov, 0).astype(np.int16)
        out["choices"][t] = choices
        out["instigated"][t] = instigate
        if progress is not None:
            progress(1)
    return out


def simulate_previous(s, *, months=36, runs=1000, seed=0):
    """The old vectorised simulation; returns the modes (months, runs)."""
    st, uniforms = _prepare(s, months, runs, seed, None, None, DriverNames(), "diagnosis")
    return _run(st, np.arange(runs), uniforms, IMPASSE)["modes"]
