"""Every forecaster's prediction for every issue of an outcome dataset: the shared panel.

:func:`outcome_panel` runs the registered models, the baselines and the EU forecasters of
:mod:`detente.analysis.council` on each decision once; the cross-validated backtest
(:func:`detente.analysis.backtest.run_backtest`) and the train/test one
(:func:`detente.analysis.transfer.run_train_test`) score and stack from it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..executor import ExecutorSpec, run_variants
from .council import EU_FORECASTERS, council_capability_matrix, eu_forecasts
from .outcomes import Decision, OutcomeDataset

__all__ = [
    "BASELINES",
    "OutcomePanel",
    "baseline_outcomes",
    "capability_design",
    "forecast_decision",
    "outcome_panel",
    "stack_matrix",
]

BASELINES = {
    "midpoint": "the middle of each issue's scale",
    "status_quo": "the reference point (status quo), on the issues where the data give one",
    "weighted_mean": "the capability x salience weighted mean of the positions (= compromise)",
    "weighted_median": "the capability x salience weighted median of the positions",
    "mean": "the unweighted mean of the positions of the actors with a stance",
}


def baseline_outcomes(decision: Decision) -> dict[str, np.ndarray]:
    """Each baseline's forecast per issue of one decision (NaN: no forecast)."""
    from ..models.compromise import batch, batch_median

    a = decision.scenario.to_arrays()
    given = np.array([i in decision.status_quo_given for i in a.issue_ids])
    h = a.has_stance
    n = h.sum(axis=0)
    mean = np.where(n > 0, (a.positions * h).sum(axis=0) / np.maximum(n, 1), a.status_quo)
    return {
        "midpoint": (a.scale_low + a.scale_high) / 2,
        "status_quo": np.where(given, a.status_quo, np.nan),
        "weighted_mean": batch(a),
        "weighted_median": batch_median(a),
        "mean": mean,
    }


Stances = list[tuple[tuple[str, ...], np.ndarray, np.ndarray]]


@dataclass(frozen=True, eq=False)
class OutcomePanel:
    """Predictions ``P`` (forecaster x issue), observed ``y``, groups, and what the fits need.

    ``stances`` holds per decision (actor ids, positions, base weights capability x salience);
    ``council_stances`` the same with the Council's capabilities (None where they do not
    apply); ``procedures`` the procedure of each issue (``proc``; "" where not given).
    """

    source: str
    names: list[str]
    base_names: list[str]
    forecasters: list[str]
    kinds: dict[str, str]
    P: np.ndarray
    sq: np.ndarray
    groups: np.ndarray
    y: np.ndarray
    meta: list[tuple[str, str, str, float]]
    stances: Stances
    council_stances: Stances | None
    procedures: np.ndarray
    failures: dict[str, dict[str, Any]]
    notes: list[str]


def forecast_decision(
    shared: tuple[tuple[str, ...], int], scenario: Any
) -> tuple[list[np.ndarray | None], list[str | None]]:
    """Every model's forecast on one decision, or its error message (a task of the executor)."""
    from ..models import get_model

    names, seed = shared
    outcomes: list[np.ndarray | None] = []
    errors: list[str | None] = []
    for n in names:
        try:
            outcomes.append(np.asarray(get_model(n).forecast(scenario, seed=seed).outcome))
            errors.append(None)
        except Exception as err:  # counted by the caller, not fatal
            outcomes.append(None)
            errors.append(f"{type(err).__name__}: {err}")
    return outcomes, errors


