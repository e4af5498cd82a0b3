"""The monthly loop of the crisis dynamics, vectorised over the runs it is given.

:func:`play` is called by :func:`detente.dynamics.simulate` with every run at once and by
:func:`detente.dynamics.simulate_reference` with one run at a time, on the same random
numbers, so the two agree path for path. No LP runs inside the loop: the bargaining set is
recomputed in closed form (:mod:`detente.dynamics.zone`) after a political change and,
for the slow drift of fatigue, every :data:`RECOMPUTE_EVERY` months.

Each month's rules are compiled steps over the runs (:mod:`detente.dynamics._month`, which
also names the rules' blocks); this module prepares their inputs, cuts the month where a
number needs NumPy's ``exp`` or ``log1p`` (so every float is NumPy's), and collects the
months.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _month as m
from ._month import (
    AGREEMENT,
    CONCEDE,
    CRISIS,
    DELAY,
    ENGAGE,
    IMPASSE,
    KINDS,
    LIMITED,
    MODES,
    N_FIXED,
    PRESSURE,
    RECOMPUTE_EVERY,
    SUBSTANTIVE,
)
from .zone import MonthlyZone

if TYPE_CHECKING:
    from ..scenario.arrays import ScenarioArrays
    from .roles import CaseRoles

__all__ = [
    "AGREEMENT",
    "CONCEDE",
    "CRISIS",
    "DEADLINE_HAZARDS",
    "DELAY",
    "ENGAGE",
    "IMPASSE",
    "KINDS",
    "LIMITED",
    "MODES",
    "N_FIXED",
    "PRESSURE",
    "RECOMPUTE_EVERY",
    "SUBSTANTIVE",
    "Setup",
    "nb_inverse",
    "play",
]

#: The hazards a deadline raises, in the order of :attr:`Setup.deadline`'s last axis.
DEADLINE_HAZARDS = ("talks", "agreement", "crisis")


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

    ``p(0) = (1 - q)^size`` is NumPy's ``exp(size * log1p(-q))``; each element's recursion
    then runs compiled (:func:`detente.dynamics._month.nb_counts`; a salvo of missiles can
    need some 200 steps), the same operations in the same order as the whole-array
    recursion. The monthly loop counts with the same steps.
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
    m.nb_counts(pmf, size, q, np.array(u, float), out)
    return out.reshape(shape)


def _shares(
    utilities: np.ndarray, available: np.ndarray, tau: np.ndarray
) -> tuple[np.ndarray, int]:
    """A logit choice's running shares: for each option ``j`` (runs, 4), the probability of
    the options up to ``j`` under softmax(U / tau) over the available options, and the last
    option available (-1 for none). The draw is the count of shares at or below the
    uniform, at most that option (:func:`detente.dynamics._month.decide`).

    Computed option by option on whole columns, in the order the monthly choices use: the
    maximum, ``exp`` of the differences (0 for an option not available), their running sum
    and each running sum over the total.
    """
    R = utilities.shape[0]
    if not available.any():
        return np.zeros((R, 4)), -1
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
            running = np.zeros(R)
        cum.append(running)
    total = cum[-1]
    shares = np.empty((R, 4))
    for j, c in enumerate(cum):
        shares[:, j] = c / total
    return shares, cols[-1]


def _table(values: dict[str, np.ndarray], names: tuple[str, ...], idx: Any) -> np.ndarray:
    """The entries ``names`` of ``values`` for the runs ``idx`` (indices or a slice), as one
    (runs, names) array."""
    first = values[names[0]][idx]
    table = np.empty((len(first), len(names)))
    for k, name in enumerate(names):
        table[:, k] = values[name][idx]
    return table


def play(
    st: Setup,
    idx: np.ndarray,
    uniforms: np.ndarray | Sequence[np.ndarray],
    progress: Callable[[int], None] | None = None,
) -> dict[str, np.ndarray]:
    """Play all months for the runs ``idx`` (vectorised over them)."""
    # a batch's scenarios' uniforms side by side (runs of each after the other's): each
    # month's rows are joined as the month is played, not all months at once up front (the
    # same numbers; a batch's whole array is tens of MB to write and page in)
    parts = [uniforms] if isinstance(uniforms, np.ndarray) else list(uniforms)
    n_runs = sum(p.shape[1] for p in parts)
    if len(parts) > 1 and not (len(idx) == n_runs and bool(np.all(idx == np.arange(n_runs)))):
        parts = [np.concatenate(parts, axis=1)]  # some runs only: join them all first
    uniforms = parts[0]
    every_run = len(idx) == n_runs and bool(np.all(idx == np.arange(len(idx))))
    rows = slice(None) if every_run else idx  # all runs: views, not copies
    P = {k: v[rows] for k, v in st.par.items()}
    c, d = st.roles.challenger, st.roles.defender
    T, R = uniforms.shape[0], len(idx)
    # the runs' entries of the per-run fields: the first R (a slice, not a gather of R
    # indices) when every run plays; each is copied or only read below
    sel = slice(0, R) if every_run else idx
    par, drv = _table(st.par, m.PAR, rows), _table(st.drv, m.DRV, rows)
    tau = P["logit_noise"]
    # the runs' own arrays (all of them: no copy; positions and red lines are copied below)
    arrays = st.arrays if every_run and st.arrays.n_draws == len(idx) else st.arrays.take(idx)
    # the stances: positions and red lines per run, moved by political change and fatigue
    pos = np.array(arrays.positions, float)
    lo, hi = np.array(arrays.red_low, float), np.array(arrays.red_high, float)
    lo_set = np.ascontiguousarray(lo > arrays.scale_low)  # which bounds are real red lines
    hi_set = np.ascontiguousarray(hi < arrays.scale_high)
    s_lo = np.array(arrays.scale_low, float)
    s_hi = np.array(arrays.scale_high, float)
    monthly_zone = MonthlyZone(arrays, st.kernel, st.holders)
    mode = st.initial_mode[sel].astype(np.int8)
    crisis_prev = mode == CRISIS
    excitation = st.excitation[sel].astype(float)
    salvo = st.salvo[sel].astype(float)
    active = st.active[sel].astype(float)
    regime = np.zeros(R, bool)
    n_act = st.available.shape[0]
    # the local level of provocations: a random walk in the log rate (memory 1; below 1 it
    # reverts toward 0), started at the level filtered from the record (detente.dynamics.level)
    level_sd, level_memory = P["provocation_level_sd"], P["provocation_level_memory"]
    level = np.zeros(R) if st.level_start is None else st.level_start[sel].astype(float)
    has_level = st.level_noise is not None and bool(np.any(level_sd > 0) or np.any(level != 0))
    level_e = np.ones((1, R))
    if has_level and st.level_noise is not None:
        level_e = np.empty((T, R))
        for t in range(T):
            if t > 0:
                level = level_memory * level + level_sd * st.level_noise[t, sel]
            level_e[t] = np.exp(level)  # the likelihood's model (median-preserving)
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
    zone, gap = np.empty(R, bool), np.empty(R)
    monthly_zone(pos, lo, hi, np.arange(R), zone, gap)
    # months without talks since the last talks month (rule talks_recency)
    without = (
        np.full(R, np.inf) if st.without_talks is None else st.without_talks[sel].astype(float)
    )
    recency_arg = -np.maximum(without - 1.0, 0.0) / np.maximum(P["talks_recency_months"], 1e-9)
    fatigue_step = np.ascontiguousarray(P["fatigue_rate"] * st.drv["fatigue"][sel], float)
    has_fatigue = bool(np.any(fatigue_step != 0))
    # third parties choose among their tools' kinds with utilities that never change: their
    # logit's running shares are the same every month
    third = np.array(st.roles.third, np.int64)
    third_shares = np.empty((len(third), R, 4))
    third_last = np.empty(len(third), np.int64)
    U3 = np.zeros((R, 4))
    U3[:, ENGAGE] = P["third_party_engagement"]
    U3[:, CONCEDE] = P["third_party_concession"]
    U3[:, PRESSURE] = P["third_party_pressure"]
    for j, k in enumerate(third):
        third_shares[j], third_last[j] = _shares(U3, st.available[k], tau)
    can_press = bool(st.available[c, PRESSURE])
    avail_c = np.array(st.available[c], bool)
    avail_c[PRESSURE] = False
    avail_d = np.array(st.available[d], bool)
    no_push = np.zeros((R, 3))
    due = np.empty(R, bool)
    expo = np.empty((R, 8))
    size, q = np.empty((2, R)), np.empty((2, R))
    # the month's temporaries, written in place every month (the same operations on the
    # same numbers; a fresh (runs, 8) array a month cost more than its exponentials)
    recency_e, log_q, p0 = np.empty(R), np.empty((2, R)), np.empty((2, R))
    for t in range(T):
        if len(parts) > 1:
            u = np.concatenate([p[t] for p in parts], axis=0)
        else:
            u = np.ascontiguousarray(uniforms[t] if every_run else uniforms[t, idx])
        if u.flags.writeable:  # numba compiles a read-only array apart: always read-only
            u = u.view()
            u.flags.writeable = False
        change_c, change_d = out["change_challenger"][t], out["change_defender"][t]
        # --- rules political_change, adversary_fatigue: the stances move ---------------
        n_due = m.politics(
            t, u, par, drv, float(st.election[t, c]), float(st.election[t, d]), c, d, pos, lo,
            hi, lo_set, hi_set, s_lo, s_hi, fatigue_step, has_fatigue, change_c, change_d, due,
        )  # fmt: skip
        # the bargaining set is recomputed at once after a change and, for the slow drift
        # of fatigue, every RECOMPUTE_EVERY months for every run
        if n_due:
            monthly_zone(pos, lo, hi, due.nonzero()[0], zone, gap)
        # --- rule talks_recency: the pull of talks that ended recently decays with the
        # months without talks since (1 the month after the last talks month; off in talks)
        np.exp(recency_arg, out=recency_e)
        # --- rule deadlines: the case's deadlines raise the utility of engaging (talks),
        # of conceding (agreement) or of a crisis in the months around their dates
        push = no_push if st.deadline is None else np.array(st.deadline[t, sel], order="C")
        # --- third parties, the activity regime, rules crisis_threat + crisis_inhibition,
        # obduracy, desperation, weakness_blocks_reciprocity, third_party_push,
        # crisis_communication, pressure_before_talks: the logit's exponents
        choices = out["choices"][t]
        choices[:] = DELAY
        instigate = out["instigated"][t]
        m.decide(
            t, u, par, drv, bool(st.exercise[t]), can_press, avail_c, avail_d, mode,
            crisis_prev, regime, active, zone, gap, recency_e, push, third, third_shares,
            third_last, choices, instigate, expo,
        )  # fmt: skip
        np.exp(expo, out=expo)
        # --- the choices, the next mode; provocations: a self-exciting negative-binomial
        # count (routine rates are means over all months, exercise months get the rate
        # ratio; the excitation adds provocation_excitation x the recent monthly mean)
        m.resolve(
            t, u, par, bool(st.exercise[t]), has_level, level_e, avail_c, avail_d, c, d, expo,
            mode, crisis_prev, instigate, regime, zone, without, excitation, salvo,
            recency_arg, choices, out["rate"][t], size, q,
        )  # fmt: skip
        np.negative(q, out=log_q)  # p(0) = (1 - q)^size = exp(size log1p(-q))
        np.log1p(log_q, out=log_q)
        np.multiply(size, log_q, out=p0)
        np.exp(p0, out=p0)
        m.counts(u, par, p0, size, q, excitation, out["provocations"][t], out["missiles"][t])
        out["modes"][t] = mode
        out["active"][t] = regime
        out["zone"][t], out["gap"][t] = zone, gap
        if progress is not None:
            progress(1)
    return out
