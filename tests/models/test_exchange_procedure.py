"""The compiled exchange rounds against the plain Python reference loop, and the procedures.

Inputs are synthetic, of the size of the COP21 case of decide-exchange-model (15 actors x 13
issues): coarse grids of positions (multiples of 10), saliences (multiples of 0.05) and
capabilities make equal gains, hence ties broken by the seed, common; uniform draws make them
absent.
"""

import numpy as np
import pytest

from detente.errors import ModelError
from detente.models import get_model
from detente.models._exchange_reference import reference_rounds
from detente.models.exchange import exchange_analysis
from detente.testing import make_scenario

N_ACTORS, N_ISSUES = 15, 13


def synthetic(seed: int, *, grid: bool):
    rng = np.random.default_rng(seed)
    issues = [f"issue{j}" for j in range(N_ISSUES)]
    actors = {}
    for k in range(N_ACTORS):
        stances = {}
        for j in issues:
            if rng.random() < 0.07:  # some actors take no stance on some issues, as in COP21
                continue
            if grid:
                stances[j] = (10.0 * rng.integers(0, 11), 0.05 * rng.integers(2, 21))
            else:
                stances[j] = (float(rng.uniform(0, 100)), float(rng.uniform(0.1, 1)))
        cap = float(rng.choice([0.25, 0.5, 0.75, 1.0])) if grid else float(rng.uniform(0.1, 1))
        actors[f"actor{k}"] = {"capability": cap, "stances": stances}
    return make_scenario(actors, issues)


def reference(scenario, seed, rounds=1, procedure="published"):
    a = scenario.to_arrays()
    s01 = np.where(a.has_stance, a.saliences, 0.0)
    x = a.positions.tolist()  # the scale is 0-100 already
    runs = reference_rounds(
        x,
        s01.tolist(),
        s01.tolist(),
        a.capabilities.tolist(),
        np.zeros_like(a.positions).tolist(),
        np.full_like(a.positions, 100.0).tolist(),
        np.random.default_rng(seed),
        rounds=rounds,
        procedure=procedure,
    )
    ids, issues = scenario.actor_ids, scenario.issue_ids
    trades = [
        (r, ids[i], issues[q], ids[j], issues[p], e["gain"])
        for r, run in enumerate(runs, 1)
        for e in run["realised"]
        for i, j, p, q in [e["cand"]]
    ]
    last = np.array(runs[-1]["y"]) if runs[-1]["realised"] else None
    return trades, last, sum(run["n_ties"] for run in runs)


def fast(scenario, seed, rounds=1, procedure="published"):
    f = get_model("exchange", rounds=rounds, procedure=procedure).forecast(scenario, seed=seed)
    trades = []
    for n, e in enumerate(f.extra["exchanges"]):
        supplier_q, supplier_p = f.moves[2 * n + 1], f.moves[2 * n]
        trades.append(
            (
                e["round"],
                supplier_q.actor,
                supplier_q.issue,
                supplier_p.actor,
                supplier_p.issue,
                e["gain"],
            )
        )
    return trades, f


def _same_trades(a, b):
    assert [t[:5] for t in a] == [t[:5] for t in b]
    np.testing.assert_allclose([t[5] for t in a], [t[5] for t in b], rtol=1e-12, atol=0)


@pytest.mark.parametrize("procedure, n_seeds", [("published", 20), ("strict", 5), ("global", 3)])
def test_round_one_matches_the_reference_loop_over_tie_breaking_seeds(procedure, n_seeds):
    s = synthetic(3, grid=True)
    counts, outcomes, ties = [], [], 0
    ref_counts, ref_outcomes = [], []
    for seed in range(n_seeds):
        ref_trades, y, n_ties = reference(s, seed, procedure=procedure)
        trades, f = fast(s, seed, procedure=procedure)
        _same_trades(trades, ref_trades)  # the same draws give the same exchanges
        ties += n_ties
        counts.append(len(trades))
        ref_counts.append(len(ref_trades))
        outcomes.append(f.outcome)
        a = s.to_arrays()
        w = a.capabilities[:, None] * np.where(a.has_stance, a.saliences, 0.0)
        ref_outcomes.append((w * y).sum(0) / w.sum(0))
    # hence the same distribution over seeds: exchange counts and every issue's outcomes
    assert sorted(counts) == sorted(ref_counts)
    np.testing.assert_allclose(np.sort(outcomes, 0), np.sort(ref_outcomes, 0), atol=1e-9)
    assert ties > 0  # the input does make ties ...
    if procedure == "published":  # ... and they matter for the outcome
        assert np.ptp(np.array(outcomes), 0).max() > 0.01


def test_without_ties_every_seed_gives_the_reference_exchanges():
    s = synthetic(5, grid=False)
    ref_trades, _, n_ties = reference(s, 0)
    assert n_ties == 0 and len(ref_trades) > 50
    for seed in (0, 1, 2):
        trades, f = fast(s, seed)
        _same_trades(trades, ref_trades)
        assert not any("tie" in note for note in f.notes)


def test_ten_rounds_match_the_reference_loop():
    s = synthetic(11, grid=True)
    ref_trades, _, _ = reference(s, 4, rounds=10)
    trades, f = fast(s, 4, rounds=10)
    _same_trades(trades, ref_trades)
    assert {t[0] for t in trades} == set(range(1, f.n_rounds + 1)) and f.n_rounds > 3


