"""A learned forecaster: a convex stack of forecasts, shrunk toward an anchor, chosen by grouped CV.

Given the forecasts of ``K`` components (models and baselines) for ``n`` decided issues with
observed outcomes ``y``, the stack predicts ``X w`` with weights on the simplex
(``w >= 0``, ``sum w = 1``: a convex combination, so it never leaves the positions' hull
when the components do not). The weights minimise the absolute error plus a pull toward
the anchor (``e_a``, all weight on ``compromise``):

.. math::

    \\hat w(\\lambda) = \\arg\\min_{w \\in \\Delta_K} \\frac1n \\sum_i |x_i^\\top w - y_i|
        + \\lambda \\lVert w - e_a \\rVert_1

a linear programme (solved with HiGHS through :func:`scipy.optimize.linprog`). With
``lambda = 0`` it is the least-absolute-deviation stack; a large ``lambda`` gives the anchor
itself. ``lambda`` is chosen from a grid by cross-validation *grouped by proposal* (issues
decided together stay on one side of every split), and the whole procedure is scored by
an outer grouped cross-validation, so every reported error of the ensemble is out of
sample (nested CV; Varma & Simon 2006, doi:10.1186/1471-2105-7-91).

A second learned forecaster, :class:`FittedCapabilities`, keeps the compromise model's form
and fits one capability multiplier per actor (actors recur across decisions):

.. math::

    O_i(\\theta) = \\frac{\\sum_k e^{\\theta_k} c_k s_{ik} x_{ik}}{\\sum_k e^{\\theta_k} c_k s_{ik}},
    \\quad \\hat\\theta(\\lambda) = \\arg\\min_\\theta \\frac1n \\sum_i
        \\sqrt{(O_i(\\theta) - y_i)^2 + \\delta^2} + \\lambda \\lVert\\theta\\rVert_2^2

(a pseudo-Huber loss close to the absolute error; the ridge pulls toward equal multipliers,
i.e. toward ``compromise``), with ``lambda`` chosen and scored by the same nested grouped CV.

:func:`paired_bootstrap` gives the interval of a difference in mean absolute error,
resampling groups (a cluster bootstrap) so that issues of one proposal move together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "EnsembleCV",
    "FittedCapabilities",
    "StackedEnsemble",
    "capability_predict",
    "cross_validate",
    "cross_validate_capabilities",
    "fit_capabilities",
    "fit_stack",
    "grouped_folds",
    "paired_bootstrap",
]

#: Default grid of the pull toward the anchor (in points of MAE per unit of weight moved).
LAMBDAS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 1000.0)


def _dot(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``X @ w`` without BLAS: these products are tiny, and a threaded BLAS on a busy machine
    spends far longer starting its threads than computing (200x slower, measured)."""
    return np.asarray((X * w[None, :]).sum(axis=1))


