"""The monthly simulation: reproducible, vectorisation exact, rules move outcomes as stated."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.dynamics import MODES, RULES, simulate, simulate_reference
from detente.dynamics.calibration import calibrate
from detente.dynamics.parameters import DEFAULTS
from detente.dynamics.whatifs import WHAT_IFS, apply_what_if, compare
from detente.errors import ModelError
from detente.scenario import apply_sets, load

MINI = Path(__file__).with_name("mini-dprk.yaml")


@pytest.fixture(scope="module")
def mini():
    return load(MINI)


@pytest.fixture(scope="module")
def flagship_base():
    from detente.scenario import load_bundled

    s = load_bundled("us-dprk-2021")
    return s, simulate(s, runs=2500, months=24, seed=11, kernel="red_lines")


@pytest.fixture(scope="module")
def base(mini):
    return simulate(mini, runs=1500, months=24, seed=3, kernel="red_lines")


def test_same_seed_same_result_and_horizon_does_not_change_early_months(mini):
    a = simulate(mini, runs=200, months=12, seed=5, kernel="red_lines")
    b = simulate(mini, runs=200, months=12, seed=5, kernel="red_lines")
    c = simulate(mini, runs=200, months=6, seed=5, kernel="red_lines")
    assert np.array_equal(a.modes, b.modes)
    assert np.array_equal(a.modes[:6], c.modes)
    d = simulate(mini, runs=200, months=12, seed=6, kernel="red_lines")
    assert not np.array_equal(a.modes, d.modes)


def test_vectorised_runs_equal_the_per_run_loop(mini):
    vec = simulate(mini, runs=300, months=12, seed=9)
    ref = simulate_reference(mini, runs=300, months=12, seed=9, subset_runs=15)
    for key in ("modes", "provocations", "choices", "instigated"):
        assert np.array_equal(ref[key], getattr(vec, key)[:, :15]), key


def test_probabilities_are_shares_that_sum_to_one(base):
    pm = base.p_mode()
    total = sum(pm[m] for m in MODES)
    assert np.allclose(total, 1.0)
    ever = base.p_ever()
    assert np.all(np.diff(ever["talks"]) >= 0)
    d = base.to_dict()
    assert len(d["months"]) == 24 and d["months"][0] == "2021-07"
    assert set(d["provocations"]) == {"mean", "low", "high", "cumulative_low", "cumulative_high"}
    json.dumps(d)
    frame = base.to_frame()
    assert len(frame) == 24 and "p_crisis" in frame


def test_talks_need_a_zone_to_become_substantive(mini):
    # widen the red lines' conflict: no zone in any draw, so no substantive talks or agreement
    s = apply_sets(
        mini, ["usa.red_lines.denuclearization=100", "dprk.red_lines.denuclearization=0"]
    )
    r = simulate(s, runs=800, months=24, seed=1, kernel="red_lines", parameters={"obduracy": 0})
    assert not r.zone.any()
    assert r.p_ever()["substantive_talks"][-1] == 0.0
    assert r.at(24)["talks"] > 0  # limited talks remain possible (crisis-communication channel)


def test_inhibition_lowers_crisis_instigation(mini, base):
    s = apply_sets(mini, ["drivers.economic_distress=1", "drivers.china_dependency=1"])
    r = simulate(s, runs=1500, months=24, seed=3, kernel="red_lines")
    assert r.instigated.mean() < base.instigated.mean()


def test_desperation_raises_talks_but_not_substantive_share(mini, base):
    s = apply_sets(mini, ["drivers.economic_distress=1"])
    r = simulate(s, runs=1500, months=24, seed=3, kernel="red_lines")
    assert r.at(6)["talks"] > base.at(6)["talks"]
    assert r.substantive_given_talks() <= base.substantive_given_talks() + 0.02


def test_parameters_can_be_overridden_and_change_the_outcome(mini, base):
    assert not mini.parameters  # defaults apply
    r = simulate(
        mini, runs=1500, months=24, seed=3, kernel="red_lines", parameters={"crisis_base": 0}
    )
    assert r.instigated.mean() > 5 * base.instigated.mean()
    with pytest.raises(ModelError, match="did you mean crisis_base"):
        simulate(mini, runs=10, parameters={"crisis_bse": 0})


def test_set_parameters_on_the_flagship_changes_the_outcome():
    from detente.scenario import load_bundled

    s = load_bundled("us-dprk-2021")
    a = simulate(s, runs=600, months=12, seed=2, kernel="red_lines")
    b = simulate(
        apply_sets(s, ["parameters.obduracy=0"]), runs=600, months=12, seed=2, kernel="red_lines"
    )
    assert b.at(12)["talks"] > a.at(12)["talks"] + 0.2


def test_missing_start_and_roles_are_model_errors(mini):
    with pytest.raises(ModelError, match=r"meta\.start"):
        simulate(mini.model_copy(update={"meta": mini.meta.model_copy(update={"start": None})}))
    with pytest.raises(ModelError, match="initial_mode"):
        simulate(mini, initial_mode="war")


def test_every_rule_names_parameters_that_exist():
    for r in RULES:
        assert r.quote and r.at.startswith("¶")
        for p in r.parameters:
            assert p in DEFAULTS, (r.name, p)


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


def test_calibrated_defaults_are_the_calibration():
    cal = calibrate()
    for name, (value, _low, _high, text) in cal.parameters.items():
        d = DEFAULTS[name]
        assert d.kind == "calibrated"
        assert d.value == pytest.approx(value, abs=1e-3), name
        assert d.why == text, name  # the provenance names the data and the fit window
    oos = cal.scores[cal.scores["sample"] == "out-of-sample"]
    assert len(oos) == 4
    # honest reporting: every out-of-sample loss to a baseline has a note
    losses = (~oos["beats_baselines"]).sum()
    assert sum("does NOT beat" in n for n in cal.notes) == losses


def test_cli_simulate_json_and_plot(tmp_path):
    runner = CliRunner()
    out = tmp_path / "fan.svg"
    res = runner.invoke(
        app,
        ["simulate", str(MINI), "--runs", "300", "--months", "12", "--json", "--plot", str(out)],
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert len(d["months"]) == 12 and set(d["p_mode"]) == set(MODES)
    assert len(d["provocations"]["mean"]) == 12
    assert out.exists() and out.read_text().lstrip().startswith("<?xml")


def test_cli_bad_what_if_and_plot_exit_2():
    runner = CliRunner()
    res = runner.invoke(app, ["simulate", str(MINI), "--runs", "10", "--what-if", "nope"])
    assert res.exit_code == 2
    res = runner.invoke(app, ["simulate", str(MINI), "--runs", "10", "--plot", "x.gif"])
    assert res.exit_code == 2


def test_cli_calibrate_prints_scores():
    res = CliRunner().invoke(app, ["calibrate"])
    assert res.exit_code == 0
    assert "out-of-sample" in res.stdout and "climatology" in res.stdout


def test_flagship_dynamics_parameters_match_the_defaults():
    from detente.scenario import load_bundled

    s = load_bundled("us-dprk-2021")
    settings = {"recompute_every", "recompute_threshold"}
    for name, d in DEFAULTS.items():
        if name in settings:
            assert name not in s.parameters
            continue
        q = s.parameters[name].value
        assert (q.value, q.low, q.high) == pytest.approx((d.value, d.low, d.high)), name
        assert q.provenance is not None and q.provenance.kind == d.kind, name


def test_docs_name_every_rule_and_parameter():
    doc = (Path(__file__).parents[2] / "docs" / "dynamics.md").read_text(encoding="utf-8")
    for r in RULES:
        assert f"`{r.name}`" in doc, r.name
    for name in DEFAULTS:
        assert f"`{name}`" in doc, name


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
    s = Scenario.model_validate(data)
    with pytest.raises(WhatIfNotApplicable, match="needs driver economic_distress"):
        apply_what_if(s, "china-cuts-support")


def test_what_if_needing_veto_players_or_an_issue_says_so(mini):
    from detente.errors import WhatIfNotApplicable
    from detente.scenario import Scenario

    data = mini.model_dump()
    for a in data["actors"]:
        a["veto"] = False
    s = Scenario.model_validate(data)
    with pytest.raises(WhatIfNotApplicable, match="needs two veto players"):
        apply_what_if(s, "leadership-change-washington")


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
