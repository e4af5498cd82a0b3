"""Legacy tests of the hard-coded what-ifs (``dynamics/whatifs.py``, replaced by data-defined
what-ifs in issue 9): they run on the flagship and on a copy of the former mini scenario."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.dynamics import simulate
from detente.dynamics.whatifs import WHAT_IFS, apply_what_if, compare
from detente.errors import ModelError
from detente.scenario import load

LEGACY = Path(__file__).with_name("legacy-whatifs.yaml")


@pytest.fixture(scope="module")
def mini():
    return load(LEGACY)


@pytest.fixture(scope="module")
def flagship_base():
    from detente.scenario import load_bundled

    s = load_bundled("us-dprk-2021")
    return s, simulate(s, runs=2500, months=24, seed=11, kernel="red_lines")


@pytest.mark.parametrize("name", list(WHAT_IFS))
def test_each_what_if_moves_outcomes_as_its_mechanism_implies(flagship_base, name):
    flagship, base = flagship_base
    w = WHAT_IFS[name]
    shocked = simulate(
        apply_what_if(flagship, name), runs=2500, months=24, seed=11, kernel="red_lines"
    )
    diff = compare(base, shocked)[24]
    for key, sign in w.expects.items():
        assert sign * diff[key] > 0, (name, key, diff)


@pytest.mark.parametrize(
    "name", ["us-waters-down", "reframe-without-denuclearization", "partial-for-relief"]
)
def test_fallback_lever_definitions_also_raise_talks(flagship_base, name):
    # the definitions used when detente.analysis.levers is not installed
    flagship, base = flagship_base
    shocked = simulate(
        WHAT_IFS[name].apply(flagship), runs=2500, months=24, seed=11, kernel="red_lines"
    )
    assert shocked.at(12)["talks"] > base.at(12)["talks"]
    assert shocked.at(24)["agreement"] > base.at(24)["agreement"]


def test_diagnosis_lever_definitions_are_used_when_installed(flagship_base):
    flagship, _ = flagship_base
    s = apply_what_if(flagship, "us-waters-down")
    usa = next(a for a in s.actors if a.id == "usa")
    assert "denuclearization" not in usa.red_lines  # the diagnosis lever drops it
    sq = flagship.status_quo_value("denuclearization")
    old = next(a for a in flagship.actors if a.id == "usa").stances["denuclearization"]
    assert usa.stances["denuclearization"].position.value == pytest.approx(
        old.position.value + 0.5 * (sq - old.position.value)
    )


def _without_drivers(s):
    from detente.scenario import Scenario

    data = s.model_dump()
    data["drivers"] = {}
    if data.get("roles"):
        data["roles"]["drivers"] = {}
    return Scenario.model_validate(data)


@pytest.mark.parametrize(
    ("name", "driver"),
    [
        ("china-cuts-support", "china_dependency"),
        ("china-boosts-support", "economic_distress"),
        ("economic-collapse", "economic_distress"),
    ],
)
def test_what_if_without_its_driver_says_what_it_needs(mini, name, driver):
    from detente.errors import WhatIfNotApplicable

    bare = _without_drivers(mini)
    with pytest.raises(WhatIfNotApplicable) as info:
        apply_what_if(bare, name)
    msg = str(info.value)
    assert f"what-if {name} needs driver {driver}, which scenario {bare.id} lacks" in msg
    assert isinstance(info.value, ModelError)  # callers catching ModelError still work


def test_what_if_missing_only_one_driver_names_that_one(mini):
    from detente.errors import WhatIfNotApplicable
    from detente.scenario import Scenario

    data = mini.model_dump()
    data["drivers"].pop("economic_distress")
    data["roles"]["drivers"].pop("distress")
    s = Scenario.model_validate(data)
    with pytest.raises(WhatIfNotApplicable, match="needs driver economic_distress"):
        apply_what_if(s, "china-cuts-support")


def test_cli_what_if_without_its_driver_exits_2_with_the_message(mini, tmp_path):
    from detente.scenario import save

    path = tmp_path / "bare.yaml"
    save(_without_drivers(mini), path)
    res = CliRunner().invoke(
        app,
        ["simulate", str(path), "--runs", "10", "--months", "3", "--what-if", "economic-collapse"],
    )
    assert res.exit_code == 2
    assert "what-if economic-collapse needs driver economic_distress" in res.output
    assert "Traceback" not in res.output and not isinstance(res.exception, KeyError)