def grouped_folds(groups: np.ndarray, n_folds: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Boolean test masks of ``n_folds`` folds; every group lies wholly in one fold.

    >>> g = np.array([0, 0, 1, 1, 2, 3])
    >>> folds = grouped_folds(g, 2, np.random.default_rng(0))
    >>> len(folds), sum(int(m.sum()) for m in folds)  # each issue in one fold
    (2, 6)
    >>> all(not set(g[m]) & set(g[~m]) for m in folds)  # no group on both sides
    True
    """
    labels = np.unique(groups)
    k = min(n_folds, labels.size)
    if k < 2:
        raise ValueError(f"grouped cross-validation needs at least 2 groups; got {labels.size}")
    parts = np.array_split(rng.permutation(labels), k)
    return [np.isin(groups, p) for p in parts]


def fit_stack(X: np.ndarray, y: np.ndarray, anchor: int, lam: float) -> np.ndarray:
    """Simplex weights minimising mean absolute error plus ``lam * ||w - e_anchor||_1``.

    >>> X = np.array([[0.0, 10], [10, 20], [20, 30]])
    >>> np.round(fit_stack(X, np.array([10.0, 20, 30]), anchor=0, lam=0.0), 6).tolist()
    [0.0, 1.0]
    >>> np.round(fit_stack(X, np.array([10.0, 20, 30]), anchor=0, lam=1000.0), 6).tolist()
    [1.0, 0.0]
    """
    from scipy.optimize import linprog

    n, k = X.shape
    e = np.zeros(k)
    e[anchor] = 1.0
    # variables: w (k), r+ (n), r- (n), u+ (k), u- (k); residual X w - y = r+ - r-,
    # deviation from the anchor w - e = u+ - u-
    cost = np.r_[np.zeros(k), np.full(2 * n, 1.0 / n), np.full(2 * k, lam)]
    a_res = np.c_[X, -np.eye(n), np.eye(n), np.zeros((n, 2 * k))]
    a_dev = np.c_[np.eye(k), np.zeros((k, 2 * n)), -np.eye(k), np.eye(k)]
    a_sum = np.r_[np.ones(k), np.zeros(2 * n + 2 * k)][None, :]
    res = linprog(
        cost,
        A_eq=np.vstack([a_res, a_dev, a_sum]),
        b_eq=np.r_[y, e, 1.0],
        bounds=[(0, None)] * (k + 2 * n + 2 * k),
        method="highs",
    )
    if not res.success:  # pragma: no cover - the programme is always feasible and bounded
        raise RuntimeError(f"stacking LP failed: {res.message}")
    w = np.clip(res.x[:k], 0.0, None)
    return np.asarray(w / w.sum())


@dataclass(frozen=True, kw_only=True)
class StackedEnsemble:
    """Settings of the stack: the anchor component, the grid of ``lambda``, the inner folds."""

    anchor: str = "compromise"
    lambdas: tuple[float, ...] = LAMBDAS
    n_inner_folds: int = 5

    def choose(
        self,
        X: np.ndarray,
        y: np.ndarray,
        groups: np.ndarray,
        anchor: int,
        rng: np.random.Generator,
    ) -> tuple[float, np.ndarray]:
        """The ``lambda`` with the least grouped-CV MAE on ``(X, y)`` (ties: the larger) and its weights."""
        folds = grouped_folds(groups, self.n_inner_folds, rng)
        errors = np.zeros(len(self.lambdas))
        for test in folds:
            for m, lam in enumerate(self.lambdas):
                w = fit_stack(X[~test], y[~test], anchor, lam)
                errors[m] += np.abs(_dot(X[test], w) - y[test]).sum()
        best = max(
            range(len(self.lambdas)), key=lambda m: (-round(float(errors[m]), 9), self.lambdas[m])
        )
        lam = self.lambdas[best]
        return lam, fit_stack(X, y, anchor, lam)


@dataclass(frozen=True)
class EnsembleCV:
    """Out-of-fold predictions of the stack and what was chosen in each outer fold.

    Attributes
    ----------
    components : tuple of str
    predictions : ndarray, shape (n,)
        Each issue predicted by a stack fitted without its proposal.
    fold_of : ndarray of int, shape (n,)
    fold_lambdas, fold_weights : the ``lambda`` chosen and the weights fitted in each fold.
    full_lambda, full_weights : chosen on all the data (what a user would deploy).
    """

    components: tuple[str, ...]
    predictions: np.ndarray
    fold_of: np.ndarray
    fold_lambdas: tuple[float, ...]
    fold_weights: np.ndarray
    full_lambda: float
    full_weights: np.ndarray
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        def weights(w: np.ndarray) -> dict[str, float]:
            return {
                c: round(float(v), 6) for c, v in zip(self.components, w, strict=True) if v > 1e-9
            }

        return {
            "components": list(self.components),
            "settings": self.settings,
            "folds": [
                {"lambda": lam, "weights": weights(w)}
                for lam, w in zip(self.fold_lambdas, self.fold_weights, strict=True)
            ],
            "full_fit": {"lambda": self.full_lambda, "weights": weights(self.full_weights)},
        }


def cross_validate(
    X: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    components: tuple[str, ...],
    *,
    ensemble: StackedEnsemble | None = None,
    n_folds: int = 10,
    seed: int | None = 0,
) -> EnsembleCV:
    """Nested grouped CV of the stack: outer folds score, inner folds choose ``lambda``."""
    ens = ensemble or StackedEnsemble()
    if ens.anchor not in components:
        raise ValueError(f"the anchor {ens.anchor!r} is not among the components {components}")
    anchor = components.index(ens.anchor)
    outer, inner, full = np.random.SeedSequence(seed).spawn(3)
    folds = grouped_folds(groups, n_folds, np.random.default_rng(outer))
    inner_rng = np.random.default_rng(inner)
    pred = np.empty(len(y))
    fold_of = np.empty(len(y), dtype=int)
    lams, ws = [], []
    for k, test in enumerate(folds):
        lam, w = ens.choose(X[~test], y[~test], groups[~test], anchor, inner_rng)
        pred[test] = _dot(X[test], w)
        fold_of[test] = k
        lams.append(lam)
        ws.append(w)
    full_lam, full_w = ens.choose(X, y, groups, anchor, np.random.default_rng(full))
    return EnsembleCV(
        components=components,
        predictions=pred,
        fold_of=fold_of,
        fold_lambdas=tuple(lams),
        fold_weights=np.array(ws),
        full_lambda=full_lam,
        full_weights=full_w,
        settings={
            "anchor": ens.anchor,
            "lambdas": list(ens.lambdas),
            "n_inner_folds": ens.n_inner_folds,
            "n_outer_folds": len(folds),
            "seed": seed,
        },
    )


def capability_predict(positions: np.ndarray, bases: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """The weighted mean with weights ``exp(theta_k) b_ik`` per issue i (rows) and actor k.

    >>> x, b = np.array([[0.0, 100]]), np.array([[1.0, 1]])
    >>> capability_predict(x, b, np.array([0.0, np.log(3)])).round(6).tolist()
    [75.0]
    """
    w = np.exp(theta)[None, :] * bases
    return np.asarray((w * positions).sum(axis=1) / w.sum(axis=1))


def fit_capabilities(
    positions: np.ndarray, bases: np.ndarray, y: np.ndarray, lam: float, delta: float = 2.0
) -> np.ndarray:
    """Log-capability multipliers ``theta`` (one per actor) of the compromise model, fitted.

    Minimises ``mean_i sqrt(r_i^2 + delta^2) + lam ||theta||^2`` (a pseudo-Huber loss, close
    to the absolute error the backtest scores; the ridge pulls toward equal multipliers)
    with ``r_i = O_i(theta) - y_i`` and ``O_i`` the weighted mean of
    :func:`capability_predict`. ``bases`` is each stance's weight before the multiplier
    (capability x salience, 0 without a stance).
    """
    from scipy.optimize import minimize

    n = y.size

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w = np.exp(theta)[None, :] * bases
        total = w.sum(axis=1)
        pred = (w * positions).sum(axis=1) / total
        r = pred - y
        root = np.sqrt(r**2 + delta**2)
        dpred = (w * (positions - pred[:, None])) / total[:, None]
        grad = (dpred * (r / root / n)[:, None]).sum(axis=0) + 2 * lam * theta
        return float(root.mean() + lam * (theta**2).sum()), grad

    # BFGS, not L-BFGS-B: the latter's threaded BLAS calls make it 5x slower on a busy machine
    res = minimize(loss, np.zeros(bases.shape[1]), jac=True, method="BFGS")
    return np.asarray(res.x)


@dataclass(frozen=True, kw_only=True)
class FittedCapabilities:
    """Settings of the fitted-capability compromise model: the ridge grid and inner folds."""

    lambdas: tuple[float, ...] = (0.03, 0.1, 0.3, 1.0)
    n_inner_folds: int = 5
    delta: float = 2.0

    def choose(
        self,
        positions: np.ndarray,
        bases: np.ndarray,
        y: np.ndarray,
        groups: np.ndarray,
        rng: np.random.Generator,
    ) -> tuple[float, np.ndarray]:
        """The ridge with the least grouped-CV MAE (ties: the larger) and its fit on all rows."""
        folds = grouped_folds(groups, self.n_inner_folds, rng)
        errors = np.zeros(len(self.lambdas))
        for test in folds:
            for m, lam in enumerate(self.lambdas):
                th = fit_capabilities(positions[~test], bases[~test], y[~test], lam, self.delta)
                errors[m] += np.abs(
                    capability_predict(positions[test], bases[test], th) - y[test]
                ).sum()
        best = max(
            range(len(self.lambdas)), key=lambda m: (-round(float(errors[m]), 9), self.lambdas[m])
        )
        lam = self.lambdas[best]
        return lam, fit_capabilities(positions, bases, y, lam, self.delta)


def cross_validate_capabilities(
    positions: np.ndarray,
    bases: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    actors: tuple[str, ...],
    *,
    learner: FittedCapabilities | None = None,
    n_folds: int = 10,
    seed: int | None = 0,
) -> EnsembleCV:
    """Nested grouped CV of the fitted-capability model; ``weights`` are the multipliers."""
    fc = learner or FittedCapabilities()
    outer, inner, full = np.random.SeedSequence(seed).spawn(3)
    folds = grouped_folds(groups, n_folds, np.random.default_rng(outer))
    inner_rng = np.random.default_rng(inner)
    pred = np.empty(len(y))
    fold_of = np.empty(len(y), dtype=int)
    lams, ws = [], []
    for k, test in enumerate(folds):
        lam, th = fc.choose(positions[~test], bases[~test], y[~test], groups[~test], inner_rng)
        pred[test] = capability_predict(positions[test], bases[test], th)
        fold_of[test] = k
        lams.append(lam)
        ws.append(np.exp(th))
    full_lam, full_th = fc.choose(positions, bases, y, groups, np.random.default_rng(full))
    return EnsembleCV(
        components=actors,
        predictions=pred,
        fold_of=fold_of,
        fold_lambdas=tuple(lams),
        fold_weights=np.array(ws),
        full_lambda=full_lam,
        full_weights=np.exp(full_th),
        settings={
            "model": "compromise with a fitted capability multiplier per actor",
            "lambdas": list(fc.lambdas),
            "delta": fc.delta,
            "n_inner_folds": fc.n_inner_folds,
            "n_outer_folds": len(folds),
            "seed": seed,
        },
    )


def paired_bootstrap(
    abs_err_a: np.ndarray,
    abs_err_b: np.ndarray,
    groups: np.ndarray,
    *,
    n_boot: int = 2000,
    seed: int | np.random.Generator | None = 0,
    level: float = 0.95,
) -> tuple[float, float, float]:
    """Mean of ``a - b`` and its percentile interval, resampling whole groups with replacement.

    >>> a, b, g = np.array([1.0, 2, 3, 4]), np.array([1.0, 1, 1, 1]), np.array([0, 0, 1, 1])
    >>> paired_bootstrap(a, b, g, n_boot=200)[0]
    1.5
    """
    d = np.asarray(abs_err_a, float) - np.asarray(abs_err_b, float)
    labels, inv = np.unique(groups, return_inverse=True)
    sums = np.bincount(inv, weights=d, minlength=labels.size)
    counts = np.bincount(inv, minlength=labels.size).astype(float)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    draw = rng.integers(0, labels.size, size=(n_boot, labels.size))
    boot = sums[draw].sum(axis=1) / counts[draw].sum(axis=1)
    alpha = (1 - level) / 2
    lo, hi = np.quantile(boot, [alpha, 1 - alpha])
    return float(d.mean()), float(lo), float(hi)
