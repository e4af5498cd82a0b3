"""Many simulations played as one: the design points of a sensitivity analysis.

:func:`simulate_batch` gives, for each scenario of a list, exactly what :func:`simulate`
gives for it with the same arguments (every array equal, element for element), but plays the
runs of all of them through one call of the vectorised monthly loop
(:func:`detente.dynamics.kernel.play`). A sensitivity analysis of an outlook probability or a
claim's margin simulates hundreds of scenarios that differ only in a few numbers; one
simulation of 200 runs spends most of its time in the loop's per-month overhead, which a
batch of 32 scenarios pays once.

Each scenario is prepared on its own (its draws, parameters, drivers, initial state and
random numbers, from the same seed, exactly as :func:`simulate` prepares it); the loop is
vectorised over runs and each run reads only its own row, so a run's path does not depend
on the other runs beside it (the property :func:`simulate_reference`, which plays one run at
a time, is tested against).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import defaults
from ..errors import ModelError
from .kernel import Setup, play
from .simulation import _prepare, finish

if TYPE_CHECKING:
    from ..scenario.arrays import ScenarioArrays
    from ..scenario.schema import Scenario
    from .result import DynamicsResult

__all__ = ["simulate_batch", "simulate_many"]

#: Fields of :class:`Setup` with one entry per run on their first axis (or None).
_PER_RUN = ("initial_mode", "excitation", "salvo", "active", "level_start", "without_talks")
#: Fields of :class:`Setup` that are (months, runs, ...) arrays (or None).
_PER_MONTH_RUN = ("level_noise", "deadline")
#: Fields of :class:`Setup` with one entry per run on their first axis, by name.
_PER_RUN_DICTS = ("par", "drv")
#: Fields of :class:`Setup` the runs share (calendar, roles, labels): equal in every
#: scenario of a batch, whatever their shape (``exercise`` and ``election`` have one entry
#: per month, which may be as many as the runs).
_SHARED = ("roles", "available", "labels", "exercise", "election", "kernel", "holders")


def simulate_batch(
    scenarios: Sequence[Scenario],
    *,
    months: int = defaults.MONTHS,
    runs: int = defaults.RUNS,
    seed: int | None = defaults.SEED,
    groups: int | None = None,
    what_ifs: Sequence[str | None] | None = None,
) -> list[DynamicsResult]:
    """``[simulate(s, months=months, runs=runs, seed=seed, groups=groups, what_if=w) for s, w
    in zip(scenarios, what_ifs)]``, played as one batch.

    The scenarios must share their actors, issues, roles and calendar (design points of one
    case: the same case with some numbers changed); :class:`ModelError` otherwise.

    Parameters
    ----------
    scenarios : sequence of Scenario
    months, runs, seed, groups
        As :func:`detente.dynamics.simulate` (the same for every scenario).
    what_ifs : sequence of str or None, optional
        Each result's ``what_if`` label (default None).

    Returns
    -------
    list of DynamicsResult
        One per scenario, in order; each equal to :func:`simulate`'s.
    """
    if not scenarios:
        return []
    labels = list(what_ifs) if what_ifs is not None else [None] * len(scenarios)
    if len(labels) != len(scenarios):
        raise ModelError(f"{len(labels)} what-if labels for {len(scenarios)} scenarios")
    prepared = [
        _prepare(s, months, runs, seed, "auto", groups, None, "impasse", None) for s in scenarios
    ]
    setup = _merge([p[0] for p in prepared], runs)
    return _play_together(setup, scenarios, prepared, labels, runs, seed)


def _play_together(
    setup: Setup,
    scenarios: Sequence[Scenario],
    prepared: Sequence[Any],
    labels: Sequence[str | None],
    runs: int,
    seed: int | None,
) -> list[DynamicsResult]:
    """One call of the monthly loop for the prepared scenarios (``setup`` their merged
    :class:`Setup`), each one's ``runs`` rows finished as :func:`simulate` finishes them."""
    # the scenarios' uniforms side by side, joined month by month by the loop (it only reads
    # them: a single scenario's are played without a copy)
    parts = [p[1] for p in prepared]
    out = play(setup, np.arange(sum(u.shape[1] for u in parts)), parts)
    results = []
    for j, (s, (st, _u, group, draws, info), label) in enumerate(
        zip(scenarios, prepared, labels, strict=True)
    ):
        rows = slice(j * runs, (j + 1) * runs)
        part = {name: a[:, rows] for name, a in out.items()}
        results.append(finish(s, st, part, group, draws, info, seed, label, "auto", None))
    return results


