"""The compiled steps of one month of :func:`detente.dynamics.kernel.play`, run by run.

The monthly loop is a few dozen operations per run and month; written as NumPy calls on
whole columns it spent most of its time in NumPy's per-call overhead. These steps are compiled
(ahead of time by the install, else by numba on first use: :mod:`detente._kernels`), each a
loop over the runs with the arithmetic of the NumPy
version in the same order, so every number is the same float.

No ``exp`` or ``log1p`` is computed here where the result is a number of the simulation:
NumPy's ``exp`` and ``log1p`` (SIMD implementations) and the C library's, which compiled code
calls, differ in the last bit on a few percent of arguments. So a month is cut where the
loop needs one: :func:`politics` (political change, stance moves), the zone
(:mod:`detente.dynamics.zone`), ``np.exp`` of the recency arguments, :func:`decide` (the
crisis and the choice utilities; it returns the logit's exponents), ``np.exp`` of them,
:func:`resolve` (the choices, the next mode, the counts' means), ``np.exp(size *
np.log1p(-q))``, :func:`counts` (the negative-binomial inversion). The crisis probability's
logistic is ``1 / (1 + exp(-x))`` with the C library's ``exp``, which is what
``scipy.special.expit`` computes.

Private to :mod:`detente.dynamics`.
"""

from __future__ import annotations

import numpy as np

from .._kernels import njit

__all__ = [
    "DRV",
    "PAR",
    "counts",
    "decide",
    "nb_counts",
    "politics",
    "resolve",
    "smoothed_history",
]

MODES = ("impasse", "limited_talks", "substantive_talks", "agreement", "crisis")
IMPASSE, LIMITED, SUBSTANTIVE, AGREEMENT, CRISIS = range(5)
KINDS = ("delay", "engagement", "concession", "pressure")
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
#: Months between recomputations of the bargaining set for the drift of fatigue.
RECOMPUTE_EVERY = 12
#: The largest count the negative-binomial inversion returns.
MAX_COUNT = 10_000

#: The simulation parameters the loop reads, in the order of the rows of its table.
PAR = (
    "logit_noise",
    "election_change",
    "leader_shift_toward",
    "leader_shift_max",
    "talks_recency",
    "talks_recency_months",
    "regime_stay_active",
    "regime_stay_quiet",
    "crisis_base",
    "crisis_exercise",
    "crisis_talks",
    "crisis_persistence",
    "crisis_active",
    "inhibit_distress",
    "reference_distress",
    "inhibit_dependency",
    "reference_dependency",
    "challenger_engagement_base",
    "desperation",
    "third_party_push",
    "talks_inertia",
    "obduracy",
    "challenger_concession_base",
    "zone_bonus",
    "weakness",
    "defender_wait",
    "defender_engagement_base",
    "crisis_channel",
    "defender_concession_base",
    "defender_obduracy",
    "defender_pressure_base",
    "defender_escalation",
    "provocation_exercise_ratio",
    "provocation_rate_talks",
    "provocation_rate_no_talks",
    "provocation_rate_crisis",
    "provocation_active_ratio",
    "provocation_excitation",
    "provocation_dispersion",
    "missile_dispersion",
    "provocation_memory",
)
(
    TAU,
    ELECTION_CHANGE,
    SHIFT_TOWARD,
    SHIFT_MAX,
    RECENCY,
    RECENCY_MONTHS,
    STAY_ACTIVE,
    STAY_QUIET,
    CRISIS_BASE,
    CRISIS_EXERCISE,
    CRISIS_TALKS,
    CRISIS_PERSISTENCE,
    CRISIS_ACTIVE,
    INHIBIT_DISTRESS,
    REFERENCE_DISTRESS,
    INHIBIT_DEPENDENCY,
    REFERENCE_DEPENDENCY,
    C_ENGAGE_BASE,
    DESPERATION,
    THIRD_PUSH,
    INERTIA,
    OBDURACY,
    C_CONCEDE_BASE,
    ZONE_BONUS,
    WEAKNESS,
    D_WAIT,
    D_ENGAGE_BASE,
    CHANNEL,
    D_CONCEDE_BASE,
    D_OBDURACY,
    D_PRESSURE_BASE,
    D_ESCALATION,
    EXERCISE_RATIO,
    RATE_TALKS,
    RATE_NO_TALKS,
    RATE_CRISIS,
    ACTIVE_RATIO,
    EXCITATION,
    PROV_DISPERSION,
    MISSILE_DISPERSION,
    MEMORY,
) = range(len(PAR))
#: The drivers the loop reads, in the order of the rows of its table.
DRV = ("change_challenger", "change_defender", "distress", "dependency", "crisis_communication")
D_CHANGE_C, D_CHANGE_D, D_DISTRESS, D_DEPENDENCY, D_CHANNEL = range(len(DRV))


