"""Global sensitivity (detente.analysis.sensitivity): indices checked by hand on small cases,
the dependency screening, the flagship and a KTAB file."""

import json

import numpy as np
import pytest

from detente.analysis.sensitivity import (
    parse_quantity,
    pinned,
    read_paths,
    sensitivity,
    with_spread,
)
from detente.errors import ModelError
from detente.scenario import Scenario, resolve
from detente.testing import make_scenario


def ranged(s, ranges):
    """A copy with the given ranges on positions (path -> (low, high))."""
    data = s.model_dump()
    actors = {a["id"]: a for a in data["actors"]}
    for path, (lo, hi) in ranges.items():
        actor, issue, what = path.split(".")
        q = actors[actor]["stances"][issue][what]
        v = q if isinstance(q, (int, float)) else q["value"]
        actors[actor]["stances"][issue][what] = {"value": v, "range": [lo, hi], "judgement": "test"}
    return Scenario.model_validate(data)


@pytest.fixture
def pair():
    # compromise = (a + b) / 2 with equal capabilities and saliences: each position carries
    # half the variance when both vary alike, all of it when only one varies
    s = make_scenario(
        {
            "a": {"capability": 1, "veto": True, "stances": {"x": (20, 1), "y": (10, 1)}},
            "b": {"capability": 1, "veto": True, "stances": {"x": (80, 1), "y": (90, 1)}},
        },
        ["x", "y"],
        status_quo={"x": 50, "y": 50},
    )
    return s


def test_one_varying_input_carries_all_variance(pair):
    s = ranged(pair, {"a.x.position": (0, 40)})
    r = sensitivity(s, "forecast.compromise.x", n=64, seed=1)
    (row,) = r.rows
    assert row["input"] == "a.x.position"
    assert row["first"] == pytest.approx(1.0, abs=0.05)
    assert row["total"] == pytest.approx(1.0, abs=0.05)
    # the forecast is the midpoint: its mean is (E[a] + 80) / 2 = (20 + 80) / 2
    assert r.mean == pytest.approx(50.0, abs=0.5)


def test_two_alike_inputs_share_the_variance(pair):
    s = ranged(pair, {"a.x.position": (0, 40), "b.x.position": (60, 100), "a.y.position": (0, 20)})
    r = sensitivity(s, "forecast.compromise.x", n=256, seed=3)
    by = {row["input"]: row for row in r.rows}
    assert by["a.x.position"]["first"] == pytest.approx(0.5, abs=0.08)
    assert by["b.x.position"]["first"] == pytest.approx(0.5, abs=0.08)
    # the other issue's position is read by the model but moves nothing on x
    assert abs(by["a.y.position"]["total"]) < 0.02
    lo, hi = by["a.x.position"]["first_interval"]
    assert lo < by["a.x.position"]["first"] < hi
    assert "driven by" in r.words()


def test_morris_ranks_the_wider_range_first(pair):
    s = ranged(pair, {"a.x.position": (0, 40), "b.x.position": (75, 85)})
    r = sensitivity(s, "forecast.compromise.x", method="morris", n=16, seed=2)
    assert [row["input"] for row in r.rows] == ["a.x.position", "b.x.position"]
    # an elementary effect of a linear function is its slope times the step: 1/2 of the range
    # moved by a Morris step (2/3 of the unit interval with 4 levels) in quantile space
    assert r.rows[0]["mu_star"] > 3 * r.rows[1]["mu_star"]


def test_zone_leaves_out_drivers_and_third_parties():
    s = resolve("us-dprk-2021")
    q = parse_quantity(s, "zone.p_open")
    paths = read_paths(s, q)
    assert paths and all(p.split(".")[0] in ("usa", "dprk", "status_quo") for p in paths)
    assert not any(p.endswith(".capability") for p in paths)
    uncertain = [p for p, x in s.quantities() if not x.is_certain]
    assert any(p.startswith("drivers.") for p in uncertain)


