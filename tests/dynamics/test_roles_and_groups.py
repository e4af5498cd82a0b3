"""Roles come from the scenario; renaming changes no number; groups share draws; the count
process, the closed-form zone and political change behave as documented."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from detente.cli import app
from detente.dynamics import simulate
from detente.dynamics.kernel import nb_inverse
from detente.errors import ModelError, ScenarioError
from detente.scenario import Scenario, apply_sets, load

MINI = Path(__file__).with_name("mini-case.yaml")
RENAME = {
    "north": "alpha", "south": "beta", "east": "gamma", "west": "delta",
    "arms": "issue1", "relief": "issue2", "hardship": "d1", "lifeline": "d2",
    "weariness": "d3", "hotline": "d4", "change_north": "d5", "change_south": "d6",
}  # fmt: skip


@pytest.fixture(scope="module")
def mini():
    return load(MINI)


def _renamed(text: str) -> str:
    import re

    for old, new in sorted(RENAME.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", new, text)
    return text


def test_renaming_every_id_changes_no_number(tmp_path):
    other = tmp_path / "renamed.yaml"
    other.write_text(_renamed(MINI.read_text(encoding="utf-8")), encoding="utf-8")
    a, b = load(MINI), load(other)
    assert set(b.actor_ids) == {"alpha", "beta", "gamma", "delta"}
    ra = simulate(a, runs=400, months=18, seed=4)
    rb = simulate(b, runs=400, months=18, seed=4)
    for key in ("modes", "provocations", "missiles", "instigated", "gap", "change_challenger"):
        assert np.array_equal(getattr(ra, key), getattr(rb, key)), key
    assert rb.challenger == "alpha" and rb.defender == "beta"


def test_without_roles_the_dynamics_are_not_applicable(mini, tmp_path):
    data = mini.model_dump()
    data["roles"] = None
    bare = Scenario.model_validate(data)
    with pytest.raises(ModelError, match="not applicable: the scenario declares no roles"):
        simulate(bare, runs=10, months=2)
    from detente.scenario import save

    path = tmp_path / "bare.yaml"
    save(bare, path)
    res = CliRunner().invoke(app, ["simulate", str(path), "--runs", "10", "--months", "2"])
    assert res.exit_code == 2
    assert "not applicable" in res.output and "Traceback" not in res.output


def test_roles_naming_unknown_actors_or_drivers_are_located_errors(mini):
    data = mini.model_dump()
    data["roles"]["challenger"] = "nort"
    data["roles"]["drivers"]["distress"] = "hardshp"
    with pytest.raises((ScenarioError, ValueError)) as info:
        Scenario.model_validate(data)
    text = str(info.value)
    assert "roles.challenger" in text and "did you mean north" in text
    assert "roles.drivers.distress" in text and "did you mean hardship" in text
    data = mini.model_dump()
    data["roles"]["defender"] = "north"
    with pytest.raises((ScenarioError, ValueError), match="challenger and defender must differ"):
        Scenario.model_validate(data)


def test_a_case_without_record_runs_uncalibrated_and_says_so(mini):
    r = simulate(mini, runs=50, months=3)
    assert r.calibrated is False
    assert any(n.startswith("uncalibrated") for n in r.notes)
    assert r.to_dict()["calibrated"] is False


def test_groups_share_one_draw_and_differ_in_paths(mini):
    r = simulate(mini, runs=300, months=12, seed=2, groups=3)
    assert r.group is not None and set(r.group) == {0, 1, 2}
    assert r.draws.positions.shape[0] == 3
    # runs of one group share the draw: same initial gap; different groups differ
    assert np.array_equal(r.group, np.repeat([0, 1, 2], 100))
    assert not np.allclose(r.draws.positions[0], r.draws.positions[1])
    # the same draws as simulating each group's draw directly: the group's runs all see
    # the bargaining set of that draw before any change
    calm = ~(r.change_challenger[0] | r.change_defender[0])
    for k in range(3):
        g = r.gap[0][(r.group == k) & calm]
        assert len(g) > 50 and np.allclose(g, g[0])
    assert not np.array_equal(r.modes[:, r.group == 0][:, 0], r.modes[:, r.group == 0][:, 1]) or (
        not np.array_equal(
            r.provocations[:, r.group == 0][:, 0], r.provocations[:, r.group == 0][:, 1]
        )
    )
    from detente.defaults import RUNS_PER_GROUP, parameter_groups

    # the default split is every command's: RUNS_PER_GROUP runs per group
    default = simulate(mini, runs=50, months=2, seed=2)
    assert len(set(default.group)) == parameter_groups(50) == 50 // RUNS_PER_GROUP
    with pytest.raises(ModelError, match="groups"):
        simulate(mini, runs=10, months=2, groups=11)


def test_change_hazard_draws_have_the_stated_mean(mini):
    from detente.dynamics.simulation import _prepare

    st, *_ = _prepare(mini, 1, 20000, 0, "auto", None, None, "impasse", None)
    assert st.drv["change_defender"].mean() == pytest.approx(0.01, abs=4e-4)
    assert st.drv["change_challenger"].mean() == pytest.approx(0.005, abs=3e-4)


def test_a_change_can_move_either_way(mini):
    s = apply_sets(mini, ["drivers.change_north=0.3", "drivers.change_south=0.3"])
    toward = simulate(s, runs=600, months=12, seed=1, parameters={"leader_shift_toward": 1.0})
    away = simulate(s, runs=600, months=12, seed=1, parameters={"leader_shift_toward": 0.0})
    assert toward.gap[-1].mean() < toward.gap[0].mean()
    assert away.gap[-1].mean() > away.gap[0].mean()
    both = simulate(mini, runs=2000, months=12, seed=1)
    by = both.at_by_change(12)
    share = by["p_change"]
    mixed = (1 - share) * by["no_change"]["talks"] + share * by["with_change"]["talks"]
    assert 0 < share < 1
    assert mixed == pytest.approx(by["all_runs"]["talks"])


def test_negative_binomial_inversion_matches_scipy():
    rng = np.random.default_rng(0)
    u = rng.random(5000)
    mean = rng.uniform(0.05, 8, 5000)
    size = rng.uniform(0.2, 5, 5000)
    ours = nb_inverse(u, mean, size)
    ref = stats.nbinom.ppf(u, size, size / (size + mean))
    assert np.array_equal(ours, ref.astype(int))


def test_counts_are_overdispersed_and_self_exciting(mini):
    r = simulate(mini, runs=3000, months=24, seed=5)
    totals = r.provocations.reshape(2, 12, -1).sum(axis=1).ravel()
    assert totals.var() > 2 * totals.mean()
    excite = {"provocation_excitation": 0.5, "provocation_memory": 0.8}
    calm = simulate(mini, runs=3000, months=24, seed=5, history=[0.0] * 24, parameters=excite)
    hot = simulate(mini, runs=3000, months=24, seed=5, history=[6.0] * 24, parameters=excite)
    assert hot.provocations[:3].mean() > calm.provocations[:3].mean() + 0.3


def test_closed_form_zone_agrees_with_the_lp(mini):
    from dataclasses import replace

    from detente.core import win_set_gap
    from detente.dynamics.zone import zone_and_gap

    s = apply_sets(
        mini,
        [
            "south.red_lines.arms=none",
            "north.red_lines.arms=none",
            "north.red_lines.relief=<= 70",
            "status_quo.arms=90",
            "status_quo.relief=90",
        ],
    )
    arrays = s.sample(400, np.random.default_rng(3))
    zone, gap = zone_and_gap(arrays, pair=(1, 0))
    veto = np.zeros(arrays.n_actors, bool)
    veto[[0, 1]] = True
    lp = win_set_gap(replace(arrays, veto=veto))
    assert np.array_equal(zone, np.asarray(lp.zone_nonempty, bool))
    assert 0 < zone.mean() < 1  # both verdicts occur
    assert np.all((gap == 0) == zone)


def test_regime_filter_follows_the_record_and_the_chain():
    import pandas as pd

    from detente.dynamics.regimes import NAMES, filter_active, forward, from_theta, to_theta

    par = {
        n: v
        for n, v in zip(NAMES, [0.2, 0.2, 0.5, 2.0, 0.0, 0.5, 3.0, 5.0, 0.95, 0.9], strict=True)
    }
    np.testing.assert_allclose(
        from_theta(to_theta(np.array(list(par.values())))), list(par.values()), atol=2e-6
    )
    months = pd.period_range("2000-01", periods=24, freq="M")

    def panel(counts):
        return pd.DataFrame({"month": months, "provocations": counts, "talks": False,
                             "strategic": False, "exercise": months.month.isin([3, 8])})  # fmt: skip

    quiet = filter_active(panel([0] * 24), par)
    busy = filter_active(panel([0] * 18 + [3, 2, 4, 3, 2, 3]), par)
    stationary = filter_active(None, par)
    assert stationary == pytest.approx(0.05 / (0.05 + 0.1))
    assert quiet < stationary < busy
    ll, pred, expected = forward(to_theta(np.array(list(par.values()))), {
        "y": np.zeros(24), "talks": np.zeros(24, bool), "crisis": np.zeros(24, bool),
        "exercise": np.zeros(24, bool)})  # fmt: skip
    assert np.isfinite(ll) and pred.shape == (25,) and np.all(np.diff(pred) <= 1e-12)
    assert np.all(expected > 0)


def test_simulated_regime_starts_from_the_given_probability(mini):
    on = simulate(mini, runs=2000, months=6, seed=3, regime_probability=1.0)
    off = simulate(mini, runs=2000, months=6, seed=3, regime_probability=0.0)
    assert on.active[0].all() and not off.active[0].any()
    assert on.provocations[:3].mean() > 2 * off.provocations[:3].mean()
    with pytest.raises(ModelError, match="regime_probability"):
        simulate(mini, runs=10, months=2, regime_probability=1.5)


def test_roles_and_event_actors_survive_a_save_and_load(mini, tmp_path):
    from detente.scenario import save

    path = tmp_path / "again.yaml"
    save(mini, path)
    again = load(path)
    assert again.roles == mini.roles
    assert [e.actor for e in again.events] == [e.actor for e in mini.events]
