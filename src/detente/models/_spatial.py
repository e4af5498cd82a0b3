"""Array kernels shared by the spatial models (compromise, median, Condorcet, Nash, exchange).

Symbols: ``x`` positions (..., A, I); ``s`` saliences in [0, 1] (..., A, I); ``c`` capabilities
(..., A); ``h`` has_stance (A, I); ``w = c s h`` the voting weight of an actor on an issue.
Nothing here formats text or reads files.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..scenario.arrays import ScenarioArrays

__all__ = ["stance_weights", "static_forecast_positions", "weighted_mean", "weighted_median"]


def stance_weights(arrays: ScenarioArrays) -> np.ndarray:
    """``w[..., k, j] = c_k s_kj`` where actor k has a stance on issue j, else 0."""
    return arrays.capabilities[..., :, None] * arrays.saliences * arrays.has_stance


def weighted_mean(
    positions: np.ndarray, weights: np.ndarray, has_stance: np.ndarray, status_quo: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean per issue, ``sum_k w_kj x_kj / sum_k w_kj`` over actors with a stance.

    Where every weight on an issue is zero the plain mean of the stances is used, and where
    no actor has a stance the status quo. Returns ``(outcome (..., I), fallback (..., I))``
    with ``fallback`` 0 (weighted), 1 (plain mean) or 2 (status quo).
    """
    den = weights.sum(axis=-2)
    if np.any((den > 0) & (den < 1e-200)):
        # rescale so the largest weight per issue is 1: subnormal capabilities (5e-324)
        # would otherwise round the products and put the mean outside the positions
        top = weights.max(axis=-2, keepdims=True)
        weights = np.where(top > 0, weights / np.where(top > 0, top, 1.0), 0.0)
        den = weights.sum(axis=-2)
    num = np.einsum("...kj,...kj->...j", weights, positions)
    positive = den > 0
    if positive.all():
        return num / den, np.zeros(den.shape, dtype=int)
    h = np.broadcast_to(has_stance, positions.shape)
    n_stances = h.sum(axis=-2)
    plain = np.where(h, positions, 0.0).sum(axis=-2) / np.maximum(n_stances, 1)
    mean = num / np.where(positive, den, 1.0)
    out = np.where(positive, mean, np.where(n_stances > 0, plain, status_quo))
    fallback = np.where(positive, 0, np.where(n_stances > 0, 1, 2))
    return out, fallback


def weighted_median(
    positions: np.ndarray,
    weights: np.ndarray,
    status_quo: np.ndarray,
    has_stance: np.ndarray | None = None,
    *,
    rtol: float = 1e-12,
) -> np.ndarray:
    """Weighted median per issue over the actor axis (-2).

    The median is the smallest position whose cumulative weight reaches half the total;
    when the cumulative weight equals exactly half at a position, the midpoint between it and
    the next position with weight is returned (the median is then any point between them).
    Issues with zero total weight get the plain median of the stances (``has_stance``), and
    issues without any stance the status quo.
    """
    w = np.broadcast_to(weights, positions.shape)
    top = w.max(axis=-2, keepdims=True)
    weights = np.where(top > 0, w / np.where(top > 0, top, 1.0), 0.0)
    if has_stance is not None:
        h = np.broadcast_to(has_stance, positions.shape).astype(float)
        weights = np.where(top > 0, weights, h)
    order = np.argsort(positions, axis=-2, kind="stable")
    xs = np.take_along_axis(positions, order, axis=-2)
    ws = np.take_along_axis(np.broadcast_to(weights, positions.shape), order, axis=-2)
    cum = np.cumsum(ws, axis=-2)
    total = cum[..., -1:, :]
    half = total / 2
    tol = rtol * np.maximum(total, 1e-300)
    lower_idx = np.argmax(cum >= half - tol, axis=-2)
    upper_idx = np.argmax(cum > half + tol, axis=-2)
    lower = np.take_along_axis(xs, lower_idx[..., None, :], axis=-2)[..., 0, :]
    upper = np.take_along_axis(xs, upper_idx[..., None, :], axis=-2)[..., 0, :]
    med = (lower + upper) / 2
    return np.where(total[..., 0, :] > 0, med, status_quo)


def static_forecast_positions(arrays: ScenarioArrays) -> np.ndarray:
    """Positions of a one-shot model: the initial positions as a single round, (1, A, I)."""
    return np.asarray(arrays.positions, dtype=float)[None].copy()


def jsonable_list(x: np.ndarray) -> list[Any]:
    return [None if not np.isfinite(v) else float(v) for v in np.ravel(x)]