@njit(inline="always")
def _toward(r, who, other, f, pos, lo, hi, lo_set, hi_set, s_lo, s_hi):  # pragma: no cover
    """Move run ``r``'s actor ``who`` toward ``other``'s position by ``f`` (negative: away),
    its red lines alike (a bound that is not a red line stays where it is)."""
    for i in range(pos.shape[2]):
        target = pos[r, other, i]
        p = pos[r, who, i]
        pos[r, who, i] = min(max(p + f * (target - p), s_lo[i]), s_hi[i])
        if lo_set[r, who, i]:
            old = lo[r, who, i]
            lo[r, who, i] = min(max(old + f * min(0.0, target - old), s_lo[i]), s_hi[i])
        if hi_set[r, who, i]:
            old = hi[r, who, i]
            hi[r, who, i] = min(max(old + f * max(0.0, target - old), s_lo[i]), s_hi[i])


@njit(inline="always")
def _shift(v, toward_p, most):  # pragma: no cover - compiled
    """The leader's shift: below ``toward_p`` toward (positive), else away, sized uniformly."""
    if v < toward_p:
        return 1.0 * (v / max(toward_p, 1e-12)) * most
    return -1.0 * ((v - toward_p) / max(1 - toward_p, 1e-12)) * most


@njit()
def politics(
    t, u, par, drv, election_c, election_d, c, d, pos, lo, hi, lo_set, hi_set, s_lo, s_hi,
    fatigue, has_fatigue, change_c, change_d, due,
):  # pragma: no cover - compiled  # fmt: skip
    """Rules political_change and adversary_fatigue for every run; ``due`` marks the runs
    whose bargaining set must be recomputed (a change, or every run every
    :data:`RECOMPUTE_EVERY` months). Returns how many are due."""
    every = t > 0 and t % RECOMPUTE_EVERY == 0
    n_due = 0
    for r in range(u.shape[0]):
        # --- rule political_change: hazards; the new leader moves toward or away (the
        # shift uniform decides the direction and the size, uniform in [0, leader_shift_max])
        h_c = drv[r, D_CHANGE_C] + par[r, ELECTION_CHANGE] * election_c
        h_d = drv[r, D_CHANGE_D] + par[r, ELECTION_CHANGE] * election_d
        change_c[r] = u[r, U_CHANGE_C] < h_c
        change_d[r] = u[r, U_CHANGE_D] < h_d
        if change_c[r]:
            f = _shift(u[r, U_SHIFT_C], par[r, SHIFT_TOWARD], par[r, SHIFT_MAX])
            _toward(r, c, d, f, pos, lo, hi, lo_set, hi_set, s_lo, s_hi)
        if change_d[r]:
            f = _shift(u[r, U_SHIFT_D], par[r, SHIFT_TOWARD], par[r, SHIFT_MAX])
            _toward(r, d, c, f, pos, lo, hi, lo_set, hi_set, s_lo, s_hi)
        # --- rule adversary_fatigue: the defender drifts toward the challenger
        if has_fatigue:
            _toward(r, d, c, fatigue[r], pos, lo, hi, lo_set, hi_set, s_lo, s_hi)
        due[r] = every or change_c[r] or change_d[r]
        n_due += due[r]
    return n_due


@njit(inline="always")
def _is_talks(mode):  # pragma: no cover - compiled
    return mode in (LIMITED, SUBSTANTIVE, AGREEMENT)


