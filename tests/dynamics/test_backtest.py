"""The backtest of the simulation: origins and split, proper scores, baselines, verdicts, CLI."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from detente.cli import app
from detente.data.records import load_record
from detente.dynamics import scores as S
from detente.dynamics.backtest import (
    HORIZONS,
    TARGETS,
    _window_share,
    origins,
    sample_of,
)
from detente.dynamics.verdicts import backtest_verdicts, load_summary

MINI = Path(__file__).with_name("mini-case.yaml")


def test_origins_every_six_months_and_a_split_without_overlap():
    rec = load_record("dprk")
    o36, o6 = origins(rec, 36), origins(rec, 6)
    assert str(o36[-1]) == "2018-06" and str(o6[-1]) == "2020-12"
    assert all((b - a).n == 6 for a, b in itertools.pairwise(o6))
    train = [o for o in o6 if sample_of(o, rec) == "train"]
    test = [o for o in o6 if sample_of(o, rec) == "test"]
    last_train_window = max(train) + 36
    assert str(max(train)) == "2008-12" and str(min(test)) == "2012-06"  # the manifest's split
    assert last_train_window < min(test) + 1  # no training window reaches a test month


def test_a_record_without_a_declared_split_gets_one_from_its_span():
    rec = load_record("iran")
    first, train_last, test_first = rec.backtest_split()
    assert rec.start < first <= train_last < test_first <= rec.end
    assert first.month in (6, 12) and train_last.month in (6, 12)


def test_scores_by_hand():
    pmf = np.array([0.0, 1.0, 0.0, 0.0])
    assert S.crps_from_pmf(pmf, np.array(1)) == 0.0
    assert S.crps_from_pmf(pmf, np.array(3)) == pytest.approx(2.0)  # (1-0)^2 at k=1, 2
    assert S.log_count(np.array([0.25, 0.75]), np.array(1)) == pytest.approx(np.log(0.75))
    assert S.brier(0.8, True) == pytest.approx(0.04)
    assert S.log_binary(1.0, False) == pytest.approx(np.log(S.P_CLIP))
    m, size = S.nb_moments(np.array([0, 0, 0, 10.0]))
    assert m == 2.5 and size == pytest.approx(2.5**2 / (25 - 2.5))


def test_mixture_pmf_is_a_distribution_with_the_mixture_mean():
    mean = np.array([[0.5, 2.0, 4.0]])
    pmf = S.count_pmf(S.K_MAX, mean, np.array([[1.0, 0.5, 3.0]]))
    assert pmf.sum() == pytest.approx(1.0, abs=1e-6)
    assert (pmf[0] * np.arange(S.K_MAX + 1)).sum() == pytest.approx(mean.mean(), rel=1e-3)


def test_randomised_pit_is_uniform_for_a_calibrated_forecast():
    rng = np.random.default_rng(1)
    dist = stats.nbinom(2.0, 0.4)
    sample = dist.rvs(20000, random_state=rng)
    pits = [
        S.pit_from_samples(sample, float(y), float(rng.random()))
        for y in dist.rvs(2000, random_state=rng)
    ]
    hist = np.histogram(pits, bins=5, range=(0, 1))[0] / 2000
    assert np.all(np.abs(hist - 0.2) < 0.04)


def test_window_share_counts_windows_with_an_event():
    flags = np.array([0, 0, 1, 0, 0, 0], bool)
    assert _window_share(flags, 2) == pytest.approx(2 / 5)


def test_verdicts_say_where_the_simulation_wins_and_loses():
    row = {"n_test_origins": 13, "simulation": 0.1, "baselines": {}}
    summary = {
        "targets": {
            "talks_brier": {"horizons": {
                "12": {**row, "beats": {"climatology": True, "persistence": True}, "beats_all": True},
                "36": {**row, "beats": {"climatology": True, "persistence": False}, "beats_all": False},
            }},
            "strategic_log": {"horizons": {
                "6": {**row, "beats": {"recent": False}, "beats_all": False},
            }},
        }
    }  # fmt: skip
    v = backtest_verdicts(summary)
    assert v[0].startswith("P(talks by the horizon) (Brier score): beats every baseline at 12")
    assert "36 m: persistence" in v[0]
    assert "does NOT beat" in v[1] and "6 m: recent" in v[1]


@pytest.fixture(scope="module")
def cli_json():
    res = CliRunner().invoke(
        app, ["backtest", "dynamics", "us-dprk-2021", "--runs", "40", "--json", "--test-only"]
    )
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_cli_json_gives_every_target_and_horizon(cli_json):
    expected_n = {"6": 18, "12": 17, "24": 15, "36": 13}
    assert set(cli_json["targets"]) == set(TARGETS)
    for target, spec in cli_json["targets"].items():
        assert set(spec["horizons"]) == {str(h) for h in HORIZONS}
        for h, r in spec["horizons"].items():
            assert r["n_test_origins"] == expected_n[h]
            assert (
                set(r["baselines"])
                == set(r["beats"])
                == {"climatology", "recent", "persistence"}
                | ({"duration"} if target.startswith("talks") else set())
            )
            assert np.isfinite(r["simulation"])
    assert (
        cli_json["verdicts"] and cli_json["heavy_years"]["provocations"]["record_heavy_years"] == 2
    )
    assert set(cli_json["yearly"]) == {"provocations", "missiles"}


def test_backtest_needs_roles_and_a_record():
    res = CliRunner().invoke(app, ["backtest", "dynamics", str(MINI), "--runs", "20"])
    assert res.exit_code == 2
    assert "roles.record is not set" in res.output


def test_the_stored_summary_is_read_back_with_its_verdicts():
    summary = load_summary("dprk")
    assert summary is not None, "run 'detente backtest dynamics us-dprk-2021 --save'"
    assert set(summary["targets"]) == set(TARGETS)
    assert len(backtest_verdicts(summary)) >= len(TARGETS)
    assert pd.Period(summary["settings"]["test_first_origin"], freq="M") > pd.Period(
        summary["settings"]["train_last_origin"], freq="M"
    )


@pytest.mark.slow
def test_the_stored_summary_equals_a_fresh_backtest():
    """The report quotes the stored summary only when its key matches; this checks that a
    matching summary is what a fresh backtest of the current scenario and code gives."""
    from detente.dynamics.backtest import backtest
    from detente.scenario import load_bundled

    s = load_bundled("us-dprk-2021")
    stored = load_summary("dprk", s)
    assert stored is not None and stored.status == "current", (
        "the stored summary is stale: run 'detente backtest dynamics us-dprk-2021 --save'"
    )
    st = stored["settings"]
    fresh = backtest(
        s, runs=st["runs"], seed=st["seed"], samples=tuple(st.get("samples", ("train", "test")))
    ).summary_dict()
    for target, spec in fresh["targets"].items():
        for h, row in spec["horizons"].items():
            old = stored["targets"][target]["horizons"][h]
            assert row["simulation"] == pytest.approx(old["simulation"], rel=1e-9), (target, h)
            assert row["beats"] == old["beats"], (target, h)
    # through JSON, as stored (floats round-trip exactly)
    assert json.loads(json.dumps(fresh["yearly"])) == stored["yearly"]


def test_each_origin_draws_its_fit_from_the_posterior_jointly():
    """Issue 21: the backtest scores the outlook with the fit's uncertainty, not at the point
    estimates: every run of an origin draws the origin's fit (the event parameters jointly,
    so a run's rates follow the fit's correlations), centred on the estimates."""
    from detente.dynamics.backtest import backtest_scenario, run_origin
    from detente.dynamics.posterior import fit_record_posterior
    from detente.scenario import load_bundled

    s = backtest_scenario(load_bundled("us-dprk-2021"))
    panel = load_record("dprk").panel()
    k = list(panel["month"].astype(str)).index("2005-12")
    post = fit_record_posterior("dprk", "2005-12")
    size = post.marginals["provocation_dispersion"]
    assert size[1] < size[0] < size[2]  # an interval to draw from
    sim = run_origin(s, panel, k, runs=400, seed=1, fitted=post, groups=400)
    drawn = sim.dispersion["provocations"]
    assert len(np.unique(drawn)) == 400  # one draw per run
    assert np.median(drawn) == pytest.approx(size[0], rel=0.15)
    assert np.mean((drawn >= size[1]) & (drawn <= size[2])) == pytest.approx(0.9, abs=0.06)
    point = run_origin(
        s, panel, k, runs=400, seed=1, parameters={"provocation_dispersion": size[0]}
    )
    assert len(np.unique(point.dispersion["provocations"])) == 1
