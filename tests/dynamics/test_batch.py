"""simulate_batch: many design points played as one batch give exactly simulate's numbers."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from detente.analysis.sensitivity import pinned
from detente.dynamics import simulate
from detente.dynamics.batch import simulate_batch
from detente.errors import ModelError
from detente.scenario import resolve


def _equal(a, b) -> list[str]:
    """The fields of two DynamicsResults that differ (arrays element for element)."""
    out = []
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            same = x.dtype == y.dtype and np.array_equal(x, y)
        elif isinstance(x, dict):
            same = x.keys() == y.keys() and all(np.array_equal(x[k], y[k]) for k in x)
        elif f.name == "draws":
            same = all(
                np.array_equal(getattr(x, n), getattr(y, n))
                for n in ("positions", "saliences", "capabilities", "red_low", "red_high")
            ) and all(np.array_equal(x.parameters[k], y.parameters[k]) for k in x.parameters)
        else:
            same = x == y
        if not same:
            out.append(f.name)
    return out


@pytest.mark.parametrize("groups", [1, None])
def test_a_batch_equals_one_simulation_per_scenario(groups):
    s = resolve("examples/steel-dispute.yaml")
    # three design points: the exporter's red line and the distress driver moved
    paths = [p for p, q in s.quantities() if not q.is_certain][:4]
    qs = dict(s.quantities())
    points = [
        pinned(s, {p: qs[p].low + f * (qs[p].high - qs[p].low) for p in paths})
        for f in (0.1, 0.5, 0.9)
    ]
    labels = [None, "what-if A", None]
    batch = simulate_batch(points, months=14, runs=60, seed=3, groups=groups, what_ifs=labels)
    for p, w, got in zip(points, labels, batch, strict=True):
        want = simulate(p, months=14, runs=60, seed=3, groups=groups, what_if=w)
        assert _equal(want, got) == []
    # the points differ, so the batch is no copy of one simulation
    assert not np.array_equal(batch[0].draws.positions, batch[2].draws.positions)


def test_a_batch_with_as_many_runs_as_months_equals_simulate():
    """Regression: a Setup field of one entry per month (the exercise and election calendars)
    was taken for one entry per run when runs == months, and the batch refused."""
    s = resolve("tests/dynamics/deadline-case.yaml")
    path = next(p for p, q in s.quantities() if p.startswith("events.") and not q.is_certain)
    q = dict(s.quantities())[path]
    flagship = resolve("us-dprk-2021")
    for case in (
        [pinned(s, {path: v}) for v in (q.low, q.high)],
        [flagship, pinned(flagship, {"drivers.economic_distress": 0.9})],
    ):
        batch = simulate_batch(case, months=12, runs=12, seed=5)
        for p, got in zip(case, batch, strict=True):
            assert _equal(simulate(p, months=12, runs=12, seed=5), got) == []


def test_sensitivity_with_as_many_runs_as_months_runs():
    """Regression: ``detente sensitivity`` of an outlook with --runs equal to the horizon
    exited 2 with simulate_batch's internal message."""
    import json

    from typer.testing import CliRunner

    from detente.cli import app

    case = str(Path(__file__).with_name("deadline-case.yaml"))
    args = ["sensitivity", case, "-q", "outlook.agreement@12"]
    args += ["--method", "morris", "--n", "2", "--runs", "12", "--executor", "inline"]
    res = CliRunner().invoke(app, [*args, "--json", "--quiet"], env={"COLUMNS": "150"})
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["n_evaluations"] == 8 and 0.0 <= out["mean"] <= 1.0


def test_every_setup_field_is_merged_by_name(monkeypatch):
    """Each field of the monthly loop's Setup is named in detente.dynamics.batch as shared by
    the runs or as one entry per run (an unnamed field is refused, never guessed)."""
    from detente.dynamics import batch as b
    from detente.dynamics.kernel import Setup

    named = [
        "arrays",
        *b._PER_RUN,
        *b._PER_MONTH_RUN,
        *b._PER_RUN_DICTS,
        *b._SHARED,
    ]
    assert sorted(named) == sorted(f.name for f in dataclasses.fields(Setup))
    s = resolve("examples/steel-dispute.yaml")
    st = b._prepare(s, 3, 4, 1, "auto", None, None, "impasse", None)[0]
    odd = dataclasses.replace(st, labels=["x"])
    with pytest.raises(ModelError, match="differ in labels"):
        b._merge([st, odd], 4)
    monkeypatch.setattr(b, "_SHARED", tuple(n for n in b._SHARED if n != "kernel"))
    with pytest.raises(ModelError, match=r"does not know how to merge Setup\.kernel"):
        b._merge([st, st], 4)


def test_scenarios_of_different_cases_are_refused():
    a, b = resolve("examples/steel-dispute.yaml"), resolve("us-dprk-2021")
    with pytest.raises(ModelError, match="simulate_batch"):
        simulate_batch([a, b], months=2, runs=4)
    assert simulate_batch([], months=2, runs=4) == []


