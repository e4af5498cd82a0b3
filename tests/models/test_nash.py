"""Nash, Kalai-Smorodinsky and egalitarian solutions over the multi-issue space."""

import json
from pathlib import Path

import numpy as np
import pytest

from detente.errors import ModelError
from detente.models import get_model
from detente.models.nash import batch
from detente.testing import make_scenario

ORACLE = json.loads((Path(__file__).parents[1] / "oracles" / "closed_form_games.json").read_text())


def sqrt_frontier_scenario():
    """Two players whose Pareto frontier of gains is u2 = sqrt(1 - u1).

    On issue x (scale 0-1, status quo 1) p1 has quadratic loss around 0, so its gain is
    1 - x^2; p2 has linear loss around 1 and also wants y (status quo 0) at 1, so on the frontier
    (y = 1) its gain is 1 - (1 - x) = x. Hence u1 = 1 - u2^2.
    """
    return make_scenario(
        {
            "p1": {"capability": 1, "stances": {"x": (0, 1)}},
            "p2": {"capability": 1, "stances": {"x": (1, 1), "y": (1, 1)}},
        },
        {"x": (0, 1), "y": (0, 1)},
        status_quo={"x": 1, "y": 0},
    )


@pytest.mark.parametrize(
    ("model", "key"),
    [
        ("nash", "nash_u1"),
        ("kalai_smorodinsky", "kalai_smorodinsky_u1"),
        ("egalitarian", "egalitarian_u1"),
    ],
)
def test_multi_issue_model_reproduces_two_player_frontier(model, key):
    f = get_model(model, actor_curvature={"p1": 2.0}).forecast(sqrt_frontier_scenario())
    assert f.extra["agreement"] is True
    u1 = f.extra["gains"]["p1"]
    u2 = f.extra["gains"]["p2"]
    assert u1 == pytest.approx(ORACLE["frontier_sqrt"][key], abs=1e-6)
    assert u2 == pytest.approx(np.sqrt(1 - u1), abs=1e-6)
    assert f.outcome_for("y") == pytest.approx(1.0, abs=1e-6)


def conflict_scenario(**kw):
    return make_scenario(
        {
            "usa": {
                "capability": 0.6,
                "veto": True,
                "stances": {"denuke": (100, 1.0), "relief": (20, 0.4)},
                "red_lines": {"denuke": ">= 80"},
            },
            "dprk": {
                "capability": 0.4,
                "veto": True,
                "stances": {"denuke": (0, 1.0), "relief": (100, 0.8)},
                "red_lines": {"denuke": "<= 30"},
            },
            "rok": {"capability": 0.3, "stances": {"denuke": (60, 0.5), "relief": (60, 0.5)}},
        },
        ["denuke", "relief"],
        status_quo={"denuke": 10, "relief": 10},
        **kw,
    )


def test_conflicting_red_lines_mean_no_agreement_and_say_who():
    f = get_model("nash").forecast(conflict_scenario())
    assert f.extra["agreement"] is False
    # the disagreement point (the status quo), never NaN
    assert f.outcome.tolist() == [10.0, 10.0]
    assert "red lines conflict on denuke" in f.extra["reason"]
    assert "usa requires >= 80" in f.extra["reason"] and "dprk requires <= 30" in f.extra["reason"]
    assert f.to_dict()["outcome"] == {"denuke": 10.0, "relief": 10.0}
    assert "disagreement point" in f.summary()


def test_veto_player_who_cannot_gain_is_named():
    s = make_scenario(
        {
            "a": {"capability": 1, "veto": True, "stances": {"x": (10, 1)}},
            "b": {"capability": 1, "veto": True, "stances": {"x": (90, 1)}},
        },
        ["x"],
        status_quo={"x": 10},
    )
    for name in ("nash", "kalai_smorodinsky", "egalitarian"):
        f = get_model(name).forecast(s)
        assert f.extra["agreement"] is False
        assert "a cannot gain" in f.extra["reason"]
        assert f.outcome.tolist() == [10.0]
        # the scenario has no red lines: the message must not blame them
        assert "red line" not in f.extra["reason"] and "red line" not in f.summary()


