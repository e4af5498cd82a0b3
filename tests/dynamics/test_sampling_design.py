"""One sampling design: simulate, the run's evaluator (claims, report) and the CLI give one
value for one quantity at one seed and size."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from detente.analysis.quantities import Evaluator
from detente.cli import app
from detente.defaults import RUNS_PER_GROUP, parameter_groups
from detente.dynamics import simulate
from detente.scenario import load, load_bundled

MINI = Path(__file__).with_name("mini-case.yaml")


def test_simulate_and_the_evaluator_give_one_value():
    s = load(MINI)
    sim = simulate(s, runs=300, months=12, seed=5)
    ev = Evaluator(s, draws=100, seed=5, runs=300, months=12)
    other = ev.baseline.sim(12)
    assert ev.n_groups == parameter_groups(300) == 300 // RUNS_PER_GROUP
    for k in ("talks", "agreement", "crisis"):
        assert other.at(12)[k] == sim.at(12)[k]


def test_the_cli_gives_the_python_value():
    s = load(MINI)
    sim = simulate(s, runs=200, months=12, seed=7)
    out = CliRunner().invoke(
        app, ["simulate", str(MINI), "--runs", "200", "--months", "12", "--seed", "7", "--json"]
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["horizons"]["12"]["talks"] == sim.at(12)["talks"]


def test_the_groups_share_one_latin_hypercube():
    from detente.dynamics.draws import latin_hypercube

    U = latin_hypercube(50, 3, np.random.default_rng(1))
    for j in range(3):  # one point in each of the 50 strata of every column
        assert sorted(np.floor(U[:, j] * 50).astype(int)) == list(range(50))
    # the strata are paired at random across columns, not in step
    assert not np.array_equal(np.argsort(U[:, 0]), np.argsort(U[:, 1]))
    # a column is the same whatever the number of columns (paired what-ifs)
    V = latin_hypercube(50, 5, np.random.default_rng(1))
    assert np.array_equal(U, V[:, :3])


def test_a_fitted_parameter_is_drawn_from_its_asymptotic_normal():
    from detente.dynamics.draws import posterior_draw

    se = 0.3  # on the log scale of a rate: 90% interval estimate x exp(+-1.645 se)
    lo, hi = 0.2 * np.exp(-1.645 * se), 0.2 * np.exp(1.645 * se)
    u = (np.arange(20_000) + 0.5) / 20_000
    x = posterior_draw("provocation_rate_no_talks", 0.2, lo, hi, u)
    assert np.median(x) == pytest.approx(0.2, rel=1e-3)
    assert np.log(x).std() == pytest.approx(se, rel=0.01)  # a triangle would give 0.67 se
    # at a boundary: half-normal above it, the one-sided 90% bound at the interval's end
    b = posterior_draw("provocation_level_sd", 0.0, 0.0, 0.02, u)
    assert b.min() >= 0.0 and np.quantile(b, 0.9) == pytest.approx(0.02, rel=0.01)
    # a weakly identified parameter (an interval to infinity) is capped, not absurd
    w = posterior_draw("provocation_rate_no_talks", 0.2, 0.0, np.inf, u)
    assert np.all(np.isfinite(w))


def test_a_kept_posterior_draw_is_a_fresh_copy_of_the_same_numbers():
    from detente.dynamics import draws

    u = np.random.default_rng(3).random(50)
    args = ("provocation_rate_no_talks", 0.2, 0.1, 0.4)
    draws._DRAWS.clear()
    first = draws.posterior_draw(*args, u)
    first[:] = -1.0  # a caller that writes into its draw changes no later draw
    again = draws.posterior_draw(*args, u)
    assert np.array_equal(again, draws._posterior_draw(*args, u)) and again.min() > 0
    assert again is not draws.posterior_draw(*args, u)
    # other uniforms, another value, or -0.0 for 0.0 are other draws
    assert not np.array_equal(draws.posterior_draw(*args, 1 - u), again)
    assert not np.array_equal(draws.posterior_draw(args[0], 0.3, 0.1, 0.4, u), again)
    zero = draws.posterior_draw("provocation_level_sd", 0.0, 0.0, 0.02, u)
    minus = draws.posterior_draw("provocation_level_sd", -0.0, 0.0, 0.02, u)
    assert np.array_equal(zero, draws._posterior_draw("provocation_level_sd", 0.0, 0.0, 0.02, u))
    assert np.array_equal(minus, draws._posterior_draw("provocation_level_sd", -0.0, 0.0, 0.02, u))


def test_the_backtest_fit_is_drawn_per_group_and_widens_the_totals():
    from detente.dynamics.posterior import Posterior

    s = load(MINI)

    def totals(fit):
        r = simulate(s, runs=400, months=24, seed=3, fitted=fit)
        t = r.provocations.sum(axis=0)
        return np.quantile(t, 0.95) - np.quantile(t, 0.05)

    point = Posterior({"provocation_rate_no_talks": (0.3, 0.3, 0.3)})
    drawn = Posterior({"provocation_rate_no_talks": (0.3, 0.1, 0.9)})
    assert totals(drawn) > totals(point)
    # the joint draw keeps the estimates' correlations: a rate and its ratio drawn together
    # along a ridge (perfectly anti-correlated on the log scale) keep their product
    from detente.dynamics import regimes
    from detente.dynamics.draws import joint_draw
    from detente.dynamics.parameters import DEFAULTS

    mean = regimes.to_theta(np.array([DEFAULTS[n].value for n in regimes.NAMES]))
    cov = np.zeros((10, 10))
    cov[0, 0] = cov[3, 3] = 0.25
    cov[0, 3] = cov[3, 0] = -0.25
    rows = joint_draw(mean, cov, np.random.default_rng(0).random((200, 10)))
    assert np.ptp(rows[:, 0]) > 1.0
    assert np.allclose(rows[:, 0] + rows[:, 3], mean[0] + mean[3])


@pytest.mark.slow
def test_outlook_probabilities_are_stable_across_seeds_at_default_sizes():
    """Issue 21: P(talks / agreement / crisis by 12 and 36) within +-0.03 of their mean over
    seeds at default sizes, on both bundled cases (Latin hypercube over the groups and
    antithetic runs; docs/dynamics.md gives the spread over ten seeds)."""
    for case in ("us-dprk-2021", "iran-jcpoa-2021"):
        s = load_bundled(case)
        rows = []
        for seed in range(1, 6):
            r = simulate(s, seed=seed)
            rows.append([r.at(h)[k] for h in (12, 36) for k in ("talks", "agreement", "crisis")])
        a = np.array(rows)
        assert np.abs(a - a.mean(axis=0)).max() <= 0.03, (case, a.round(3).tolist())