def test_a_batch_with_deadlines_and_talks_history_equals_simulate():
    """Fields the monthly loop gained (a deadline's push per month and run, the months
    without talks at the start) are merged as the runs are: the made-up deadline case, its
    deadline's effect size pinned at three values, and the flagship (talks in its record)."""
    s = resolve("tests/dynamics/deadline-case.yaml")
    path = next(p for p, q in s.quantities() if p.startswith("events.") and not q.is_certain)
    q = dict(s.quantities())[path]
    points = [pinned(s, {path: v}) for v in (q.low, q.value, q.high)]
    flagship = resolve("us-dprk-2021")
    for case in (points, [flagship, pinned(flagship, {"drivers.economic_distress": 0.9})]):
        batch = simulate_batch(case, months=18, runs=30, seed=4, groups=1)
        for p, got in zip(case, batch, strict=True):
            assert _equal(simulate(p, months=18, runs=30, seed=4, groups=1), got) == []
    assert not np.array_equal(
        simulate_batch(points[:1], months=18, runs=30)[0].modes,
        simulate_batch(points[2:], months=18, runs=30)[0].modes,
    )  # the deadline's size moves the runs


def test_the_remembered_start_state_equals_a_fresh_one():
    """The record-filtered start state is remembered per record, start month and parameter
    values; design points that move the regime's parameters get their own."""
    from detente.dynamics.level import initial_state
    from detente.dynamics.simulation import _start_state

    s = resolve("us-dprk-2021")
    ranged = [p for p, q in s.quantities() if p.startswith("parameters.") and not q.is_certain]
    assert ranged
    qs = dict(s.quantities())
    for f in (0.0, 0.5, 1.0):
        p = pinned(s, {x: qs[x].low + f * (qs[x].high - qs[x].low) for x in ranged})
        for _ in range(2):  # the second call is remembered
            got = _start_state(p, "2021-06", None, None, None)
            want = initial_state(p, "2021-06", None, None, None)
            assert np.array_equal(np.asarray(got), np.asarray(want))


def test_simulate_many_batches_what_it_can_and_equals_simulate(monkeypatch):
    """Variants of one case that differ in what a batch cannot share (a tool taken from its
    actor, an event taken from the calendar) are played apart, the others together; every
    result equals simulate's."""
    from detente.dynamics import batch as batch_module
    from detente.dynamics.batch import simulate_many
    from detente.dynamics.effects import _without_event, _without_tool

    s = resolve("us-dprk-2021")
    actor = s.actor("china")  # a third party: without its engagement it cannot engage
    event = next(e for e in s.events if e.kind == "exercise")
    scenarios = [
        s,
        pinned(s, {"drivers.economic_distress": 0.9}),
        _without_tool(s, actor.id, actor.tools[0].id),
        pinned(s, {"drivers.economic_distress": 0.2}),
        _without_event(s, event.id),
    ]
    played: list[int] = []
    real = batch_module.play

    def counting(st, idx, uniforms, *args):
        played.append(len(idx))
        return real(st, idx, uniforms, *args)

    monkeypatch.setattr(batch_module, "play", counting)
    got = simulate_many(
        scenarios, months=14, runs=40, seed=6, what_ifs=["a", None, "b", None, None]
    )
    assert played[0] == 3 * 40  # the baseline and both pinned drivers in one batch
    assert sum(played) == 5 * 40 and len(played) < 5
    for p, w, r in zip(scenarios, ["a", None, "b", None, None], got, strict=True):
        assert _equal(simulate(p, months=14, runs=40, seed=6, what_if=w), r) == []
    # a cap on the runs of one call splits the batch, with the same results
    played.clear()
    capped = simulate_many(
        scenarios, months=14, runs=40, seed=6, what_ifs=["a", None, "b", None, None], batch_runs=80
    )
    assert max(played) == 80 and sum(played) == 5 * 40  # the batch of three split in two
    assert [_equal(a, b) for a, b in zip(got, capped, strict=True)] == [[]] * 5


def test_kept_random_numbers_give_the_same_simulation():
    """The monthly uniforms and the Latin hypercubes kept between simulations of one seed
    (a shorter horizon reading the first months of a longer one) give exactly the numbers
    drawn afresh, and the kept uniforms cannot be written to."""
    from detente.dynamics import draws, simulation

    s = resolve("us-dprk-2021")
    simulation._UNIFORMS.clear()
    draws._LHS.clear()
    fresh = simulate(s, months=7, runs=50, seed=11)
    simulate(s, months=15, runs=50, seed=11)  # keeps 15 months
    kept = simulate(s, months=7, runs=50, seed=11)  # reads the first 7 of them
    assert _equal(fresh, kept) == []
    (uniforms,) = [u for k, u in simulation._UNIFORMS.items() if k[0] == 11]
    assert uniforms.shape[0] == 15 and not uniforms.flags.writeable
    with pytest.raises(ValueError):
        uniforms[0, 0, 0] = 0.5


def test_the_start_state_is_returned_even_when_another_thread_clears_the_memory(monkeypatch):
    """Regression: _start_state stored the state and read it back, so a thread that cleared
    the memory in between (the workbench simulates in threads) made it raise KeyError. It
    stores under a lock and returns the state it computed."""
    import threading

    from detente.dynamics import _start
    from detente.dynamics.level import initial_state

    class ClearedByAnotherThread(dict):
        def __setitem__(self, key, value):
            super().__setitem__(key, value)
            other = threading.Thread(target=self.clear)
            other.start()
            other.join()

    monkeypatch.setattr(_start._START_STATES, "entries", ClearedByAnotherThread())
    s = resolve("us-dprk-2021")
    got = _start._start_state(s, "2021-06", None, None, None)
    want = initial_state(s, "2021-06", None, None, None)
    assert np.array_equal(np.asarray(got), np.asarray(want))
