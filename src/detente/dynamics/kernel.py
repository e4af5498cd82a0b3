"""The monthly loop of the crisis dynamics, vectorised over the runs it is given.

:func:`play` is called by :func:`detente.dynamics.simulate` with every run at once and by
:func:`detente.dynamics.simulate_reference` with one run at a time, on the same random
numbers, so the two agree path for path. No LP runs inside the loop: the bargaining set is
recomputed in closed form (:mod:`detente.dynamics.zone`) after a political change and,
for the slow drift of fatigue, every :data:`RECOMPUTE_EVERY` months.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from scipy import special

from .zone import zone_and_gap

if TYPE_CHECKING:
    from ..scenario.arrays import ScenarioArrays
    from .roles import CaseRoles

__all__ = ["DEADLINE_HAZARDS", "KINDS", "MODES", "Setup", "nb_inverse", "play"]

MODES = ("impasse", "limited_talks", "substantive_talks", "agreement", "crisis")
IMPASSE, LIMITED, SUBSTANTIVE, AGREEMENT, CRISIS = range(5)
KINDS = ("delay", "engagement", "concession", "pressure")
#: The hazards a deadline raises, in the order of :attr:`Setup.deadline`'s last axis.
DEADLINE_HAZARDS = ("talks", "agreement", "crisis")
DELAY, ENGAGE, CONCEDE, PRESSURE = range(4)

# Columns of the per-month uniform draws.
(
    U_CHANGE_C,
    U_CHANGE_D,
    U_SHIFT_C,
    U_SHIFT_D,
    U_CRISIS,
    U_CHOICE_C,
    U_CHOICE_D,
    U_PROV,
    U_MISSILE,
    U_REGIME,
) = range(10)
N_FIXED = 10
#: Months between recomputations of the bargaining set for the drift of fatigue (a setting:
#: fatigue moves a stance by at most a few scale points a year).
RECOMPUTE_EVERY = 12


@dataclass
class Setup:
    """Everything a run needs: per-run draws, parameters and drivers, roles, calendar."""

    arrays: ScenarioArrays
    par: dict[str, np.ndarray]
    drv: dict[str, np.ndarray]
    roles: CaseRoles
    available: np.ndarray
    labels: list[str]
    exercise: np.ndarray
    election: np.ndarray
    kernel: str
    initial_mode: np.ndarray  # (runs,) int
    excitation: np.ndarray  # (runs,) the recent monthly mean of provocations at the start
    salvo: np.ndarray  # (runs,) missiles per provocation event at the start (recent record)
    active: np.ndarray  # (runs,) P(the active regime) in the first month (filtered record)
    #: (months, runs) standard normals of the level of provocations (a stream of their own,
    #: so a level sd of 0 leaves every other random number as it was)
    level_noise: np.ndarray | None = None
    #: (runs,) the log level of provocations in the first month (filtered from the record)
    level_start: np.ndarray | None = None
    #: (runs,) months without talks since the last talks month at the start (0: talks in the
    #: start month; inf: no talks known), read by the rule ``talks_recency``
    without_talks: np.ndarray | None = None
    #: (months, runs, 3) utility added by the case's deadlines to the engagement (talks),
    #: concession (agreement) and crisis utilities, in the months they act (or None)
    deadline: np.ndarray | None = None
    #: who must agree on which issue: the core's veto matrix (actors x issues,
    #: :func:`detente.core.agreement_matrix`) as nested tuples (immutable, the same for every
    #: run), or () when no issue has controllers (the arrays' veto players on every issue,
    #: which is what the matrix says then)
    holders: tuple[tuple[bool, ...], ...] = ()


def nb_inverse(u: np.ndarray, mean: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Negative-binomial counts by inversion: the smallest ``k`` with ``F(k) >= u``.

    ``mean`` and ``size`` (variance ``mean + mean^2 / size``) per element; the CDF is
    accumulated by the pmf recursion ``p(k+1) = p(k) (k + size) / (k + 1) q`` with
    ``q = mean / (mean + size)``, so one uniform gives one count (common random numbers).

    Each element's recursion is its own, so only the elements whose count is not yet reached
    are carried to the next ``k``, and the last few (a long tail: a salvo of missiles can
    need some 200 steps) in plain floats, the same operations in the same order (every
    count equal to the whole-array recursion's).
    """
    u, mean, size = np.broadcast_arrays(u, mean, size)
    shape = u.shape
    u, mean, size = u.ravel(), mean.ravel(), size.ravel()
    mean = np.nan_to_num(np.maximum(mean, 0.0))
    # a dispersion at (or past) zero is an infinitely overdispersed count: keep it positive
    size = np.maximum(np.nan_to_num(size, nan=1e-9), 1e-9)
    q = np.clip(mean / (mean + size), 0.0, 1.0 - 1e-12)
    pmf = np.exp(size * np.log1p(-q))  # p(0) = (1 - q)^size
    out = np.zeros(u.shape, np.int64)
    todo = np.flatnonzero(pmf < u)
    pmf, cdf, size, q, u = pmf[todo], pmf[todo], size[todo], q[todo], u[todo]
    k = 0
    while todo.size > _SCALAR_TAIL and k < _MAX_COUNT:
        pmf = pmf * (k + size) / (k + 1) * q
        cdf = cdf + pmf
        k += 1
        more = cdf < u
        if not more.all():
            out[todo[~more]] = k
            todo = todo[more]
            pmf, cdf, size, q, u = pmf[more], cdf[more], size[more], q[more], u[more]
    tail = (todo, pmf, cdf, size, q, u)
    for i, p_i, c_i, s_i, q_i, u_i in zip(*(a.tolist() for a in tail), strict=True):
        j = k
        while c_i < u_i and j < _MAX_COUNT:
            p_i = p_i * (j + s_i) / (j + 1) * q_i
            c_i = c_i + p_i
            j += 1
        out[i] = j
    return out.reshape(shape)


