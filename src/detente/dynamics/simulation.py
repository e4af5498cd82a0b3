"""The monthly crisis-dynamics simulation, vectorised over Monte Carlo runs.

The roles come from the scenario's ``roles:`` section (:mod:`detente.dynamics.roles`): the
challenger, the defender, the third parties and the drivers that measure distress,
dependency, fatigue, crisis communication and the hazards of political change. The runs
are split into ``groups``; the runs of a group share one draw of the scenario's uncertain
numbers (one Latin hypercube over the groups, :mod:`detente.dynamics.draws`: triangular on
each judgement range, a fitted parameter from its fit's asymptotic normal) and differ in
their random paths (antithetic pairs of runs).
Each run plays ``months`` months from the month after ``start`` (default ``meta.start``).
Every month (:func:`detente.dynamics.kernel.play`):

1. **Political change** (rule ``political_change``): each capital may change leadership
   (the hazard drivers are re-centred so their mean is the stated value); the new leader's
   stance moves toward the other side or away from it.
2. **Fatigue** (rule ``adversary_fatigue``): the defender's stance drifts toward the
   challenger's; the bargaining set is recomputed in closed form, among every veto player
   and each issue's controllers on their issue (the bargaining core's veto matrix,
   :func:`detente.core.agreement_matrix`: the diagnosis' zone at the moved stances).
3. **Choices**: third parties choose among their tools' kinds; the challenger decides
   whether to manufacture a crisis (rules ``crisis_threat``, ``crisis_inhibition``), and if
   not, chooses among holding out, engaging and conceding (``obduracy``, ``desperation``,
   ``weakness_blocks_reciprocity``, ``third_party_push``); the defender, having seen that,
   chooses among waiting, engaging, conceding and pressure (``crisis_communication``,
   ``pressure_before_talks``). Every choice is a logit (quantal response).
4. **Mode transition** from the choices: talks start when both veto players engage; become
   substantive only with a zone of agreement and a concession; reach agreement when both
   concede; a crisis starts when the challenger instigates and the defender escalates.
5. **Provocations**: a self-exciting negative-binomial count (events) whose rate is the
   routine rate of the mode (raised in exercise months), or the crisis rate, plus
   ``provocation_excitation`` times the recent monthly mean; missiles launched are a
   second negative-binomial count with ``missiles_per_provocation`` times that rate.

All random numbers of a month come from one child of ``np.random.SeedSequence(seed)``, so
a run is reproducible from its seed and the first months do not depend on the horizon.
:func:`simulate_reference` plays the same rules run by run on the same random numbers.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import defaults
from ..defaults import parameter_groups
from ..errors import ModelError
from ._memory import Memory
from ._start import SALVO_WINDOW as SALVO_WINDOW
from ._start import _initial_counts, _initial_without_talks, _key, _start_state
from .draws import antithetic, fitted_draws, scenario_draws
from .kernel import AGREEMENT as AGREEMENT
from .kernel import CONCEDE as CONCEDE
from .kernel import CRISIS as CRISIS
from .kernel import DEADLINE_HAZARDS, KINDS, MODES, N_FIXED, PRESSURE, Setup, play
from .kernel import DELAY as DELAY
from .kernel import ENGAGE as ENGAGE
from .kernel import IMPASSE as IMPASSE
from .kernel import LIMITED as LIMITED
from .kernel import SUBSTANTIVE as SUBSTANTIVE
from .level import start_draw
from .parameters import resolve_parameters
from .posterior import Posterior
from .roles import DRIVER_ROLES, CaseRoles, case_roles, deadline_windows
from .roles import calendar as calendar
from .zone import controllers_note, holders

if TYPE_CHECKING:
    from ..scenario.schema import Scenario
    from .result import DynamicsResult

__all__ = ["KINDS", "MODES", "calendar", "simulate", "simulate_reference"]

ENGAGE_KINDS = ("engagement", "concession")


def _available(s: Scenario, veto: tuple[int, int]) -> np.ndarray:
    """Which kinds each actor can choose: delay always; its tools' kinds; and, for the
    challenger and defender, engagement and concession (coming to the table and trading
    are open to any party to the negotiation, whether or not it lists them as tools)."""
    out = np.zeros((s.n_actors, 4), bool)
    out[:, 0] = True  # doing nothing new is always possible
    for k, a in enumerate(s.actors):
        if k in veto:
            out[k, 1] = out[k, 2] = True
        for t in a.tools:
            out[k, KINDS.index(t.kind)] = True
    return out


def _recentred_hazard(s: Scenario, driver: str, draws: np.ndarray) -> np.ndarray:
    """A hazard's draws shifted so their mean is the stated value (the triangular draw on an
    asymmetric range has mean (low + value + high) / 3); clipped to [0, 1]."""
    q = s.drivers[driver].value
    return np.clip(draws - (q.low + q.value + q.high) / 3.0 + q.value, 0.0, 1.0)


def _deadline_push(s: Scenario, labels: list[str], arrays: Any) -> np.ndarray | None:
    """(months, runs, 3): the utility each deadline adds to the engagement, concession or
    crisis utility in the months it acts (:func:`detente.dynamics.roles.deadline_windows`),
    each run at its group's draw of the effect's size (``events.ID.effect.by``)."""
    acting = deadline_windows(s, labels)
    if not acting:
        return None
    runs = len(next(iter(arrays.events.values())))
    out = np.zeros((len(labels), runs, len(DEADLINE_HAZARDS)))
    for eid, hazard, months in acting:
        out[months, :, DEADLINE_HAZARDS.index(hazard)] += arrays.events[eid][None, :]
    return out


#: The monthly uniforms of the last few (seed, runs, columns), read-only: every variant of
#: a run is simulated with the run's seed, so they share these numbers, and a month's
#: numbers do not depend on the horizon, so a shorter simulation reads the first months.
_UNIFORMS = Memory(3)


def _month_uniforms(
    seed: int | None, month_ss: np.random.SeedSequence, months: int, runs: int, n_cols: int
) -> np.ndarray:
    """``(months, runs, n_cols)`` uniforms, one stream per month (the ``months`` first
    children of ``month_ss``), in antithetic pairs: the same for the same integer seed and
    sizes, so kept for the next variant (read-only: the monthly loop only reads them)."""
    key = None if seed is None else (int(seed), runs, n_cols)
    kept = _UNIFORMS.get(key) if key is not None else None
    if kept is not None and kept.shape[0] >= months:
        return kept[:months]
    children = month_ss.spawn(months)
    uniforms = antithetic(
        np.stack([np.random.default_rng(c).random(((runs + 1) // 2, n_cols)) for c in children]),
        runs,
    )
    if key is not None:
        uniforms.flags.writeable = False
        _UNIFORMS.put(key, uniforms)
    return uniforms


#: The level's normal innovations and start uniforms of the last few (seed, months, runs),
#: read-only (the monthly loop only reads them): every variant of a run shares them.
_LEVEL = Memory(3)


def _level_draws(
    seed: int | None, level_ss: np.random.SeedSequence, months: int, runs: int
) -> tuple[np.ndarray, np.ndarray]:
    """``(months, runs)`` standard normals and ``runs`` uniforms, in this order, from the
    level's stream: the same for the same integer seed and sizes, so kept for the next
    variant."""
    key = None if seed is None else (int(seed), months, runs)
    kept = _LEVEL.get(key) if key is not None else None
    if kept is not None:
        return kept
    rng = np.random.default_rng(level_ss)
    noise = rng.standard_normal((months, runs))
    u = rng.random(runs)
    if key is not None:
        noise.flags.writeable = u.flags.writeable = False
        _LEVEL.put(key, (noise, u))
    return noise, u


def _prepare(
    s: Scenario,
    months: int,
    runs: int,
    seed: int | None,
    kernel: str,
    groups: int | None,
    start: str | None,
    initial_mode: str | Sequence[str],
    history: Sequence[float] | np.ndarray | None,
    missile_history: Sequence[float] | np.ndarray | None = None,
    overrides: dict[str, float] | None = None,
    regime_probability: float | np.ndarray | None = None,
    fitted: Posterior | None = None,
    talks_history: Sequence[bool] | np.ndarray | None = None,
) -> tuple[Setup, np.ndarray, np.ndarray, object, dict[str, Any]]:
    if months < 1 or runs < 1:
        raise ModelError(f"months and runs must be >= 1; got months={months}, runs={runs}")
    K = parameter_groups(runs) if groups is None else int(groups)
    if not 1 <= K <= runs:
        raise ModelError(f"groups must be in 1..runs ({runs}); got {groups}")
    roles = case_roles(s)
    labels, exercise, election = calendar(s, months, start)
    start = start or s.meta.start or ""
    ss = np.random.SeedSequence(seed)
    sample_ss, month_ss, fit_ss, level_ss = ss.spawn(4)
    draws = scenario_draws(s, K, np.random.default_rng(sample_ss))
    group = (np.arange(runs) * K) // runs
    arrays = draws.take(group)
    fit_draws, fit_notes = fitted_draws(s, K, np.random.default_rng(fit_ss), fitted)
    given = {k: v[group] for k, v in fit_draws.items()} | {
        k: v for k, v in arrays.parameters.items() if k not in fit_draws or fitted is None
    }
    par = resolve_parameters(given, (runs,))  # new arrays (overrides write into par)
    for key, value in (overrides or {}).items():
        if key not in par:
            close = difflib.get_close_matches(key, list(par), n=3)
            raise ModelError(
                f"unknown dynamics parameter {key!r}"
                + (f"; did you mean {', '.join(close)}?" if close else "")
            )
        par[key] = np.full(runs, float(value))
    tau = par["logit_noise"]
    if not np.all(tau > 0):  # NaN too
        raise ModelError(
            "parameters.logit_noise (the choice logit's temperature) must be above 0; got "
            f"{float(tau[~(tau > 0)][0])!r}: give a positive value (1 is the calibrated unit)"
        )
    drv: dict[str, np.ndarray] = {}
    for role in DRIVER_ROLES:
        name = roles.drivers.get(role)
        v = None if name is None else arrays.drivers.get(name)
        drv[role] = np.zeros(runs) if v is None else np.array(v, float)
        if v is not None and role.startswith("change_"):
            drv[role] = _recentred_hazard(s, str(name), drv[role])
    # an absent distress or dependency drops its inhibition term (not "0 distress")
    for role, ref in (("distress", "reference_distress"), ("dependency", "reference_dependency")):
        if role not in roles.drivers:
            par[ref] = np.zeros(runs)
    if isinstance(initial_mode, str) and initial_mode in MODES:  # one mode for every run
        mode0 = np.full(runs, MODES.index(initial_mode), np.int8)
    else:
        modes = [initial_mode] * runs if isinstance(initial_mode, str) else list(initial_mode)
        bad = sorted({m for m in modes if m not in MODES})
        if bad or len(modes) != runs:
            raise ModelError(
                f"initial_mode must be one of {', '.join(MODES)} (or one per run); "
                f"got {bad or len(modes)}"
            )
        mode0 = np.array([MODES.index(m) for m in modes], np.int8)
    rkey = _key(s)  # the record's identity, read once
    excitation, salvo, origin = _initial_counts(s, start, history, missile_history, par, rkey)
    state = _start_state(s, start, history, regime_probability, overrides, rkey)
    veto = (roles.challenger, roles.defender)
    n_cols = N_FIXED + len(roles.third)
    uniforms = _month_uniforms(seed, month_ss, months, runs, n_cols)
    level_noise, level_u = _level_draws(seed, level_ss, months, runs)
    active, level0 = start_draw(state, level_u)
    setup = Setup(
        arrays, par, drv, roles, _available(s, veto), labels, exercise, election, kernel,
        mode0, excitation, salvo, active, level_noise, level0,
        _initial_without_talks(s, start, talks_history, mode0, rkey),
        _deadline_push(s, labels, arrays), holders(s, arrays),
    )  # fmt: skip
    info = {"excitation": origin, "fit_notes": fit_notes}
    return setup, uniforms, group, draws, info


def simulate(
    scenario: Scenario,
    *,
    months: int = defaults.MONTHS,
    runs: int = defaults.RUNS,
    seed: int | None = defaults.SEED,
    initial_mode: str | Sequence[str] = "impasse",
    groups: int | None = None,
    start: str | None = None,
    history: Sequence[float] | np.ndarray | None = None,
    missile_history: Sequence[float] | np.ndarray | None = None,
    regime_probability: float | np.ndarray | None = None,
    kernel: str = "auto",
    progress: Callable[[int], None] | None = None,
    what_if: str | None = None,
    parameters: dict[str, float] | None = None,
    fitted: Posterior | None = None,
    talks_history: Sequence[bool] | np.ndarray | None = None,
) -> DynamicsResult:
    """Monte Carlo of the monthly dynamics: ``runs`` runs of ``months`` months.

    Parameters
    ----------
    scenario : Scenario
        Needs a ``roles:`` section (else :class:`ModelError`, "not applicable") and
        ``meta.start`` (or ``start``).
    months, runs : int
        Horizon and number of Monte Carlo runs.
    seed : int or None
        Root of ``np.random.SeedSequence``; the same seed gives the same result.
    initial_mode : str or sequence of str
        One of :data:`MODES` (default impasse), or one per run.
    groups : int, optional
        Split the runs into this many groups sharing one draw of the uncertain inputs each
        (default :func:`detente.defaults.parameter_groups`, the split every command uses,
        so ``simulate``, ``run`` and ``claims`` give one value at one seed and size).
        ``result.group`` and ``result.draws`` expose them.
    start : str, optional
        ``YYYY-MM``: the last month before the simulation (default ``meta.start``).
    history, missile_history : sequence of float, optional
        Monthly provocation and missile counts up to ``start`` (oldest first) that set the
        initial excitation and the salvo size (missiles per event over the last
        :data:`SALVO_WINDOW` months, shrunk toward ``missiles_per_provocation`` with the
        weight of ``salvo_prior_events`` events); default: the scenario's record
        (``roles.record``) if it covers ``start``, else the stationary mean and the prior.
    regime_probability : float, optional
        P(the active regime of provocations) in the first month; default: filtered from
        the scenario's record up to ``start`` (:func:`detente.dynamics.regimes.filter_active`)
        when there is one and no ``history`` is given, else the chain's stationary value. An
        array ``(2, G)`` is the joint law of (quiet / active, log level on
        :data:`detente.dynamics.level.GRID`) from which each run draws its start.
    kernel : {"auto", "diagnosis", "red_lines"}
        The bargaining-set test (see :func:`detente.dynamics.zone.zone_and_gap`).
    progress : callable, optional
        Called with 1 after each month.
    parameters : dict, optional
        Overrides of simulation parameters (names of
        :data:`detente.dynamics.parameters.DEFAULTS`), fixed across runs.
    fitted : Posterior, optional
        A fit made elsewhere (:class:`detente.dynamics.posterior.Posterior`: estimates, 90%
        intervals and a joint normal), drawn per group from its posterior
        (:func:`detente.dynamics.draws.fitted_draws`) in place of the scenario's values (the
        backtest's fit at each origin).
    talks_history : sequence of bool, optional
        Whether each month up to ``start`` (oldest first) had talks: sets the months
        without talks at the start (rule ``talks_recency``); default: the scenario's record
        if it covers ``start``, else no recent talks known.

    Returns
    -------
    DynamicsResult
    """
    st, uniforms, group, draws, info = _prepare(
        scenario, months, runs, seed, kernel, groups, start, initial_mode, history,
        missile_history, parameters, regime_probability, fitted, talks_history,
    )  # fmt: skip
    out = play(st, np.arange(runs), uniforms, progress)
    return finish(scenario, st, out, group, draws, info, seed, what_if, kernel, parameters)


def finish(
    scenario: Scenario,
    st: Setup,
    out: dict[str, np.ndarray],
    group: np.ndarray,
    draws: Any,
    info: dict[str, Any],
    seed: int | None,
    what_if: str | None,
    kernel: str,
    parameters: dict[str, float] | None,
) -> DynamicsResult:
    """The :class:`DynamicsResult` of played runs, with the notes on what the run lacked
    (shared by :func:`simulate` and :func:`detente.dynamics.batch.simulate_batch`)."""
    from .result import DynamicsResult

    roles = st.roles
    notes = [
        f"driver role {role} is not declared under roles.drivers: its terms are left out"
        for role in DRIVER_ROLES
        if role not in roles.drivers
    ]
    ids = scenario.actor_ids
    silent = [
        ids[k]
        for k, a in enumerate(scenario.actors)
        if a.veto and k not in (roles.challenger, roles.defender)
    ]
    if silent:
        notes.append(
            f"warning: {len(silent) + 2} veto players but roles name only the challenger and "
            f"the defender; {', '.join(silent)} have no role of their own in talks or crises (they act as third parties), but every agreement "
            "needs the zone of agreement among all veto players, theirs included"
        )
    note = controllers_note(scenario, (roles.challenger, roles.defender))
    if note is not None:
        notes.append(note)
    calibrated = roles.record is not None
    if not calibrated:
        notes.append(
            "uncalibrated: the scenario names no record (roles.record); the dynamics run on "
            "judgement priors and default parameters"
        )
    notes.extend(info["fit_notes"])
    if info["excitation"] == "stationary":
        notes.append(
            "no provocation history before the start: the self-excitation starts at its "
            "stationary mean"
        )
    for e in scenario.events:
        if "deadline" in e.kind.lower() and e.effect is None:
            notes.append(
                f"deadline {e.id} declares no effect (events.{e.id}.effect: raises, by, window, "
                "or inert with its reason): it does nothing in the simulation"
            )
    if not st.available[roles.challenger, PRESSURE]:
        notes.append("the challenger has no pressure tool: it cannot manufacture a crisis")
    if kernel == "red_lines":
        notes.append("bargaining set from the veto players' red lines only")
    if parameters:
        notes.append(
            "parameters overridden: " + ", ".join(f"{k}={v}" for k, v in parameters.items())
        )
    return DynamicsResult(
        notes=tuple(notes),
        scenario_id=scenario.id,
        months=tuple(st.labels),
        actor_ids=ids,
        challenger=ids[roles.challenger],
        defender=ids[roles.defender],
        seed=seed,
        what_if=what_if,
        calibrated=calibrated,
        group=group,
        draws=draws,
        dispersion={
            "provocations": st.par["provocation_dispersion"].copy(),
            "missiles": st.par["missile_dispersion"].copy(),
            "salvo": st.salvo.copy(),
        },
        **{k: out[k] for k in _RESULT_ARRAYS},
    )


_RESULT_ARRAYS = (
    "active",
    "modes",
    "provocations",
    "missiles",
    "rate",
    "choices",
    "instigated",
    "zone",
    "gap",
    "change_challenger",
    "change_defender",
)


def simulate_reference(
    scenario: Scenario,
    *,
    months: int = defaults.MONTHS,
    runs: int = defaults.RUNS,
    seed: int | None = defaults.SEED,
    subset_runs: int | None = None,
    initial_mode: str = "impasse",
    groups: int | None = None,
) -> dict[str, np.ndarray]:
    """The same rules played run by run in a Python loop (the vectorisation reference).

    Uses exactly the random numbers of :func:`simulate` with the same arguments, so the
    first ``subset_runs`` runs must agree with it exactly.
    """
    st, uniforms, *_ = _prepare(
        scenario, months, runs, seed, "auto", groups, None, initial_mode, None
    )
    n = runs if subset_runs is None else min(runs, subset_runs)
    pieces = [play(st, np.array([r]), uniforms) for r in range(n)]
    return {k: np.concatenate([p[k] for p in pieces], axis=1) for k in pieces[0]}


def find_roles(
    s: Scenario, challenger: str | None = None, defender: str | None = None
) -> CaseRoles:
    """The declared roles (:func:`detente.dynamics.roles.case_roles`); no guessing.

    Kept for callers written before ``roles:``; ``challenger``/``defender`` are ignored.
    """
    return case_roles(s)
