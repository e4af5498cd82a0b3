"""The expected utility model against the Scholz, Calbert & Smith (2011) oracle, and its properties.

Oracle: ``tests/oracles/scholz2011`` (see SOURCE.md there), the project's own copy.
"""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.errors import ModelError
from detente.models import get_model
from detente.models._eum_kernel import (
    _numerators_dense,
    _numerators_sorted,
    _probabilities,
    eum_kernel,
)
from detente.models.eum import ExpectedUtilityModel
from detente.scenario.bundled import load_bundled

ORACLE = Path(__file__).resolve().parents[1] / "oracles" / "scholz2011"
TOL = 1e-9


@pytest.fixture(scope="module")
def actors() -> list[dict[str, str]]:
    with open(ORACLE / "example_actors.csv", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def trace() -> dict:
    return json.loads((ORACLE / "example_trace.json").read_text())


@pytest.fixture(scope="module")
def scholz() -> object:
    return load_bundled("ec-emissions-1994")


def _inputs(actors):
    x = np.array([float(a["Position"]) for a in actors])
    c = np.array([float(a["Capability"]) for a in actors])
    s = np.array([float(a["Salience"]) for a in actors])
    return x, c, s


def _oracle_positions(actors, trace) -> np.ndarray:
    """Positions after every round, rebuilt from the oracle's moves."""
    names = [a["Actor"] for a in actors]
    x = _inputs(actors)[0]
    rows = [x.copy()]
    for rnd in trace["rounds"]:
        for m in rnd["moves"]:
            x[names.index(m["actor"])] = m["new_position"]
        rows.append(x.copy())
    return np.array(rows)


def test_kernel_reproduces_every_move_of_the_scholz_trace(actors, trace):
    names = [a["Actor"] for a in actors]
    run = eum_kernel(*_inputs(actors), rounds=10)
    assert run.positions.shape == (1, 11, 10)
    for rnd in trace["rounds"]:
        t = rnd["round"] - 1
        movers = np.flatnonzero(run.offer[0, t])
        assert [names[i] for i in movers] == [m["actor"] for m in rnd["moves"]]
        for i, m in zip(movers, rnd["moves"], strict=True):
            kind = ("none", "confrontation", "compromise", "capitulation")[run.offer[0, t, i]]
            assert kind == m["offer"]
            assert names[run.counterpart[0, t, i]] == m["counterpart"]
            assert run.eu_ij[0, t, i] == pytest.approx(m["eu_pair"][0], abs=TOL)
            assert run.eu_ji[0, t, i] == pytest.approx(m["eu_pair"][1], abs=TOL)
            assert run.positions[0, t + 1, i] == pytest.approx(m["new_position"], abs=TOL)
        assert run.mean[0, t + 1] == pytest.approx(rnd["mean"], abs=TOL)
    np.testing.assert_allclose(run.positions[0], _oracle_positions(actors, trace), atol=TOL, rtol=0)


def test_initial_mean_and_median_match_the_oracle(actors, trace):
    run = eum_kernel(*_inputs(actors), rounds=0)
    assert run.mean[0, 0] == pytest.approx(trace["initial"]["mean"], abs=TOL)
    assert run.median[0, 0] == trace["initial"]["median"]


def test_no_capitulation_in_the_faithful_trace(actors):
    run = eum_kernel(*_inputs(actors), rounds=10)
    assert set(np.unique(run.offer)) == {0, 1, 2}


def test_bundled_scenario_forecast_matches_the_oracle(scholz, actors, trace):
    f = get_model("eum").forecast(scholz)
    assert f.actor_ids == tuple(a["Actor"].lower() for a in actors)
    oracle_moves = [(r["round"], m) for r in trace["rounds"] for m in r["moves"]]
    assert len(f.moves) == len(oracle_moves)
    for move, (rnd, m) in zip(f.moves, oracle_moves, strict=True):
        assert (move.round, move.actor, move.kind, move.counterpart) == (
            rnd,
            m["actor"].lower(),
            m["offer"],
            m["counterpart"].lower(),
        )
        assert move.data["eu_pair"] == pytest.approx(m["eu_pair"], abs=TOL)
        assert move.new == pytest.approx(m["new_position"], abs=TOL)
    means = f.extra["mean"]["emission_standards"]
    assert means[0] == pytest.approx(trace["initial"]["mean"], abs=TOL)
    assert means[1:] == pytest.approx([r["mean"] for r in trace["rounds"]], abs=TOL)
    assert f.extra["median"]["emission_standards"][0] == trace["initial"]["median"]
    assert f.outcome_for("emission_standards") == f.extra["median"]["emission_standards"][-1]


def test_forecast_trace_json_matches_the_oracle(scholz, actors, trace):
    d = json.loads(get_model("eum").forecast(scholz).to_json())
    expected = _oracle_positions(actors, trace)
    assert [e["round"] for e in d["trace"]] == list(range(11))
    for r, entry in enumerate(d["trace"]):
        got = [entry["positions"][a["Actor"].lower()]["emission_standards"] for a in actors]
        np.testing.assert_allclose(got, expected[r], atol=TOL, rtol=0)
        want = trace["rounds"][r - 1]["moves"] if r else []
        assert [(m["actor"], m["kind"], m["counterpart"]) for m in entry["moves"]] == [
            (m["actor"].lower(), m["offer"], m["counterpart"].lower()) for m in want
        ]
        for got_m, want_m in zip(entry["moves"], want, strict=True):
            assert got_m["data"]["eu_pair"] == pytest.approx(want_m["eu_pair"], abs=TOL)
    assert d["outcome"] == {"emission_standards": pytest.approx(7.0)}


def test_moves_explain_themselves_with_the_numbers(scholz):
    f = get_model("eum").forecast(scholz)
    assert f.moves[0].explanation == (
        "Belgium compromises with France: EU -0.115 vs 0.243, moves 7.00 → 8.42"
    )
    assert f.moves[1].explanation.startswith("Luxembourg gives in to a challenge from Belgium")
    assert "median" in f.notes[0]
    assert len(f.extra["risk_exponents"]["emission_standards"]["belgium"]) == 10


def _random_batch(seed: int, n_draws: int, n_actors: int, ties: bool):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 100, (n_draws, n_actors))
    if ties:
        x = np.round(x / 25) * 25
    c = rng.uniform(0, 1, (n_draws, n_actors))
    s = rng.uniform(0, 1, (n_draws, n_actors))
    return x, c, s


