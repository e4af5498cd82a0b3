"""The bargaining-set kernel on scenarios whose answers can be checked by hand."""

import numpy as np
import pytest

from detente.core import (
    STRICT_MARGIN,
    win_set_gap,
    zone_details,
)
from detente.core.reference import win_set_gap_per_draw

from .builders import dprk_like, make, q

TOL = 2 * STRICT_MARGIN


def one_issue(pos_a, pos_b, sq=50, red_a=None, red_b=None, cost=None):
    actors = {
        "a": {"stances": {"x": (pos_a, 1.0)}, "red_lines": {"x": red_a} if red_a else {}},
        "b": {"stances": {"x": (pos_b, 1.0)}, "red_lines": {"x": red_b} if red_b else {}},
    }
    params = {"agreement_cost": cost} if cost is not None else None
    return make(["x"], actors, {"x": sq}, parameters=params)


def test_same_side_ideal_points_open_a_zone_with_hand_checked_packages():
    s = one_issue(80, 90)
    r = win_set_gap(s.to_arrays())
    assert bool(r.zone_nonempty) and r.gap == 0.0
    # max-min package: min(0.3 - |y-.8|, 0.4 - |y-.9|) peaks at y = .8 with surplus .3 each
    assert r.best_package[0] == pytest.approx(80, abs=1e-6)
    np.testing.assert_allclose(r.surplus, [0.3, 0.3], atol=1e-7)
    assert r.blockers() == []
    z = zone_details(s.to_arrays(), n_points=4096)
    assert z is not None
    assert z.volume_fraction == pytest.approx(0.5, abs=0.02)  # the zone is (50, 100]
    assert z.favourites["a"][0] == pytest.approx(80, abs=1e-6)
    assert z.favourites["b"][0] == pytest.approx(90, abs=1e-6)
    # Nash: (y - .5)^2 rises up to .8, then (1.1 - y)(y - .5) falls: the point is 80
    assert z.nash_point is not None and z.nash_point[0] == pytest.approx(80, abs=0.05)


def test_opposed_ideal_points_around_the_status_quo_leave_a_knife_edge_gap():
    r = win_set_gap(one_issue(80, 20).to_arrays())
    assert not bool(r.zone_nonempty)
    assert r.gap == pytest.approx(TOL, rel=1e-3)  # only the strict-preference margins


def test_conflicting_red_lines_give_the_hand_computed_gap_and_are_named_as_blocker():
    s = one_issue(80, 20, red_a=">= 70", red_b="<= 40")
    r = win_set_gap(s.to_arrays())
    assert not bool(r.zone_nonempty)
    # crossing .3 of the scale in red lines, plus both strict margins, at y = 50
    assert r.gap == pytest.approx(0.3 + TOL, abs=1e-7)
    assert r.best_package[0] == pytest.approx(50, abs=1e-3)
    assert bool(r.red_line_conflict[0])
    kinds = [b.kind for b in r.blockers()]
    assert kinds[0] == "red-line-conflict"
    assert r.blockers()[0].issue == "x"


def test_agreement_cost_closes_a_zone_and_prices_the_gap():
    r = win_set_gap(one_issue(80, 90, cost=0.35).to_arrays())
    assert not bool(r.zone_nonempty)
    # a can gain at most .3 < .35; at y in [.8, .85] the shortfalls sum to .1 + margins
    assert r.gap == pytest.approx(0.1 + TOL, abs=1e-7)
    short = {b.actor for b in r.blockers() if b.kind == "shortfall"}
    assert "a" in short


def test_two_issue_exchange_opens_a_zone_that_neither_issue_alone_does():
    # a cares about x, b about z; each concedes its less salient issue
    actors = {
        "a": {"stances": {"x": (100, 0.8), "z": (0, 0.2)}},
        "b": {"stances": {"x": (0, 0.2), "z": (100, 0.8)}},
    }
    s = make(["x", "z"], actors, {"x": 50, "z": 50})
    r = win_set_gap(s.to_arrays())
    assert bool(r.zone_nonempty)
    # symmetric: the max-min package is (100, 100), surplus .8*.5 - .2*.5 = .3 each
    np.testing.assert_allclose(r.surplus, [0.3, 0.3], atol=1e-7)
    for issue in ("x", "z"):
        r1 = win_set_gap(s.without_issue(issue).to_arrays())
        assert not bool(r1.zone_nonempty)


