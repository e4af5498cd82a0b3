"""The monthly simulation: reproducible, vectorisation exact, rules move outcomes as stated."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.dynamics import MODES, RULES, simulate, simulate_reference
from detente.dynamics.parameters import DEFAULTS
from detente.errors import ModelError
from detente.scenario import apply_sets, load

MINI = Path(__file__).with_name("mini-case.yaml")


@pytest.fixture(scope="module")
def mini():
    return load(MINI)


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
    for key in ("modes", "provocations", "missiles", "rate", "choices", "instigated", "gap"):
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
    s = apply_sets(mini, ["south.red_lines.arms=100", "north.red_lines.arms=0"])
    r = simulate(s, runs=800, months=24, seed=1, kernel="red_lines", parameters={"obduracy": 0})
    assert not r.zone.any()
    assert r.p_ever()["substantive_talks"][-1] == 0.0
    assert r.at(24)["talks"] > 0  # limited talks remain possible (crisis-communication channel)


def test_inhibition_lowers_crisis_instigation(mini, base):
    s = apply_sets(mini, ["drivers.hardship=1", "drivers.lifeline=1"])
    r = simulate(s, runs=1500, months=24, seed=3, kernel="red_lines")
    assert r.instigated.mean() < base.instigated.mean()


def test_desperation_raises_talks_but_not_substantive_share(mini, base):
    s = apply_sets(mini, ["drivers.hardship=1"])
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
        assert r.does
        for p in r.parameters:
            assert p in DEFAULTS, (r.name, p)


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
    for name, d in DEFAULTS.items():
        if name not in s.parameters:
            # only a switch with no range (the level process, off) may be left to the engine
            assert d.low == d.high, name
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


def test_the_local_level_likelihood_reduces_to_the_regimes_at_sd_zero():
    from detente.data.records import load_record
    from detente.dynamics import level, regimes

    X = regimes.design(load_record("dprk").panel(end="2005-12"))
    theta = regimes.to_theta(np.array([DEFAULTS[n].value for n in regimes.NAMES]))
    ll0 = regimes.forward(theta, X, 12)[0]
    ll, state = level.level_forward(np.tile(theta, (2, 1)), np.array([0.0, 0.1]), X, 12)
    assert ll[0] == pytest.approx(ll0, abs=1e-9)
    assert ll[1] != pytest.approx(ll0)  # a positive sd changes the likelihood
    assert state[0, :, : len(level.GRID) // 2].sum() == 0.0  # sd 0: the level stays at 0


def test_a_local_level_widens_the_totals_with_the_horizon(mini):
    flat = simulate(mini, runs=600, months=36, seed=4)
    walk = simulate(mini, runs=600, months=36, seed=4, parameters={"provocation_level_sd": 0.15})

    def spread(r, year):
        t = r.provocations[12 * year : 12 * year + 12].sum(axis=0)
        return np.quantile(t, 0.95) - np.quantile(t, 0.05)

    assert spread(walk, 2) > spread(flat, 2)
    assert spread(walk, 2) - spread(flat, 2) > spread(walk, 0) - spread(flat, 0)
