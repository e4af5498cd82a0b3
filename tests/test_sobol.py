"""detente's scrambled Sobol' points are scipy's, bit for bit, without importing scipy.stats."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
from scipy.stats import qmc

from detente._sobol import MAX_DIM, sobol_points


@pytest.mark.parametrize("d", [1, 2, 3, 7, 40, 300, MAX_DIM])
@pytest.mark.parametrize("seed", [0, 5, 2021])
def test_the_points_equal_scipys_for_an_int_seed(d, seed):
    for n in (1, 2, 3, 64, 1000):
        with warnings.catch_warnings():  # scipy warns when n is not a power of 2
            warnings.simplefilter("ignore", UserWarning)
            expected = qmc.Sobol(d, scramble=True, seed=seed).random(n)
        assert np.array_equal(sobol_points(n, d, seed), expected), (d, seed, n)


def test_a_generator_seed_spawns_a_child_as_scipy_does():
    ours, theirs = np.random.default_rng(11), np.random.default_rng(11)
    for _ in range(2):  # the second call draws from the parent's next child
        assert np.array_equal(
            sobol_points(128, 4, ours), qmc.Sobol(4, scramble=True, seed=theirs).random(128)
        )
    assert np.array_equal(ours.random(4), theirs.random(4))  # the parents moved alike


def test_beyond_the_kept_table_the_points_are_scipys():
    d = MAX_DIM + 3
    assert np.array_equal(sobol_points(8, d, 3), qmc.Sobol(d, scramble=True, seed=3).random(8))


def test_the_points_are_balanced_in_every_dimension():
    p = sobol_points(256, 5, seed=9)
    for j in range(5):  # a (0, m, 1)-net: one point in each 1/256 of every axis
        assert sorted(np.floor(p[:, j] * 256).astype(int).tolist()) == list(range(256))


def test_importing_the_module_imports_no_scipy_stats():
    code = "import sys, detente._sobol; print('scipy.stats' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