@njit(inline="always")
def _pick(shares, k, r, last, u):  # pragma: no cover - compiled
    """A logit's draw from its running shares ``shares[k, r]`` (every option's; ``last`` the
    last option available, -1 for none): the count of shares at or below ``u``."""
    if last < 0:
        return DELAY
    pick = 0
    for j in range(4):
        pick += shares[k, r, j] <= u
    return min(pick, last)


@njit(inline="always")
def _exponents(U, avail, tau, out, r, at):  # pragma: no cover - compiled
    """``U_j / tau - max_k U_k / tau`` of the available options into ``out[r, at + j]``."""
    top = np.nan
    first = True
    for j in range(4):
        if avail[j]:
            z = U[j] / tau
            if first:
                top = z
                first = False
            elif top != top or z != z:
                top = top + z  # NaN, as np.maximum
            elif z > top:
                top = z
    for j in range(4):
        out[r, at + j] = U[j] / tau - top if avail[j] else 0.0


@njit()
def decide(
    t, u, par, drv, exercise, can_press, avail_c, avail_d, mode, crisis_prev, regime, active,
    zone, gap, recency_e, push, third, third_shares, third_last, choices, instigate, expo,
):  # pragma: no cover - compiled  # fmt: skip
    """Third parties' choices, the activity regime, the crisis (rules crisis_threat,
    crisis_inhibition), and the challenger's and defender's logit exponents into ``expo``
    (columns 0-3 and 4-7) for NumPy's ``exp``."""
    n_third = third.shape[0]
    ex = 1.0 if exercise else 0.0
    Uc = np.zeros(4)
    Ud = np.zeros(4)
    for r in range(u.shape[0]):
        talks = 1.0 if _is_talks(mode[r]) else 0.0
        # --- rule talks_recency: the pull of talks that ended recently (off in talks)
        recency = 0.0 if talks > 0 else par[r, RECENCY] * recency_e[r]
        # --- third parties: a logit over their tools' kinds
        n_engaging = 0.0
        for j in range(n_third):
            ch = _pick(third_shares, j, r, third_last[j], u[r, N_FIXED + j])
            choices[r, third[j]] = ch
            n_engaging += 1.0 if (ch in (ENGAGE, CONCEDE)) else 0.0
        # the activity regime of provocations: quiet or active (a Markov chain; the first
        # month's state drawn from the record's filtered probability)
        if t == 0:
            regime[r] = u[r, U_REGIME] < active[r]
        else:
            stay = par[r, STAY_ACTIVE] if regime[r] else par[r, STAY_QUIET]
            if not u[r, U_REGIME] < stay:
                regime[r] = not regime[r]
        tau = par[r, TAU]
        distress = drv[r, D_DISTRESS]
        # --- rules crisis_threat + crisis_inhibition (and deadlines: push[r, 2]): instigate
        # a crisis or not
        U_crisis = (
            par[r, CRISIS_BASE]
            + par[r, CRISIS_EXERCISE] * ex
            + par[r, CRISIS_TALKS] * talks
            + par[r, CRISIS_PERSISTENCE] * (1.0 if crisis_prev[r] else 0.0)
            + par[r, CRISIS_ACTIVE] * (1.0 if regime[r] else 0.0)
            - par[r, INHIBIT_DISTRESS] * (distress - par[r, REFERENCE_DISTRESS])
            - par[r, INHIBIT_DEPENDENCY] * (drv[r, D_DEPENDENCY] - par[r, REFERENCE_DEPENDENCY])
            + push[r, 2]
        )
        instigate[r] = (u[r, U_CRISIS] < 1.0 / (1.0 + np.exp(-(U_crisis / tau)))) and can_press
        z = 1.0 if zone[r] else 0.0
        # --- rules obduracy, desperation, weakness_blocks_reciprocity, third_party_push,
        # deadlines (push[r, 0] talks, push[r, 1] agreement): the challenger
        Uc[DELAY] = 0.0
        Uc[ENGAGE] = (
            par[r, C_ENGAGE_BASE]
            + par[r, DESPERATION] * distress
            + par[r, THIRD_PUSH] * n_engaging
            + par[r, INERTIA] * talks
            + recency
            + push[r, 0]
            - par[r, OBDURACY] * gap[r]
        )
        Uc[CONCEDE] = (
            par[r, C_CONCEDE_BASE]
            + par[r, ZONE_BONUS] * z
            + par[r, INERTIA] * talks
            - par[r, WEAKNESS] * distress
            - par[r, OBDURACY] * gap[r]
            + push[r, 1]
        )
        Uc[PRESSURE] = 0.0
        # --- rules crisis_communication, pressure_before_talks: the defender answers
        Ud[DELAY] = par[r, D_WAIT] * distress
        Ud[ENGAGE] = (
            par[r, D_ENGAGE_BASE]
            + par[r, CHANNEL] * drv[r, D_CHANNEL]
            + par[r, INERTIA] * talks
            + recency
            + push[r, 0]
        )
        Ud[CONCEDE] = (
            par[r, D_CONCEDE_BASE]
            + par[r, ZONE_BONUS] * z
            + par[r, INERTIA] * talks
            - par[r, D_OBDURACY] * gap[r]
            + push[r, 1]
        )
        Ud[PRESSURE] = par[r, D_PRESSURE_BASE] + par[r, D_ESCALATION] * (
            1.0 if instigate[r] else 0.0
        )
        _exponents(Uc, avail_c, tau, expo, r, 0)
        _exponents(Ud, avail_d, tau, expo, r, 4)