#: Elements left below which :func:`nb_inverse` goes on in plain floats (a NumPy call on a
#: few elements costs more than the arithmetic).
_SCALAR_TAIL = 24
#: The largest count :func:`nb_inverse` returns.
_MAX_COUNT = 10_000


def _choose(
    utilities: np.ndarray, available: np.ndarray, tau: np.ndarray, u: np.ndarray
) -> np.ndarray:
    """Logit choice: index of the option drawn with probabilities softmax(U / tau).

    Computed option by option on whole columns (the options are few and the runs many: a
    NumPy reduction along a row of four costs more than four whole-column operations), with
    the same operations in the same order as on the ``(runs, options)`` array: the maximum,
    ``exp`` of the differences (0 for an option not available), their running sum and the
    count of running shares at or below ``u``.
    """
    if not available.any():
        return np.full(len(u), DELAY, np.int64)
    cols = np.flatnonzero(available).tolist()
    z = {j: utilities[:, j] / tau for j in cols}
    top = z[cols[0]]
    for j in cols[1:]:
        top = np.maximum(top, z[j])
    running = None
    cum = []
    for j in range(utilities.shape[1]):
        if j in z:
            p = np.exp(z[j] - top)
            running = p if running is None else running + p
        elif running is None:
            running = np.zeros(len(u))
        cum.append(running)
    total = cum[-1]
    pick = np.zeros(len(u), np.int64)
    for c in cum:
        pick += c / total <= u
    last = cols[-1]
    return np.minimum(pick, last)


