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

__all__ = ["simulate_batch"]

#: Fields of :class:`Setup` with one entry per run on their first axis.
_PER_RUN = ("initial_mode", "excitation", "salvo", "active")


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
    setup = _merge([p[0] for p in prepared])
    uniforms = np.concatenate([p[1] for p in prepared], axis=1)
    out = play(setup, np.arange(uniforms.shape[1]), uniforms)
    results = []
    for k, (s, (st, _u, group, draws, info)) in enumerate(zip(scenarios, prepared, strict=True)):
        rows = slice(k * runs, (k + 1) * runs)
        part = {name: a[:, rows] for name, a in out.items()}
        results.append(finish(s, st, part, group, draws, info, seed, labels[k], "auto", None))
    return results


def _same(values: list[Any]) -> bool:
    first = values[0]
    if isinstance(first, np.ndarray):
        return all(np.array_equal(first, v) for v in values[1:])
    return all(v == first for v in values[1:])


def _merge(setups: list[Setup]) -> Setup:
    """One :class:`Setup` whose runs are the runs of ``setups``, one after the other."""
    merged: dict[str, Any] = {}
    for f in fields(Setup):
        values = [getattr(st, f.name) for st in setups]
        if f.name == "arrays":
            merged[f.name] = _merge_arrays(values)
        elif f.name in ("par", "drv"):
            merged[f.name] = {k: np.concatenate([v[k] for v in values]) for k in values[0]}
        elif f.name in _PER_RUN:
            merged[f.name] = np.concatenate(values)
        elif f.name == "level_noise":  # (months, runs)
            merged[f.name] = None if values[0] is None else np.concatenate(values, axis=1)
        elif _same(values):
            merged[f.name] = values[0]
        else:  # a field this module does not know, different between the scenarios
            raise ModelError(
                f"simulate_batch: the scenarios differ in {f.name}, which a batch cannot "
                "share; simulate them one by one"
            )
    return Setup(**merged)


def _merge_arrays(arrays: list[ScenarioArrays]) -> ScenarioArrays:
    first = arrays[0]
    for name in ("actor_ids", "issue_ids", "has_stance", "veto", "scale_low", "scale_high"):
        if not _same([getattr(a, name) for a in arrays]):
            raise ModelError(
                f"simulate_batch: the scenarios differ in {name}; a batch holds design points "
                "of one case"
            )

    def cat(name: str) -> np.ndarray:
        return np.concatenate([getattr(a, name) for a in arrays])

    return replace(
        first,
        positions=cat("positions"),
        saliences=cat("saliences"),
        capabilities=cat("capabilities"),
        status_quo=cat("status_quo"),
        red_low=cat("red_low"),
        red_high=cat("red_high"),
        drivers={k: np.concatenate([a.drivers[k] for a in arrays]) for k in first.drivers},
        parameters={k: np.concatenate([a.parameters[k] for a in arrays]) for k in first.parameters},
    )
