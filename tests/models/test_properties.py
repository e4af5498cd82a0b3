"""Properties every spatial model should have, checked on generated scenarios."""

import sys
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.models import get_model
from detente.testing import make_scenario

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
from model_strategies import scenario_specs

from strategies import scenarios

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def scaled(spec, k):
    actors, issues, sq = spec
    out = {
        a: {**v, "stances": {i: (p, s * k) for i, (p, s) in v["stances"].items()}}
        for a, v in actors.items()
    }
    return make_scenario(out, issues, status_quo=sq)


@SETTINGS
@given(scenarios(max_actors=6, max_issues=3))
def test_weighted_mean_lies_within_the_positions(s):
    # the model's own outcome: the veto constraint may move it (to the status quo)
    out = get_model("compromise", respect_veto=False).forecast(s).outcome
    a = s.to_arrays()
    for j in range(s.n_issues):
        h = a.has_stance[:, j]
        if not h.any():
            assert out[j] == a.status_quo[j]  # nobody speaks: the status quo stands
            continue
        tol = 1e-9 * (s.issues[j].high - s.issues[j].low)
        assert a.positions[h, j].min() - tol <= out[j] <= a.positions[h, j].max() + tol


def test_mean_with_subnormal_capability_stays_within_positions():
    # found by Hypothesis: 5e-324 * 1.5 rounds to 1e-323, which put the mean at 2.0
    s = make_scenario(
        {"a": {"capability": 5e-324, "stances": {"c": (1.5, 1.0)}}}, {"c": (0.0, 2.0)}
    )
    assert get_model("compromise").forecast(s).outcome[0] == 1.5


@SETTINGS
@given(scenario_specs(), st.floats(0.1, 2.0))
def test_salience_scaling_is_invariant(spec, k):
    base = make_scenario(spec[0], spec[1], status_quo=spec[2])
    other = scaled(spec, k)
    # exchange: within a round only salience ratios matter; its between-round update
    # ((1 - s) 0.4 + 0.1, Stokman & Van Oosten) uses absolute saliences, so one round is checked.
    for name, settings_ in (
        ("compromise", {}),
        ("median", {}),
        ("condorcet", {}),
        ("exchange", {"rounds": 1}),
    ):
        a = get_model(name, **settings_).forecast(base, seed=0).outcome
        b = get_model(name, **settings_).forecast(other, seed=0).outcome
        np.testing.assert_allclose(a, b, atol=1e-7, err_msg=name)


@SETTINGS
@given(scenario_specs(), st.floats(0, 100))
def test_zero_salience_actor_changes_nothing(spec, position):
    actors, issues, sq = spec
    base = make_scenario(actors, issues, status_quo=sq)
    extra = {
        **actors,
        "silent": {"capability": 5.0, "stances": {i: (position, 0.0) for i in issues}},
    }
    other = make_scenario(extra, issues, status_quo=sq)
    for name in ("compromise", "median"):
        a = get_model(name).forecast(base).outcome
        b = get_model(name).forecast(other).outcome
        np.testing.assert_allclose(a, b, atol=1e-9, err_msg=name)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_specs(n_veto=2, max_actors=4), st.floats(0.1, 2.0))
def test_nash_solution_is_pareto_optimal_and_scale_free(spec, k):
    s = make_scenario(spec[0], spec[1], status_quo=spec[2])
    f = get_model("nash").forecast(s)
    g = get_model("nash").forecast(scaled(spec, k))
    assert f.extra["agreement"] == g.extra["agreement"]
    if not f.extra["agreement"]:
        return
    np.testing.assert_allclose(
        [f.extra["gain_shares"][p] for p in f.extra["players"]],
        [g.extra["gain_shares"][p] for p in g.extra["players"]],
        atol=1e-5,
    )
    a = s.to_arrays()
    v = a.veto

    def gains(x):
        d = np.abs(x[:, None, :] - a.positions[v]) / 100
        d0 = np.abs(a.status_quo - a.positions[v]) / 100
        return (a.saliences[v] * d0).sum(-1) - (a.saliences[v] * d).sum(-1)

    best = np.array([f.extra["best_gains"][p] for p in f.extra["players"]])
    pts = np.random.default_rng(0).uniform(0, 100, size=(4000, s.n_issues))
    g_star = gains(f.outcome[None])[0]
    better = np.all(gains(pts) > g_star + 1e-6 * best, axis=1)
    assert not better.any()
