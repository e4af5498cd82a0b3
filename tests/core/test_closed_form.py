"""The two-player closed form gives the floats of its plain statement: the breakpoints
evaluated one at a time on (n, I) arrays, summed by ``np.sum``. The fast version lays its
arrays out draws-last and sums over the issues by columns in NumPy's order; the dynamics'
compiled zone is checked against it bit for bit, so a changed float would move a run."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from detente.core import distance_utility, pair_max_min_surplus
from detente.core.zone import _issue_sum


def _plain_pair(w, ideal, lo, hi, r):
    """m* of veto players 0 and 1, as first written: one breakpoint at a time on (n, I)."""
    n = w.shape[0]
    cand = np.clip(ideal, lo[:, None, :], hi[:, None, :])
    a = -w[:, :, None, :] * np.abs(cand[:, None, :, :] - ideal[:, :, None, :])
    a00, a01, a10, a11 = a[:, 0, 0], a[:, 0, 1], a[:, 1, 0], a[:, 1, 1]
    num = a11 - a10
    den = a00 - a01 - a10 + a11
    safe = np.where(np.abs(den) > 1e-15, den, 1.0)
    tb = np.where(np.abs(den) > 1e-15, np.clip(num / safe, 0.0, 1.0), 0.0)
    T = np.concatenate([np.zeros((n, 1)), np.ones((n, 1)), tb], axis=1)
    m_star = np.full(n, np.inf)
    for k in range(T.shape[1]):
        tt = T[:, k : k + 1]
        x = np.maximum(tt * a00 + (1 - tt) * a10, tt * a01 + (1 - tt) * a11)
        psi = x.sum(axis=1) - (T[:, k] * r[:, 0] + (1 - tt[:, 0]) * r[:, 1])
        m_star = np.minimum(m_star, psi)
    return m_star


@pytest.mark.parametrize("n_i", [0, 1, 2, 5, 7, 8, 9, 15, 16, 17, 31, 64, 128, 131])
def test_the_issue_sum_is_numpys_sum(n_i):
    rng = np.random.default_rng(n_i)
    # magnitudes far apart, so another order of summation gives another float
    m = rng.standard_normal((3, n_i, 40)) * np.exp(rng.uniform(-30, 30, (3, n_i, 40)))
    want = np.ascontiguousarray(np.moveaxis(m, 1, -1)).sum(axis=-1)
    assert _issue_sum(m).tobytes() == want.tobytes()
    zeros = -np.zeros((2, n_i, 3))  # negative zeros sum to 0, as NumPy's
    want = np.ascontiguousarray(np.moveaxis(zeros, 1, -1)).sum(axis=-1)
    assert _issue_sum(zeros).tobytes() == want.tobytes()


@pytest.mark.parametrize("seed", range(12))
def test_the_pair_closed_form_equals_its_plain_statement_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    n, n_v, n_i = int(rng.integers(1, 400)), int(rng.integers(2, 5)), int(rng.integers(1, 19))
    w = rng.random((n, n_v, n_i))
    w /= w.sum(axis=-1, keepdims=True)
    ideal = rng.random((n, n_v, n_i))
    r = rng.normal(size=(n, n_v)) * 0.3
    if seed % 2:  # ties, zero distances and zero weights: negative zeros and equal breakpoints
        ideal, w, r = np.round(ideal * 4) / 4, np.round(w * 8) / 8, np.round(r * 4) / 4
    lo = np.max(np.minimum(rng.random((n, n_v, n_i)) * 0.3, ideal), axis=1) * (seed % 3 > 0)
    hi = np.maximum(1 - rng.random((n, n_i)) * 0.3 * (seed % 3 > 0), lo)
    players = sorted(rng.choice(n_v, 2, replace=False).tolist())
    inp = SimpleNamespace(weights=w, ideal=ideal)
    got = pair_max_min_surplus(inp, players, lo, hi, r)  # type: ignore[arg-type]
    want = _plain_pair(w[:, players], ideal[:, players], lo, hi, r[:, players])
    assert got.tobytes() == want.tobytes()


def test_linear_utilities_skip_the_power_with_the_same_floats():
    rng = np.random.default_rng(3)
    d = np.abs(rng.standard_normal((50, 3, 7)))
    d[rng.random(d.shape) < 0.2] = -0.0
    d[0, 0, 0] = np.nan
    w = rng.random(d.shape)
    for c in (1.0, np.ones((50, 1, 1)), np.ones(7)):
        assert distance_utility(d, w, c).tobytes() == (-np.sum(w * d**c, axis=-1)).tobytes()
    # a curvature that broadcasts the result to more draws still does
    grown = distance_utility(d[:1], w[:1], np.ones((4, 1, 1)))
    assert grown.shape == (4, 3)
    assert np.array_equal(distance_utility(d, w, 2.0), -np.sum(w * d**2.0, axis=-1), equal_nan=True)
