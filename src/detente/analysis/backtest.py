"""Score every bargaining model, the baselines and a cross-validated ensemble on observed outcomes.

:func:`run_backtest` runs each registered model (:data:`detente.MODELS`) on each decision
of an :class:`~detente.analysis.outcomes.OutcomeDataset`, adds the baselines, and scores
every forecaster by mean absolute error (MAE) and root mean squared error (RMSE) against the
observed outcomes, with a paired bootstrap interval (resampling whole proposals) of its MAE
minus the reference's (``compromise``, the capability x salience weighted mean; Achen 2006,
doi:10.1017/CBO9780511492082.011). A model that raises on a decision, or returns no outcome
for an issue, is counted, never silently dropped; its MAE is over the issues it forecast.

The ``ensemble (cv)`` row is the stack of :mod:`detente.analysis.ensemble`, scored out of
sample by cross-validation grouped by proposal.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ModelError
from ..executor import ExecutorSpec
from .ensemble import (
    EnsembleCV,
    StackedEnsemble,
    cross_validate,
    cross_validate_capabilities,
    paired_bootstrap,
)
from .outcome_panel import (
    BASELINES,
    baseline_outcomes,
    capability_design,
    outcome_panel,
    stack_matrix,
)
from .outcomes import OutcomeDataset

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = [
    "BASELINES",
    "ENSEMBLE",
    "FITTED",
    "OutcomeBacktest",
    "baseline_outcomes",
    "run_backtest",
]

ENSEMBLE = "ensemble (cv)"
FITTED = "capabilities (cv)"


@dataclass(frozen=True, eq=False)
class OutcomeBacktest:
    """Scores of every forecaster on a dataset of observed outcomes.

    Attributes
    ----------
    forecasters : tuple of str
        Models, then baselines, then ``ensemble (cv)``.
    kinds : dict
        Forecaster -> ``model``, ``baseline`` or ``ensemble``.
    groups, scenario_ids, issue_ids : ndarray of str, shape (n,)
        One entry per issue of the dataset.
    observed : ndarray, shape (n,)
        NaN where no outcome was observed.
    predictions : ndarray, shape (n_forecasters, n)
        NaN where a forecaster gave no outcome.
    scores : list of dict
        Per forecaster: ``n``, ``n_no_outcome``, ``mae``, ``rmse``, ``mae_minus_reference`` and its
        interval ``ci_low``, ``ci_high``.
    failures : dict
        Model -> decisions it raised on (count and the first messages).
    """

    dataset: dict[str, Any]
    reference: str
    forecasters: tuple[str, ...]
    kinds: dict[str, str]
    groups: np.ndarray
    scenario_ids: np.ndarray
    issue_ids: np.ndarray
    observed: np.ndarray
    predictions: np.ndarray
    scores: list[dict[str, Any]]
    failures: dict[str, dict[str, Any]]
    ensemble: EnsembleCV | None
    fitted_capabilities: EnsembleCV | None = None
    notes: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    protocol: str = "cv"
    train: dict[str, Any] | None = None
    learned: dict[str, dict[str, Any]] = field(default_factory=dict)
    capability_fit: Any = None

    def score(self, forecaster: str) -> dict[str, Any]:
        return next(s for s in self.scores if s["forecaster"] == forecaster)

    def __repr__(self) -> str:
        best = min(self.scores, key=lambda s: s["mae"] if s["n"] else math.inf)
        return (
            f"<OutcomeBacktest {self.dataset['name']}: {len(self.forecasters)} forecasters on "
            f"{self.dataset['n_observed']} observed issues; best MAE {best['forecaster']} {best['mae']:.2f}>"
        )

    def verdicts(self) -> list[str]:
        """Does each learned forecaster beat the reference out of sample? One sentence each."""
        return [self._verdict(f) for f in self.forecasters if self.kinds[f] == "ensemble"]

    def verdict(self) -> str:
        """The sentences of :meth:`verdicts` as one paragraph."""
        return " ".join(self.verdicts()) or "No learned forecaster was fitted."

    def _verdict(self, name: str) -> str:
        s = self.score(name)
        d, lo, hi = s["mae_minus_reference"], s["ci_low"], s["ci_high"]
        nums = (
            f"MAE {s['mae']:.2f} against {self.reference}'s {self.score(self.reference)['mae']:.2f} "
            f"(difference {d:+.2f}, 95% paired bootstrap interval [{lo:+.2f}, {hi:+.2f}], {s['n']} issues)"
        )
        where = (
            "out of sample"
            if self.train is None
            else f"on {self.dataset['name']} after fitting on {self.train['name']}"
        )
        if hi < 0:
            return f"{name} beats {self.reference} {where}: {nums}."
        if lo > 0:
            return f"{name} is worse than {self.reference} {where}: {nums}."
        return f"{name} does not beat {self.reference} {where}: {nums}; the interval includes zero."

    def to_dict(self, *, issues: bool = True) -> dict[str, Any]:
        from .._json import jsonable

        out: dict[str, Any] = {
            "dataset": self.dataset,
            "reference": self.reference,
            "scores": self.scores,
            "failures": self.failures,
            "ensemble": None
            if self.ensemble is None
            else {**self.ensemble.to_dict(), "verdict": self._verdict(ENSEMBLE)},
            "fitted_capabilities": None
            if self.fitted_capabilities is None
            else {**self.fitted_capabilities.to_dict(), "verdict": self._verdict(FITTED)},
            "notes": list(self.notes),
            "params": self.params,
            "protocol": self.protocol,
            "train": self.train,
            "learned": {k: {**v, "verdict": self._verdict(k)} for k, v in self.learned.items()},
        }
        if issues:
            out["issues"] = [
                {
                    "group": str(self.groups[k]),
                    "scenario": str(self.scenario_ids[k]),
                    "issue": str(self.issue_ids[k]),
                    "observed": self.observed[k],
                    "predictions": dict(zip(self.forecasters, self.predictions[:, k], strict=True)),
                }
                for k in range(self.observed.size)
            ]
        return jsonable(out)

    def to_frame(self, kind: str = "scores") -> pd.DataFrame:
        """``scores``: one row per forecaster. ``issues``: one row per issue and forecaster
        (group, scenario, issue, observed, forecaster, prediction, abs_error)."""
        import pandas as pd

        if kind == "scores":
            return pd.DataFrame(self.scores)
        if kind == "issues":
            F, n = self.predictions.shape
            pred = self.predictions.ravel()
            obs = np.tile(self.observed, F)
            return pd.DataFrame(
                {
                    "group": np.tile(self.groups, F),
                    "scenario": np.tile(self.scenario_ids, F),
                    "issue": np.tile(self.issue_ids, F),
                    "observed": obs,
                    "forecaster": np.repeat(np.asarray(self.forecasters), n),
                    "prediction": pred,
                    "abs_error": np.abs(pred - obs),
                }
            )
        raise ValueError(
            f"The 'kind' parameter of to_frame must be 'scores' or 'issues'. Got {kind!r} instead."
        )

    def summary(self) -> str:
        """The score table as text, with the ensemble's verdict and numbered notes."""
        lines = [
            f"Outcome backtest on {self.dataset['name']}: {self.dataset['n_decisions']} decisions, "
            f"{self.dataset['n_observed']} issues with an observed outcome; capabilities "
            f"{self.dataset['capabilities']}"
            + (
                ""
                if self.train is None
                else f"; learned forecasters fitted on {self.train['name']} only"
            ),
            f"  {'forecaster':<28} {'kind':<9} {'n':>4} {'MAE':>7} {'RMSE':>7}  MAE - {self.reference} [95% CI]",
        ]
        for s in self.scores:
            ci = (
                f"{s['mae_minus_reference']:+6.2f} [{s['ci_low']:+.2f}, {s['ci_high']:+.2f}]"
                if s["mae_minus_reference"] is not None
                else "-"
            )
            mae = f"{s['mae']:7.2f}" if s["n"] else "      -"
            rmse = f"{s['rmse']:7.2f}" if s["n"] else "      -"
            lines.append(f"  {s['forecaster']:<28} {s['kind']:<9} {s['n']:>4} {mae} {rmse}  {ci}")
        lines += ["", self.verdict()]
        if self.notes:
            lines.append("")
            lines += [f"[{k}] {n}" for k, n in enumerate(self.notes, 1)]
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None) -> Axes:
        """MAE of each forecaster minus the reference's, with its 95% interval."""
        import matplotlib.pyplot as plt

        rows = [s for s in self.scores if s["mae_minus_reference"] is not None]
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.35 * len(rows) + 1.2))
        y = np.arange(len(rows))[::-1]
        d = np.array([s["mae_minus_reference"] for s in rows])
        lo = d - np.array([s["ci_low"] for s in rows])
        hi = np.array([s["ci_high"] for s in rows]) - d
        colors = [
            {
                "model": "tab:blue",
                "baseline": "tab:gray",
                "facts": "tab:purple",
                "ensemble": "tab:green",
            }[s["kind"]]
            for s in rows
        ]
        ax.barh(y, d, color=colors, alpha=0.7)
        ax.errorbar(d, y, xerr=[lo, hi], fmt="none", ecolor="k", capsize=3, lw=1)
        ax.axvline(0, color="k", lw=0.8)
        ax.set_yticks(y, [f"{s['forecaster']} ({s['mae']:.2f})" for s in rows])
        ax.set_xlabel(f"MAE minus {self.reference}'s (points; 95% paired bootstrap interval)")
        ax.set_title(f"Outcome backtest: {self.dataset['name']} (MAE in brackets)")
        return ax


