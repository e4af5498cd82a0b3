"""The analysis computes in NumPy what it once asked SALib and scipy.stats for, with the same
numbers: Saltelli's design and the Sobol indices (SALib's, bit for bit), average ranks
(``rankdata``'s) and the exact tests of the evidence-kind check (scipy's p-values to within
their rounding, on the same side of every level)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from SALib.analyze import sobol as salib_analyze
from SALib.sample import sobol as salib_sample
from scipy.stats import fisher_exact, hypergeom, rankdata

from detente.analysis._exact_tests import fisher_exact_two_sided, hypergeom_upper_tail
from detente.analysis._saltelli import saltelli_design, sobol_indices
from detente.analysis.drivers import average_ranks


def _outputs(u: np.ndarray, kind: int, rng: np.random.Generator) -> np.ndarray:
    d = u.shape[1]
    if kind == 0:  # an indicator of one input, as P(zone) is
        return (u[:, 0] > 0.5).astype(float)
    if kind == 1:  # smooth with noise
        return np.sin(u @ np.arange(1.0, d + 1)) + rng.normal(0, 0.1, len(u))
    if kind == 2:  # a rare event
        return (u.sum(axis=1) > 0.9 * d).astype(float)
    y = np.zeros(len(u))  # a single non-zero output: most resamples constant
    y[3] = 1.0
    return y


@pytest.mark.parametrize("n_inputs", [1, 2, 9, 30])
@pytest.mark.parametrize("seed", [5, 2021])
def test_saltellis_design_and_the_sobol_indices_are_salibs(n_inputs, seed):
    problem = {
        "num_vars": n_inputs,
        "names": [f"x{i}" for i in range(n_inputs)],
        "bounds": [[0.0, 1.0]] * n_inputs,
    }
    rng = np.random.default_rng(seed)
    for n in (4, 256):
        u = salib_sample.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
        ours = saltelli_design(n_inputs, n, seed)
        assert np.array_equal(ours, u)
        for kind in range(4):
            y = _outputs(ours, kind, rng)
            if np.ptp(y) == 0:
                continue  # the sensitivity reports a constant output without indices
            with warnings.catch_warnings():  # SALib warns on constant resamples
                warnings.simplefilter("ignore")
                si = salib_analyze.analyze(
                    problem, y, calc_second_order=False, num_resamples=200, conf_level=0.95,
                    seed=seed,
                )  # fmt: skip
            got = sobol_indices(y, n_inputs, resamples=200, conf_level=0.95, seed=seed)
            for key in ("S1", "S1_conf", "ST", "ST_conf"):
                assert np.array_equal(got[key], np.asarray(si[key], float)), (n, kind, key)


def test_a_design_of_the_wrong_size_is_refused():
    with pytest.raises(ValueError, match="not a Saltelli design"):
        sobol_indices(np.ones(7), 2, resamples=10, conf_level=0.95, seed=1)


def test_average_ranks_are_rankdatas():
    rng = np.random.default_rng(0)
    for n in (0, 1, 2, 7, 1000):
        for x in (rng.normal(size=n), rng.integers(0, 4, n).astype(float), np.ones(n)):
            assert np.array_equal(average_ranks(x), rankdata(x))
    assert np.isnan(average_ranks(np.array([1.0, np.nan]))).all()


def test_the_exact_tests_give_scipys_p_values_to_their_rounding():
    rng = np.random.default_rng(1)
    for _ in range(800):
        n = int(rng.integers(2, 1200))
        table = rng.multinomial(n, rng.dirichlet([1, 1, 1, 1])).reshape(2, 2)
        if 0 in table.sum(axis=0) or 0 in table.sum(axis=1):
            continue
        p = float(fisher_exact(table).pvalue)
        assert fisher_exact_two_sided(table.tolist()) == pytest.approx(p, rel=1e-12, abs=0)
        k, total, drawn = (int(rng.integers(-1, n + 2)), int(rng.integers(0, n + 1)),
                           int(rng.integers(0, n + 1)))  # fmt: skip
        tail = float(hypergeom.sf(k - 1, n, total, drawn))
        assert hypergeom_upper_tail(k, n, total, drawn) == pytest.approx(
            tail, rel=1e-12, abs=1e-300
        )


def test_fishers_test_by_hand():
    # margins 4/4 and 4/4: P(a) = C(4,a) C(4,4-a) / 70 = 1, 16, 36, 16, 1 over 70
    assert fisher_exact_two_sided([[3, 1], [1, 3]]) == (1 + 16 + 16 + 1) / 70
    assert fisher_exact_two_sided([[4, 0], [0, 4]]) == 2 / 70
    assert fisher_exact_two_sided([[2, 2], [2, 2]]) == 1.0  # the most probable table
    assert hypergeom_upper_tail(3, 8, 4, 4) == (16 + 1) / 70
    assert hypergeom_upper_tail(0, 8, 4, 4) == 1.0


@pytest.mark.parametrize(
    "module",
    ["detente._sobol", "detente.analysis._saltelli", "detente.analysis._exact_tests",
     "detente.analysis.drivers", "detente._json"],
)  # fmt: skip
def test_the_docstring_examples_hold(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_beyond_the_exact_limit_the_p_values_are_scipys():
    from detente.analysis._exact_tests import EXACT_LIMIT

    n = EXACT_LIMIT + 1000
    table = [[n // 4, n // 4], [n // 4 - 60, n - 3 * (n // 4) + 60]]
    assert fisher_exact_two_sided(table) == float(fisher_exact(table).pvalue)
    k, total, drawn = n // 4 + 200, n // 2, n // 2
    assert hypergeom_upper_tail(k, n, total, drawn) == float(hypergeom.sf(k - 1, n, total, drawn))
