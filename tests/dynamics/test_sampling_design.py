"""One sampling design: simulate, the run's evaluator (claims, report) and the CLI give one
value for one quantity at one seed and size."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from detente.analysis.quantities import Evaluator
from detente.cli import app
from detente.defaults import RUNS_PER_GROUP, parameter_groups
from detente.dynamics import simulate
from detente.scenario import load

MINI = Path(__file__).with_name("mini-case.yaml")


def test_simulate_and_the_evaluator_give_one_value():
    s = load(MINI)
    sim = simulate(s, runs=300, months=12, seed=5)
    ev = Evaluator(s, draws=100, seed=5, runs=300, months=12)
    other = ev.baseline.sim(12)
    assert ev.n_groups == parameter_groups(300) == 300 // RUNS_PER_GROUP
    for k in ("talks", "agreement", "crisis"):
        assert other.at(12)[k] == sim.at(12)[k]


def test_the_cli_gives_the_python_value():
    s = load(MINI)
    sim = simulate(s, runs=200, months=12, seed=7)
    out = CliRunner().invoke(
        app, ["simulate", str(MINI), "--runs", "200", "--months", "12", "--seed", "7", "--json"]
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["horizons"]["12"]["talks"] == sim.at(12)["talks"]
