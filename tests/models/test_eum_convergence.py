"""EUM convergence: fixed points, cycles, and the documented forecast rule."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.errors import ModelError
from detente.models import get_model
from detente.models._convergence import cycle_mean, detect_cycles
from detente.models.eum import eum_kernel
from detente.testing import make_scenario

# Found by a seeded random search (tests/models/test_eum_convergence.py history): three
# actors whose positions settle into a period-2 cycle from round 1, the median swinging
# between 40 and 57.58; and three whose positions cycle with period 4.
PERIOD_2 = ([40.0, 30.0, 85.0], [2.0, 8.0, 3.0], [0.5, 0.3, 0.9])
PERIOD_4 = ([63.0, 20.0, 24.0], [5.0, 6.0, 5.0], [0.6, 0.3, 0.8])


def scenario(spec):
    x, c, s = spec
    return make_scenario(
        {f"a{k}": {"capability": c[k], "stances": {"deal": (x[k], s[k])}} for k in range(3)},
        ["deal"],
        status_quo={"deal": 50},
    )


def test_detect_cycles_fixed_point_cycle_and_none():
    fixed = np.array([[0.0, 5.0], [1.0, 5.0], [2.0, 4.0], [2.0, 4.0], [2.0, 4.0]])
    assert [int(v) for v in detect_cycles(fixed)] == [1, 2]
    two = np.array([[0.0], [1.0], [3.0], [1.0], [3.0], [1.0]])
    assert [int(v) for v in detect_cycles(two)] == [2, 1]
    drift = np.arange(6.0)[:, None]
    assert [int(v) for v in detect_cycles(drift)] == [0, -1]
    batch = np.stack([fixed[:, :1], two[:5], drift[:5]])
    period, start = detect_cycles(batch)
    assert period.tolist() == [1, 2, 0] and start.tolist() == [2, 1, -1]
    assert cycle_mean(np.array([[1.0, 2.0, 4.0, 2.0, 4.0]]), np.array([2])).tolist() == [3.0]
    assert cycle_mean(np.array([[1.0, 2.0, 4.0]]), np.array([0])).tolist() == [4.0]


def test_kernel_finds_the_period_2_and_period_4_cycles():
    run = eum_kernel(*PERIOD_2, rounds=12)
    assert [int(v) for v in detect_cycles(run.positions[0])] == [2, 1]
    assert run.median[0, -2:].round(2).tolist() == [40.0, 57.58]
    run4 = eum_kernel(*PERIOD_4, rounds=12)
    assert int(detect_cycles(run4.positions[0])[0]) == 4


def test_final_rule_depends_on_the_stopping_round_and_says_so():
    s = scenario(PERIOD_2)
    f10 = get_model("eum", rounds=10, respect_veto=False).forecast(s)
    f11 = get_model("eum", rounds=11, respect_veto=False).forecast(s)
    assert f10.outcome[0] != pytest.approx(f11.outcome[0])
    conv = f10.extra["convergence"]["deal"]
    assert conv["converged"] is False and conv["cycle_length"] == 2 and conv["cycle_start"] == 1
    assert f10.extra["converged"] is False and f10.extra["cycle_length"] == 2
    assert f10.extra["forecast_rule"] == "final"
    note = next(n for n in f10.notes if "not converged" in n)
    assert "period 2 from round 1" in note and "cycle_mean" in note
    d = f10.to_dict()["extra"]["convergence"]["deal"]
    assert d["cycle_range"] == pytest.approx([40.0, 57.58], abs=0.01)


def test_cycle_mean_rule_does_not_depend_on_the_stopping_round():
    s = scenario(PERIOD_2)
    outs = [
        get_model("eum", rounds=r, forecast_rule="cycle_mean", respect_veto=False)
        .forecast(s)
        .outcome[0]
        for r in (9, 10, 11, 12)
    ]
    assert np.ptp(outs) < 1e-9
    run = eum_kernel(*PERIOD_2, rounds=12)
    assert outs[0] == pytest.approx(run.median[0, -2:].mean())
    batch = get_model("eum", rounds=11, forecast_rule="cycle_mean").sample_outcomes(s, 3, seed=0)
    assert batch.shape == (3, 1) and np.isfinite(batch).all()


def test_converged_run_reports_it_and_the_rules_agree():
    s = make_scenario(
        {
            "a": {"capability": 5, "stances": {"deal": (10, 0.9)}},
            "b": {"capability": 5, "stances": {"deal": (20, 0.9)}},
            "c": {"capability": 1, "stances": {"deal": (90, 0.1)}},
        },
        ["deal"],
        status_quo={"deal": 50},
    )
    f = get_model("eum", rounds=10).forecast(s)
    g = get_model("eum", rounds=10, forecast_rule="cycle_mean").forecast(s)
    conv = f.extra["convergence"]["deal"]
    assert conv["converged"] is True and conv["cycle_length"] == 1
    assert conv["cycle_start"] == 8
    assert f.extra["converged"] is True
    assert f.outcome[0] == g.outcome[0]
    assert not any("not converged" in n for n in f.notes)


def test_run_still_moving_without_a_cycle_says_so():
    s = make_scenario(
        {
            "a": {"capability": 5, "stances": {"deal": (20, 0.9)}},
            "b": {"capability": 1, "stances": {"deal": (80, 0.2)}},
        },
        ["deal"],
        status_quo={"deal": 50},
    )
    f = get_model("eum", rounds=10, respect_veto=False).forecast(s)
    conv = f.extra["convergence"]["deal"]
    assert conv == {
        "converged": False,
        "cycle_length": None,
        "cycle_start": None,
        "note": conv["note"],
        "last_move": pytest.approx(0.07, abs=0.01),
    }
    assert "no cycle found" in conv["note"] and "still moved" in conv["note"]


def test_forecast_rule_is_validated():
    with pytest.raises(ModelError, match="forecast_rule"):
        get_model("eum", forecast_rule="last")


def test_settled_rule_plays_on_until_the_cycle_shows_then_averages_it():
    # the period-4 run: with 3 rounds nothing repeats yet; "settled" plays on until one
    # whole cycle has repeated and averages it, whatever `rounds` says
    s = scenario(PERIOD_4)
    f = get_model("eum", rounds=3, forecast_rule="settled", respect_veto=False).forecast(s)
    conv = f.extra["convergence"]["deal"]
    assert conv["cycle_length"] == 4 and conv["cycle_start"] == 1
    assert f.n_rounds == 1 + 2 * 4 - 1
    run = eum_kernel(*PERIOD_4, rounds=12)
    assert f.outcome[0] == pytest.approx(run.median[0, -4:].mean())
    longer = get_model("eum", rounds=20, forecast_rule="settled", respect_veto=False)
    assert longer.forecast(s).outcome[0] == pytest.approx(f.outcome[0])
    batch = get_model("eum", forecast_rule="settled", max_rounds=30).sample_outcomes(s, 2, seed=0)
    assert batch.shape == (2, 1)
    with pytest.raises(ModelError, match="max_rounds"):
        get_model("eum", max_rounds=0)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    st.lists(
        st.tuples(st.integers(0, 100), st.integers(1, 10), st.integers(1, 10)),
        min_size=3,
        max_size=6,
    )
)
def test_once_a_cycle_is_detected_the_cycle_mean_no_longer_depends_on_the_stopping_round(rows):
    x = np.array([r[0] for r in rows], float)
    c = np.array([r[1] for r in rows], float)
    s = np.array([r[2] for r in rows], float) / 10
    run = eum_kernel(x, c, s, rounds=16)
    period, _start = (int(v) for v in detect_cycles(run.positions[0, :13]))
    if period == 0:
        return
    # deterministic map: the cycle found in 12 rounds persists, so every later stopping
    # round gives the same cycle mean
    means = [float(cycle_mean(run.median[:, : t + 1], np.array([period]))[0]) for t in (12, 13, 14)]
    assert np.ptp(means) < 1e-9 * max(1.0, abs(means[0]))
    assert int(detect_cycles(run.positions[0])[0]) == period
