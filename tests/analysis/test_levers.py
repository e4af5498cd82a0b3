"""Counterfactual levers: array changes agree with scenario what-ifs; declared what-ifs are
evaluated on the baseline's draws, paired."""

import numpy as np
import pytest

from detente.analysis.levers import (
    Change,
    baseline,
    evaluate_changes,
    search_levers,
    what_if_lever,
)
from detente.core import zone_open
from detente.scenario import load

from .builders import dprk_like, make


@pytest.fixture(scope="module")
def stand_in():
    s = dprk_like()
    return s, baseline(s, s.sample(300, seed=1))


def test_drop_issue_change_equals_scenario_without_issue(stand_in):
    s, _ = stand_in
    a = Change("drop_issue", "denuclearization").apply(s.to_arrays(), s)
    open_a, m_a = zone_open(a)
    open_b, m_b = zone_open(s.without_issue("denuclearization").to_arrays())
    assert bool(open_a) == bool(open_b)
    assert float(m_a) == pytest.approx(float(m_b), abs=1e-12)


def test_position_and_red_line_changes_equal_the_set_assignments(stand_in):
    s, base = stand_in
    changes = (
        Change("position", "denuclearization", "usa", 0.5),
        Change("red_line", "denuclearization", "usa", 1.0),
    )
    r = evaluate_changes(base, changes)
    assert r.assignments == (
        "usa.denuclearization.position=50",
        "usa.red_lines.denuclearization=none",
    )
    s2 = s
    for text in r.assignments:
        path, value = text.split("=")
        s2 = s2.with_value(path, value)
    a = s.to_arrays()
    for c in changes:
        a = c.apply(a, s)
    np.testing.assert_allclose(a.positions, s2.to_arrays().positions)
    np.testing.assert_allclose(a.red_low, s2.to_arrays().red_low)
    assert float(zone_open(a)[1]) == pytest.approx(float(zone_open(s2.to_arrays())[1]))


def test_status_quo_change_moves_actors_without_a_stance_along(stand_in):
    s, _ = stand_in
    a = Change("status_quo", "security_guarantees", None, 0.25).apply(s.to_arrays(), s)
    s2 = s.with_value("status_quo.security_guarantees", 35)
    np.testing.assert_allclose(a.status_quo, s2.to_arrays().status_quo)
    np.testing.assert_allclose(a.positions, s2.to_arrays().positions)


def test_declared_what_ifs_are_evaluated_paired_with_the_baseline():
    s = load("examples/steel-dispute.yaml")
    base = baseline(s, s.sample(400, seed=5), seed=5)
    w = next(x for x in s.what_ifs if x.id == "importer-cuts-tariff-demand")
    r = what_if_lever(base, w)
    d = r.to_dict()
    assert d["name"] == w.id and d["applicable"] and d["extra"]["kind"] == "lever"
    assert d["delta"] == pytest.approx(d["p_zone_nonempty"] - base.p)
    # dropping the importer's floor opens the zone in most draws where it was shut
    assert r.zone_nonempty and (r.opens_share or 0) > 0.5
    # paired: the same what-if on the same seed gives the same share, and a shock that
    # moves only a driver leaves the zone exactly as it was, draw by draw
    assert what_if_lever(base, w).p_zone_nonempty == r.p_zone_nonempty
    glut = what_if_lever(base, next(x for x in s.what_ifs if x.id == "steel-glut"))
    assert glut.delta == 0 and glut.opens_share == 0


def test_a_what_if_that_cannot_apply_is_reported_not_raised():
    from detente.scenario.case import Change as DataChange
    from detente.scenario.case import WhatIf

    s = load("examples/steel-dispute.yaml")
    base = baseline(s, s.sample(50, seed=0), seed=0)
    bad = WhatIf(id="x", label="x", changes=(DataChange(set="importer.tariff.position", to=400),))
    r = what_if_lever(base, bad)
    assert not r.applicable and "tariff" in r.reason


def test_search_ranks_efficient_levers_first_and_finds_the_red_lines(stand_in):
    _, base = stand_in
    found = search_levers(base, top=12)
    assert found and found[0].efficient
    assert all((r.delta or 0) <= 1 for r in found)
    touched = {c.element for r in found for c in r.changes}
    assert ("drop_issue", None, "denuclearization") in touched or any(
        k == "red_line" for k, _, _ in touched
    )
    effs = [r for r in found if r.efficient]
    assert [r.size for r in effs] == sorted(r.size for r in effs)


def test_lever_verdicts_do_not_depend_on_the_certificates_used():
    from dataclasses import replace

    from .test_bargaining import q

    actors = {
        f"p{k}": {
            "stances": {
                "x": (q(40 + 10 * k, 10 * k, 50 + 10 * k), q(0.6, 0.2, 1.0)),
                "y": (q(70 - 15 * k, 20, 90), q(0.5, 0.1, 0.9)),
            },
        }
        for k in range(4)
    }
    s = make(["x", "y"], actors, {"x": q(45, 30, 60), "y": q(50, 30, 70)})
    base = baseline(s, s.sample(300, seed=3))
    assert base.hints is not None  # more than two veto players: the baseline packages help
    plain = replace(base, hints=None)
    for change in (
        Change("position", "x", "p3", 0.5),
        Change("salience", "y", "p0", 0.5),
        Change("status_quo", "y", None, 0.25),
    ):
        a = evaluate_changes(base, (change,))
        b = evaluate_changes(plain, (change,))
        assert a.p_zone_nonempty == b.p_zone_nonempty
        # and both equal the exact LP verdicts on the changed draws
        exact, _ = zone_open(change.apply(base.batch, s))
        assert a.p_zone_nonempty == pytest.approx(float(exact.mean()))


def test_a_change_rebuilds_only_the_core_inputs_it_touches_with_the_same_numbers(stand_in):
    """``bargaining_inputs(reuse=...)`` (the lever search's shortcut) gives, for a change of
    every kind and for a pair, exactly the inputs built from scratch, on the point values and
    on the draws, and so exactly the same zone test."""
    from dataclasses import fields

    from detente.analysis.levers import _candidates
    from detente.core import bargaining_inputs

    s, base = stand_in
    changes = _candidates(s, ("usa", "dprk"))
    assert {c.kind for c in changes} == {
        "position",
        "salience",
        "red_line",
        "drop_issue",
        "status_quo",
    }
    for cs in [(c,) for c in changes] + [(changes[0], changes[-1])]:
        for arrays, inputs in ((base.point, base.point_inputs), (base.batch, base.batch_inputs)):
            changed = arrays
            for c in cs:
                changed = c.apply(changed, s)
            fresh = bargaining_inputs(changed)
            reused = bargaining_inputs(changed, reuse=(arrays, inputs))
            for f in fields(fresh):
                a, b = getattr(fresh, f.name), getattr(reused, f.name)
                assert np.array_equal(a, b), (cs, f.name)
            assert np.array_equal(
                zone_open(fresh, exact=False)[1], zone_open(reused, exact=False)[1]
            )
    # arrays of another frame (other veto players) are built from scratch, not reused
    other = base.batch.take(slice(0, 10))
    assert bargaining_inputs(other, reuse=(base.batch, base.batch_inputs)).n == 10