def simulate_many(
    scenarios: Sequence[Scenario],
    *,
    months: int = defaults.MONTHS,
    runs: int = defaults.RUNS,
    seed: int | None = defaults.SEED,
    groups: int | None = None,
    what_ifs: Sequence[str | None] | None = None,
    batch_runs: int = 8_000,
) -> list[DynamicsResult]:
    """:func:`simulate_batch` for scenarios of one case that may differ in what a batch
    cannot share (a tool taken from an actor, an event taken from the calendar): the
    scenarios are prepared one by one, those that can share a batch are played together (at
    most ``batch_runs`` runs in one call, a bound on the arrays' size), the others alone.

    Each result equals :func:`simulate`'s for its scenario with the same arguments.

    Parameters
    ----------
    scenarios : sequence of Scenario
    months, runs, seed, groups, what_ifs
        As :func:`simulate_batch`.
    batch_runs : int
        The most runs played in one call of the monthly loop.

    Returns
    -------
    list of DynamicsResult
        One per scenario, in order.
    """
    labels = list(what_ifs) if what_ifs is not None else [None] * len(scenarios)
    if len(labels) != len(scenarios):
        raise ModelError(f"{len(labels)} what-if labels for {len(scenarios)} scenarios")
    prepared = [
        _prepare(s, months, runs, seed, "auto", groups, None, "impasse", None) for s in scenarios
    ]
    # groups of scenarios that can share one call of the loop, in order of first appearance
    batches: list[list[int]] = []
    size = max(1, batch_runs // runs)
    for k, p in enumerate(prepared):
        home = next(
            (b for b in batches if len(b) < size and _shareable(prepared[b[0]][0], p[0])), None
        )
        if home is None:
            batches.append([k])
        else:
            home.append(k)
    results: list[DynamicsResult | None] = [None] * len(scenarios)
    while batches:
        b = batches.pop(0)
        try:
            setup = prepared[b[0]][0] if len(b) == 1 else _merge([prepared[k][0] for k in b], runs)
        except ModelError:  # a field _merge cannot tell is one entry per run: one by one
            batches[:0] = [[k] for k in b]
            continue
        played = _play_together(
            setup, [scenarios[k] for k in b], [prepared[k] for k in b], [labels[k] for k in b],
            runs, seed,
        )  # fmt: skip
        for k, r in zip(b, played, strict=True):
            results[k] = r
    return [r for r in results if r is not None]


def _shareable(a: Setup, b: Setup) -> bool:
    """Whether :func:`_merge` can play the runs of ``a`` and ``b`` in one batch: every field
    that is not one entry per run (or per draw) is the same in both."""
    for f in fields(Setup):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name == "arrays":
            probe = x.take(slice(0, 0))  # per-draw fields come back empty (views: no copy)
            for g in fields(x):
                before, after = getattr(x, g.name), getattr(probe, g.name)
                per_draw = (
                    any(np.shape(before[k]) != np.shape(after[k]) for k in before)
                    if isinstance(before, dict)
                    else isinstance(before, np.ndarray) and before.shape != np.shape(after)
                )
                if per_draw:
                    if isinstance(before, dict) and before.keys() != getattr(y, g.name).keys():
                        return False
                elif not _same([before, getattr(y, g.name)]):
                    return False
        elif f.name in _PER_RUN_DICTS:
            if x.keys() != y.keys():
                return False
        elif f.name in _PER_RUN or f.name in _PER_MONTH_RUN:
            if (x is None) != (y is None):
                return False
        elif f.name not in _SHARED or not _same([x, y]):
            return False  # a field this module does not know is never shared
    return True


def _same(values: list[Any]) -> bool:
    first = values[0]
    if isinstance(first, np.ndarray):
        return all(np.array_equal(first, v) for v in values[1:])
    return all(v == first for v in values[1:])


def _merge(setups: list[Setup], runs: int) -> Setup:
    """One :class:`Setup` whose runs are the runs of ``setups`` (``runs`` each), one after
    the other."""
    merged: dict[str, Any] = {}
    for f in fields(Setup):
        values = [getattr(st, f.name) for st in setups]
        if f.name == "arrays":
            merged[f.name] = _merge_arrays(values, runs)
        elif f.name in _PER_RUN_DICTS:
            merged[f.name] = {k: np.concatenate([v[k] for v in values]) for k in values[0]}
        elif f.name in _PER_RUN or f.name in _PER_MONTH_RUN:
            if any(v is None for v in values):
                if not all(v is None for v in values):
                    raise ModelError(f"simulate_batch: {f.name} is set for some scenarios only")
                merged[f.name] = None
            else:
                merged[f.name] = np.concatenate(values, axis=0 if f.name in _PER_RUN else 1)
        elif f.name not in _SHARED:
            # whether it holds one entry per run, and on which axis, is unknown here
            raise ModelError(
                f"simulate_batch does not know how to merge Setup.{f.name}; list it in "
                "detente.dynamics.batch (shared by the runs, or one entry per run)"
            )
        elif _same(values):
            merged[f.name] = values[0]
        else:
            raise ModelError(
                f"simulate_batch: the scenarios differ in {f.name}, which a batch cannot "
                "share; simulate them one by one"
            )
    return Setup(**merged)


def _merge_arrays(arrays: list[ScenarioArrays], runs: int) -> ScenarioArrays:
    """The draws of ``arrays`` (``runs`` each), one after the other: the inverse of
    :meth:`ScenarioArrays.take`. Which fields hold one row per draw is read from ``take``
    itself (the fields it changes), so a field added to the arrays is merged as ``take``
    slices it; every other field must be the same in every scenario."""
    first = arrays[0]
    probe = first.take(slice(0, 0))  # per-draw fields come back empty (views: no copy)
    merged: dict[str, Any] = {}
    for f in fields(first):
        values = [getattr(a, f.name) for a in arrays]
        before, after = getattr(first, f.name), getattr(probe, f.name)
        if isinstance(before, dict) and any(
            np.shape(before[k]) != np.shape(after[k]) for k in before
        ):
            merged[f.name] = {k: np.concatenate([v[k] for v in values]) for k in before}
        elif isinstance(before, np.ndarray) and before.shape != np.shape(after):
            merged[f.name] = np.concatenate(values)
        elif not _same(values):
            raise ModelError(
                f"simulate_batch: the scenarios differ in {f.name}; a batch holds design "
                "points of one case"
            )
    return replace(first, **merged)
