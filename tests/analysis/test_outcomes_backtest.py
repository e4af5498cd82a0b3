"""The outcome backtest: scores, failures counted, the grouped-CV ensemble and the bootstrap."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest

from detente.analysis.backtest import ENSEMBLE, FITTED, run_backtest
from detente.analysis.ensemble import (
    StackedEnsemble,
    capability_predict,
    cross_validate,
    cross_validate_capabilities,
    fit_capabilities,
    fit_stack,
    grouped_folds,
    paired_bootstrap,
)
from detente.analysis.outcomes import read_outcomes
from detente.data.loaders import data_path
from detente.errors import ModelError
from detente.models import MODELS
from detente.models.compromise import Compromise

DEV = data_path("deu3_dev.tsv")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The first 40 issues of the packaged development file (about 14 proposals)."""
    lines = DEV.read_text().splitlines()
    p = tmp_path_factory.mktemp("deu") / "deu_small.tsv"
    p.write_text("\n".join(lines[:41]) + "\n")
    return read_outcomes(str(p))


def test_compromise_scores_the_weighted_mean_of_the_whole_file():
    ds = read_outcomes(str(DEV))
    r = run_backtest(ds, models=["compromise"], ensemble=False, n_boot=100)
    s = r.score("compromise")
    assert s["n"] == 173 and round(s["mae"], 2) == 23.11  # the README's fact, recomputed
    assert r.score("weighted_mean")["mae"] == pytest.approx(s["mae"], abs=1e-12)
    assert s["mae_minus_reference"] == 0.0
    assert r.score("midpoint")["mae"] == pytest.approx(27.19, abs=0.005)
    assert r.score("mean")["mae"] == pytest.approx(22.90, abs=0.005)


def test_scores_agree_with_the_per_issue_table(small):
    r = run_backtest(small, models=["compromise", "median"], ensemble=False, n_boot=200)
    frame = r.to_frame("issues")
    for name in ("compromise", "median", "midpoint", "status_quo"):
        rows = frame[(frame.forecaster == name)].dropna(subset=["observed", "prediction"])
        s = r.score(name)
        assert s["n"] == len(rows)
        assert s["mae"] == pytest.approx(rows.abs_error.mean())
        assert s["rmse"] == pytest.approx(float(np.sqrt((rows.abs_error**2).mean())))
    # the status quo is only scored where the data give a reference point
    given = sum(len(d.status_quo_given) for d in small.decisions)
    assert r.score("status_quo")["n"] <= given < small.n_issues


@dataclass(frozen=True, kw_only=True)
class _Flaky:
    """Raises on scenarios with 3+ issues; gives no outcome for the first issue otherwise."""

    name: ClassVar[str] = "flaky"
    description: ClassVar[str] = "test double"

    def forecast(self, scenario, *, seed=None):
        if scenario.n_issues >= 3:
            raise ModelError("cannot run on three issues")
        f = Compromise().forecast(scenario, seed=seed)
        out = f.outcome.copy()
        out[0] = np.nan
        return type(f)(**{**f.__dict__, "model": "flaky", "outcome": out})


def test_failing_models_are_counted_not_dropped(small, monkeypatch):
    monkeypatch.setitem(MODELS, "flaky", _Flaky)
    r = run_backtest(small, models=["compromise", "flaky"], ensemble=False, n_boot=100)
    big = [d for d in small.decisions if d.scenario.n_issues >= 3]
    assert r.failures["flaky"]["decisions"] == len(big) > 0
    assert "cannot run on three issues" in r.failures["flaky"]["examples"][0]
    s = r.score("flaky")
    assert s["n"] + s["n_no_outcome"] == small.n_observed
    assert s["n_no_outcome"] > 0
    assert any("raised an error" in n for n in r.notes)
    assert r.failures["compromise"]["decisions"] == 0


def test_result_is_json_with_every_forecaster_and_the_issues(small):
    steps: list[str] = []
    r = run_backtest(
        small, models=["compromise", "median"], n_boot=200, n_folds=3, progress=steps.append
    )
    assert len(steps) == 2 * len(small.decisions) + 2 and steps[-2:] == [ENSEMBLE, FITTED]
    data = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    names = [s["forecaster"] for s in data["scores"]]
    assert names[:2] == ["compromise", "median"] and names[-2:] == [ENSEMBLE, FITTED]
    assert {"midpoint", "status_quo", "weighted_mean", "weighted_median"} <= set(names)
    assert len(data["issues"]) == small.n_issues
    assert set(data["issues"][0]["predictions"]) == set(names)
    assert data["ensemble"]["settings"]["n_outer_folds"] == 3
    assert len(data["fitted_capabilities"]["folds"]) == 3
    assert "compromise" in r.verdict() and "interval" in r.verdict()
    import matplotlib.pyplot as plt

    ax = r.plot()
    assert ax.get_title().startswith("Outcome backtest")
    assert len(ax.patches) == len(names)  # one bar per forecaster
    plt.close(ax.figure)


