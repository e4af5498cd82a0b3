"""KTAB's spatial model of politics: KTAB's reference runs turn by turn, both engines, the model.

The oracles in tests/oracles/ktab/ were extracted by extract_ktab_log.py from KTAB's
reference logs examples/smp/doc/20170530_ref-*.txt (Copyright KAPSARC, MIT licence).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from detente.errors import ModelError
from detente.models import get_model
from detente.models.smp_core import SWITCHES, SmpConfig
from detente.models.smp_fast import run_fast
from detente.models.smp_prng import MT19937_64, KtabPrng
from detente.models.smp_reference import run_reference
from detente.scenario.bundled import load_bundled

ORACLES = Path(__file__).parents[1] / "oracles" / "ktab"
KEYS = {
    "VictoryProbModel": "victory_prob_model",
    "VotingRule": "voting_rule",
    "PCEModel": "pce_model",
    "StateTransitions": "state_transitions",
    "BigRRange": "big_r_range",
    "BigRAdjust": "big_r_adjust",
    "ThirdPartyCommit": "third_party_commit",
    "InterVecBrgn": "inter_vec_brgn",
    "BargnModel": "bargn_model",
}
# KTAB prints positions and probabilities with 4 decimals (positions on [0, 100]).
PRINTED = 0.5e-4 + 1e-9


def _oracle(name: str) -> dict:
    return json.loads((ORACLES / f"{name}.json").read_text())


def _config(d: dict) -> SmpConfig:
    """KTAB's settings and seed; KTAB's thread order of bargains and draws is replayed."""
    bo, do = d["bargain_order"], d["draw_order"]

    def bargain_order(t: int, k: int, keys: list) -> list:
        rest = {(a, b): key for key in keys if key[2] >= 0 for a, b in [key[:2]]}
        return [key for key in keys if key[2] < 0] + [rest[(a, b)] for a, b in bo[t][k] if a != b]

    return SmpConfig(
        **{KEYS[k]: v for k, v in d["settings"].items()},
        seed=d["seed"],
        bargain_order=bargain_order,
        draw_order=lambda t: do[t],
    )


def _inputs(d: dict) -> tuple:
    inp = d["inputs"]
    acc = None if inp["accommodation"] is None else np.array(inp["accommodation"])
    return (
        np.array(inp["position"]) / 100,
        np.array(inp["salience"]) / 100,
        np.array(inp["capability"]),
        acc,
    )


@pytest.mark.parametrize("engine", [run_fast, run_reference], ids=["fast", "reference"])
@pytest.mark.parametrize("name", ["soe-pol-comp", "dummydata-3dim", "smp-example"])
def test_every_turn_of_ktab_reference_runs(name, engine):
    d = _oracle(name)
    x, s, c, acc = _inputs(d)
    run = engine(x, s, c, _config(d), acc)
    expected = np.array(d["positions"])
    assert run.n_turns == len(expected) == len(d["change_ratio"])
    per_turn = np.abs(run.positions[1:] * 100 - expected).max(axis=(1, 2))
    assert (per_turn <= PRINTED).all(), per_turn
    assert np.abs(run.ideals[1:] * 100 - np.array(d["ideals"])).max() <= PRINTED
    assert np.abs(run.win_prob.T - np.array(d["win_prob"])).max() <= PRINTED
    assert np.abs(run.change_ratio - np.array(d["change_ratio"])).max() <= PRINTED


def test_the_stochastic_reference_run_depends_on_the_draws():
    # smpExample is stochastic: with another seed the same replayed order gives another path.
    d = _oracle("smp-example")
    x, s, c, acc = _inputs(d)
    cfg = _config(d)
    other = SmpConfig(**{**{k: getattr(cfg, k) for k in SWITCHES}, "seed": cfg.seed + 1})
    a = run_fast(x, s, c, cfg, acc)
    b = run_fast(x, s, c, other, acc)
    n = min(a.n_turns, b.n_turns)
    assert not np.array_equal(a.positions[: n + 1], b.positions[: n + 1])


def test_ktab_generator_matches_cpp():
    mt = MT19937_64()
    for _ in range(9999):
        mt()
    assert mt() == 9981545732273789042  # the C++ standard's check value for mt19937_64
    # the first draws of smpExample's seed, from a C++ build of KTAB's PRNG::uniform
    r = KtabPrng(3507583219545544127)
    assert [r.uniform() for _ in range(3)] == [
        0.19659526628026902,
        0.8751337327183125,
        0.433862633326156,
    ]
    assert KtabPrng(1).prob_sel([0.0, 0.0, 1.0]) == 2


COMBOS = [
    {},
    {"victory_prob_model": "Square", "pce_model": "MarkovUniform", "voting_rule": "PropBin"},
    {
        "victory_prob_model": "Binary",
        "voting_rule": "Binary",
        "big_r_adjust": "Full",
        "big_r_range": "Max",
    },
    {
        "victory_prob_model": "Quartic",
        "pce_model": "MarkovIncentive",
        "voting_rule": "Cubic",
        "big_r_adjust": "None",
    },
    {
        "victory_prob_model": "Octic",
        "voting_rule": "ASymProsp",
        "big_r_adjust": "Half",
        "big_r_range": "Min",
    },
    {
        "third_party_commit": "NoCommit",
        "inter_vec_brgn": "S1P1",
        "bargn_model": "InitRcvrInterp",
        "big_r_adjust": "TwoThirds",
    },
    {
        "third_party_commit": "FullCommit",
        "inter_vec_brgn": "S2PMax",
        "bargn_model": "PWCompInterp",
        "voting_rule": "PropCbc",
    },
    {"state_transitions": "Stochastic", "seed": 42, "pce_model": "MarkovIncentive"},
]


@pytest.mark.parametrize(
    "combo", COMBOS, ids=lambda c: ",".join(f"{v}" for v in c.values()) or "defaults"
)
def test_fast_engine_equals_reference_loop(combo):
    rng = np.random.default_rng(7)
    n, d = 6, 2
    x = rng.uniform(0, 1, (n, d))
    s = rng.uniform(0.1, 1, (n, d))
    s = s / s.sum(axis=1, keepdims=True) * rng.uniform(0.5, 0.95, (n, 1))
    c = rng.uniform(10, 200, n)
    acc = np.eye(n) * 0.7 + 0.05  # ideals lag behind positions
    acc = acc / acc.sum(axis=1, keepdims=True) * 0.95
    cfg = SmpConfig(**{"max_turns": 8, **combo})
    ref = run_reference(x, s, c, cfg, acc)
    fast = run_fast(x, s, c, cfg, acc)
    assert ref.n_turns == fast.n_turns
    np.testing.assert_allclose(fast.positions, ref.positions, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fast.win_prob, ref.win_prob, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(fast.target, ref.target)
    np.testing.assert_array_equal(fast.chosen, ref.chosen)
    assert ref.positions.shape[0] > 2 and np.abs(np.diff(ref.positions, axis=0)).max() > 0


def test_forecast_reproduces_ktab_final_positions_on_the_bundled_soe_case():
    f = get_model("smp").forecast(load_bundled("china-soe-reform"))
    expected = np.array(_oracle("soe-pol-comp")["positions"])
    assert f.n_rounds == len(expected)
    assert np.abs(f.positions[1:] - expected).max() <= PRINTED
    assert f.extra["turns"] == 27 and len(f.extra["win_prob"]["XJ"]) == 28
    moved = [m for m in f.moves if m.round == 1]
    assert moved and all(m.kind == "bargain" and m.old != m.new for m in moved)
    assert any(b["accepted_by"] for b in f.extra["bargains"])
    lo, hi = 0.0, 100.0
    assert ((f.outcome >= lo) & (f.outcome <= hi)).all()


def test_trace_tables_have_one_row_per_record():
    d = _oracle("dummydata-3dim")
    x, s, c, acc = _inputs(d)
    run = run_fast(x, s, c, SmpConfig(), acc)
    tables = run.tables()
    T, n, dim = run.n_turns, x.shape[0], x.shape[1]
    assert len(tables["position"]["position"]) == (T + 1) * n * dim
    assert len(tables["challenge"]["target"]) == T * n
    assert len(tables["bargain"]["turn"]) == len(run.bargain_turn) > 0
    chosen = run.chosen[run.chosen >= 0]
    assert set(run.bargain_turn[chosen]) <= set(range(T))


def test_stochastic_forecast_is_reproducible_by_seed():
    s = load_bundled("china-soe-reform")
    m = get_model("smp", state_transitions="Stochastic")
    a, b = m.forecast(s, seed=3), m.forecast(s, seed=3)
    np.testing.assert_array_equal(a.positions, b.positions)
    others = [m.forecast(s, seed=k).positions for k in (4, 5)]
    assert any(o.shape != a.positions.shape or not np.array_equal(o, a.positions) for o in others)


def test_bad_setting_is_one_located_message():
    with pytest.raises(ModelError, match="'voting_rule' parameter of smp must be one of"):
        get_model("smp", voting_rule="Majority")
    with pytest.raises(ModelError, match="min_turns"):
        get_model("smp", min_turns=5, max_turns=3)


def test_cli_forecast_json_reproduces_ktab_final_positions():
    from typer.testing import CliRunner

    from detente.cli import app

    res = CliRunner().invoke(app, ["forecast", "china-soe-reform", "--model", "smp", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)["models"]["smp"]
    final = out["trace"][-1]["positions"]
    expected = _oracle("soe-pol-comp")["positions"][-1]
    ids = _oracle("soe-pol-comp")["inputs"]["actors"]
    got = np.array([[final[a]["policy"], final[a]["competitive"]] for a in ids])
    assert len(out["trace"]) == 28
    assert np.abs(got - np.array(expected)).max() <= PRINTED


def test_canonical_order_makes_the_forecast_independent_of_listing():
    # With ASymProsp votes KTAB's result depends on the order of the options (it votes on
    # pairs in list order); the canonical order removes that, 'as_given' keeps KTAB's.
    from detente.testing import make_scenario

    def scen(names):
        stances = {"a": (0, 50), "b": (100, 50), "c": (40, 30)}
        return make_scenario(
            {k: {"capability": 1, "stances": {"i": stances[k]}} for k in names},
            ["i"],
            salience_max=100,
            scenario_id="order",
        )

    def outcomes(order):
        m = get_model("smp", voting_rule="ASymProsp", actor_order=order)
        return [
            float(m.forecast(scen(names)).outcome[0])
            for names in (["a", "b", "c"], ["c", "b", "a"])
        ]

    canonical, given = outcomes("canonical"), outcomes("as_given")
    assert abs(canonical[0] - canonical[1]) < 1e-9
    assert abs(given[0] - given[1]) > 1.0
    m = get_model("smp")
    # the zero-capability and salience mapping is reported, not silent
    weird = make_scenario(
        {
            "p": {"capability": 0, "stances": {"i": (10, 0)}},
            "q": {"capability": 2, "stances": {"i": (90, 80)}},
        },
        ["i"],
        salience_max=100,
        scenario_id="edge",
    )
    notes = " ".join(m.forecast(weird).notes)
    assert "positive capabilities" in notes and "salience of 1e-09" in notes


def test_sample_outcomes_runs_each_draw():
    from detente.scenario import Scenario

    data = load_bundled("china-soe-reform").model_dump()
    data["actors"][0]["capability"] = {"value": 100, "low": 20, "high": 300}
    data["actors"][1]["stances"]["policy"]["position"] = {"value": 45, "low": 10, "high": 90}
    s = Scenario.model_validate(data)
    m = get_model("smp")
    out = m.sample_outcomes(s, 4, seed=1)
    assert out.shape == (4, s.n_issues)
    assert np.isfinite(out).all()
    assert np.ptp(out, axis=0).max() > 0  # the draws differ
    np.testing.assert_array_equal(out, m.sample_outcomes(s, 4, seed=1))