def test_untouched_exchanges_keep_their_start_gain_unless_global():
    """The departure detente had: re-scoring every exchange after each trade."""
    s = synthetic(1, grid=True)
    start = {}
    for ex in exchange_analysis(s, red_lines=False):
        (p, i), (q, j) = ex["demander"].items()
        start[(j, p, i, q)] = ex["equal_gain"]  # (supplier of p, p, supplier of q, q)

    def untouched_gains(procedure):
        _, f = fast(s, 0, procedure=procedure)
        used_supply, used_demand, out = set(), set(), []
        for n, e in enumerate(f.extra["exchanges"]):
            (p, i), (q, j) = e["demander"].items()
            supply = {(j, p), (i, q)}
            demand = {(i, p), (j, q)}
            if not (supply & used_supply or demand & used_demand):
                out.append((e["gain"], start[(j, p, i, q)]))
            used_supply |= supply
            used_demand |= demand
            assert f.moves[2 * n].actor == j
        return np.array(out)

    published = untouched_gains("published")
    assert len(published) >= 10
    np.testing.assert_allclose(published[:, 0], published[:, 1], rtol=1e-12)
    other = untouched_gains("global")  # an exchange no trade touched, yet re-scored
    assert not np.allclose(other[:, 0], other[:, 1], rtol=1e-9)


def test_procedures_differ_as_documented():
    s = synthetic(3, grid=True)
    n = {p: len(fast(s, 0, procedure=p)[0]) for p in ("published", "strict", "global")}
    assert len(set(n.values())) > 1, n


def test_unknown_procedure_is_refused_with_the_allowed_values():
    with pytest.raises(ModelError, match="'procedure' parameter of exchange must be one of"):
        get_model("exchange", procedure="fast")


def test_published_leaves_an_outcome_already_past_the_demander_uncapped_strict_does_not():
    """decide's check_nbs caps only a shift that carries the outcome across the demander."""
    from detente.models import _exchange_kernel as kernel

    # i demands p from j; p's outcome (54 + 10 + 0) / 1.5 = 42.67 is already below i's 60,
    # and j's move towards 60 pushes it further down
    x = np.array([[60.0, 0.0], [100.0, 100.0], [0.0, 50.0]])
    s = np.array([[0.9, 0.1], [0.1, 0.9], [0.5, 0.5]])
    c = np.ones(3)
    cand = np.array([[0, 1, 0, 1]], dtype=np.int64)
    lo, hi = np.zeros_like(x), np.full_like(x, 100.0)
    published = kernel.score_all(x, s, c, lo, hi, cand, kernel.PUBLISHED)[0]
    strict = kernel.score_all(x, s, c, lo, hi, cand, kernel.STRICT)[0]
    # published: j moves all the way to 60; dp = 40 * 0.1 / 1.5, dq = dp (0.1 + 0.9) / (0.1 + 0.9)
    dp = 40 * 0.1 / 1.5
    assert published[kernel.MJ] == pytest.approx(-40.0)
    assert published[kernel.MI] == pytest.approx(dp * 1.5 / 0.1)  # 40 points of i on q
    assert published[kernel.G] == pytest.approx(dp * 0.9 - dp * 0.1)
    assert published[kernel.OK] == 1.0
    assert strict[kernel.G] == 0.0 and strict[kernel.OK] == 0.0


def test_published_drops_an_exchange_whose_own_moves_sum_past_100():
    """decide's is_move_valid sums the exchange's own computed moves, superseded ones too.

    The numbers of COP21 round 1: the USA's exchange of adapt_finance with India computed a move
    of 57.09 at the start; after the USA moved 44.13 on adapt_finance (to India's partner), it
    needs 55.87 more (a realised total of exactly 100), but 57.09 + 55.87 > 100.
    """
    from detente.models import _exchange_kernel as kernel

    cand = np.array([[0, 1, 0, 1]], dtype=np.int64)  # side 0: actor 0 supplies issue 1
    table = np.zeros((1, kernel.N_SCORE))
    earlier = np.zeros((1, 2))
    last = np.array([[57.09058, -100.0]])
    table[0, kernel.MI], table[0, kernel.MJ] = 55.86849, -97.85938
    # the trade moved actor 0 on issue 1 (side 0's supply): side 0 keeps 57.09, side 1 replaces
    ok = kernel._decide_history(0, cand, (9, 9), (0, 1), table, earlier, last)
    assert not ok
    np.testing.assert_allclose(earlier[0], [57.09058, 0.0])
    np.testing.assert_allclose(last[0], [55.86849, -97.85938])
    # a trade that moved neither supplier replaces both entries: within 100
    earlier[:] = 0.0
    last[:] = [[57.09058, -100.0]]
    assert kernel._decide_history(0, cand, (9, 9), (8, 8), table, earlier, last)


def test_a_capability_whose_weight_share_underflows_has_no_say_in_either_implementation():
    """A capability of 5e-324 (found by the consistency property): c s / D underflows to 0,
    whose inverse raised ZeroDivisionError in the compiled round. Such an actor makes no
    exchange; the compiled round and the reference loop agree, and the outcome is finite."""
    actors = {
        "a": {"capability": 2.0, "stances": {"x": (100, 1), "y": (0, 1)}},
        "tiny": {"capability": 5e-324, "stances": {"x": (0, 1), "y": (100, 1), "z": (0, 0)}},
        "b": {"capability": 1.0, "stances": {"x": (0, 1), "y": (0, 0), "z": (0, 0)}},
        "c": {"capability": 1.0, "stances": {"x": (10, 0.2), "y": (90, 0.9)}},
    }
    s = make_scenario(actors, ["x", "y", "z"], status_quo={"x": 0, "y": 0, "z": 0})
    ref_trades, _, _ = reference(s, 0)
    trades, f = fast(s, 0)
    _same_trades(trades, ref_trades)
    assert trades and all("tiny" not in (t[1], t[3]) for t in trades)
    assert np.isfinite(f.outcome).all()