def test_grouped_folds_never_split_a_group():
    rng = np.random.default_rng(3)
    groups = rng.integers(0, 17, size=120)
    folds = grouped_folds(groups, 5, rng)
    assert np.sum(folds, axis=0).tolist() == [1] * 120  # each issue in exactly one fold
    for test in folds:
        assert not set(groups[test]) & set(groups[~test])


def test_the_stack_recovers_a_convex_combination_and_defers_to_the_anchor():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 100, size=(60, 3))
    y = X @ np.array([0.2, 0.0, 0.8])
    assert fit_stack(X, y, anchor=1, lam=0.0) == pytest.approx([0.2, 0.0, 0.8], abs=1e-6)
    assert fit_stack(X, y, anchor=1, lam=1e3) == pytest.approx([0.0, 1.0, 0.0], abs=1e-6)


def test_out_of_fold_predictions_do_not_see_their_own_outcomes():
    rng = np.random.default_rng(1)
    groups = np.repeat(np.arange(12), 3)
    X = rng.uniform(0, 100, size=(36, 3))
    y = np.clip(X @ np.array([0.5, 0.3, 0.2]) + rng.normal(0, 5, 36), 0, 100)
    ens = StackedEnsemble(anchor="a", n_inner_folds=3)
    cv = cross_validate(X, y, groups, ("a", "b", "c"), ensemble=ens, n_folds=4, seed=7)
    test = cv.fold_of == 0
    y2 = y.copy()
    y2[test] = 100 - y2[test]  # change only the held-out outcomes of fold 0
    cv2 = cross_validate(X, y2, groups, ("a", "b", "c"), ensemble=ens, n_folds=4, seed=7)
    assert cv2.predictions[test] == pytest.approx(cv.predictions[test])
    assert not np.allclose(cv2.predictions[~test], cv.predictions[~test])
    for k, w in enumerate(cv.fold_weights):
        assert w.sum() == pytest.approx(1) and (w >= 0).all()
        assert cv.predictions[cv.fold_of == k] == pytest.approx(X[cv.fold_of == k] @ w)


def test_paired_bootstrap_resamples_whole_groups():
    a = np.array([3.0, 3.0, 1.0, 1.0])
    b = np.zeros(4)
    groups = np.array(["x", "x", "y", "y"])
    mean, lo, hi = paired_bootstrap(a, b, groups, n_boot=500, seed=0)
    assert mean == 2.0
    # whole groups: every resample's mean is 1, 2 or 3, never 1.5 or 2.5
    assert lo == 1.0 and hi == 3.0
    assert paired_bootstrap(a, a, groups, n_boot=100)[:3] == (0.0, 0.0, 0.0)


def _synthetic_capabilities(seed: int, n: int = 90, n_actors: int = 5):
    rng = np.random.default_rng(seed)
    positions = rng.uniform(0, 100, size=(n, n_actors))
    bases = rng.uniform(0.2, 1.0, size=(n, n_actors)) * (rng.random((n, n_actors)) < 0.9)
    bases[:, 0] = np.maximum(bases[:, 0], 0.2)  # every issue has a stance
    true = np.log(np.array([3.0, 1.0, 1.0, 0.5, 1.0][:n_actors]))
    return positions, bases, capability_predict(positions, bases, true), true


def test_fitted_capabilities_recover_the_multipliers_that_made_the_outcomes():
    positions, bases, y, true = _synthetic_capabilities(0)
    theta = fit_capabilities(positions, bases, y, lam=1e-6, delta=0.1)
    # multipliers are identified up to a common factor
    assert theta - theta.mean() == pytest.approx(true - true.mean(), abs=0.02)
    # a strong ridge pulls every multiplier to 1 (the compromise model)
    assert np.exp(fit_capabilities(positions, bases, y, lam=1e3)) == pytest.approx(1, abs=5e-3)


def test_fitted_capabilities_beat_equal_ones_out_of_sample_when_they_matter():
    positions, bases, y, _ = _synthetic_capabilities(1, n=120)
    groups = np.repeat(np.arange(40), 3)
    actors = tuple("abcde")
    cv = cross_validate_capabilities(positions, bases, y, groups, actors, n_folds=4, seed=0)
    equal = capability_predict(positions, bases, np.zeros(5))
    assert np.abs(cv.predictions - y).mean() < 0.5 * np.abs(equal - y).mean()
    assert cv.fold_weights.shape == (4, 5) and cv.full_weights[0] > cv.full_weights[3]
