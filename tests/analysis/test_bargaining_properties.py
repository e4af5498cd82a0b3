"""Properties of the bargaining-set kernel on random small scenarios (Hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.core import STRICT_MARGIN, win_set_gap, zone_open

from .builders import make

position = st.integers(0, 100)
salience = st.sampled_from([0.1, 0.3, 0.5, 0.8, 1.0])


@st.composite
def scenarios(draw):
    n_issues = draw(st.integers(1, 3))
    issues = [f"i{j}" for j in range(n_issues)]
    actors = {}
    for a in ("a", "b"):
        red = {}
        if draw(st.booleans()):
            j = draw(st.integers(0, n_issues - 1))
            op = draw(st.sampled_from([">=", "<="]))
            red[issues[j]] = f"{op} {draw(position)}"
        actors[a] = {
            "stances": {i: (draw(position), draw(salience)) for i in issues},
            "red_lines": red,
        }
    sq = {i: draw(position) for i in issues}
    return make(issues, actors, sq)


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_lp_and_closed_form_agree_and_the_gap_is_zero_exactly_inside(s):
    a = s.to_arrays()
    r = win_set_gap(a)
    open_, m_star = zone_open(a)
    assert bool(open_) == bool(r.zone_nonempty)
    assert float(r.gap) >= 0
    assert (float(r.gap) == 0) == bool(r.zone_nonempty)
    if r.zone_nonempty:
        # the max-min package is a witness: inside every red line, strictly better for all
        assert np.all(r.surplus >= STRICT_MARGIN - 1e-9)
        assert np.all(r.best_package >= r.red_low.max(axis=0) - 1e-7)
        assert np.all(r.best_package <= r.red_high.min(axis=0) + 1e-7)
        assert abs(float(m_star) - np.min(r.surplus)) < 1e-7


@settings(max_examples=30, deadline=None)
@given(scenarios(), st.sampled_from(["half", "to-max"]))
def test_scaling_an_actors_saliences_changes_nothing(s, how):
    from dataclasses import replace

    a = s.to_arrays()
    sal = a.saliences.copy()
    k = 0.5 if how == "half" else 1.0 / sal[0].max()  # both keep saliences in [0, 1]
    sal[0] = sal[0] * k
    ra, rb = win_set_gap(a), win_set_gap(replace(a, saliences=sal))
    assert bool(ra.zone_nonempty) == bool(rb.zone_nonempty)
    assert abs(float(ra.gap) - float(rb.gap)) < 1e-7
