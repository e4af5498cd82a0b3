"""Fit on one set of decisions, score on another: the train/test outcome backtest.

:func:`run_train_test` is what a forecaster does first: every learned forecaster is fitted
on ``train`` only (its regularisation chosen by cross-validation grouped by proposal inside
``train``), then it and every model and baseline are scored on ``test`` with MAE, RMSE and a
paired bootstrap interval over ``test``'s proposals against the reference (``compromise``).
Nothing of ``test`` but its scenarios reaches a fit: the models and baselines need no
fitting, and the learned forecasters see ``test`` only to predict.

The learned forecasters (see ``docs/backtest.md``):

- ``ensemble (train)``: the convex stack of :func:`detente.analysis.ensemble.fit_stack`
  over every model, baseline and EU forecaster, pulled toward ``compromise``; with the
  Commission's position among its components, it includes a shrinkage toward the
  Commission and (through ``status_quo``) toward the reference point;
- ``stack by procedure (train)``: one such stack per procedure (``proc``: COD, CNS ...)
  with enough proposals in ``train``, the pooled stack for the others;
- ``capabilities (train)``: the compromise model with one fitted capability multiplier per
  actor (:func:`detente.analysis.ensemble.fit_capabilities`); actors absent from ``train``
  keep multiplier 1. Its fit is :attr:`OutcomeBacktest.capability_fit`, which
  :func:`detente.analysis.capfile.write_capability_file` saves;
- ``council capabilities (train)``: the same multipliers on top of the Council's voting
  weights (:mod:`detente.analysis.council`), where those apply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..executor import ExecutorSpec
from .backtest import OutcomeBacktest, _model_order, _scores, dataset_info
from .capfile import CapabilityFit, file_provenance
from .ensemble import FittedCapabilities, StackedEnsemble, capability_predict
from .outcome_panel import OutcomePanel, capability_design, outcome_panel, stack_matrix
from .outcomes import OutcomeDataset

__all__ = [
    "CAPABILITIES_TRAIN",
    "COUNCIL_CAPABILITIES_TRAIN",
    "ENSEMBLE_TRAIN",
    "PROCEDURE_TRAIN",
    "full_fit_of",
    "run_train_test",
    "split_by_proposal",
]

ENSEMBLE_TRAIN = "ensemble (train)"
PROCEDURE_TRAIN = "stack by procedure (train)"
CAPABILITIES_TRAIN = "capabilities (train)"
COUNCIL_CAPABILITIES_TRAIN = "council capabilities (train)"

#: A procedure gets its own stack when ``train`` holds at least this many of its proposals.
MIN_PROCEDURE_GROUPS = 10


def split_by_proposal(
    dataset: OutcomeDataset, *, fraction: float = 0.5, seed: int = 0
) -> tuple[OutcomeDataset, OutcomeDataset]:
    """Two datasets with no proposal in common: ``fraction`` of the proposals, and the rest.

    >>> from detente.analysis.outcomes import read_outcomes
    >>> from detente.data.loaders import data_path
    >>> a, b = split_by_proposal(read_outcomes(str(data_path("deu3_dev.tsv"))))
    >>> len(a.decisions), len(b.decisions), {d.group for d in a.decisions} & {d.group for d in b.decisions}
    (35, 35, set())
    """
    if not 0 < fraction < 1:
        raise ValueError(
            f"The 'fraction' parameter of split_by_proposal must be in (0, 1). Got {fraction!r} instead."
        )
    groups = sorted({d.group for d in dataset.decisions})
    rng = np.random.default_rng(seed)
    first = set(rng.permutation(groups)[: round(fraction * len(groups))].tolist())

    def part(keep: bool, tag: str) -> OutcomeDataset:
        chosen = tuple(d for d in dataset.decisions if (d.group in first) == keep)
        return OutcomeDataset(
            f"{dataset.source}#{tag}", dataset.layout, chosen, dataset.capabilities
        )

    return part(True, f"split{seed}a"), part(False, f"split{seed}b")


def run_train_test(
    test: OutcomeDataset,
    train: OutcomeDataset,
    *,
    models: Sequence[str] | None = None,
    seed: int = 0,
    n_boot: int = 2000,
    ensemble: StackedEnsemble | None = None,
    capabilities: FittedCapabilities | None = None,
    progress: Callable[[str], None] | None = None,
    executor: ExecutorSpec | None = None,
) -> OutcomeBacktest:
    """Fit every learned forecaster on ``train``, score everything on ``test``.

    Parameters
    ----------
    test, train : outcome datasets (any layout; actors are matched by id).
    models : registered model names (default: all).
    seed : seeds the models, the inner folds of every fit and the bootstrap.
    ensemble, capabilities : settings of the stacks and of the capability fits.
    progress : called once per model run and once before each fit, with its name.
    executor : where the models run on the decisions (:mod:`detente.executor`).
    """
    from ..models import MODELS, get_model

    names = list(models) if models is not None else _model_order()
    for n in names:
        if n not in MODELS:
            get_model(n)  # raises ModelError with a hint
    shared = sorted({d.group for d in test.decisions} & {d.group for d in train.decisions})
    if shared:  # a score on decisions the fit saw is in-sample, whatever the files are called
        shown = ", ".join(shared[:5]) + (f" and {len(shared) - 5} more" if len(shared) > 5 else "")
        raise ValueError(
            f"{dataset_info(test)['name']} and {dataset_info(train)['name']} share "
            f"{len(shared)} proposal(s) ({shown}): a score on decisions the fit saw is not out "
            "of sample; split the decisions by proposal first (split_by_proposal)"
        )
    tr = outcome_panel(train, names, seed, progress, executor)
    te = outcome_panel(test, names, seed, progress, executor)
    if len({g for g, ok in zip(tr.groups, np.isfinite(tr.y), strict=True) if ok}) < 3:
        raise ValueError(
            f"{dataset_info(train)['name']}: fitting needs at least 3 proposals with an observed outcome"
        )
    reference = "compromise" if "compromise" in names else "weighted_mean"
    ens = ensemble or StackedEnsemble()
    ens = StackedEnsemble(anchor=reference, lambdas=ens.lambdas, n_inner_folds=ens.n_inner_folds)
    fc = capabilities or FittedCapabilities()
    s_stack, s_proc, s_cap, s_council = np.random.SeedSequence(seed).spawn(4)
    rows: dict[str, np.ndarray] = {}
    learned: dict[str, dict[str, Any]] = {}
    notes: list[str] = [*te.notes]

    # stacks over the forecasters both panels have
    common = [f for f in te.forecasters if f in tr.forecasters]
    Xtr = stack_matrix(tr)[:, [tr.forecasters.index(f) for f in common]]
    Xte = stack_matrix(te)[:, [te.forecasters.index(f) for f in common]]
    seen = np.isfinite(tr.y)
    anchor = common.index(reference)
    if progress is not None:
        progress(ENSEMBLE_TRAIN)
    lam, w = ens.choose(
        Xtr[seen], tr.y[seen], tr.groups[seen], anchor, np.random.default_rng(s_stack)
    )
    rows[ENSEMBLE_TRAIN] = (Xte * w[None, :]).sum(axis=1)
    learned[ENSEMBLE_TRAIN] = {
        "lambda": lam,
        "weights": _weights(common, w),
        "lambdas": list(ens.lambdas),
    }

    if progress is not None:
        progress(PROCEDURE_TRAIN)
    rows[PROCEDURE_TRAIN], learned[PROCEDURE_TRAIN] = _by_procedure(
        tr, te, Xtr, Xte, common, anchor, ens, w, np.random.default_rng(s_proc)
    )

    if progress is not None:
        progress(CAPABILITIES_TRAIN)
    fit, rows[CAPABILITIES_TRAIN] = _capabilities(tr.stances, te.stances, tr, fc, s_cap, "dataset")
    learned[CAPABILITIES_TRAIN] = fit.to_dict()
    if tr.council_stances is not None and te.council_stances is not None:
        if progress is not None:
            progress(COUNCIL_CAPABILITIES_TRAIN)
        cfit, rows[COUNCIL_CAPABILITIES_TRAIN] = _capabilities(
            tr.council_stances, te.council_stances, tr, fc, s_council, "council"
        )
        learned[COUNCIL_CAPABILITIES_TRAIN] = cfit.to_dict()
    forecasters = [*te.forecasters, *rows]
    P = np.vstack([te.P, *rows.values()])
    kinds = te.kinds | dict.fromkeys(rows, "ensemble")
    scores = _scores(P, te.y, te.groups, forecasters, kinds, reference, n_boot, seed)
    notes.append(
        f"Learned forecasters ({', '.join(rows)}) were fitted on {dataset_info(train)['name']} "
        f"only ({len(set(tr.groups[seen]))} proposals, {int(seen.sum())} issues), each "
        f"regularisation chosen by {ens.n_inner_folds}-fold cross-validation grouped by "
        "proposal inside it; the test file's outcomes are used only to score."
    )
    n_fail = sum(f["decisions"] for f in te.failures.values())
    if n_fail:
        notes.append(f"{n_fail} model runs on the test file raised an error; see 'failures'.")
    return OutcomeBacktest(
        dataset=dataset_info(test),
        reference=reference,
        forecasters=tuple(forecasters),
        kinds={f: kinds[f] for f in forecasters},
        groups=te.groups,
        scenario_ids=np.array([m[1] for m in te.meta], dtype=object),
        issue_ids=np.array([m[2] for m in te.meta], dtype=object),
        observed=te.y,
        predictions=P,
        scores=scores,
        failures=te.failures,
        ensemble=None,
        notes=tuple(notes),
        params={"models": names, "seed": seed, "n_boot": n_boot},
        protocol="train/test",
        train=dataset_info(train),
        learned=learned,
        capability_fit=fit,
    )


def full_fit_of(result: OutcomeBacktest, dataset: OutcomeDataset) -> CapabilityFit | None:
    """The capability multipliers a cross-validated backtest fitted on all of ``dataset``."""
    cv = result.fitted_capabilities
    if cv is None:
        return None
    return CapabilityFit(
        actors=tuple(cv.components),
        multipliers=tuple(float(v) for v in cv.full_weights),
        ridge=cv.full_lambda,
        base="dataset",
        n_issues=int(np.isfinite(result.observed).sum()),
        n_proposals=len(set(result.groups[np.isfinite(result.observed)])),
        settings={k: v for k, v in cv.settings.items() if k != "model"},
        fitted_on=file_provenance(dataset.source),
    )


def _weights(components: Sequence[str], w: np.ndarray) -> dict[str, float]:
    return {c: round(float(v), 6) for c, v in zip(components, w, strict=True) if v > 1e-9}


def _by_procedure(
    tr: OutcomePanel,
    te: OutcomePanel,
    Xtr: np.ndarray,
    Xte: np.ndarray,
    common: list[str],
    anchor: int,
    ens: StackedEnsemble,
    pooled: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, dict[str, Any]]:
    seen = np.isfinite(tr.y)
    pred = (Xte * pooled[None, :]).sum(axis=1)
    info: dict[str, Any] = {"min_proposals": MIN_PROCEDURE_GROUPS, "procedures": {}}
    for proc in sorted(set(tr.procedures[seen])):
        m = seen & (tr.procedures == proc)
        n_groups = len(set(tr.groups[m]))
        if not proc or n_groups < MIN_PROCEDURE_GROUPS:
            info["procedures"][proc or "(none)"] = {"proposals": n_groups, "stack": "pooled"}
            continue
        lam, w = ens.choose(Xtr[m], tr.y[m], tr.groups[m], anchor, rng)
        use = te.procedures == proc
        pred[use] = (Xte[use] * w[None, :]).sum(axis=1)
        info["procedures"][proc] = {
            "proposals": n_groups,
            "lambda": lam,
            "weights": _weights(common, w),
        }
    return pred, info


def _capabilities(
    train_stances: Any,
    test_stances: Any,
    tr: OutcomePanel,
    fc: FittedCapabilities,
    seed: np.random.SeedSequence,
    base: str,
) -> tuple[CapabilityFit, np.ndarray]:
    X, B, actors = capability_design(train_stances)
    use = np.isfinite(tr.y) & (B.sum(axis=1) > 0)
    lam, theta = fc.choose(X[use], B[use], tr.y[use], tr.groups[use], np.random.default_rng(seed))
    Xt, Bt, cols = capability_design(test_stances, actors)
    full = np.r_[theta, np.zeros(len(cols) - len(actors))]
    ok = Bt.sum(axis=1) > 0
    pred = np.full(Bt.shape[0], np.nan)
    pred[ok] = capability_predict(Xt[ok], Bt[ok], full)
    fit = CapabilityFit(
        actors=actors,
        multipliers=tuple(float(v) for v in np.exp(theta)),
        ridge=lam,
        base=base,
        n_issues=int(use.sum()),
        n_proposals=len(set(tr.groups[use])),
        settings={
            "lambdas": list(fc.lambdas),
            "n_inner_folds": fc.n_inner_folds,
            "delta": fc.delta,
        },
        fitted_on=file_provenance(tr.source),
    )
    return fit, pred