def _model_order() -> list[str]:
    from ..models import MODELS

    return list(MODELS)


def run_backtest(
    dataset: OutcomeDataset,
    *,
    models: Sequence[str] | None = None,
    seed: int = 0,
    n_boot: int = 2000,
    ensemble: StackedEnsemble | bool = True,
    n_folds: int = 10,
    progress: Callable[[str], None] | None = None,
    executor: ExecutorSpec | None = None,
) -> OutcomeBacktest:
    """Run models and baselines on every decision, score them, and cross-validate the ensemble.

    Parameters
    ----------
    models : names of registered models (default: every registered model).
    seed : seeds the models, the ensemble's folds and the bootstrap.
    ensemble : True for the default :class:`StackedEnsemble`, False for none, or settings.
    progress : called once per model run (with the model's name) and once before each learned
        forecaster's cross-validation (with its name), e.g. to advance a bar.
    executor : where the models run on the decisions (:mod:`detente.executor`; default in this
        process); the numbers are the same wherever they run.
    """
    from ..models import MODELS, get_model

    names = list(models) if models is not None else _model_order()
    for n in names:
        if n not in MODELS:
            get_model(n)  # raises ModelError with a hint
    pan = outcome_panel(dataset, names, seed, progress, executor)
    forecasters, P, groups, y = pan.forecasters, pan.P, pan.groups, pan.y
    failures, stances, meta = pan.failures, pan.stances, pan.meta
    seen = np.isfinite(y)
    reference = "compromise" if "compromise" in names else "weighted_mean"
    notes: list[str] = []
    ens_cv = cap_cv = None
    ens_settings = ensemble if isinstance(ensemble, StackedEnsemble) else StackedEnsemble()
    if ensemble is not False:
        if progress is not None:
            progress(ENSEMBLE)
        if len(set(groups[seen])) < 3:
            notes.append(
                "No ensemble: cross-validation needs at least 3 groups with observed outcomes."
            )
        else:
            X = stack_matrix(pan)[seen]
            ens_settings = StackedEnsemble(
                anchor=reference,
                lambdas=ens_settings.lambdas,
                n_inner_folds=ens_settings.n_inner_folds,
            )
            ens_cv = cross_validate(
                X,
                y[seen],
                groups[seen],
                tuple(forecasters),
                ensemble=ens_settings,
                n_folds=n_folds,
                seed=seed,
            )
            row = np.full(y.size, np.nan)
            row[seen] = ens_cv.predictions
            P = np.vstack([P, row])
            forecasters.append(ENSEMBLE)
            notes.append(
                "ensemble (cv): a convex stack of every model and baseline above, shrunk toward "
                f"{reference}, its pull chosen by grouped CV; every prediction is out of fold "
                f"({ens_cv.settings['n_outer_folds']} folds by proposal). A model with no outcome "
                "enters it as the status quo."
            )
        if progress is not None:
            progress(FITTED)
        if len(set(groups[seen])) >= 3:
            cap_cv, row = _fitted_capabilities(stances, y, groups, n_folds, seed)
            if cap_cv is not None:
                P = np.vstack([P, row])
                forecasters.append(FITTED)
                notes.append(
                    "capabilities (cv): the compromise model with a capability multiplier per "
                    "actor fitted to the outcomes (ridge toward equal, chosen by grouped CV); "
                    "every prediction is out of fold."
                )
    kinds = pan.kinds | {ENSEMBLE: "ensemble", FITTED: "ensemble"}
    scores = _scores(P, y, groups, forecasters, kinds, reference, n_boot, seed)
    n_fail = sum(f["decisions"] for f in failures.values())
    if n_fail:
        notes.append(f"{n_fail} model runs raised an error; see 'failures'.")
    if "status_quo" in forecasters and dataset.n_observed:
        n_sq = next(s["n"] for s in scores if s["forecaster"] == "status_quo")
        if n_sq < dataset.n_observed:
            notes.append(
                f"status_quo is scored on the {n_sq} issues whose reference point the data give."
            )
    notes += pan.notes
    return OutcomeBacktest(
        dataset=dataset_info(dataset),
        reference=reference,
        forecasters=tuple(forecasters),
        kinds={f: kinds[f] for f in forecasters},
        groups=groups,
        scenario_ids=np.array([m[1] for m in meta], dtype=object),
        issue_ids=np.array([m[2] for m in meta], dtype=object),
        observed=y,
        predictions=P,
        scores=scores,
        failures=failures,
        ensemble=ens_cv,
        fitted_capabilities=cap_cv,
        notes=tuple(notes),
        params={"models": names, "seed": seed, "n_boot": n_boot, "n_folds": n_folds},
    )