def test_flagship_p_zone_hinges_on_the_red_lines():
    s = resolve("us-dprk-2021")
    r = sensitivity(s, "zone.p_open", n=256)
    # the zone opens only where the two red lines on denuclearization meet: both matter,
    # every other input the zone reads moves nothing
    top = {row["input"] for row in r.rows[:2]}
    assert top == {"usa.red_lines.denuclearization", "dprk.red_lines.denuclearization"}
    assert all(row["total"] > 0.3 for row in r.rows[:2])
    assert all(row["total"] == 0 for row in r.rows[2:])
    # P(zone) is the mean of the indicator over the design
    assert 0 < r.mean < 0.1
    d = r.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["left_out"] and d["words"].startswith("P(zone) ")
    assert "red line on denuclearization" in d["words"]


def test_iran_case_and_its_red_lines():
    s = resolve("iran-jcpoa-2021")
    r = sensitivity(s, "zone.p_open", n=64)
    assert "red_lines" in r.rows[0]["input"]
    assert 0.05 < r.mean < 0.95


def test_ktab_file_needs_a_spread_and_then_works():
    s = resolve("examples/water-sharing.csv")
    with pytest.raises(ModelError, match="--spread"):
        sensitivity(s, "forecast.compromise.dim1", n=16)
    r = sensitivity(s, "forecast.compromise.dim1", n=64, spread=0.1)
    assert all(".dim2." not in row["input"] or abs(row["total"]) < 0.02 for row in r.rows)
    assert ".dim1.position" in r.rows[0]["input"]
    assert with_spread(s, 0.1).actor("UP").stances["dim1"].position.low == pytest.approx(10)


def test_outlook_reads_what_the_simulation_reads():
    s = resolve("examples/steel-dispute.yaml")
    r = sensitivity(s, "outlook.talks@6", method="morris", n=2, runs=40)
    assert r.n_evaluations == 2 * (len(r.rows) + 1)
    assert all(np.isfinite(row["mu_star"]) for row in r.rows)


def test_pinned_collapses_ranges():
    s = resolve("us-dprk-2021")
    p = pinned(s, {"usa.red_lines.denuclearization": 55.0, "drivers.economic_distress": 0.5})
    q = p.actor("usa").red_lines["denuclearization"].bound
    assert (q.value, q.low, q.high) == (55.0, 55.0, 55.0)
    assert p.drivers["economic_distress"].value.is_certain


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("zone.width", "unknown quantity"),
        ("forecast.nosuch.denuclearization", "no model"),
        ("outlook.talks@x", "outlook.MODE@MONTH"),
        ("claim.C99", "no claim"),
    ],
)
def test_bad_quantities_say_what_is_accepted(quantity, message):
    with pytest.raises(ModelError, match=message):
        sensitivity(resolve("us-dprk-2021"), quantity, n=8)


def test_sobol_needs_a_power_of_two():
    with pytest.raises(ModelError, match="power of two"):
        sensitivity(resolve("us-dprk-2021"), "zone.p_open", n=100)


def test_report_what_drives_names_the_red_line_and_the_full_size_command():
    from detente.pipeline.sections import what_drives

    drives = what_drives(resolve("us-dprk-2021"), 2021)
    assert drives is not None
    d = drives.to_dict()
    assert d["inputs"][0]["input"].endswith(".red_lines.denuclearization")
    assert d["command"].startswith("detente sensitivity us-dprk-2021 --quantity zone.p_open")
    assert drives.command == d["command"]
    # a scenario whose zone reads no uncertain input has nothing to report
    assert what_drives(resolve("examples/water-sharing.csv"), 2021) is None


def test_claim_margin_of_an_encoding_reads_its_one_input():
    s = resolve("us-dprk-2021")
    r = sensitivity(s, "claim.C7", method="morris", n=2)
    assert [row["input"] for row in r.rows] == ["dprk.security_guarantees.position"]
    assert any("encoding" in n for n in r.notes)
    # the margin is position - 66.7: its mean lies within the position's range minus 66.7
    q = s.actor("dprk").stances["security_guarantees"].position
    assert q.low - 66.7 <= r.mean <= q.high - 66.7


