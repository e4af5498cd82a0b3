"""Claim conditions that cannot fail within the stated ranges are reported as such (issue 20).

A condition no input can flip inside its own stated range is the model's construction, not a
finding: :func:`detente.analysis.kinds.cannot_fail` flags it, on any case. The tests use a small
generated case (two veto players, one issue) whose red-line ranges either never overlap (the
zone can never open: a condition on it cannot fail, or cannot hold) or overlap in some draws (a
package's place in a win-set can go either way), and the flagship's C12.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from detente.analysis._estimates import Estimate
from detente.analysis.claims import evaluate_claims
from detente.analysis.kinds import STRUCTURAL, STRUCTURAL_FAILS, cannot_fail
from detente.scenario import load, load_bundled


def _case(tmp_path, low_range, high_range):
    """Two veto players on one issue; ``low_range`` is the range of a's lower bound, and
    ``high_range`` of b's upper bound (the zone is shut in every draw when they never meet)."""
    data = {
        "meta": {"id": "generated-pair", "title": "A generated pair for the structural check"},
        "issues": [{"id": "x", "label": "X", "low": 0, "high": 100}],
        "actors": [
            {
                "id": "a",
                "label": "A",
                "capability": 1,
                "veto": True,
                "red_lines": {
                    "x": {
                        "op": ">=",
                        "bound": {
                            "value": sum(low_range) / 2,
                            "range": low_range,
                            "judgement": "t",
                        },
                    }
                },
                "stances": {"x": {"position": {"value": 80, "range": [70, 90]}, "salience": 0.8}},
            },
            {
                "id": "b",
                "label": "B",
                "capability": 1,
                "veto": True,
                "red_lines": {
                    "x": {
                        "op": "<=",
                        "bound": {
                            "value": sum(high_range) / 2,
                            "range": high_range,
                            "judgement": "t",
                        },
                    }
                },
                "stances": {"x": {"position": {"value": 20, "range": [10, 30]}, "salience": 0.8}},
            },
        ],
        "status_quo": {"x": 0},
        "claims": [
            {
                "id": "S1",
                "text": "No deal is possible.",
                "evidence": "derived",
                "check": {"quantity": "zone_open", "compare": "==", "threshold": 0},
            },
            {
                "id": "S2",
                "text": "A deal is possible.",
                "evidence": "derived",
                "check": {"quantity": "zone_open", "compare": "==", "threshold": 1},
            },
            {
                "id": "S3",
                "text": "A would accept 50.",
                "evidence": "derived",
                "check": {
                    "quantity": "in_win_set",
                    "args": {"actor": "a", "package": {"x": 50}},
                    "compare": "==",
                    "threshold": 1,
                },
            },
        ],
    }
    path = tmp_path / "generated-pair.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load(path)


def test_a_zone_the_ranges_never_open_is_structural_and_not_a_finding(tmp_path):
    s = _case(tmp_path, [60, 70], [30, 45])  # a's floor is always above b's ceiling
    r = evaluate_claims(s, draws=400, runs=50, seed=3)
    s1, s2 = r["S1"], r["S2"]
    # "no deal" cannot fail and "a deal" cannot hold: both are the ranges' arithmetic
    assert s1.verdict == "holds" and s1.conditions[0].structural
    assert any(x.structural and x.rule.startswith(STRUCTURAL) for x in s1.restates)
    assert s2.verdict == "fails" and s2.conditions[0].structural
    assert any(x.structural and x.rule.startswith(STRUCTURAL_FAILS) for x in s2.restates)
    assert s1.evidence == s2.evidence == "encoding" and not s1.is_finding
    assert s1.to_dict()["conditions"][0]["can_fail"] is False
    # the counts show findings only
    counts = r.counts()
    assert counts.get("encoded", 0) >= 2 and "fails" not in counts


def test_a_condition_an_input_flips_within_its_range_is_not_structural(tmp_path):
    # a's floor ranges over 40-60: the package 50 is inside a's win-set in some draws only
    s = _case(tmp_path, [40, 60], [30, 45])
    r = evaluate_claims(s, draws=400, runs=50, seed=3)
    s3 = r["S3"]
    assert not s3.conditions[0].structural
    assert s3.to_dict()["conditions"][0]["can_fail"] is True
    assert not any(x.structural for x in s3.restates)
    # and the same condition becomes structural once its range cannot reach the package
    s = _case(tmp_path, [55, 70], [30, 45])
    r = evaluate_claims(s, draws=400, runs=50, seed=3)
    assert r["S3"].verdict == "fails" and r["S3"].conditions[0].structural


def _estimate(values, draws_of, value, interval):
    return Estimate("p", value, values, interval, draws=draws_of, reads="dynamics")