def test_non_veto_actors_do_not_constrain_unless_nobody_has_a_veto():
    actors = {
        "a": {"stances": {"x": (80, 1.0)}},
        "b": {"stances": {"x": (90, 1.0)}},
        "c": {"veto": False, "stances": {"x": (0, 1.0)}},
    }
    s = make(["x"], actors, {"x": 50})
    assert bool(win_set_gap(s.to_arrays()).zone_nonempty)
    s2 = s.with_value("a.veto", "false").with_value("b.veto", "false")
    r2 = win_set_gap(s2.to_arrays())
    assert r2.veto_ids == ("a", "b", "c") and not bool(r2.zone_nonempty)


def test_batch_equals_per_draw_lp_and_point_result():
    s = dprk_like()
    batch = s.sample(40, seed=7)
    r = win_set_gap(batch)
    ref = win_set_gap_per_draw(batch)
    np.testing.assert_allclose(r.gap, ref, atol=1e-8)
    point = win_set_gap(s.to_arrays())
    assert r.draw(0).gap.shape == () and point.gap.shape == ()


def test_batch_is_reproducible_by_seed():
    s = dprk_like()
    r1 = win_set_gap(s.sample(30, seed=3))
    r2 = win_set_gap(s.sample(30, seed=3))
    np.testing.assert_array_equal(r1.gap, r2.gap)
    np.testing.assert_array_equal(r1.zone_nonempty, r2.zone_nonempty)


def test_gap_is_zero_exactly_where_the_zone_is_open():
    s = dprk_like(usa__red_lines__denuclearization="none", usa__denuclearization__position=30)
    r = win_set_gap(s.sample(200, seed=1))
    assert r.zone_nonempty.any()
    assert np.all((r.gap == 0) == r.zone_nonempty)
    assert np.all(r.gap >= 0)
    assert np.all(r.surplus[r.zone_nonempty] >= STRICT_MARGIN - 1e-9)


def test_search_with_curvature_agrees_with_lp_at_curvature_one_and_handles_quadratic():
    s = one_issue(80, 20, red_a=">= 70", red_b="<= 40")
    lp = win_set_gap(s.to_arrays())
    # curvature 2: U = -(y - p)^2; red lines still force .3 of crossing
    r2 = win_set_gap(s.to_arrays(), curvature=2.0)
    assert r2.method == "search" and r2.resolution == pytest.approx(1 / 200)
    assert not bool(r2.zone_nonempty)
    assert r2.gap >= 0.3 - 1e-9
    assert lp.method == "lp"
    open_ = win_set_gap(one_issue(80, 90).to_arrays(), curvature=2.0)
    assert bool(open_.zone_nonempty)


def test_ranges_make_the_zone_open_in_some_draws_only():
    actors = {
        "a": {"stances": {"x": (q(70, 40, 90), 1.0)}},
        "b": {"stances": {"x": (q(60, 30, 80), 1.0)}},
    }
    s = make(["x"], actors, {"x": 50})
    r = win_set_gap(s.sample(500, seed=2))
    # open iff both ideal points lie on the same side of 50
    a = s.sample(500, seed=2).positions[:, :, 0]
    expected = np.all(a > 50 + 1e-4, axis=1) | np.all(a < 50 - 1e-4, axis=1)
    np.testing.assert_array_equal(r.zone_nonempty, expected)


