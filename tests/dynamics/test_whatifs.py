"""Named what-ifs are the scenario's own data: each moves the outlook as it says it will."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.dynamics import simulate
from detente.dynamics.whatifs import apply_what_if, compare, what_ifs_of
from detente.errors import ModelError, WhatIfNotApplicable
from detente.scenario import load, load_bundled

STEEL = "examples/steel-dispute.yaml"


@pytest.fixture(scope="module")
def flagship_base():
    s = load_bundled("us-dprk-2021")
    return s, simulate(s, runs=2500, months=24, seed=11, kernel="red_lines")


@pytest.mark.parametrize("name", [w.id for w in load_bundled("us-dprk-2021").what_ifs])
def test_each_what_if_moves_outcomes_as_it_says(flagship_base, name):
    flagship, base = flagship_base
    w = next(x for x in flagship.what_ifs if x.id == name)
    shocked = simulate(
        apply_what_if(flagship, name), runs=2500, months=24, seed=11, kernel="red_lines"
    )
    diff = compare(base, shocked)[24]
    checked = [k for k in w.expects if k in diff and w.expects[k]]
    for key in checked:
        assert w.expects[key] * diff[key] > 0, (name, key, diff)


def test_a_what_if_applies_its_changes_in_order():
    s = load_bundled("us-dprk-2021")
    w = apply_what_if(s, "us-waters-down")
    usa = w.actor("usa")
    assert "denuclearization" not in usa.red_lines
    assert usa.stances["denuclearization"].position.value == 50
    # relative changes are clipped to the driver's bounds
    c = apply_what_if(s, "economic-collapse")
    assert c.drivers["economic_distress"].value.value == 1


def test_an_undeclared_what_if_is_not_borrowed_from_another_case():
    steel = load(STEEL)
    with pytest.raises(WhatIfNotApplicable) as info:
        apply_what_if(steel, "us-waters-down")
    assert isinstance(info.value, ModelError)
    assert "steel-dispute" in str(info.value)
    assert "importer-cuts-tariff-demand" in str(info.value)  # what it does declare
    assert set(what_ifs_of(steel)) == {
        "importer-cuts-tariff-demand",
        "quota-for-tariff",
        "steel-glut",
    }


def test_cli_lists_only_the_scenarios_own_what_ifs():
    res = CliRunner().invoke(app, ["simulate", STEEL, "--list-what-ifs"])
    assert res.exit_code == 0, res.output
    assert "steel-glut" in res.output and "us-waters-down" not in res.output


def test_cli_unknown_what_if_exits_2_with_the_declared_ones():
    res = CliRunner().invoke(
        app, ["simulate", STEEL, "--runs", "10", "--what-if", "us-waters-down"]
    )
    assert res.exit_code == 2
    assert "steel-glut" in res.output and "Traceback" not in res.output


# --------------------------------------------------------------------------------------
# a shift's share is drawn per draw, common to every number it moves (issue 20)
# --------------------------------------------------------------------------------------
MINI = "tests/dynamics/mini-case.yaml"


def _mini_with_share():
    from detente.scenario import Scenario

    data = load(MINI).model_dump()
    data["parameters"] = {
        "leader_shift_max": {
            "label": "Largest move of a new leader",
            "value": {"value": 0.5, "range": [0.2, 0.8], "judgement": "for the test"},
        }
    }
    return Scenario.model_validate(data)


def _shifted(s, share):
    from detente.scenario.case import Change
    from detente.scenario.whatif import apply_change

    return apply_change(s, Change(shift="south", toward="north", share=share), why="test")


def test_a_shifts_share_is_drawn_per_draw_and_common_to_every_number_it_moves():
    s = _mini_with_share()
    w = _shifted(s, "parameters.leader_shift_max")
    base, moved = s.sample(3000, 7), w.sample(3000, 7, paired_with=s)
    f = np.asarray(moved.parameters["leader_shift_max"])
    # the parameter's own draw is the baseline's (paired), spread over its range
    assert np.array_equal(f, base.parameters["leader_shift_max"])
    assert f.min() < 0.3 and f.max() > 0.7
    k, o = base.actor_index("south"), base.actor_index("north")
    shares = []
    for j in range(base.n_issues):
        x0, g, x1 = base.positions[:, k, j], base.positions[:, o, j], moved.positions[:, k, j]
        ok = np.abs(g - x0) > 1e-9
        shares.append(((x1 - x0)[ok] / (g - x0)[ok], ok))
        # the position moved by the draw's share of its own distance to the other's draw
        np.testing.assert_allclose(x1, np.clip(x0 + f * (g - x0), 0, 100), atol=1e-9)
    # south's red line on arms moved by the same share toward north's drawn position
    j = base.issue_index("arms")
    lo0, lo1 = base.red_low[:, k, j], moved.red_low[:, k, j]
    np.testing.assert_allclose(lo1, np.clip(lo0 + f * (base.positions[:, o, j] - lo0), 0, 100))
    # so two numbers moved in one draw moved by one share (not each by its own)
    (a, ok_a), (b, ok_b) = shares
    both = ok_a & ok_b
    assert both.sum() > 100
    np.testing.assert_allclose(a[both[ok_a]], b[both[ok_b]], atol=1e-9)
    # the point value is the shift at the parameter's value; the range is its envelope
    q = w.actor("south").stances["arms"].position
    q0 = s.actor("south").stances["arms"].position
    goal = s.actor("north").stances["arms"].position.value
    assert q.value == pytest.approx(q0.value + 0.5 * (goal - q0.value))
    x = moved.positions[:, k, j]
    assert q.low <= x.min() and x.max() <= q.high


def test_a_fixed_share_moves_every_number_by_that_share_of_the_drawn_distance():
    s = _mini_with_share()
    w = _shifted(s, 0.25)
    base, moved = s.sample(500, 3), w.sample(500, 3, paired_with=s)
    k, o = base.actor_index("south"), base.actor_index("north")
    for j in range(base.n_issues):
        x0, g = base.positions[:, k, j], base.positions[:, o, j]
        np.testing.assert_allclose(moved.positions[:, k, j], x0 + 0.25 * (g - x0), atol=1e-9)


def test_a_design_that_varies_only_the_share_moves_the_shifted_numbers():
    from detente.scenario.arrays import ScenarioArrays

    w = _shifted(_mini_with_share(), "parameters.leader_shift_max")
    u = np.linspace(0.01, 0.99, 9)
    batch = ScenarioArrays.from_uniforms(w, {"parameters.leader_shift_max": u})
    k, j = batch.actor_index("south"), batch.issue_index("arms")
    x = batch.positions[:, k, j]
    assert np.all(np.diff(x) < 0)  # south's arms position falls toward north's 10 as f rises
    f = np.asarray(batch.parameters["leader_shift_max"])
    np.testing.assert_allclose(x, 95 + f * (10 - 95))


def test_a_shifted_scenario_round_trips_through_its_data():
    from detente.scenario import Scenario

    w = _shifted(_mini_with_share(), "parameters.leader_shift_max")
    again = Scenario.model_validate(w.model_dump())
    assert again == w
    a, b = w.sample(50, 1), again.sample(50, 1)
    np.testing.assert_array_equal(a.positions, b.positions)