def test_a_trend_that_reaches_the_threshold_at_the_end_of_a_range_can_fail():
    """A simulated share with a clear interval and every draw on one side can still fail: its
    trend along one input carries it across the threshold at the end of that input's range."""
    s = load_bundled("us-dprk-2021")
    batch = s.sample(400, 5)
    rng = np.random.default_rng(0)
    x = np.asarray(batch.drivers["economic_distress"])
    lo, hi = s.drivers["economic_distress"].value.low, s.drivers["economic_distress"].value.high
    # 0.2 + 0.8 (x - mean): crosses 0.3 only near the top of the range, in few draws
    steep = 0.2 + 0.8 * (x - x.mean()) + rng.normal(0, 0.005, x.size)
    assert np.mean(steep < 0.3) >= 0.95
    assert 0.2 + 0.8 * (hi - x.mean()) > 0.3 > 0.2 + 0.8 * (lo - x.mean())
    est = _estimate(steep, batch, float(steep.mean()), (0.19, 0.21))
    assert cannot_fail("p < 0.3", est, "<", 0.3, s) is None
    flat = 0.2 + rng.normal(0, 0.005, x.size)
    est = _estimate(flat, batch, float(flat.mean()), (0.19, 0.21))
    r = cannot_fail("p < 0.3", est, "<", 0.3, s)
    assert r is not None and r.structural and r.rule.startswith(STRUCTURAL)
    # too close to call is never structural
    est = _estimate(flat, batch, 0.29, (0.28, 0.31))
    assert cannot_fail("p < 0.3", est, "<", 0.3, s) is None


@pytest.fixture(scope="module")
def c12():
    return evaluate_claims(load_bundled("us-dprk-2021"), ids=["C12"])["C12"]


def test_c12s_second_condition_is_reported_structural(c12):
    """Distress + 0.2 cannot raise P(substantive | talks) by 2 points anywhere in the stated
    ranges (substantive talks follow the zone, which distress does not move): the second
    condition is the kernel's construction; the first (more talks) is the finding."""
    first, second = c12.conditions
    assert second.structural and not first.structural
    assert c12.evidence == "derived" and c12.is_finding
    assert "not a finding (the model's construction)" in c12.explanation
    rule = next(r for r in c12.restates if r.structural)
    assert rule.condition == second.text and rule.rule.startswith(STRUCTURAL)


def test_a_shared_pinned_evaluator_gives_a_fresh_ones_estimate():
    """The structural check pins the same input at the same end for several conditions: one
    evaluator per pinned scenario and horizon serves them all (the pinned scenario validated
    once), and each estimate equals the one a fresh evaluator over the condition's months
    gives."""
    from detente.analysis.quantities import Evaluator
    from detente.scenario.case import Condition
    from detente.scenario.whatif import apply_sets

    s = load("examples/steel-dispute.yaml")
    ev = Evaluator(s, draws=60, runs=80, months=18, seed=4)
    sets = ("importer.capability=0.8",)
    at_12 = Condition.model_validate(
        {"quantity": "p_talks", "args": {"month": 12}, "compare": "<", "threshold": 0.5}
    )
    long_ = ev.pinned(sets, 18)
    short = ev.pinned(sets, 12)
    assert short is not long_ and short.scenario is long_.scenario  # validated once
    assert ev.pinned(sets, 12) is short and ev.pinned(sets, 18) is long_
    shared = short.estimate(at_12)
    fresh = Evaluator(apply_sets(s, sets, pin=True), draws=60, runs=80, months=12, seed=4).estimate(
        at_12
    )
    assert shared.value == fresh.value and shared.interval == fresh.interval
    assert np.array_equal(shared.per_draw, fresh.per_draw)


def test_a_pinned_corner_reads_its_own_horizon_where_a_longer_run_would_differ():
    """With the provocation level drifting (its sd pinned at the top of its range), the
    first 12 months of a 36-month simulation are not a 12-month simulation (the level's start
    draw follows the months' noise in its stream): a corner at month 12 must read its own."""
    from detente.analysis.quantities import Evaluator
    from detente.scenario.case import Condition
    from detente.scenario.whatif import apply_sets

    s = load_bundled("us-dprk-2021")
    sets = ("parameters.provocation_level_sd=0.02",)
    ev = Evaluator(s, draws=40, runs=60, months=36, seed=3)
    at_12 = Condition.model_validate(
        {"quantity": "p_crisis", "args": {"month": 12}, "compare": "<", "threshold": 0.5}
    )
    long_ = ev.pinned(sets, 36)
    long_.reserve_condition(at_12)
    long_.simulate_reserved()
    own = ev.pinned(sets, 12).estimate(at_12)
    fresh = Evaluator(apply_sets(s, sets, pin=True), draws=40, runs=60, months=12, seed=3).estimate(
        at_12
    )
    assert own.value == fresh.value
    assert long_.estimate(at_12).value != fresh.value  # why the horizon is part of the key
