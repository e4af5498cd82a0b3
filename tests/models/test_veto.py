"""Veto and control: every model's outcome is constrained to what the veto players accept."""

import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.errors import ScenarioError
from detente.models import MODELS, get_model
from detente.models.veto import (
    apply_veto,
    status_quo_assumed,
    veto_matrix,
    with_reference_point,
)
from detente.scenario import Scenario, dump_yaml, load_bundled, read_yaml
from detente.testing import _veto_respected, make_scenario

sys.path.insert(0, str(Path(__file__).parents[1]))
from strategies import scenarios

ALL = sorted(MODELS)


def owner_scenario(**kw):
    """The owner alone implements 'stock' (wants it low); the others want it high."""
    return make_scenario(
        {
            "owner": {"capability": 0.2, "stances": {"stock": (10, 0.9), "aid": (80, 0.5)}},
            "buyer": {"capability": 0.6, "stances": {"stock": (90, 0.6), "aid": (20, 0.4)}},
            "donor": {"capability": 0.4, "stances": {"stock": (70, 0.4), "aid": (60, 0.7)}},
        },
        ["stock", "aid"],
        status_quo={"stock": 30, "aid": 40},
        scenario_id="owner",
        **kw,
    )


def test_controlled_by_makes_the_controller_a_veto_player_for_that_issue_only():
    s = owner_scenario(controlled_by={"stock": ["owner"]})
    m = veto_matrix(s)
    assert m.tolist() == [[True, False], [False, False], [False, False]]
    f = get_model("compromise").forecast(s)
    raw = f.unconstrained
    # the weighted mean puts stock at 64.9, far above the owner's status quo of 30: the
    # owner refuses, and the nearest package it accepts is just below 30
    assert raw[0] == pytest.approx((0.18 * 10 + 0.36 * 90 + 0.16 * 70) / 0.70)
    assert f.veto["status"] == "projected"
    assert 29.99 < f.outcome[0] <= 30.0
    assert f.outcome[1] == pytest.approx(raw[1])  # nobody controls aid: left as it was
    d = f.to_dict()
    assert d["unconstrained_outcome"]["stock"] == pytest.approx(raw[0])
    assert "moved from 64.86" in d["veto_note"]["stock"]
    assert "no veto player" in d["veto_note"]["aid"]
    assert "(model alone: 64.86)" in f.summary()
    assert f.veto["reason"] == "owner refuses the model's outcome (it prefers the status quo)"
    frame = f.to_frame("outcome")
    assert frame["unconstrained"].tolist() == pytest.approx(raw.tolist())


def test_without_veto_players_every_model_is_unconstrained_and_says_so():
    s = owner_scenario()
    for name in ALL:
        f = get_model(name).forecast(s)
        assert f.veto["status"] == "none", name
        assert np.array_equal(f.outcome, f.unconstrained, equal_nan=True), name
        assert any("not constrained by veto players" in n for n in f.notes), name


def test_respect_veto_false_gives_the_raw_model():
    s = owner_scenario(controlled_by={"stock": ["owner"]})
    raw = get_model("median", respect_veto=False).forecast(s)
    assert raw.veto["status"] == "off"
    assert raw.outcome[0] == 90.0
    assert raw.params["respect_veto"] is False
    assert get_model("median").forecast(s).outcome[0] < 30.0 + 1e-9


def test_unknown_controller_is_a_located_error():
    text = dump_yaml(owner_scenario(controlled_by={"stock": ["owner"]}))
    assert "controlled_by:\n  - owner" in text  # written, and read back below
    assert read_yaml(text).issue("stock").controlled_by == ("owner",)
    bad = text.replace("controlled_by:\n  - owner", "controlled_by:\n  - ownr")
    with pytest.raises(ScenarioError) as err:
        read_yaml(bad, "bad.yaml")
    msg = str(err.value)
    assert "bad.yaml:" in msg and "unknown actor 'ownr'" in msg
    assert "did you mean owner" in msg


def test_empty_zone_keeps_the_status_quo_and_names_the_blockers():
    s = make_scenario(
        {
            "east": {
                "capability": 1,
                "veto": True,
                "stances": {"border": (90, 1), "trade": (70, 0.5)},
                "red_lines": {"border": ">= 60"},
            },
            "west": {
                "capability": 1,
                "veto": True,
                "stances": {"border": (10, 1), "trade": (40, 0.5)},
                "red_lines": {"border": "<= 35"},
            },
            "broker": {"capability": 2, "stances": {"border": (50, 1), "trade": (60, 1)}},
        },
        ["border", "trade"],
        status_quo={"border": 20, "trade": 30},
    )
    for name in ALL:
        f = get_model(name).forecast(s)
        assert f.outcome.tolist() == [20.0, 30.0], name
        assert f.veto["status"] in ("blocked", "kept"), name
        if f.veto["status"] == "blocked":
            assert "red lines on border do not overlap" in f.veto["reason"], name
            assert "east needs >= 60" in f.to_dict()["veto_note"]["border"], name
        assert np.isfinite(f.unconstrained).all(), name


