"""Numerical derivatives for the dynamics' fits (:mod:`detente.dynamics.fit`): central
differences, with every point of a stencil in one batched call where the function takes a
batch (the forward algorithm evaluates many parameter vectors in one pass)."""

from __future__ import annotations

from typing import Any

import numpy as np


def _with_gradient(f: Any, h: float = 1e-5) -> Any:
    """``x -> (f(x), gradient)`` by central differences, every point in one batched call of
    ``f`` (rows of a ``(2k + 1, k)`` array)."""

    def fg(x: np.ndarray) -> tuple[float, np.ndarray]:
        k = len(x)
        pts = np.vstack([x, x + h * np.eye(k), x - h * np.eye(k)])
        v = np.asarray(f(pts), float)
        with np.errstate(invalid="ignore"):  # a point out where the likelihood is 0
            g = (v[1 : k + 1] - v[k + 1 :]) / (2 * h)
        return float(v[0]), np.nan_to_num(g, nan=0.0, posinf=1e12, neginf=-1e12)

    return fg


def _inverse_hessian_batch(f: Any, x: np.ndarray, h: float = 1e-3) -> np.ndarray:
    """:func:`_inverse_hessian` with every point of the stencil in one call of ``f`` (which
    maps an ``(N, k)`` array of points to ``(N,)`` values)."""
    k = len(x)
    E = np.eye(k) * h
    pts = [x + si * E[i] + sj * E[j] for i in range(k) for j in range(k) for si, sj in
           ((1, 1), (1, -1), (-1, 1), (-1, -1))]  # fmt: skip
    v = np.asarray(f(np.array(pts)), float).reshape(k, k, 4)
    H = (v[..., 0] - v[..., 1] - v[..., 2] + v[..., 3]) / (4 * h * h)
    try:
        return np.asarray(np.linalg.inv((H + H.T) / 2))
    except np.linalg.LinAlgError:
        return np.full((k, k), np.nan)


def numeric_hessian(f: Any, x: np.ndarray, h: float = 1e-3) -> np.ndarray:
    """The Hessian of ``f`` at ``x`` by central differences of step ``h``, symmetrised."""
    k = len(x)
    H = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            e_i, e_j = np.eye(k)[i] * h, np.eye(k)[j] * h
            H[i, j] = (
                f(x + e_i + e_j) - f(x + e_i - e_j) - f(x - e_i + e_j) + f(x - e_i - e_j)
            ) / (4 * h * h)
    return (H + H.T) / 2


def _inverse_hessian(f: Any, x: np.ndarray, h: float = 1e-3) -> np.ndarray:
    """The inverse of :func:`numeric_hessian` (NaN where it is singular)."""
    try:
        return np.asarray(np.linalg.inv(numeric_hessian(f, x, h)))
    except np.linalg.LinAlgError:
        k = len(x)
        return np.full((k, k), np.nan)
