"""The provocation count as a regime-switching, self-exciting negative binomial.

Given the record's talks state last month, its strategic months and exercise calendar, the
monthly count of provocation events is

    y_t ~ NB(mu_t, size),   mu_t = base_t x (active_t ? provocation_active_ratio : 1)
                                   + provocation_excitation x H_t

with ``base_t`` the crisis rate in a strategic month, else the talks or no-talks rate times
the exercise factor; ``H`` the moving average of past counts (weight
``provocation_memory``); and ``active_t`` a two-state Markov chain (quiet / active, a
testing campaign) that stays quiet with probability ``regime_stay_quiet`` and active with
``regime_stay_active`` each month (Hamilton 1989, doi:10.2307/1912559). The likelihood is
exact by the forward algorithm; the filtered probability of the active regime after the
last month of a history is the state the simulation starts from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .._special import expit, gammaln, logit, xlogy

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "NAMES",
    "design",
    "filter_active",
    "forward",
    "forward_batch",
    "from_theta",
    "nb_logpmf",
    "to_theta",
]

#: Parameters of the event count, in the order of the transformed vector ``theta``.
NAMES = (
    "provocation_rate_no_talks",
    "provocation_rate_talks",
    "provocation_rate_crisis",
    "provocation_exercise_ratio",
    "provocation_excitation",
    "provocation_memory",
    "provocation_dispersion",
    "provocation_active_ratio",
    "regime_stay_quiet",
    "regime_stay_active",
)
_LOG, _LOGIT, _LOG1 = "log", "logit", "log1"
TRANSFORMS = (_LOG, _LOG, _LOG, _LOG, _LOGIT, _LOGIT, _LOG, _LOG1, _LOGIT, _LOGIT)


def from_theta(theta: np.ndarray) -> np.ndarray:
    """Natural values from the unconstrained vector (log, logit, log(x - 1)); a batch
    ``(B, 10)`` gives ``(B, 10)``."""
    theta = np.asarray(theta, float)
    out = np.empty_like(theta)
    for j, kind in enumerate(TRANSFORMS):
        x = theta[..., j]
        out[..., j] = np.exp(x) if kind == _LOG else expit(x) if kind == _LOGIT else 1 + np.exp(x)
    return out


def to_theta(values: np.ndarray) -> np.ndarray:
    """The unconstrained vector of natural values (inverse of :func:`from_theta`)."""
    out = np.empty(len(values))
    for j, (v, kind) in enumerate(zip(values, TRANSFORMS, strict=True)):
        if kind == _LOG:
            out[j] = np.log(max(v, 1e-9))
        elif kind == _LOGIT:
            out[j] = logit(min(max(v, 1e-6), 1 - 1e-6))
        else:
            out[j] = np.log(max(v - 1, 1e-9))
    return out


def design(panel: pd.DataFrame | Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The record's columns the count model conditions on (talks last month, ...), from its
    panel as a table (:meth:`detente.data.Record.panel`) or as arrays (``columns``)."""
    y = np.asarray(panel["provocations"], float)
    talks_prev = np.r_[False, np.asarray(panel["talks"], bool)[:-1]]
    return {
        "y": y,
        "m": np.asarray(panel["missiles"], float) if "missiles" in panel else np.zeros(len(y)),
        "talks": talks_prev,
        "crisis": np.asarray(panel["strategic"], bool),
        "exercise": np.asarray(panel["exercise"], bool),
    }


