"""Saltelli's design and the Sobol indices with their bootstrap intervals, in NumPy.

Private to :mod:`detente.analysis`; :mod:`.sensitivity` computes its Sobol analysis here.
The numbers are SALib's (``SALib.sample.sobol.sample(problem, n, calc_second_order=False,
scramble=True, seed=seed)`` on unit bounds, then ``SALib.analyze.sobol.analyze(problem, y,
calc_second_order=False, num_resamples=R, conf_level=c, seed=seed)``), the same operations
on arrays of the same shapes (tested against SALib), but neither SALib nor
:mod:`scipy.stats` is imported: together they cost some 0.35 s of CPU at import, a tenth of
a flagship ``detente run``. One departure: at seed 0 SALib resamples from NumPy's global
random state (not reproducible); here every seed seeds its own generator.

Estimators (Saltelli et al. 2010, "Variance based sensitivity analysis of model output",
Computer Physics Communications 181(2):259-270, doi:10.1016/j.cpc.2009.09.018), on the
standardised outputs ``f(A)``, ``f(B)`` and ``f(A_B^j)`` (``A`` with column ``j`` from ``B``):
``S_j = mean(f(B) (f(A_B^j) - f(A))) / V`` and ``ST_j = mean((f(A) - f(A_B^j))^2) / (2 V)``
with ``V`` the variance of ``f(A)`` and ``f(B)`` together; each interval is
``z_{(1+c)/2}`` times the standard deviation of the estimator over ``R`` bootstrap resamples
of the ``n`` base rows.
"""

from __future__ import annotations

import numpy as np

from .._sobol import sobol_points
from .._special import ndtri

__all__ = ["saltelli_design", "sobol_indices"]

_EPS = np.finfo(float).eps


def saltelli_design(n_inputs: int, n: int, seed: int) -> np.ndarray:
    """The ``n (n_inputs + 2)`` design points in [0, 1): for each base row, ``A``, the
    ``n_inputs`` rows ``A_B^j`` and ``B``, from a scrambled Sobol' sequence in
    ``2 n_inputs`` dimensions (``A`` its first half, ``B`` its second).

    >>> saltelli_design(2, 4, seed=1).shape
    (16, 2)
    """
    base = sobol_points(n, 2 * n_inputs, seed)
    a, b = base[:, :n_inputs], base[:, n_inputs:]
    rows = np.empty((n, n_inputs + 2, n_inputs))
    rows[:, 0] = a
    for j in range(n_inputs):
        rows[:, j + 1] = a
        rows[:, j + 1, j] = b[:, j]
    rows[:, -1] = b
    return rows.reshape(n * (n_inputs + 2), n_inputs)


def _first(a: np.ndarray, ab: np.ndarray, b: np.ndarray, var: np.ndarray) -> np.ndarray:
    return np.divide(
        np.mean(b * (ab - a), axis=0), var, out=np.zeros_like(var, dtype=np.float64),
        where=var > _EPS,
    )  # fmt: skip


def _total(a: np.ndarray, ab: np.ndarray, var: np.ndarray) -> np.ndarray:
    return np.divide(
        0.5 * np.mean((a - ab) ** 2, axis=0), var, out=np.zeros_like(var, dtype=np.float64),
        where=var > _EPS,
    )  # fmt: skip


def sobol_indices(
    y: np.ndarray, n_inputs: int, *, resamples: int, conf_level: float, seed: int
) -> dict[str, np.ndarray]:
    """First-order and total Sobol indices of the outputs ``y`` of :func:`saltelli_design`'s
    points, with the half-widths of their bootstrap intervals.

    Returns
    -------
    dict
        ``S1``, ``S1_conf``, ``ST``, ``ST_conf``: one entry per input. An index is 0 where
        the outputs do not vary (SALib warns there; the caller's notes say so).
    """
    step = n_inputs + 2
    if y.size % step:
        raise ValueError(f"{y.size} outputs are not a Saltelli design of {n_inputs} inputs")
    n = y.size // step
    y = (y - y.mean()) / y.std()
    a, b = y[0 : y.size : step], y[step - 1 : y.size : step]
    ab = np.zeros((n, n_inputs))
    for j in range(n_inputs):
        ab[:, j] = y[j + 1 : y.size : step]
    r = np.random.default_rng(seed).integers(n, size=(n, resamples))
    z = ndtri(0.5 + conf_level / 2)  # scipy's ndtri, what scipy.stats.norm.ppf evaluates
    both, both_r = np.r_[a, b], np.r_[a[r], b[r]]
    # a constant output gives indices of 0 (SALib's rule), each side on its own
    varies, varies_r = np.ptp(both) > _EPS, np.ptp(both_r) > _EPS
    var, var_r = np.var(both, axis=0), np.var(both_r, axis=0)
    spread = np.ptp(both_r)
    out = {k: np.zeros(n_inputs) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    for j in range(n_inputs):
        if varies:
            out["S1"][j] = _first(a, ab[:, j], b, var)
            out["ST"][j] = _total(a, ab[:, j], var)
        if varies_r and spread != 0.0:
            out["S1_conf"][j] = z * _first(a[r], ab[r, j], b[r], var_r).std(ddof=1)
            out["ST_conf"][j] = z * _total(a[r], ab[r, j], var_r).std(ddof=1)
    return out
