"""The sensitivity of P(zone) reads an issue's controllers as the diagnosis does.

``controlled-ranges.yaml``: two veto players want a high stock, ``north`` needs at least about
50 (range 35-65); ``owner`` holds no veto but controls the stock and accepts at most about 40
(range 25-60). The zone opens only where the two bounds meet, about one draw in five. Read
without the controller (as ``zone.p_open`` was before it asked the core's
``agreement_arrays``) the zone is open at every design point and the owner's inputs are left
out.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from SALib.sample import morris as morris_sample
from typer.testing import CliRunner

from detente.analysis.diagnosis import diagnose
from detente.analysis.sensitivity import MORRIS_LEVELS, parse_quantity, pinned, read_paths
from detente.cli import app
from detente.scenario import Scenario, load
from detente.scenario.arrays import quantile

CASE = Path(__file__).with_name("controlled-ranges.yaml")
PATHS = [
    "north.red_lines.stock",
    "south.stock.position",
    "owner.stock.position",
    "owner.red_lines.stock",
]


@pytest.fixture(scope="module")
def case() -> Scenario:
    return load(CASE)


def _cli_json(args: list[str]) -> dict:
    res = CliRunner().invoke(app, args, env={"COLUMNS": "150"})
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_p_zone_reads_the_controllers_inputs_on_its_issue_only(case: Scenario) -> None:
    paths = read_paths(case, parse_quantity(case, "zone.p_open"))
    # the owner's stance and red line on the stock it controls; not its red line on aid
    assert paths == PATHS


def test_morris_p_zone_is_the_diagnosis_verdict_at_each_design_point(case: Scenario) -> None:
    n, seed = 4, 5
    r = _cli_json(
        [
            "sensitivity", str(CASE), "--quantity", "zone.p_open", "--method", "morris",
            "--n", str(n), "--seed", str(seed), "--executor", "inline", "--json", "--quiet",
        ]
    )  # fmt: skip
    top = {row["input"] for row in r["inputs"] if row["mu_star"]}
    assert top == {"owner.red_lines.stock", "north.red_lines.stock"}
    # the design the command sampled, each point judged by the diagnosis (the core's zone
    # among the veto players and the controller)
    problem = {"num_vars": len(PATHS), "names": PATHS, "bounds": [[0.0, 1.0]] * len(PATHS)}
    u = np.clip(morris_sample.sample(problem, n, num_levels=MORRIS_LEVELS, seed=seed), 0.0, 1.0)
    quantities = dict(case.quantities())
    verdicts = [
        bool(
            diagnose(
                pinned(
                    case,
                    {p: float(quantile(quantities[p], x)) for p, x in zip(PATHS, row, strict=True)},
                ),
                draws=2,
                seed=0,
                levers=False,
            ).point.zone_nonempty
        )
        for row in u
    ]
    assert r["n_evaluations"] == len(verdicts)
    assert 0 < np.mean(verdicts) < 1  # both verdicts occur on the design
    assert r["mean"] == pytest.approx(np.mean(verdicts))


def test_sobol_p_zone_estimates_the_diagnosis_p_zone(case: Scenario) -> None:
    r = _cli_json(
        [
            "sensitivity", str(CASE), "--quantity", "zone.p_open", "--n", "128", "--seed", "3",
            "--executor", "inline", "--json", "--quiet",
        ]
    )  # fmt: skip
    d = _cli_json(["diagnose", str(CASE), "--draws", "2000", "--seed", "3", "--json"])
    assert d["veto_players"] == ["north", "south", "owner"]
    p = d["p_zone_nonempty"]
    assert 0.1 < p < 0.35
    # a scrambled Sobol design of 128 x 6 points against 2000 Latin-hypercube draws
    assert r["mean"] == pytest.approx(p, abs=0.06)
