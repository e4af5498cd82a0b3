"""Proper scores for the dynamics backtest: counts (log score, CRPS, PIT) and events (Brier, log).

Count forecasts are mixtures of negative binomials (the simulation's runs, or a baseline's
single NB); binary forecasts are probabilities. References: Gneiting & Raftery (2007),
doi:10.1198/016214506000001437 (proper scores, CRPS); Czado, Gneiting & Held (2009),
doi:10.1111/j.1541-0420.2009.01191.x (the randomised PIT for counts).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats

__all__ = [
    "P_CLIP",
    "brier",
    "count_pmf",
    "crps_from_pmf",
    "log_binary",
    "nb_moments",
    "pit_from_samples",
]

#: Probabilities are clipped to [P_CLIP, 1 - P_CLIP] before the log score (every forecaster).
P_CLIP = 0.005
#: Support of the count pmfs (a month never saw more than this many events or missiles).
K_MAX = 80


def count_pmf(y_max: int, mean: npt.ArrayLike, size: npt.ArrayLike | float) -> np.ndarray:
    """The pmf on 0..y_max of the equal-weight mixture of NB(mean_r, size_r) over the last
    axis of ``mean`` (runs); ``mean`` (..., runs) -> (..., y_max + 1)."""
    mu = np.maximum(np.asarray(mean, float), 1e-9)
    n = np.broadcast_to(np.asarray(size, float), mu.shape)
    k = np.arange(y_max + 1)
    p = n / (n + mu)
    pmf = stats.nbinom.pmf(k[..., :, None], n[..., None, :], p[..., None, :])
    return np.asarray(pmf.mean(axis=-1))


def crps_from_pmf(pmf: npt.ArrayLike, y: npt.ArrayLike) -> np.ndarray:
    """CRPS of a count forecast: ``sum_k (F(k) - 1{y <= k})^2`` over the pmf's support."""
    f = np.asarray(pmf, float)
    cdf = np.cumsum(f, axis=-1)
    k = np.arange(f.shape[-1])
    step = (k >= np.asarray(y)[..., None]).astype(float)
    return np.asarray(((cdf - step) ** 2).sum(axis=-1))


def log_count(pmf: npt.ArrayLike, y: npt.ArrayLike) -> np.ndarray:
    """Log score (log of the predictive probability of the outcome; higher is better)."""
    f = np.asarray(pmf, float)
    k = np.minimum(np.asarray(y, int), f.shape[-1] - 1)
    p = np.take_along_axis(f, k[..., None], axis=-1)[..., 0]
    return np.asarray(np.log(np.maximum(p, 1e-12)))


def brier(p: npt.ArrayLike, y: npt.ArrayLike) -> np.ndarray:
    """Brier score (lower is better)."""
    return np.asarray((np.asarray(p, float) - np.asarray(y, float)) ** 2)


def log_binary(p: npt.ArrayLike, y: npt.ArrayLike) -> np.ndarray:
    """Log score of a probability forecast, clipped to [P_CLIP, 1 - P_CLIP] (higher is better)."""
    q = np.clip(np.asarray(p, float), P_CLIP, 1 - P_CLIP)
    hit = np.asarray(y, bool)
    return np.asarray(np.where(hit, np.log(q), np.log1p(-q)))


def pit_from_samples(samples: npt.ArrayLike, y: float, u: float) -> float:
    """Randomised PIT of a count ``y`` under an empirical predictive sample:
    ``P(X < y) + u P(X = y)``."""
    s = np.asarray(samples)
    return float((s < y).mean() + u * (s == y).mean())


def nb_moments(x: npt.ArrayLike) -> tuple[float, float]:
    """Mean and NB size by the method of moments (size 1e6, i.e. Poisson, when the variance
    does not exceed the mean); the mean is floored at 1/24 (one event in two years)."""
    a = np.asarray(x, float)
    m = max(float(a.mean()) if len(a) else 0.0, 1.0 / 24.0)
    v = float(a.var(ddof=1)) if len(a) > 1 else m
    size = m * m / (v - m) if v > m * 1.0001 else 1e6
    return m, float(size)