def test_flagship_every_model_keeps_the_status_quo_with_the_reason():
    s = load_bundled("us-dprk-2021")
    j = s.issue_ids.index("denuclearization")
    sq = s.status_quo_value("denuclearization")
    for name in ALL:
        d = json.loads(get_model(name).forecast(s, seed=0).to_json())
        assert d["outcome"]["denuclearization"] == sq, name
        assert d["unconstrained_outcome"]["denuclearization"] is not None, name
        assert "do not overlap" in d["veto_note"]["denuclearization"], name
    del j


def test_outcome_the_veto_players_accept_is_kept():
    s = make_scenario(
        {
            "a": {"capability": 1, "veto": True, "stances": {"x": (80, 1)}},
            "b": {"capability": 1, "veto": True, "stances": {"x": (60, 1)}},
            "c": {"capability": 1, "stances": {"x": (70, 1)}},
        },
        ["x"],
        status_quo={"x": 10},
    )
    f = get_model("compromise").forecast(s)
    assert f.veto["status"] == "kept"
    assert f.outcome[0] == pytest.approx(70.0) == f.unconstrained[0]


def test_absent_status_quo_uses_the_documented_reference_point_and_says_so():
    # a one-issue table without a status quo: Nash used to find "no agreement" (the actor
    # at the scale minimum could never gain); now every model names its assumption
    s = make_scenario(
        {
            "a": {"capability": 3, "stances": {"x": (0, 1)}},
            "b": {"capability": 1, "stances": {"x": (100, 1)}},
        },
        ["x"],
    )
    for name in ALL:
        f = get_model(name).forecast(s)
        assert np.isfinite(f.outcome).all(), name
        assert any("reference point 25" in n for n in f.notes), name
    nash = get_model("nash").forecast(s)
    assert nash.outcome[0] == pytest.approx(25.0)  # the disagreement point, with the reason
    assert "red line" not in nash.extra["reason"]


def _with_controllers(data):
    """Scenario data with each issue controlled by a drawn subset of the actors."""
    s, picks = data
    d = s.model_dump()
    ids = [a["id"] for a in d["actors"]]
    for k, issue in enumerate(d["issues"]):
        issue["controlled_by"] = [ids[m % len(ids)] for m in picks[k % len(picks)]]
    d["claims"] = []
    return Scenario.model_validate(d)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.tuples(
        scenarios(max_actors=4, max_issues=3),
        st.lists(st.lists(st.integers(0, 3), max_size=2), min_size=1, max_size=3),
    ).map(_with_controllers),
    st.sampled_from(["compromise", "median", "eum"]),
)
def test_veto_property_holds_on_generated_scenarios_with_controllers(s, name):
    model = get_model(name)
    f = model.forecast(s)
    _veto_respected(model, s, f)
    # the constraint is idempotent: a kept or projected outcome is accepted as it is
    if f.veto["status"] in ("kept", "projected"):
        again = apply_veto(
            s if not status_quo_assumed(s) else with_reference_point(s, status_quo_assumed(s))[0],
            replace(f, outcome=f.outcome),
        )
        assert again.status == "kept" or np.allclose(again.outcome, f.outcome, atol=1e-6 * 100)


def test_projection_reason_names_the_red_lines_crossed():
    s = make_scenario(
        {
            "a": {
                "capability": 1,
                "veto": True,
                "stances": {"x": (90, 1), "y": (20, 0.5)},
                "red_lines": {"x": "<= 60"},
            },
            "b": {"capability": 1, "veto": True, "stances": {"x": (50, 1), "y": (90, 0.5)}},
            "c": {"capability": 3, "stances": {"x": (100, 1), "y": (50, 0.5)}},
        },
        ["x", "y"],
        status_quo={"x": 30, "y": 30},
    )
    f = get_model("median").forecast(s)
    assert f.veto["status"] == "projected"
    assert "a refuses the model's outcome (x 100 > its red line 60)" in f.veto["reason"]
    assert f.outcome[0] <= 60 + 1e-9
