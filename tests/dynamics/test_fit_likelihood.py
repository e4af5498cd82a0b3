"""The record fit's negative-binomial log-likelihood is scipy's ``nbinom.logpmf``, bit for
bit, without importing scipy.stats (whose import would cost every run that fits a record
some 0.3 s of CPU)."""

from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import nbinom

from detente.dynamics.fit import _nb_logpmf


def test_the_log_pmf_is_scipys_on_counts_and_at_the_edges():
    rng = np.random.default_rng(3)
    for k in range(200):
        n = int(rng.integers(1, 300))
        y = rng.poisson(rng.uniform(0, 20), n).astype(float)
        mean = rng.gamma(2.0, rng.uniform(0.1, 10.0), n)
        size = float(np.exp(rng.normal(0.0, 2.0)))
        if k % 7 == 0:  # a zero mean (p = 1), an infinite one (p = 0), a tiny one
            mean[:3] = [0.0, np.inf, 1e-300]
            y[:2] = [3.0, 0.0]
        if k % 11 == 0:  # off the support: not a count
            y[:2] = [1.5, -1.0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            expected = nbinom.logpmf(y, size, size / (size + mean))
        assert np.array_equal(_nb_logpmf(y, mean, size), expected, equal_nan=True)


def test_the_log_pmf_by_hand():
    # size 1 is the geometric law: P(y) = p (1 - p)^y with p = 1 / (1 + mean)
    got = _nb_logpmf(np.array([0.0, 2.0]), np.array([1.0, 1.0]), 1.0)
    assert np.allclose(np.exp(got), [0.5, 0.125])
