"""Compromise, weighted median and Condorcet winner against hand-checkable numbers.

Oracles: the Scholz, Calbert & Smith (2011) worked example (doi:10.1177/0951629811418142),
weighted mean 7.389955686853767 and median 7.0; the exchange-model example of Stokman & Van
Oosten (1994) as coded in decide-exchange-model (start values 85 5/7 and 35 5/7).
"""

import numpy as np
import pytest

from detente.models import get_model
from detente.models.compromise import batch, batch_median, condorcet_winner
from detente.scenario import load_bundled
from detente.testing import make_scenario

EXCHANGE = {
    "Actor-1": {"capability": 1, "stances": {"issue1": (0, 10), "issue2": (0, 90)}},
    "Actor-2": {"capability": 1, "stances": {"issue1": (100, 60), "issue2": (100, 50)}},
}


def test_scholz_weighted_mean_and_median():
    s = load_bundled("ec-emissions-1994")
    assert get_model("compromise").forecast(s).outcome[0] == pytest.approx(
        7.389955686853767, abs=1e-12
    )
    assert get_model("median").forecast(s).outcome[0] == 7.0
    assert get_model("condorcet").forecast(s).outcome[0] == 7.0


def test_exchange_example_start_values():
    s = make_scenario(EXCHANGE, ["issue1", "issue2"], salience_max=100)
    out = get_model("compromise").forecast(s).outcome
    np.testing.assert_allclose(out, [85 + 5 / 7, 35 + 5 / 7], rtol=0, atol=1e-12)


def test_only_actors_with_a_stance_count():
    s = make_scenario(
        {
            "a": {"capability": 1, "stances": {"x": (10, 1), "y": (50, 1)}},
            "b": {"capability": 1, "stances": {"x": (30, 1)}},
        },
        ["x", "y"],
        status_quo={"y": 0},
    )
    out = get_model("compromise").forecast(s).outcome
    np.testing.assert_allclose(out, [20, 50])


def test_batch_over_draws_matches_single_runs():
    s = load_bundled("ec-emissions-1994").with_value("belgium.emission_standards.position", 6)
    data = s.model_dump()
    data["actors"][0]["capability"] = {"value": 0.08, "range": [0.04, 0.2], "judgement": "test"}
    s = type(s).model_validate(data)
    draws = s.sample(64, seed=5)
    out = batch(draws)
    assert out.shape == (64, 1)
    for k in (0, 17, 63):
        num = (draws.capabilities[k] * draws.saliences[k, :, 0] * draws.positions[k, :, 0]).sum()
        den = (draws.capabilities[k] * draws.saliences[k, :, 0]).sum()
        assert out[k, 0] == pytest.approx(num / den)
    assert batch_median(draws).shape == (64, 1)


def test_median_midpoint_when_weight_splits_exactly_in_half():
    s = make_scenario(
        {
            "a": {"capability": 1, "stances": {"x": (20, 1)}},
            "b": {"capability": 1, "stances": {"x": (60, 1)}},
        },
        ["x"],
    )
    assert get_model("median").forecast(s).outcome[0] == 40


def test_condorcet_tie_falls_back_to_median_with_a_note():
    s = make_scenario(
        {
            "a": {"capability": 1, "stances": {"x": (20, 1)}},
            "b": {"capability": 1, "stances": {"x": (60, 1)}},
        },
        ["x"],
    )
    f = get_model("condorcet").forecast(s)
    assert f.outcome[0] == 40
    assert f.extra["condorcet_winner_found"] == {"x": False}
    assert any("no Condorcet winner" in n and "tie" in n for n in f.notes)


def test_condorcet_majority_vote_picks_weighted_median_voter():
    winner, _cand, margins = condorcet_winner(
        np.array([0.0, 40, 100]), np.array([2.0, 1.5, 1.0]), vote="majority"
    )
    assert winner == 40.0
    assert margins.shape == (3, 3)
    np.testing.assert_allclose(margins, -margins.T)