def mixed_scenario():
    """Three issues, wide ranges and a cost of agreement: the zone opens in some draws only."""
    actors = {
        "a": {
            "stances": {
                "x": (q(70, 20, 100), q(0.8, 0.2, 1.0)),
                "y": (q(30, 0, 80), q(0.5, 0.1, 1.0)),
                "z": (q(50, 0, 100), q(0.3, 0.0, 0.6)),
            },
            "red_lines": {"x": {"op": ">=", "bound": q(40, 20, 60)}},
        },
        "b": {
            "stances": {
                "x": (q(30, 0, 80), q(0.6, 0.2, 1.0)),
                "y": (q(80, 20, 100), q(0.7, 0.2, 1.0)),
                "z": (q(60, 0, 100), q(0.4, 0.0, 0.8)),
            },
            "red_lines": {"x": {"op": "<=", "bound": q(60, 40, 80)}},
        },
    }
    return make(
        ["x", "y", "z"],
        actors,
        {"x": q(50, 30, 70), "y": q(50, 30, 70), "z": q(50, 30, 70)},
        parameters={"agreement_cost": q(0.03, 0.0, 0.08)},
    )


def test_closed_form_zone_test_agrees_with_the_lp_on_random_draws():
    from detente.core import bargaining_inputs, zone_open

    batch = mixed_scenario().sample(400, seed=5)
    nonempty, m_star = zone_open(batch)
    r = win_set_gap(batch)
    np.testing.assert_array_equal(nonempty, r.zone_nonempty)
    assert 0 < nonempty.mean() < 1  # both verdicts occur, so the comparison bites
    # inside the zone m* is the max-min surplus of the LP's max-min package
    np.testing.assert_allclose(m_star[nonempty], r.surplus[nonempty].min(axis=1), atol=1e-7)
    # the general path (max-min LP) gives the same m* where red lines allow a package
    from detente.core import _lp as B

    inp = bargaining_inputs(batch)
    lo = np.max(inp.red_low, axis=1)
    hi = np.min(inp.red_high, axis=1)
    y = B._maximin_lp(inp, lo, np.maximum(hi, lo))
    m_lp = (inp.utility(y) - inp.reservation()).min(axis=1)
    ok = np.isfinite(m_star)
    np.testing.assert_allclose(m_star[ok], m_lp[ok], atol=1e-7)


def test_docstring_examples_run():
    import doctest

    from detente.core import gap

    result = doctest.testmod(gap, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_a_veto_player_without_salience_is_indifferent_but_its_red_lines_bind():
    actors = {
        "a": {"stances": {"x": (80, 1.0)}},
        "b": {"stances": {"x": (90, 1.0)}},
        "c": {"stances": {"x": (50, 0.0)}, "red_lines": {"x": "<= 60"}},
    }
    s = make(["x"], actors, {"x": 50})
    r = win_set_gap(s.to_arrays())
    assert bool(r.zone_nonempty) and "indifferent" in r.notes[0]
    assert r.best_package[0] <= 60 + 1e-9
    # and the closed-form test agrees (three veto players: the max-min LP path)
    from detente.core import zone_open

    assert bool(zone_open(s.to_arrays())[0])


def test_batched_zone_volume_matches_the_hand_computed_share():
    from detente.core import bargaining_inputs, zone_volume

    frac, se = zone_volume(bargaining_inputs(one_issue(80, 90).to_arrays()), n_points=4096)
    assert frac[0] == pytest.approx(0.5, abs=3 * se[0] + 1e-3)


def test_certified_zone_test_for_many_veto_players_matches_the_lp():
    from detente.core import zone_open

    actors = {
        f"p{k}": {
            "stances": {
                "x": (q(40 + 10 * k, 10 * k, 50 + 10 * k), q(0.6, 0.2, 1.0)),
                "y": (q(70 - 15 * k, 20, 90), q(0.5, 0.1, 0.9)),
            },
        }
        for k in range(4)
    }
    actors["p0"]["red_lines"] = {"x": {"op": ">=", "bound": q(30, 10, 50)}}
    s = make(["x", "y"], actors, {"x": q(45, 30, 60), "y": q(50, 30, 70)})
    batch = s.sample(400, seed=3)
    exact, m_exact = zone_open(batch)
    cheap, m_bound = zone_open(batch, exact=False)
    np.testing.assert_array_equal(exact, cheap)
    assert 0 < exact.mean() < 1
    np.testing.assert_array_equal(exact, win_set_gap(batch).zone_nonempty)
    # the certificates bound the exact value from the right side
    assert np.all(m_bound[cheap] <= m_exact[cheap] + 1e-9)
    assert np.all(m_bound[~cheap] >= m_exact[~cheap] - 1e-9)
