"""Intervals for estimates from runs that come in parameter groups.

The simulation's runs share one draw of every uncertain input within a parameter group, so they
are not independent: an interval from all runs as if they were (binomial) leaves out the
variance between the groups. These are the cluster-robust (grouped) intervals the claims
report, with Student's t on one degree of freedom fewer than the groups.
"""

from __future__ import annotations

import numpy as np

from .._special import t975

__all__ = ["cluster_interval", "paired_ratio_interval", "t95"]


def t95(n_groups: int) -> float:
    """The two-sided 95% quantile of Student's t with ``n_groups - 1`` degrees of freedom (a
    grouped standard error is estimated from the groups alone).

    ``scipy.special.stdtrit`` is the function ``scipy.stats.t.ppf`` evaluates (the same
    number); :func:`detente._special.t975` keeps its values for up to 1000 degrees of freedom,
    so neither ``scipy.stats`` nor ``scipy.special`` is imported for one quantile.
    """
    return float(t975(max(1, n_groups - 1)))


def cluster_interval(
    num: np.ndarray, group: np.ndarray, den: np.ndarray | None = None, *, share: bool = False
) -> tuple[float, float] | None:
    """A 95% interval of a mean (or of the ratio ``sum(num) / sum(den)``) over runs that come
    in parameter groups, with the cluster-robust (grouped) standard error.

    Runs of one group share every drawn input, so they are not independent: the variance of
    the estimate is the variance between the groups' totals,
    ``G / (G - 1) * sum_g (sum_{i in g} e_i)^2 / (sum_i d_i)^2`` with residuals
    ``e_i = num_i - r * d_i`` (``d_i = 1`` for a mean). It includes the spread between
    groups (the inputs' uncertainty as sampled) as well as the noise within them; with one
    group it is undefined (None). ``share`` clips the interval to [0, 1]. The quantile is
    Student's t with one degree of freedom fewer than the groups.
    """
    x = np.asarray(num, float)
    d = np.ones_like(x) if den is None else np.asarray(den, float)
    g = np.asarray(group, int)
    k = int(g.max()) + 1 if g.size else 0
    if k < 2 or d.sum() <= 0:
        return None
    r = float(x.sum() / d.sum())
    e = np.bincount(g, weights=x - r * d, minlength=k)
    n_groups = int(np.count_nonzero(np.bincount(g, minlength=k)))
    if n_groups < 2:
        return None
    se = float(np.sqrt(n_groups / (n_groups - 1) * np.sum(e**2)) / d.sum())
    t = t95(n_groups)
    lo, hi = r - t * se, r + t * se
    if share:
        lo, hi = max(0.0, lo), min(1.0, hi)
    return (float(lo), float(hi))


def paired_ratio_interval(
    num_a: np.ndarray,
    den_a: np.ndarray,
    num_b: np.ndarray,
    den_b: np.ndarray,
    group: np.ndarray,
) -> tuple[float, float] | None:
    """A grouped 95% interval of ``r_b - r_a`` for two conditional shares on paired runs,
    ``r = sum(num) / sum(den)``, linearised: each run contributes
    ``(num_b - r_b den_b) / sum(den_b) - (num_a - r_a den_a) / sum(den_a)``."""
    da, db = np.asarray(den_a, float), np.asarray(den_b, float)
    na, nb = np.asarray(num_a, float), np.asarray(num_b, float)
    if da.sum() <= 0 or db.sum() <= 0:
        return None
    ra, rb = na.sum() / da.sum(), nb.sum() / db.sum()
    z = (nb - rb * db) / db.sum() - (na - ra * da) / da.sum()
    g = np.asarray(group, int)
    k = int(g.max()) + 1
    e = np.bincount(g, weights=z, minlength=k)
    n_groups = int(np.count_nonzero(np.bincount(g, minlength=k)))
    if n_groups < 2:
        return None
    se = float(np.sqrt(n_groups / (n_groups - 1) * np.sum(e**2)))
    d = float(rb - ra)
    t = t95(n_groups)
    return (d - t * se, d + t * se)