def outcome_panel(
    dataset: OutcomeDataset,
    names: Sequence[str],
    seed: int,
    progress: Callable[[str], None] | None = None,
    executor: ExecutorSpec | None = None,
) -> OutcomePanel:
    """Run ``names`` (registered models), the baselines and the EU forecasters on every decision.

    The decisions are independent: the models run on them where ``executor`` says
    (:mod:`detente.executor`; default in this process); the numbers are the same anywhere.
    """
    names = list(names)
    base_names = list(BASELINES)
    eu_names = list(EU_FORECASTERS)
    forecasters = names + base_names + eu_names
    cols: list[np.ndarray] = []
    sq_cols: list[np.ndarray] = []
    stances: Stances = []
    council: Stances = []
    procedures: list[str] = []
    failures: dict[str, dict[str, Any]] = {
        n: {"decisions": 0, "issues_without_outcome": 0, "examples": []} for n in names
    }
    meta: list[tuple[str, str, str, float]] = []
    why_not: set[str] = set()
    per_decision = run_variants(
        forecast_decision, (tuple(names), seed), [d.scenario for d in dataset.decisions], executor
    )
    for d, (outcomes, errors) in zip(dataset.decisions, per_decision, strict=True):
        block = np.full((len(forecasters), d.scenario.n_issues), np.nan)
        for k, n in enumerate(names):
            if errors[k] is None:
                block[k] = outcomes[k]
            else:  # a model failing on one decision is counted, not fatal
                failures[n]["decisions"] += 1
                if len(failures[n]["examples"]) < 3:
                    failures[n]["examples"].append(f"{d.group}: {errors[k]}")
            if progress is not None:
                progress(n)
        b = baseline_outcomes(d)
        for k, n in enumerate(base_names, len(names)):
            block[k] = b[n]
        eu, why = eu_forecasts(d)
        if why:
            why_not.add(why)
        for k, n in enumerate(eu_names, len(names) + len(base_names)):
            block[k] = eu[n]
        cols.append(block)
        a = d.scenario.to_arrays()
        sq_cols.append(a.status_quo)
        base = a.capabilities[:, None] * a.saliences * a.has_stance
        stances.append((a.actor_ids, a.positions, base))
        caps = council_capability_matrix(d)
        council.append((a.actor_ids, a.positions, base if caps is None else base * caps))
        procedures += [d.attributes.get(i, {}).get("proc", "").upper() for i in a.issue_ids]
        meta += [(d.group, d.scenario.id, i, d.observed[i]) for i in d.scenario.issue_ids]
    P = np.concatenate(cols, axis=1) if cols else np.empty((len(forecasters), 0))
    y = np.array([m[3] for m in meta], dtype=float)
    seen = np.isfinite(y)
    for k, n in enumerate(names):
        failures[n]["issues_without_outcome"] = int((seen & ~np.isfinite(P[k])).sum())
    eu_ok = bool(np.isfinite(P[len(names) + len(base_names) :]).any()) if meta else False
    notes = []
    if not eu_ok:
        forecasters = names + base_names
        P = P[: len(forecasters)]
    elif why_not:
        notes.append(
            "council_weights and commission give no forecast on some decisions: "
            + "; ".join(sorted(why_not))
            + "."
        )
    kinds = (
        {n: "model" for n in names}
        | {n: "baseline" for n in base_names}
        | dict.fromkeys(eu_names, "facts")
    )
    return OutcomePanel(
        source=dataset.source,
        names=names,
        base_names=base_names,
        forecasters=forecasters,
        kinds={f: kinds[f] for f in forecasters},
        P=P,
        sq=np.concatenate(sq_cols) if sq_cols else np.empty(0),
        groups=np.array([m[0] for m in meta], dtype=object),
        y=y,
        meta=meta,
        stances=stances,
        council_stances=council if eu_ok else None,
        procedures=np.array(procedures, dtype=object),
        failures=failures,
        notes=notes,
    )


def stack_matrix(pan: OutcomePanel) -> np.ndarray:
    """Issues x forecasters, every NaN filled: a model without an outcome by the status quo
    (the disagreement point), anything else by the midpoint."""
    X = pan.P.T.copy()
    m = len(pan.names)
    X[:, :m] = np.where(np.isfinite(X[:, :m]), X[:, :m], pan.sq[:, None])
    mid = X[:, pan.forecasters.index("midpoint")]
    return np.where(np.isfinite(X), X, mid[:, None])


def capability_design(
    stances: Stances, actors: tuple[str, ...] | None = None
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Positions and base weights as issues x actors (0 where an actor has no stance).

    ``actors`` fixes the columns (e.g. those of a training set); actors not among them are
    appended, so a multiplier fitted elsewhere can leave them at 1.
    """
    present = sorted({a for ids, _, _ in stances for a in ids})
    cols = tuple(actors) if actors is not None else ()
    cols = cols + tuple(a for a in present if a not in cols)
    col = {a: k for k, a in enumerate(cols)}
    xs, bs = [], []
    for ids, pos, base in stances:
        x = np.zeros((pos.shape[1], len(cols)))
        b = np.zeros_like(x)
        idx = [col[a] for a in ids]
        x[:, idx] = pos.T
        b[:, idx] = base.T
        xs.append(x)
        bs.append(b)
    if not xs:
        return np.empty((0, len(cols))), np.empty((0, len(cols))), cols
    return np.vstack(xs), np.vstack(bs), cols
