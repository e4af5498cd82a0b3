"""The exchange model against the Stokman & Van Oosten (1994) example (tests/oracles)."""

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from detente.models import get_model
from detente.models.exchange import candidate_exchanges, exchange_analysis
from detente.testing import make_scenario

ORACLE = json.loads(
    (Path(__file__).parents[1] / "oracles" / "exchange_stokman1994.json").read_text()
)


def oracle_scenario():
    inp = ORACLE["input"]
    actors = {
        a: {
            "capability": v["capability"],
            "stances": {i: tuple(x) for i, x in v["stances"].items()},
        }
        for a, v in inp["actors"].items()
    }
    return make_scenario(actors, inp["issues"], salience_max=inp["salience_max"])


def test_every_number_of_the_two_actor_example():
    (ex,) = exchange_analysis(oracle_scenario())
    exp = ORACLE["expected"]
    for k in ("start_outcome", "shifted_outcome", "loss", "gain"):
        assert ex[k] == pytest.approx(exp[k], abs=1e-9), k
    for who, frac in exp["loss_fractions"].items():
        assert ex["loss"][who] == pytest.approx(float(Fraction(frac)), abs=1e-9)
    for who, frac in exp["gain_fractions"].items():
        assert ex["gain"][who] == pytest.approx(float(Fraction(frac)), abs=1e-9)
    assert ex["demander"] == exp["demander"]
    assert ex["supplier"] == exp["supplier"]
    for who, value in exp["max_gain"].items():
        assert ex["max_gain"][who] == pytest.approx(value, abs=exp["max_gain_tolerance"][who])


def test_start_values_are_the_compromise():
    out = get_model("compromise").forecast(oracle_scenario()).outcome
    np.testing.assert_allclose(out, [85 + 5 / 7, 35 + 5 / 7], atol=1e-12)


def test_first_round_moves_are_explained_and_gains_equal():
    f = get_model("exchange", rounds=1).forecast(oracle_scenario(), seed=0)
    m1, m2 = f.moves
    assert (m1.actor, m1.issue, m1.counterpart, m1.old, m1.new) == (
        "Actor-1",
        "issue1",
        "Actor-2",
        0.0,
        100.0,
    )
    assert (m2.actor, m2.issue, m2.old) == ("Actor-2", "issue2", 100.0)
    assert m2.new == pytest.approx(80.0)
    assert "Actor-1 supplies issue1 to Actor-2" in m1.explanation
    assert "0 → 100" in m1.explanation
    assert m1.data["gain"] == pytest.approx(500.0)
    # outcome after the exchange: issue1 at Actor-2's position, issue2 = 80*50/140
    np.testing.assert_allclose(f.outcome, [100.0, 80 * 50 / 140])
    assert f.positions.shape == (2, 2, 2)


def test_iterates_until_no_exchange_pays_or_rounds_reached():
    f = get_model("exchange", rounds=40).forecast(oracle_scenario(), seed=0)
    gains = [e["gain"] for e in f.extra["exchanges"]]
    assert gains == sorted(gains, reverse=True)  # gains shrink round by round
    assert len(f.extra["round_outcomes"]) == f.n_rounds + 1
    assert f.outcome[0] == pytest.approx(100.0)
    f10 = get_model("exchange").forecast(oracle_scenario(), seed=0)
    assert f10.n_rounds == 10


def test_actors_on_the_same_side_do_not_exchange():
    s = make_scenario(
        {
            "a": {"capability": 1, "stances": {"x": (0, 0.1), "y": (0, 0.9)}},
            "b": {"capability": 1, "stances": {"x": (10, 0.6), "y": (10, 0.5)}},
            "c": {"capability": 5, "stances": {"x": (100, 0.5), "y": (0, 0.5)}},
        },
        ["x", "y"],
    )
    a = s.to_arrays()
    e = candidate_exchanges(a.positions, a.saliences, a.capabilities)
    pairs = {tuple(sorted((int(i), int(j)))) for i, j in zip(e.i, e.j, strict=True)}
    assert (0, 1) not in pairs  # a and b sit left of the outcome on x


def test_many_actor_many_issue_case_runs_and_converges():
    rng = np.random.default_rng(7)
    actors = {
        f"actor{k}": {
            "capability": float(rng.uniform(0.1, 1)),
            "stances": {
                f"issue{j}": (float(rng.uniform(0, 100)), float(rng.uniform(0.05, 1)))
                for j in range(6)
            },
        }
        for k in range(12)
    }
    s = make_scenario(actors, [f"issue{j}" for j in range(6)])
    f = get_model("exchange", rounds=25).forecast(s, seed=1)
    assert len(f.moves) > 20
    assert np.all((f.outcome >= 0) & (f.outcome <= 100))
    # every realised exchange gave both sides the same positive gain
    assert all(e["gain"] > 0 for e in f.extra["exchanges"])
    again = get_model("exchange", rounds=25).forecast(s, seed=1)
    np.testing.assert_array_equal(f.positions, again.positions)


def test_suppliers_never_vote_beyond_their_red_lines_unless_asked():
    s = make_scenario(
        {
            "a": {
                "capability": 1,
                "stances": {"x": (0, 10), "y": (0, 90)},
                "red_lines": {"x": "<= 30"},
            },
            "b": {"capability": 1, "stances": {"x": (100, 60), "y": (100, 50)}},
        },
        ["x", "y"],
        salience_max=100,
    )
    f = get_model("exchange", rounds=3).forecast(s, seed=0)
    assert f.positions[:, 0, 0].max() <= 30 + 1e-9
    paper = get_model("exchange", rounds=1, red_lines=False).forecast(s, seed=0)
    assert paper.positions[1, 0, 0] == pytest.approx(100.0)


def test_flagship_runs_with_explained_moves():
    from detente.scenario import load_bundled

    s = load_bundled("us-dprk-2021")
    f = get_model("exchange").forecast(s, seed=0)
    assert f.moves and all("supplies" in m.explanation for m in f.moves)
    a = s.to_arrays()
    # with red lines respected, the DPRK never votes for more denuclearization than its line
    k, j = s.actor_ids.index("dprk"), s.issue_ids.index("denuclearization")
    assert f.positions[:, k, j].max() <= a.red_high[k, j] + 1e-9


DATA = Path(__file__).parents[1] / "data"


def test_two_actor_example_read_from_an_exchange_file():
    from detente.scenario import load

    s = load(DATA / "exchange_two_actor.tsv")
    (ex,) = exchange_analysis(s)
    assert ex["max_gain"] == pytest.approx({"Actor-1": 1400.0, "Actor-2": 777.7778}, abs=5e-5)
    f = get_model("exchange", rounds=1).forecast(s, seed=0)
    np.testing.assert_allclose(f.outcome, [100.0, 80 * 50 / 140])


def test_many_actor_exchange_file_runs_round_by_round():
    from detente.scenario import load

    s = load(DATA / "exchange_eu_illustrative.tsv")
    assert s.n_actors >= 10 and s.n_issues >= 4
    f = get_model("exchange").forecast(s, seed=0)
    assert f.positions.shape == (f.n_rounds + 1, s.n_actors, s.n_issues)
    assert len(f.extra["round_outcomes"]) == f.n_rounds + 1
    assert len({m.actor for m in f.moves}) >= 5
    for j, issue in enumerate(s.issues):
        assert issue.low <= f.outcome[j] <= issue.high
