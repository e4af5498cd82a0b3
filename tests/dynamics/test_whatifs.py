"""Named what-ifs are the scenario's own data: each moves the outlook as it says it will."""

from __future__ import annotations

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
