"""The state of a case at the start month, read from its record: the excitation and salvo
size of the counts, the months since the last talks, and the level's filtered start state
(remembered per record, start month and parameters).

Private to :mod:`detente.dynamics`; :mod:`.simulation` prepares every simulation with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data.records import panel_until, record_key
from ._memory import Memory
from ._month import AGREEMENT, LIMITED, SUBSTANTIVE, smoothed_history
from .level import initial_state

if TYPE_CHECKING:
    from ..scenario.schema import Scenario


#: Months of history behind the salvo size (missiles per provocation event) at the start.
SALVO_WINDOW = 36


def _key(s: Scenario) -> tuple[str, int, int] | None:
    """The scenario's record's :func:`~detente.data.records.record_key` (None without a
    record): a simulation reads it once and hands it to the functions below (it resolves a
    path and reads the file system)."""
    if s.roles is None or s.roles.record is None:
        return None
    return record_key(s.roles.record)


def _record_history(
    s: Scenario, start: str, rkey: tuple[str, int, int] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Provocation and missile counts and the talks months of the scenario's record up to
    ``start``, if covered (remembered per record and start month, read-only: every variant
    of a case reads them); ``rkey`` is :func:`_key` of ``s`` when the caller has it."""
    if s.roles is None or s.roles.record is None:
        return None
    key = (record_key(s.roles.record) if rkey is None else rkey, start)
    kept = _HISTORIES.get(key, _NOT_KEPT)
    if kept is not _NOT_KEPT:
        return kept
    panel = panel_until(s.roles.record, start)
    history = None
    if panel is not None:
        missiles = panel["missiles"] if "missiles" in panel else panel["provocations"] * 0
        history = (
            np.array(panel["provocations"], float),
            np.array(missiles, float),
            np.asarray(panel["talks"], bool).copy(),
        )
        for a in history:
            a.flags.writeable = False
    return _HISTORIES.put(key, history)


#: :func:`_record_history`'s memory: (record's key, start) -> the counts and talks (or None).
_HISTORIES = Memory(64)
#: A value no memory holds (a record that misses the start is kept as None).
_NOT_KEPT = object()


#: :func:`_start_state`'s memory: (record's key, start, parameters, overrides) -> the start
#: state (the workbench simulates in threads: see :class:`~detente.dynamics._memory.Memory`).
_START_STATES = Memory(256)


def _start_state(
    s: Scenario,
    start: str,
    history: Sequence[float] | np.ndarray | None,
    given: float | np.ndarray | None,
    overrides: dict[str, float] | None,
    rkey: tuple[str, int, int] | None = None,
) -> Any:
    """:func:`detente.dynamics.level.initial_state`, remembered when it filters the record:
    it reads of the scenario only its record and its parameters' point values, so the same
    record, start month, parameters and overrides give the same state (a sensitivity
    analysis prepares hundreds of simulations of one case, most with the same parameters).
    The key holds the record's identity (:func:`detente.data.records.record_key`: a user's
    file edited since is another record) and every parameter, not only those the filter
    reads: never a stale state. The state computed is the one returned. ``rkey`` is
    :func:`_key` of ``s`` when the caller has it."""
    if history is not None or given is not None or s.roles is None or s.roles.record is None:
        return initial_state(s, start, history, given, overrides)
    key = (
        record_key(s.roles.record) if rkey is None else rkey,
        start,
        tuple(sorted((k, float(p.value.value)) for k, p in s.parameters.items())),
        tuple(sorted((k, float(v)) for k, v in (overrides or {}).items())),
    )
    kept = _START_STATES.get(key, _NOT_KEPT)
    if kept is not _NOT_KEPT:
        return kept
    return _START_STATES.put(key, initial_state(s, start, history, given, overrides))


def _initial_without_talks(
    s: Scenario,
    start: str,
    talks_history: Sequence[bool] | np.ndarray | None,
    mode0: np.ndarray,
    rkey: tuple[str, int, int] | None = None,
) -> np.ndarray:
    """Months without talks since the last talks month at the start, per run (rule
    ``talks_recency``): from ``talks_history`` (oldest first, the start month last), else
    from the scenario's record up to ``start``, else unknown (inf: no recent talks); 0 for
    a run that starts in talks. ``rkey`` is :func:`_key` of ``s`` when the caller has it."""
    if talks_history is None:
        rec = _record_history(s, start, rkey)  # None when the record misses start
        if rec is not None:
            talks_history = rec[2]
    known = np.inf
    if talks_history is not None and np.any(talks_history):
        h = np.asarray(talks_history, bool)
        known = float(len(h) - 1 - np.flatnonzero(h)[-1])
    in_talks = np.isin(mode0, (LIMITED, SUBSTANTIVE, AGREEMENT))
    return np.where(in_talks, 0.0, known)


def _initial_counts(
    s: Scenario,
    start: str,
    history: Sequence[float] | np.ndarray | None,
    missile_history: Sequence[float] | np.ndarray | None,
    par: dict[str, np.ndarray],
    rkey: tuple[str, int, int] | None = None,
) -> tuple[np.ndarray, np.ndarray, str]:
    """The excitation (the recent monthly mean of provocations) and the salvo size at the
    start: from ``history`` / ``missile_history`` (oldest first), else from the scenario's
    record up to ``start``, else the stationary mean and the prior salvo size. ``rkey`` is
    :func:`_key` of ``s`` when the caller has it."""
    memory = par["provocation_memory"]
    prior = par["missiles_per_provocation"]
    weight = par["salvo_prior_events"]
    if history is None:
        rec = _record_history(s, start, rkey)
        if rec is not None:
            history, missile_history = rec[0], rec[1]
    if history is None or len(history) == 0:
        stationary = par["provocation_rate_no_talks"] / np.maximum(
            1e-9, 1 - par["provocation_excitation"]
        )
        return stationary.copy(), prior.copy(), "stationary"
    # the same recursion for every run with the same memory (one per group of draws)
    values, back = np.unique(np.asarray(memory, float), return_inverse=True)
    h = _smoothed(values, np.array(history, float))[back.ravel()]
    events = float(np.sum(np.asarray(history, float)[-SALVO_WINDOW:]))
    if missile_history is None or len(missile_history) == 0:
        return h, prior.copy(), "record"
    launched = float(np.sum(np.asarray(missile_history, float)[-SALVO_WINDOW:]))
    return h, (weight * prior + launched) / (weight + events), "record"


#: :func:`_smoothed`'s memory: (the memories' bytes, the history's bytes) -> the means.
_SMOOTHED = Memory(64)


def _smoothed(values: np.ndarray, history: np.ndarray) -> np.ndarray:
    """:func:`~detente.dynamics._month.smoothed_history` of ``values`` over ``history``,
    remembered by their bytes (read-only: every variant of a case starts from the same
    record with the same memories)."""
    key = (values.tobytes(), history.tobytes())
    kept = _SMOOTHED.get(key)
    if kept is not None:
        return kept
    out = smoothed_history(values, history)
    out.flags.writeable = False
    return _SMOOTHED.put(key, out)