def nb_logpmf(y: np.ndarray, mean: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Negative-binomial log pmf (mean, size; variance ``mean + mean^2 / size``), broadcast:
    the closed form, much faster than ``scipy.stats.nbinom`` on small arrays (scipy's
    ``gammaln`` and ``xlogy`` ported, :mod:`detente._special`: the same numbers)."""
    mean = np.maximum(mean, 1e-300)
    return np.asarray(
        gammaln(y + size)
        - gammaln(size)
        - gammaln(y + 1.0)
        + size * np.log(size / (size + mean))
        + xlogy(y, mean / (size + mean))
    )


def _rates(v: np.ndarray, X: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Per batch row ``(B, 10)`` of natural values: the routine-or-crisis rate of each month
    ``(B, T)`` and the excitation ``H_t`` (the moving average of the counts before month t)."""
    ratio, alpha, memory = v[:, 3:4], v[:, 4:5], v[:, 5]
    seasonal = np.where(X["exercise"][None, :], ratio, 1.0) / (1.0 + (ratio - 1.0) / 6.0)
    base = np.where(
        X["crisis"][None, :],
        v[:, 2:3],
        np.where(X["talks"][None, :], v[:, 1:2], v[:, 0:1]) * seasonal,
    )
    y = X["y"]
    h = np.zeros((len(v), len(y)))
    if np.any(alpha > 0):
        cur = np.zeros(len(v))
        for t in range(len(y)):
            h[:, t] = cur
            cur = memory * cur + (1 - memory) * y[t]
    return base, alpha * h


def forward_batch(
    thetas: np.ndarray, X: dict[str, Any], burn_in: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`forward` for a batch of parameter vectors ``(B, 10)`` at once (one pass over
    the months): the log-likelihoods ``(B,)``, the predictions ``(B, T + 1)`` and the
    expected rates ``(B, T)``. The fit's gradients and curvature evaluate many vectors in
    one pass this way."""
    # a stencil or a line search may step far out (rates of 1e300): such points get a
    # likelihood of -inf, silently
    with np.errstate(all="ignore"):
        ll, pred, expected = _forward_batch(np.atleast_2d(thetas), X, burn_in)
    return np.where(np.isfinite(ll), ll, -np.inf), pred, expected


def _forward_batch(
    thetas: np.ndarray, X: dict[str, Any], burn_in: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    v = from_theta(thetas)
    base, excited = _rates(v, X)
    size, mult = v[:, 6:7], v[:, 7:8]
    stay_q, stay_a = v[:, 8], v[:, 9]
    y = X["y"][None, :]
    mu_q, mu_a = base + excited, base * mult + excited
    e_q = np.exp(nb_logpmf(y, mu_q, size))
    e_a = np.exp(nb_logpmf(y, mu_a, size))
    B, T = base.shape
    p_active = (1 - stay_q) / ((1 - stay_q) + (1 - stay_a))  # stationary
    pred = np.empty((B, T + 1))
    ll = np.zeros(B)
    if B == 1:  # one vector: the same recursion on Python floats (numpy's overhead dominates)
        ll[0], pred[0] = _forward_one(
            e_q[0].tolist(), e_a[0].tolist(), float(p_active[0]), float(stay_q[0]),
            float(stay_a[0]), burn_in,
        )  # fmt: skip
        return ll, pred, mu_q + pred[:, :T] * (mu_a - mu_q)
    for t in range(T):
        pred[:, t] = p_active
        fq, fa = (1 - p_active) * e_q[:, t], p_active * e_a[:, t]
        s = fq + fa
        if t >= burn_in:
            ll += np.log(np.maximum(s, 1e-300))
        post = np.where(s > 0, fa / np.where(s > 0, s, 1.0), p_active)
        p_active = post * stay_a + (1 - post) * (1 - stay_q)
    pred[:, T] = p_active
    expected = mu_q + pred[:, :T] * (mu_a - mu_q)
    return ll, pred, expected


def _forward_one(
    e_q: list[float], e_a: list[float], p_active: float, stay_q: float, stay_a: float, burn_in: int
) -> tuple[float, np.ndarray]:
    T = len(e_q)
    pred = np.empty(T + 1)
    ll = 0.0
    for t in range(T):
        pred[t] = p_active
        fq, fa = (1 - p_active) * e_q[t], p_active * e_a[t]
        s = fq + fa
        if t >= burn_in:
            ll += math.log(max(s, 1e-300))
        post = fa / s if s > 0 else p_active
        p_active = post * stay_a + (1 - post) * (1 - stay_q)
    pred[T] = p_active
    return ll, pred


def forward(
    theta: np.ndarray, X: dict[str, Any], burn_in: int = 0
) -> tuple[float, np.ndarray, np.ndarray]:
    """Log-likelihood (months from ``burn_in``), the predicted P(active) of each month given
    the months before it (T,), and the expected rate of each month under that prediction.

    The last entry of the prediction after the loop (returned as ``pred[-1]`` of an array
    of length T + 1) is P(active) for the month after the history."""
    ll, pred, expected = forward_batch(np.asarray(theta, float)[None, :], X, burn_in)
    return float(ll[0]), pred[0], expected[0]


def filter_active(
    panel: pd.DataFrame | Mapping[str, np.ndarray] | None, par: dict[str, float]
) -> float:
    """P(the active regime) in the month after the panel's last month, given its counts
    (the stationary probability without a panel)."""
    if panel is None or len(panel["provocations"]) == 0:
        stay_q, stay_a = par["regime_stay_quiet"], par["regime_stay_active"]
        return float((1 - stay_q) / ((1 - stay_q) + (1 - stay_a)))
    theta = to_theta(np.array([par[n] for n in NAMES]))
    _, pred, _ = forward(theta, design(panel))
    return float(pred[-1])