@njit(inline="always")
def _logit_pick(e, r, at, avail, u):  # pragma: no cover - compiled
    """The logit's draw from ``exp`` of its exponents ``e[r, at:at + 4]``: the running sums of
    the available options' weights (an option not available repeats the sum before it, 0
    before the first), the count of running sums over the total at or below ``u``."""
    running = 0.0
    started = False
    last = -1
    for j in range(4):
        if avail[j]:
            running = running + e[r, at + j] if started else e[r, at + j]
            started = True
            last = j
    if last < 0:
        return DELAY
    total = running
    running = 0.0
    started = False
    pick = 0
    for j in range(4):
        if avail[j]:
            running = running + e[r, at + j] if started else e[r, at + j]
            started = True
        pick += running / total <= u
    return min(pick, last)


@njit(inline="always")
def _transition(mode, ch_c, ch_d, instigate, zone):  # pragma: no cover - compiled
    """The next mode from this month's choices (no fixed rates)."""
    eng_c = ch_c in (ENGAGE, CONCEDE)
    eng_d = ch_d in (ENGAGE, CONCEDE)
    both = eng_c and eng_d
    one_concedes = ch_c == CONCEDE or ch_d == CONCEDE
    both_concede = ch_c == CONCEDE and ch_d == CONCEDE
    d_press = ch_d == PRESSURE
    either = eng_c or eng_d
    if instigate:
        # escalation makes a crisis; otherwise instigation strains what there is
        if d_press or mode == CRISIS:
            return CRISIS
        if mode in (SUBSTANTIVE, LIMITED):
            return LIMITED
        return IMPASSE
    if mode in (IMPASSE, CRISIS):  # talks only when both engage (crisis channel)
        return LIMITED if both else IMPASSE
    if mode == LIMITED:  # pressure ends them; a zone and a concession make them substantive
        if d_press:
            return IMPASSE
        if both and zone and one_concedes:
            return SUBSTANTIVE
        return LIMITED if either else IMPASSE
    if mode == SUBSTANTIVE:
        if d_press:
            return IMPASSE
        if both_concede and zone:
            return AGREEMENT
        if both and zone:
            return SUBSTANTIVE
        return LIMITED if either else IMPASSE
    if mode == AGREEMENT:
        return IMPASSE if d_press else AGREEMENT
    return mode


@njit(inline="always")
def _count_inputs(mean, size):  # pragma: no cover - compiled
    """:func:`detente.dynamics.kernel.nb_inverse`'s clean-up: (size, q)."""
    if mean != mean:
        mean = 0.0
    mean = max(mean, 0.0)
    if mean == np.inf:
        mean = 1.7976931348623157e308
    if size != size:
        size = 1e-9
    elif size == np.inf:
        size = 1.7976931348623157e308
    elif size == -np.inf:
        size = -1.7976931348623157e308
    size = max(size, 1e-9)
    q = min(max(mean / (mean + size), 0.0), 1.0 - 1e-12)
    return size, q