@pytest.mark.parametrize(
    ("case", "quantity"),
    [
        ("examples/steel-dispute.yaml", "claim.T5"),  # an effect: two simulations per point
        ("iran-jcpoa-2021", "outlook.agreement@9"),
    ],
)
def test_batched_design_points_give_the_numbers_of_one_simulation_each(case, quantity, monkeypatch):
    import detente.analysis.sensitivity as S

    s = resolve(case)
    batched = sensitivity(s, quantity, method="morris", n=2, runs=30, seed=5).to_dict()
    monkeypatch.setattr(S, "RUNS_PER_TASK", 1)  # one design point per task, as before
    assert S.points_per_task(30) == 1
    single = sensitivity(s, quantity, method="morris", n=2, runs=30, seed=5).to_dict()
    assert json.dumps(batched, sort_keys=True) == json.dumps(single, sort_keys=True)
    assert batched["variance"] > 0


@pytest.mark.parametrize(
    "case", ["us-dprk-2021", "iran-jcpoa-2021", "examples/steel-dispute.yaml", "water-spread"]
)
def test_a_pinned_copy_equals_the_validated_pinned_scenario(case):
    from detente.analysis.sensitivity import pinned_copy
    from detente.scenario.arrays import quantile

    s = (
        with_spread(resolve("examples/water-sharing.csv"), 0.1)
        if case == "water-spread"
        else resolve(case)
    )
    qs = dict(s.quantities())
    paths = [p for p, q in qs.items() if not q.is_certain]
    kinds = {p.split(".")[1] if p.split(".")[0] not in ("drivers", "parameters", "status_quo")
             else p.split(".")[0] for p in paths}  # fmt: skip
    rng = np.random.default_rng(3)
    for _ in range(3):
        values = {p: float(quantile(qs[p], rng.random())) for p in paths}
        fast, slow = pinned_copy(s, values), pinned(s, values)
        assert fast == slow
        assert fast.model_dump(mode="json") == slow.model_dump(mode="json")
        assert all(dict(fast.quantities())[p].is_certain for p in paths)
    if case == "us-dprk-2021":  # every kind of path: stances, red lines, capability, named
        assert {"capability", "red_lines", "drivers", "parameters", "status_quo"} <= kinds


def test_a_deadlines_effect_is_an_input_the_outlook_reads():
    """A case with a deadline whose effect size has a range (tests/dynamics/deadline-case.yaml,
    a made-up case): the outlook reads it, pinning and spreading handle its path, and its
    effect on P(agreement) around the deadline is found."""
    from detente.analysis.sensitivity import pinned_copy

    s = resolve("tests/dynamics/deadline-case.yaml")
    path = next(p for p, q in s.quantities() if p.startswith("events.") and not q.is_certain)
    q = dict(s.quantities())[path]
    p1, p2 = pinned(s, {path: q.high}), pinned_copy(s, {path: q.high})
    assert p1 == p2 and dict(p1.quantities())[path].is_certain
    assert dict(with_spread(s, 0.1).quantities())[path].low == q.low  # a stated range is kept
    r = sensitivity(s, "outlook.agreement@18", method="morris", n=4, runs=40, seed=2)
    row = next(r for r in r.rows if r["input"] == path)
    assert row["label"].startswith("the effect of ")
    assert row["mu_star"] > 0


@pytest.mark.parametrize(
    ("case", "quantity"),
    [("examples/steel-dispute.yaml", "claim.T5"), ("us-dprk-2021", "outlook.crisis@6")],
)
def test_batched_points_equal_a_plain_evaluator_per_point(case, quantity):
    """The batch's evaluator hands out simulations played elsewhere: each point's value must
    equal the one a plain Evaluator computes by simulating itself (as the code did before the
    batching), so a change to how the Evaluator simulates cannot slip past the batch."""
    from detente.analysis import _sensitivity_points as P
    from detente.analysis.quantities import Evaluator
    from detente.scenario.arrays import quantile

    s = resolve(case)
    q = parse_quantity(s, quantity)
    paths = read_paths(s, q)
    qs = dict(s.quantities())
    rng = np.random.default_rng(8)
    points = [pinned(s, {p: float(quantile(qs[p], rng.random())) for p in paths}) for _ in range(3)]
    batched = P._simulated_points(points, q, 5, 30)
    for p, got in zip(points, batched, strict=True):
        ev = Evaluator(p, draws=2, runs=30, months=P._months(p, q), seed=5, groups=1)
        assert P._point_value(ev, p, q) == got
    assert len(set(batched)) > 1
