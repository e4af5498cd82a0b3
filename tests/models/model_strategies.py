"""Hypothesis strategies for small scenarios (actors x issues with stances)."""

from __future__ import annotations

from hypothesis import strategies as st

from detente.testing import make_scenario

# whole points on a 0-100 scale, as analysts code positions
positions = st.integers(0, 100).map(float)
saliences = st.floats(0.05, 0.5, allow_nan=False, allow_infinity=False)
capabilities = st.floats(0.1, 1.0, allow_nan=False, allow_infinity=False)


@st.composite
def scenario_specs(draw, min_actors=2, max_actors=5, max_issues=3, n_veto=0):
    """A plain description: ``(actors, issues, status_quo)`` for :func:`make_scenario`."""
    n_issues = draw(st.integers(1, max_issues))
    issues = [f"i{j}" for j in range(n_issues)]
    n_actors = draw(st.integers(max(min_actors, n_veto), max_actors))
    actors = {}
    for k in range(n_actors):
        stance_on = [iid for iid in issues if k < n_veto or draw(st.booleans()) or k == 0]
        actors[f"a{k}"] = {
            "capability": draw(capabilities),
            "veto": k < n_veto,
            "stances": {iid: (draw(positions), draw(saliences)) for iid in stance_on},
        }
    status_quo = {iid: draw(positions) for iid in issues}
    return actors, issues, status_quo


def spec_scenarios(**kw):
    return scenario_specs(**kw).map(
        lambda spec: make_scenario(spec[0], spec[1], status_quo=spec[2])
    )