OPTIONS = [
    {},
    {"compromise_rule": "least_movement"},
    {"probability": "pairwise"},
    {"capitulation": "corrected"},
    {"compromise_rule": "least_movement", "probability": "pairwise", "capitulation": "corrected"},
]


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("ties", [False, True])
def test_batched_kernel_equals_single_runs_draw_by_draw(options, ties):
    x, c, s = _random_batch(7, 12, 7, ties)
    batch = eum_kernel(x, c, s, 6, **options)
    for d in range(x.shape[0]):
        one = eum_kernel(x[d], c[d], s[d], 6, **options)
        np.testing.assert_array_equal(batch.offer[d], one.offer[0])
        np.testing.assert_array_equal(batch.counterpart[d], one.counterpart[0])
        np.testing.assert_allclose(batch.positions[d], one.positions[0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(batch.risk[d], one.risk[0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(batch.median[d], one.median[0], rtol=0, atol=1e-12)


def test_batches_split_into_chunks_give_the_same_result(monkeypatch):
    import detente.models._eum_kernel as eum

    x, c, s = _random_batch(3, 40, 6, True)
    whole = eum_kernel(x, c, s, 4)
    monkeypatch.setattr(eum, "_CHUNK_ELEMENTS", 6**3 * 7)  # chunks of 7 draws
    parts = eum_kernel(x, c, s, 4)
    np.testing.assert_allclose(parts.positions, whole.positions, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(parts.offer, whole.offer)


@pytest.mark.parametrize("options", OPTIONS)
def test_actor_order_does_not_change_positions(options):
    x, c, s = _random_batch(11, 6, 8, True)
    perm = np.random.default_rng(0).permutation(8)
    a = eum_kernel(x, c, s, 5, **options)
    b = eum_kernel(x[:, perm], c[:, perm], s[:, perm], 5, **options)
    np.testing.assert_allclose(b.positions, a.positions[:, :, perm], rtol=0, atol=1e-9)
    np.testing.assert_allclose(b.median, a.median, rtol=0, atol=1e-9)
    np.testing.assert_allclose(b.mean, a.mean, rtol=0, atol=1e-9)


def test_forecast_is_invariant_to_actor_order(scholz):
    reordered = scholz.model_copy(update={"actors": tuple(reversed(scholz.actors))})
    a = get_model("eum").forecast(scholz)
    b = get_model("eum").forecast(reordered)
    np.testing.assert_allclose(b.positions[:, ::-1], a.positions, rtol=0, atol=1e-9)
    np.testing.assert_allclose(b.outcome, a.outcome, rtol=0, atol=1e-9)


@pytest.mark.parametrize("options", OPTIONS)
def test_unanimous_actors_stay_put(options):
    x = np.full(5, 3.5)
    run = eum_kernel(x, [0.2, 0.5, 1.0, 0.1, 0.3], [0.9, 0.1, 0.5, 1.0, 0.2], 10, **options)
    assert np.all(run.positions == 3.5)
    assert not run.offer.any()
    assert run.median[0, -1] == 3.5
    assert run.mean[0, -1] == pytest.approx(3.5)


def test_scholz_probabilities_use_the_large_denominator_and_pairwise_sum_to_one():
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 10, (3, 6))
    w = rng.uniform(0.1, 1, (3, 6))
    r = rng.uniform(0.5, 2, (3, 6))
    dist = np.abs(x[:, :, None] - x[:, None, :]) / 10
    utility = dist ** r[:, :, None]
    pairwise = _probabilities(utility, w, x, "pairwise")
    off = ~np.eye(6, dtype=bool)
    np.testing.assert_allclose((pairwise + np.swapaxes(pairwise, 1, 2))[:, off], 1.0)
    scholz = _probabilities(utility, w, x, "scholz")
    # Brute force: numerator over voters, denominator the triple sum over voters and pairs.
    votes = w[:, :, None, None] * (utility[:, :, None, :] - utility[:, :, :, None])
    expected = (
        np.clip(votes, 0, None).sum(axis=1) / np.abs(votes).sum(axis=(1, 2, 3))[:, None, None]
    )
    np.testing.assert_allclose(scholz, expected, rtol=1e-12)
    np.testing.assert_allclose(scholz.sum(axis=(1, 2)), 0.5)


def test_corrected_capitulation_fires_where_the_published_test_cannot():
    x, c, s = [1.0, 8.0, 9.0, 6.0], [0.2, 1.0, 0.2, 0.9], [0.7, 0.9, 0.9, 1.0]
    corrected = eum_kernel(x, c, s, 1, capitulation="corrected")
    assert corrected.offer[0, 0, 0] == 3  # actor 0 capitulates to actor 1
    assert corrected.counterpart[0, 0, 0] == 1
    assert corrected.positions[0, 1, 0] == 8.0
    eu_ij, eu_ji = corrected.eu_ij[0, 0, 0], corrected.eu_ji[0, 0, 0]
    assert eu_ji > 0 > eu_ij and abs(eu_ij) > eu_ji
    faithful = eum_kernel(x, c, s, 1)
    assert faithful.offer[0, 0, 0] == 0
    batch = eum_kernel(*_random_batch(1, 200, 6, False), 3)
    assert not (batch.offer == 3).any()


def test_least_movement_compromise_moves_least():
    x, c, s = _random_batch(2, 300, 6, False)
    scholz = eum_kernel(x, c, s, 1)
    least = eum_kernel(x, c, s, 1, compromise_rule="least_movement")
    comp = least.offer[:, 0] == 2
    assert comp.any()
    step_least = np.abs(least.positions[:, 1] - x)[comp]
    step_scholz = np.abs(scholz.positions[:, 1] - x)[comp]
    assert np.all(step_least <= step_scholz + 1e-12)
    assert np.any(step_least < step_scholz - 1e-9)


def test_least_movement_keeps_belgium_with_france_in_round_4(actors):
    run = eum_kernel(*_inputs(actors), rounds=10, compromise_rule="least_movement")
    belgium, france = 1, 4
    assert run.offer[0, 3, belgium] == 2
    assert run.counterpart[0, 3, belgium] == france


def test_pairwise_probability_settles_the_scholz_example(actors):
    run = eum_kernel(*_inputs(actors), rounds=10, probability="pairwise")
    assert not run.offer[0, -1].any()
    assert np.ptp(run.positions[0, -1]) == 0


def test_departures_are_named_in_the_notes(scholz):
    f = get_model("eum", probability="pairwise", capitulation="corrected").forecast(scholz)
    assert any("probability='pairwise'" in n and "capitulation='corrected'" in n for n in f.notes)
    assert f.params["probability"] == "pairwise"


def test_mean_outcome_option(scholz, trace):
    f = get_model("eum", outcome="mean").forecast(scholz)
    assert f.outcome_for("emission_standards") == pytest.approx(
        trace["rounds"][-1]["mean"], abs=TOL
    )


def test_median_is_the_capability_salience_weighted_median():
    x, c, s = _random_batch(4, 50, 9, False)
    run = eum_kernel(x, c, s, 0)
    w = c * s
    for d in range(50):
        order = np.argsort(x[d])
        cum = np.cumsum(w[d, order])
        assert run.median[d, 0] == x[d, order][np.searchsorted(cum, cum[-1] / 2)]


def test_registry_and_settings_validation():
    assert isinstance(get_model("eum"), ExpectedUtilityModel)
    with pytest.raises(ModelError, match="'probability' parameter of ExpectedUtilityModel"):
        get_model("eum", probability="fair")
    with pytest.raises(ModelError, match="'rounds' parameter"):
        get_model("eum", rounds=-1)
    with pytest.raises(ModelError, match="no setting"):
        get_model("eum", mode="scholz")
    with pytest.raises(TypeError):
        ExpectedUtilityModel(5)  # type: ignore[misc]


def test_rounds_setting_and_zero_rounds(scholz):
    model = get_model("eum")
    f3 = replace(model, rounds=3).forecast(scholz)
    assert f3.positions.shape == (4, 10, 1)
    assert max(m.round for m in f3.moves) == 3
    f0 = replace(model, rounds=0).forecast(scholz)
    assert f0.moves == ()
    assert f0.outcome_for("emission_standards") == 7.0


def test_issues_run_independently_among_actors_with_a_stance(scholz):
    actors = list(scholz.actors)
    issue = scholz.issues[0]
    second = issue.model_copy(update={"id": "second"})
    new_actors = []
    for k, a in enumerate(actors):
        stances = dict(a.stances)
        if k != 0:  # the Netherlands takes no stance on the second issue
            stances["second"] = a.stances[issue.id]
        new_actors.append(a.model_copy(update={"stances": stances}))
    sq = {**scholz.status_quo, "second": scholz.status_quo[issue.id]}
    two = scholz.model_copy(
        update={"issues": (issue, second), "actors": tuple(new_actors), "status_quo": sq}
    )
    f = get_model("eum").forecast(two)
    one = get_model("eum").forecast(scholz)
    np.testing.assert_array_equal(f.positions[:, :, 0], one.positions[:, :, 0])
    assert np.all(f.positions[:, 0, 1] == two.status_quo_value("second"))
    x, c, s = _inputs_from_scenario(scholz)
    alone = eum_kernel(x[1:], c[1:], s[1:], 10)
    np.testing.assert_allclose(f.positions[:, 1:, 1], alone.positions[0], rtol=0, atol=0)
    assert all(
        m.actor != "netherlands" and m.counterpart != "netherlands"
        for m in f.moves
        if m.issue == "second"
    )
    assert any("without a stance" in n for n in f.notes)
    assert [m.round for m in f.moves] == sorted(m.round for m in f.moves)
    assert all(m.explanation.startswith(f"{m.issue}: ") for m in f.moves)


def _inputs_from_scenario(scenario):
    arr = scenario.to_arrays()
    return arr.positions[:, 0], arr.capabilities, arr.saliences[:, 0]


def test_forecast_leaves_the_scenario_unchanged_and_is_deterministic(scholz):
    before = scholz.model_dump()
    a = get_model("eum").forecast(scholz, seed=1)
    b = get_model("eum").forecast(scholz, seed=2)
    assert scholz.model_dump() == before
    np.testing.assert_array_equal(a.positions, b.positions)


def test_sample_outcomes_runs_a_batch(scholz):
    out = get_model("eum").sample_outcomes(scholz, 5, seed=0)
    assert out.shape == (5, 1)
    # The bundled example has no ranges, so every draw is the point forecast.
    assert np.all(out == get_model("eum").forecast(scholz).outcome)


@pytest.mark.parametrize(
    ("n_draws", "n_actors", "ties"), [(1, 5, False), (3, 9, True), (1, 40, True), (4, 33, False)]
)
def test_sorted_prefix_numerators_equal_the_dense_vote_tensor(n_draws, n_actors, ties):
    x, w, _ = _random_batch(n_actors, n_draws, n_actors, ties)
    w[0, 0] = 0.0
    r = np.random.default_rng(n_draws).uniform(0.5, 2, (n_draws, n_actors))
    utility = (np.abs(x[:, :, None] - x[:, None, :]) / 100) ** r[:, :, None]
    dense = _numerators_dense(utility, w, np.empty((n_draws, n_actors, n_actors, n_actors)))
    np.testing.assert_allclose(_numerators_sorted(utility, w, x), dense, rtol=0, atol=1e-12)


def test_sorted_path_reproduces_the_oracle_and_batches(monkeypatch, actors, trace):
    import detente.models._eum_kernel as eum

    monkeypatch.setattr(eum, "_DENSE_MAX_ACTORS", 0)
    run = eum_kernel(*_inputs(actors), rounds=10)
    np.testing.assert_allclose(run.positions[0], _oracle_positions(actors, trace), atol=TOL, rtol=0)
    assert run.mean[0, 1:] == pytest.approx([r["mean"] for r in trace["rounds"]], abs=TOL)
    x, c, s = _random_batch(9, 5, 12, True)
    batch = eum_kernel(x, c, s, 5)
    for d in range(5):
        one = eum_kernel(x[d], c[d], s[d], 5)
        np.testing.assert_array_equal(batch.offer[d], one.offer[0])
        np.testing.assert_allclose(batch.positions[d], one.positions[0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("dense", [True, False])
def test_scholz_probability_is_zero_between_equal_positions(dense):
    x = np.array([[1.0, 3.0, 3.0, 7.0, 1.0, 9.0]])
    w = np.array([[0.3, 0.9, 0.2, 0.5, 0.7, 0.4]])
    r = np.array([[0.5, 1.3, 2.0, 0.8, 1.0, 1.7]])
    utility = (np.abs(x[:, :, None] - x[:, None, :]) / 8) ** r[:, :, None]
    buffer = np.empty((1, 6, 6, 6)) if dense else None
    p = _probabilities(utility, w, x, "scholz", buffer)
    same = x[:, :, None] == x[:, None, :]
    assert np.all(p[same] == 0.0)
    assert np.all(p[~same] >= 0.0)


@pytest.mark.parametrize("factor", [0.01, 7.3])
def test_scaling_every_capability_changes_nothing(factor):
    x, c, s = _random_batch(21, 20, 8, False)
    a = eum_kernel(x, c, s, 6)
    b = eum_kernel(x, c * factor, s, 6)
    np.testing.assert_array_equal(a.offer, b.offer)
    np.testing.assert_allclose(b.positions, a.positions, rtol=0, atol=1e-9)
    np.testing.assert_allclose(b.median, a.median, rtol=0, atol=1e-9)


def test_zero_capabilities_are_flagged(scholz):
    actors = tuple(
        a.model_copy(
            update={
                "capability": a.capability.model_copy(
                    update={"value": 0.0, "low": 0.0, "high": 0.0}
                )
            }
        )
        for a in scholz.actors
    )
    f = get_model("eum").forecast(scholz.model_copy(update={"actors": actors}))
    assert any("zero capability × salience" in n for n in f.notes)
    assert np.isfinite(f.outcome).all()
    assert f.extra["mean"]["emission_standards"][0] == pytest.approx(
        np.mean([4, 7, 4, 4, 10, 10, 10, 7, 4, 7])
    )


def test_forecast_tables(scholz):
    f = get_model("eum").forecast(scholz)
    moves = f.to_frame("moves")
    assert len(moves) == 30
    assert set(moves["kind"]) == {"compromise", "confrontation"}
    assert "| emission_standards | 7.00 |" in f.summary("markdown")


actor_row = st.tuples(
    st.sampled_from([0.0, 2.5, 5.0, 7.5, 10.0]) | st.floats(0, 10),  # ties and arbitrary values
    st.floats(0.01, 1),
    st.floats(0, 1),
)
actor_rows = st.lists(actor_row, min_size=2, max_size=9)
batches = st.integers(2, 9).flatmap(
    lambda n: st.lists(st.lists(actor_row, min_size=n, max_size=n), min_size=2, max_size=4)
)


@settings(max_examples=60, deadline=None)
@given(batches)
def test_batched_kernel_equals_single_runs_for_any_draws(draws):
    data = np.array(draws)  # (D, A, 3)
    x, c, s = data[..., 0], data[..., 1], data[..., 2]
    batch = eum_kernel(x, c, s, 4)
    for d in range(x.shape[0]):
        one = eum_kernel(x[d], c[d], s[d], 4)
        np.testing.assert_array_equal(batch.offer[d], one.offer[0])
        np.testing.assert_allclose(batch.positions[d], one.positions[0], rtol=0, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(actor_rows, st.floats(0, 10))
def test_positions_stay_within_the_initial_range_and_unanimity_holds(rows, shared):
    data = np.array(rows)
    x, c, s = data[:, 0], data[:, 1], data[:, 2]
    run = eum_kernel(x, c, s, 5)
    assert np.all(run.positions >= x.min()) and np.all(run.positions <= x.max())
    assert np.all((run.median >= x.min()) & (run.median <= x.max()))
    assert np.all((run.risk >= 0.5 - 1e-12) & (run.risk <= 2 + 1e-12))
    still = eum_kernel(np.full_like(x, shared), c, s, 5)
    assert np.all(still.positions == shared) and not still.offer.any()