def dataset_info(dataset: OutcomeDataset) -> dict[str, Any]:
    """Name, source, layout, counts and capabilities of a dataset, for results and files."""
    return {
        "name": dataset.source.replace("\\", "/").rsplit("/", 1)[-1],
        "source": dataset.source,
        "layout": dataset.layout,
        "n_decisions": len(dataset.decisions),
        "n_issues": dataset.n_issues,
        "n_observed": dataset.n_observed,
        "capabilities": dataset.capabilities,
    }


def _scores(
    P: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    forecasters: list[str],
    kinds: dict[str, str],
    reference: str,
    n_boot: int,
    seed: int,
) -> list[dict[str, Any]]:
    if reference not in forecasters:  # pragma: no cover - the weighted mean is always there
        raise ModelError(f"no reference forecaster {reference!r}")
    ref = P[forecasters.index(reference)]
    boot_seed = np.random.SeedSequence(seed).spawn(2)[1]
    out = []
    for k, name in enumerate(forecasters):
        ok = np.isfinite(y) & np.isfinite(P[k])
        err = P[k, ok] - y[ok]
        both = ok & np.isfinite(ref)
        d = lo = hi = None
        if both.any():
            # the same resampled proposals for every forecaster (common random numbers)
            d, lo, hi = paired_bootstrap(
                np.abs(P[k, both] - y[both]),
                np.abs(ref[both] - y[both]),
                groups[both],
                n_boot=n_boot,
                seed=np.random.default_rng(boot_seed),
            )
        out.append(
            {
                "forecaster": name,
                "kind": kinds[name],
                "n": int(ok.sum()),
                "n_no_outcome": int((np.isfinite(y) & ~np.isfinite(P[k])).sum()),
                "mae": float(np.abs(err).mean()) if err.size else None,
                "rmse": float(np.sqrt((err**2).mean())) if err.size else None,
                "mae_minus_reference": d,
                "ci_low": lo,
                "ci_high": hi,
            }
        )
    return out


def _fitted_capabilities(
    stances: list[tuple[tuple[str, ...], np.ndarray, np.ndarray]],
    y: np.ndarray,
    groups: np.ndarray,
    n_folds: int,
    seed: int,
) -> tuple[EnsembleCV | None, np.ndarray]:
    """Out-of-fold predictions of the fitted-capability model, one row over all issues."""
    X, B, actors = capability_design(stances)
    use = np.isfinite(y) & (B.sum(axis=1) > 0)
    row = np.full(y.size, np.nan)
    if len(set(groups[use])) < 3:
        return None, row
    cv = cross_validate_capabilities(
        X[use], B[use], y[use], groups[use], actors, n_folds=n_folds, seed=seed
    )
    row[use] = cv.predictions
    return cv, row