def test_opposed_players_with_room_only_for_one_are_named_as_a_pair():
    # both care only about x; any move of x helps one and hurts the other
    s = make_scenario(
        {
            "a": {"capability": 1, "veto": True, "stances": {"x": (0, 1)}},
            "b": {"capability": 1, "veto": True, "stances": {"x": (100, 1)}},
        },
        ["x"],
        status_quo={"x": 50},
    )
    f = get_model("nash").forecast(s)
    assert f.extra["agreement"] is False
    assert "a and b" in f.extra["reason"]


def test_without_red_lines_a_deal_exists_and_respects_weights():
    s = make_scenario(
        {
            "a": {"capability": 3, "veto": True, "stances": {"x": (0, 1), "y": (100, 0.2)}},
            "b": {"capability": 1, "veto": True, "stances": {"x": (100, 0.2), "y": (0, 1)}},
        },
        ["x", "y"],
        status_quo={"x": 50, "y": 50},
    )
    sym = get_model("nash").forecast(s.with_value("a.capability", 1))
    asym = get_model("nash").forecast(s)
    assert sym.extra["agreement"] and asym.extra["agreement"]
    # the stronger player gets more of what it cares about most
    assert asym.extra["gains"]["a"] > sym.extra["gains"]["a"] - 1e-9
    # each side's concessions are listed and explained
    assert set(asym.extra["concessions"]) == {"a", "b"}
    assert any(n.startswith("b concedes most on") for n in asym.notes)


def test_red_lines_are_hard_limits():
    s = make_scenario(
        {
            "a": {
                "capability": 1,
                "veto": True,
                "stances": {"x": (0, 1), "y": (100, 0.3)},
                "red_lines": {"x": "<= 40"},
            },
            "b": {
                "capability": 1,
                "veto": True,
                "stances": {"x": (100, 0.3), "y": (0, 1)},
                "red_lines": {"y": "<= 35"},
            },
        },
        ["x", "y"],
        status_quo={"x": 50, "y": 50},
    )
    for m in ("nash", "kalai_smorodinsky", "egalitarian"):
        f = get_model(m).forecast(s)
        assert f.extra["agreement"] is True
        assert f.outcome_for("x") <= 40 + 1e-6
        assert f.outcome_for("y") <= 35 + 1e-6


def test_nash_solution_is_pareto_optimal_against_sampled_packages():
    s = conflict_scenario().replace(
        actors=[a.model_copy(update={"red_lines": {}}) for a in conflict_scenario().actors]
    )
    f = get_model("nash").forecast(s)
    assert f.extra["agreement"]
    rng = np.random.default_rng(0)
    pts = rng.uniform(0, 100, size=(20000, 2))
    a = s.to_arrays()
    veto = a.veto

    def gains(x):
        d = np.abs(x[:, None, :] - a.positions[veto]) / 100
        dq = np.abs(a.status_quo - a.positions[veto]) / 100
        return ((a.saliences[veto] * dq).sum(-1)) - (a.saliences[veto] * d).sum(-1)

    g_star = gains(f.outcome[None])[0]
    g = gains(pts)
    assert not np.any(np.all(g > g_star + 1e-9, axis=1))


def test_batch_feasibility_over_draws():
    s = conflict_scenario()
    arrays = s.sample(16, seed=1)
    ok = batch(arrays)
    assert ok.shape == (16,) and not ok.any()  # the red lines never overlap
    free = conflict_scenario().replace(
        actors=[a.model_copy(update={"red_lines": {}}) for a in conflict_scenario().actors]
    )
    assert bool(batch(free.to_arrays())) is True


def test_curvature_setting_is_validated_and_reported():
    with pytest.raises(ModelError, match="curvature"):
        get_model("nash", curvature=0.5)
    f = get_model("nash", curvature=2.0).forecast(conflict_scenario())
    assert "curvature 2 (model setting)" in f.notes[0]


def test_many_players_on_one_issue_are_counted_by_side_not_paired():
    actors = {f"m{k}": {"capability": 1, "stances": {"x": (10.0 * k, 0.5)}} for k in range(11)}
    s = make_scenario(actors, ["x"], status_quo={"x": 45})
    f = get_model("nash").forecast(s)
    assert f.extra["agreement"] is False
    assert f.outcome.tolist() == [45.0]
    assert (
        "6 of the 11 players want more than the status quo and 5 want less" in (f.extra["reason"])
    )