class _Stances:
    """Positions and red lines per run, moved by political change and fatigue."""

    def __init__(self, arrays: ScenarioArrays, holders: tuple[tuple[bool, ...], ...] = ()) -> None:
        self.arrays = arrays
        self.holders = np.array(holders, dtype=bool) if holders else None
        self.pos = arrays.positions.copy()
        self.lo, self.hi = arrays.red_low.copy(), arrays.red_high.copy()
        self.lo_set = self.lo > arrays.scale_low  # which bounds are real red lines
        self.hi_set = self.hi < arrays.scale_high
        # per actor, the issues on which some run has a real red line (the bounds elsewhere
        # never move: toward() leaves a bound that is not a red line where it is)
        self.lo_issues = [np.flatnonzero(m.any(axis=0)) for m in self.lo_set.transpose(1, 0, 2)]
        self.hi_issues = [np.flatnonzero(m.any(axis=0)) for m in self.hi_set.transpose(1, 0, 2)]

    def toward(self, flag: np.ndarray | slice, who: int, target: np.ndarray, f: np.ndarray) -> None:
        """Move ``who`` toward ``target`` by ``f`` (negative: away), red lines alike;
        ``flag`` selects the runs (a mask, or ``slice(None)`` for all)."""
        s_lo, s_hi = self.arrays.scale_low, self.arrays.scale_high
        p = self.pos[flag, who, :]
        self.pos[flag, who, :] = np.clip(p + f * (target - p), s_lo, s_hi)
        # a red line moves with its actor, on the issues where some run has one
        for bound, is_set, issues, pull in (
            (self.lo, self.lo_set, self.lo_issues[who], np.minimum),
            (self.hi, self.hi_set, self.hi_issues[who], np.maximum),
        ):
            if issues.size == 0:
                continue
            b = bound[flag, who, :]
            old = b[:, issues]
            new = np.clip(old + f * pull(0.0, target[:, issues] - old), s_lo[issues], s_hi[issues])
            b[:, issues] = np.where(is_set[flag, who, :][:, issues], new, old)
            bound[flag, who, :] = b

    def zone(self, kernel: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Zone and gap among every veto player, for the runs ``rows`` at their current
        stances (not only the challenger and the defender: every veto player decides, and
        each issue's controllers on their issue, as in the core)."""
        moved = replace(
            self.arrays.take(rows),
            positions=self.pos[rows],
            red_low=self.lo[rows],
            red_high=self.hi[rows],
        )
        return zone_and_gap(moved, kernel=kernel, holders=self.holders)


def play(
    st: Setup,
    idx: np.ndarray,
    uniforms: np.ndarray,
    progress: Callable[[int], None] | None = None,
) -> dict[str, np.ndarray]:
    """Play all months for the runs ``idx`` (vectorised over them)."""
    P = {k: v[idx] for k, v in st.par.items()}
    D = {k: v[idx] for k, v in st.drv.items()}
    c, d, third = st.roles.challenger, st.roles.defender, st.roles.third
    T, R = uniforms.shape[0], len(idx)
    tau = P["logit_noise"]
    stances = _Stances(st.arrays.take(idx), st.holders)
    mode = st.initial_mode[idx].astype(np.int8)
    crisis_prev = mode == CRISIS
    excitation = st.excitation[idx].astype(float)
    salvo = st.salvo[idx].astype(float)
    regime = np.zeros(R, bool)
    n_act = st.available.shape[0]
    # the local level of provocations: a random walk in the log rate (memory 1; below 1 it
    # reverts toward 0), started at the level filtered from the record (detente.dynamics.level)
    level_sd, level_memory = P["provocation_level_sd"], P["provocation_level_memory"]
    level = np.zeros(R) if st.level_start is None else st.level_start[idx].astype(float)
    has_level = st.level_noise is not None and bool(np.any(level_sd > 0) or np.any(level != 0))
    out: dict[str, np.ndarray] = {
        "modes": np.empty((T, R), np.int8),
        "provocations": np.empty((T, R), np.int16),
        "missiles": np.empty((T, R), np.int16),
        "rate": np.empty((T, R)),
        "active": np.empty((T, R), bool),
        "choices": np.empty((T, R, n_act), np.int8),
        "instigated": np.empty((T, R), bool),
        "zone": np.empty((T, R), bool),
        "gap": np.empty((T, R)),
        "change_challenger": np.empty((T, R), bool),
        "change_defender": np.empty((T, R), bool),
    }
    zone, gap = stances.zone(st.kernel, np.arange(R))
    # months without talks since the last talks month (rule talks_recency)
    without = (
        np.full(R, np.inf) if st.without_talks is None else st.without_talks[idx].astype(float)
    )
    fatigue_step = (P["fatigue_rate"] * D["fatigue"])[:, None]
    has_fatigue = bool(np.any(fatigue_step != 0))
    for t in range(T):
        u = uniforms[t, idx]
        # --- rule political_change: hazards; the new leader moves toward or away -------
        h_c = D["change_challenger"] + P["election_change"] * st.election[t, c]
        h_d = D["change_defender"] + P["election_change"] * st.election[t, d]
        change_c = u[:, U_CHANGE_C] < h_c
        change_d = u[:, U_CHANGE_D] < h_d
        for flag, who, other, col in ((change_c, c, d, U_SHIFT_C), (change_d, d, c, U_SHIFT_D)):
            if flag.any():
                # the shift uniform decides both the direction (below leader_shift_toward:
                # toward) and the size (uniform in [0, leader_shift_max] either way)
                v = u[flag, col]
                toward_p = P["leader_shift_toward"][flag]
                size = np.where(
                    v < toward_p,
                    v / np.maximum(toward_p, 1e-12),
                    (v - toward_p) / np.maximum(1 - toward_p, 1e-12),
                )
                sign = np.where(v < toward_p, 1.0, -1.0)
                f = (sign * size * P["leader_shift_max"][flag])[:, None]
                stances.toward(flag, who, stances.pos[flag, other, :].copy(), f)
        # --- rule adversary_fatigue: the defender drifts toward the challenger --------
        # the bargaining set is recomputed at once after a change and, for the slow drift
        # of fatigue, every RECOMPUTE_EVERY months for every run
        everyone = np.ones(R, bool)
        if has_fatigue:
            stances.toward(slice(None), d, stances.pos[:, c, :].copy(), fatigue_step)
        due = everyone if (t > 0 and t % RECOMPUTE_EVERY == 0) else (change_c | change_d)
        if due.any():
            rows = np.flatnonzero(due)
            zone, gap = zone.copy(), gap.copy()
            zone[rows], gap[rows] = stances.zone(st.kernel, rows)
        talks = (mode == LIMITED) | (mode == SUBSTANTIVE) | (mode == AGREEMENT)
        # --- rule talks_recency: the pull of talks that ended recently decays with the
        # months without talks since (1 the month after the last talks month; off in talks)
        recency = np.where(
            talks,
            0.0,
            P["talks_recency"]
            * np.exp(-np.maximum(without - 1.0, 0.0) / np.maximum(P["talks_recency_months"], 1e-9)),
        )

        # --- rule deadlines: the case's deadlines raise the utility of engaging (talks),
        # of conceding (agreement) or of a crisis in the months around their dates
        if st.deadline is not None:
            push_talks, push_deal, push_crisis = (st.deadline[t, idx, j] for j in range(3))
        else:
            push_talks = push_deal = push_crisis = np.zeros(R)

        # --- third parties: a logit over their tools' kinds ---------------------------
        choices = np.full((R, n_act), DELAY, np.int8)
        n_engaging = np.zeros(R)
        for j, k in enumerate(third):
            U3 = np.zeros((R, 4))
            U3[:, ENGAGE] = P["third_party_engagement"]
            U3[:, CONCEDE] = P["third_party_concession"]
            U3[:, PRESSURE] = P["third_party_pressure"]
            ch = _choose(U3, st.available[k], tau, u[:, N_FIXED + j])
            choices[:, k] = ch
            n_engaging += (ch == ENGAGE) | (ch == CONCEDE)

        # the activity regime of provocations: quiet or active (a Markov chain; the first
        # month's state is drawn from the record's filtered probability)
        u_reg = u[:, U_REGIME]
        if t == 0:
            regime = u_reg < st.active[idx]
        else:
            stay = np.where(regime, P["regime_stay_active"], P["regime_stay_quiet"])
            regime = np.where(u_reg < stay, regime, ~regime)

        # --- rules crisis_threat + crisis_inhibition: instigate a crisis or not --------
        U_crisis = (
            P["crisis_base"]
            + P["crisis_exercise"] * st.exercise[t]
            + P["crisis_talks"] * talks
            + P["crisis_persistence"] * crisis_prev
            + P["crisis_active"] * regime
            - P["inhibit_distress"] * (D["distress"] - P["reference_distress"])
            - P["inhibit_dependency"] * (D["dependency"] - P["reference_dependency"])
            + push_crisis
        )
        can_press = bool(st.available[c, PRESSURE])
        instigate = (u[:, U_CRISIS] < special.expit(U_crisis / tau)) & can_press

        # --- rules obduracy, desperation, weakness_blocks_reciprocity, third_party_push
        Uc = np.zeros((R, 4))
        Uc[:, ENGAGE] = (
            P["challenger_engagement_base"]
            + P["desperation"] * D["distress"]
            + P["third_party_push"] * n_engaging
            + P["talks_inertia"] * talks
            + recency
            + push_talks
            - P["obduracy"] * gap
        )
        Uc[:, CONCEDE] = (
            P["challenger_concession_base"]
            + P["zone_bonus"] * zone
            + P["talks_inertia"] * talks
            - P["weakness"] * D["distress"]
            - P["obduracy"] * gap
            + push_deal
        )
        avail_c = st.available[c].copy()
        avail_c[PRESSURE] = False
        ch_c = _choose(Uc, avail_c, tau, u[:, U_CHOICE_C])
        ch_c = np.where(instigate, PRESSURE, ch_c)

        # --- rules crisis_communication, pressure_before_talks: the defender answers ---
        Ud = np.zeros((R, 4))
        Ud[:, DELAY] = P["defender_wait"] * D["distress"]
        Ud[:, ENGAGE] = (
            P["defender_engagement_base"]
            + P["crisis_channel"] * D["crisis_communication"]
            + P["talks_inertia"] * talks
            + recency
            + push_talks
        )
        Ud[:, CONCEDE] = (
            P["defender_concession_base"]
            + P["zone_bonus"] * zone
            + P["talks_inertia"] * talks
            - P["defender_obduracy"] * gap
            + push_deal
        )
        Ud[:, PRESSURE] = P["defender_pressure_base"] + P["defender_escalation"] * instigate
        ch_d = _choose(Ud, st.available[d], tau, u[:, U_CHOICE_D])
        choices[:, c] = ch_c
        choices[:, d] = ch_d

        mode = _transition(mode, ch_c, ch_d, instigate, zone)
        crisis_prev = instigate
        now_talks = (mode == LIMITED) | (mode == SUBSTANTIVE) | (mode == AGREEMENT)
        without = np.where(now_talks, 0.0, without + 1.0)

        # --- provocations: a self-exciting negative-binomial count ---------------------
        # routine rates are means over all months: exercise months (2 in 12) get the
        # rate ratio, the others a rate that keeps the yearly mean; the excitation adds
        # provocation_excitation x the recent monthly mean (an exponential moving average)
        ratio = P["provocation_exercise_ratio"]
        seasonal = np.where(st.exercise[t], ratio, 1.0) / (1.0 + (ratio - 1.0) / 6.0)
        routine = np.where(talks, P["provocation_rate_talks"], P["provocation_rate_no_talks"])
        base = np.where(instigate, P["provocation_rate_crisis"], routine * seasonal)
        base = base * np.where(regime, P["provocation_active_ratio"], 1.0)
        rate = base + P["provocation_excitation"] * excitation
        if has_level and st.level_noise is not None:
            if t > 0:
                level = level_memory * level + level_sd * st.level_noise[t, idx]
            rate = rate * np.exp(level)  # the likelihood's model (median-preserving)
        prov = nb_inverse(u[:, U_PROV], rate, P["provocation_dispersion"])
        missiles = nb_inverse(u[:, U_MISSILE], salvo * rate, P["missile_dispersion"])
        excitation = P["provocation_memory"] * excitation + (1 - P["provocation_memory"]) * prov
        out["modes"][t] = mode
        out["provocations"][t] = prov
        out["missiles"][t] = missiles
        out["rate"][t] = rate
        out["active"][t] = regime
        out["choices"][t] = choices
        out["instigated"][t] = instigate
        out["zone"][t], out["gap"][t] = zone, gap
        out["change_challenger"][t], out["change_defender"][t] = change_c, change_d
        if progress is not None:
            progress(1)
    return out


def _transition(
    mode: np.ndarray, ch_c: np.ndarray, ch_d: np.ndarray, instigate: np.ndarray, zone: np.ndarray
) -> np.ndarray:
    """The next mode from this month's choices (no fixed rates)."""
    eng_c = (ch_c == ENGAGE) | (ch_c == CONCEDE)
    eng_d = (ch_d == ENGAGE) | (ch_d == CONCEDE)
    both = eng_c & eng_d
    one_concedes = (ch_c == CONCEDE) | (ch_d == CONCEDE)
    both_concede = (ch_c == CONCEDE) & (ch_d == CONCEDE)
    d_press = ch_d == PRESSURE
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
    return new