@njit()
def resolve(
    t, u, par, exercise, has_level, level_e, avail_c, avail_d, c, d, expo, mode, crisis_prev,
    instigate, regime, zone, without, excitation, salvo, recency_arg, choices, rate, size, q,
):  # pragma: no cover - compiled  # fmt: skip
    """The challenger's and defender's choices from ``exp`` of their exponents, the next mode,
    the months without talks (and the next month's recency exponent), the rate of
    provocations and the counts' (size, q) for :func:`counts`."""
    for r in range(u.shape[0]):
        talks = _is_talks(mode[r])
        ch_c = _logit_pick(expo, r, 0, avail_c, u[r, U_CHOICE_C])
        if instigate[r]:
            ch_c = np.int64(PRESSURE)
        ch_d = _logit_pick(expo, r, 4, avail_d, u[r, U_CHOICE_D])
        choices[r, c] = ch_c
        choices[r, d] = ch_d
        mode[r] = _transition(mode[r], ch_c, ch_d, instigate[r], zone[r])
        crisis_prev[r] = instigate[r]
        without[r] = 0.0 if _is_talks(mode[r]) else without[r] + 1.0
        recency_arg[r] = -max(without[r] - 1.0, 0.0) / max(par[r, RECENCY_MONTHS], 1e-9)
        # routine rates are means over all months: exercise months (2 in 12) get the rate
        # ratio, the others a rate that keeps the yearly mean
        ratio = par[r, EXERCISE_RATIO]
        seasonal = (ratio if exercise else 1.0) / (1.0 + (ratio - 1.0) / 6.0)
        routine = par[r, RATE_TALKS] if talks else par[r, RATE_NO_TALKS]
        base = par[r, RATE_CRISIS] if instigate[r] else routine * seasonal
        base = base * (par[r, ACTIVE_RATIO] if regime[r] else 1.0)
        x = base + par[r, EXCITATION] * excitation[r]
        if has_level:
            x = x * level_e[t, r]
        rate[r] = x
        size[0, r], q[0, r] = _count_inputs(x, par[r, PROV_DISPERSION])
        size[1, r], q[1, r] = _count_inputs(salvo[r] * x, par[r, MISSILE_DISPERSION])


@njit(inline="always")
def _invert(p0, size, q, u):  # pragma: no cover - compiled
    """The smallest ``k`` with ``F(k) >= u`` by the pmf recursion from ``p(0) = p0``."""
    pmf = p0
    cdf = p0
    k = 0
    while cdf < u and k < MAX_COUNT:
        pmf = pmf * (k + size) / (k + 1) * q
        cdf = cdf + pmf
        k += 1
    return k


@njit()
def nb_counts(p0, size, q, u, out):  # pragma: no cover - compiled
    """:func:`_invert` element by element (flat arrays)."""
    for i in range(u.shape[0]):
        out[i] = _invert(p0[i], size[i], q[i], u[i])


@njit()
def counts(u, par, p0, size, q, excitation, provocations, missiles):  # pragma: no cover
    """Provocations and missiles (negative-binomial by inversion) and the excitation."""
    for r in range(u.shape[0]):
        prov = _invert(p0[0, r], size[0, r], q[0, r], u[r, U_PROV])
        provocations[r] = prov
        missiles[r] = _invert(p0[1, r], size[1, r], q[1, r], u[r, U_MISSILE])
        memory = par[r, MEMORY]
        excitation[r] = memory * excitation[r] + (1 - memory) * prov


@njit()
def smoothed_history(memory, history):  # pragma: no cover - compiled
    """``h = memory * h + (1 - memory) * y`` over ``history`` (oldest first) from 0, per run."""
    out = np.zeros(memory.shape[0])
    for r in range(memory.shape[0]):
        h = 0.0
        for y in history:
            h = memory[r] * h + (1 - memory[r]) * y
        out[r] = h
    return out
