"""The compiled monthly loop gives NumPy's floats: the zone of the monthly loop
(:class:`detente.dynamics.zone.MonthlyZone`, compiled for one or two veto players) equals
:func:`detente.dynamics.zone.zone_and_gap` bit for bit, NumPy's order of summation is
reproduced, and the counts equal the plain recursion's."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from detente.core import agreement_matrix
from detente.dynamics import simulate, simulate_reference
from detente.dynamics._zone_kernel import pairwise_sum
from detente.dynamics.kernel import nb_inverse
from detente.dynamics.zone import MonthlyZone, holders, zone_and_gap
from detente.scenario import apply_sets, load

HERE = Path(__file__).parent


@pytest.mark.parametrize("n", [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 64, 100, 127, 128])
def test_pairwise_sum_is_numpys_sum(n):
    rng = np.random.default_rng(n)
    # magnitudes far apart, so a different order of summation gives a different float
    a = rng.standard_normal((50, n)) * np.exp(rng.uniform(-30, 30, (50, n)))
    ours = np.array([pairwise_sum(row, 0, n) for row in a])
    assert ours.tobytes() == a.sum(axis=1).tobytes()
    zeros = -np.zeros((1, n))  # negative zeros sum to 0, as NumPy's
    assert np.array([pairwise_sum(zeros[0], 0, n)]).tobytes() == zeros.sum(axis=1).tobytes()


def _scattered(s, n, seed):
    """``n`` draws of ``s`` with positions, red lines and status quo scattered over the
    scales, so that open and shut zones, conflicts and knife edges all occur."""
    rng = np.random.default_rng(seed)
    a = s.sample(n, rng)
    lo, hi = a.scale_low, a.scale_high
    pos = lo + rng.random(a.positions.shape) * (hi - lo)
    width = rng.random(a.red_low.shape) * (hi - lo)
    red_low = np.where(rng.random(a.red_low.shape) < 0.5, lo, pos - width / 2)
    red_high = np.where(rng.random(a.red_high.shape) < 0.5, hi, pos + width / 2)
    sq = lo + rng.random(a.status_quo.shape) * (hi - lo)
    sal = np.where(rng.random(a.saliences.shape) < 0.1, 0.0, a.saliences)  # some indifferent
    return replace(
        a,
        positions=pos,
        red_low=np.clip(red_low, lo, hi),
        red_high=np.clip(red_high, lo, hi),
        status_quo=sq,
        saliences=sal,
    )


@pytest.mark.parametrize(
    ("case", "sets"),
    [
        ("mini-case.yaml", []),
        ("controlled-case.yaml", []),
        ("deadline-case.yaml", []),
        ("mini-case.yaml", ["north.veto=false"]),  # one veto player
        ("four-veto.yaml", []),  # more than two: the certificates and the LP
    ],
)
def test_the_monthly_zone_equals_zone_and_gap_bit_for_bit(case, sets):
    s = apply_sets(load(HERE / case), sets)
    arrays = _scattered(s, 400, 7)
    who = holders(s, arrays.take(np.arange(1)))
    mz = MonthlyZone(arrays, "auto", who)
    rows = np.flatnonzero(np.random.default_rng(1).random(400) < 0.6)
    zone, gap = np.zeros(400, bool), np.full(400, -1.0)
    mz(arrays.positions, arrays.red_low, arrays.red_high, rows, zone, gap)
    ref_zone, ref_gap = zone_and_gap(
        arrays.take(rows), holders=np.array(who, bool) if who else None
    )
    assert np.array_equal(zone[rows], ref_zone)
    assert gap[rows].tobytes() == np.asarray(ref_gap, float).tobytes()
    assert ref_zone.any()
    veto = agreement_matrix(s, arrays).any(axis=1).sum()
    assert veto == 1 or not ref_zone.all()  # both verdicts occur among two or more
    untouched = np.setdiff1d(np.arange(400), rows)
    assert not zone[untouched].any() and np.all(gap[untouched] == -1.0)
    # which path ran: compiled for one or two veto players, the core's otherwise
    assert mz.compiled == (veto <= 2)


def test_the_red_lines_kernel_is_not_compiled():
    s = load(HERE / "mini-case.yaml")
    arrays = _scattered(s, 50, 2)
    mz = MonthlyZone(arrays, "red_lines")
    zone, gap = np.zeros(50, bool), np.zeros(50)
    mz(arrays.positions, arrays.red_low, arrays.red_high, np.arange(50), zone, gap)
    ref_zone, ref_gap = zone_and_gap(arrays, kernel="red_lines")
    assert not mz.compiled
    assert np.array_equal(zone, ref_zone) and np.array_equal(gap, ref_gap)


def _nb_reference(u, mean, size):
    """The recursion element by element in plain floats (the definition)."""
    out = []
    for u_i, m_i, s_i in zip(u.tolist(), mean.tolist(), size.tolist(), strict=True):
        m_i, s_i = max(m_i, 0.0), max(s_i, 1e-9)
        q = min(max(m_i / (m_i + s_i), 0.0), 1.0 - 1e-12)
        pmf = float(np.exp(s_i * np.log1p(-q)))
        cdf, k = pmf, 0
        while cdf < u_i and k < 10_000:
            pmf = pmf * (k + s_i) / (k + 1) * q
            cdf = cdf + pmf
            k += 1
        out.append(k)
    return np.array(out)


def test_the_counts_equal_the_plain_recursion():
    rng = np.random.default_rng(3)
    u = rng.random(3000)
    mean = rng.uniform(0.0, 60.0, 3000) * (rng.random(3000) < 0.9)
    size = rng.uniform(0.05, 4.0, 3000)
    assert np.array_equal(nb_inverse(u, mean, size), _nb_reference(u, mean, size))
    # shapes broadcast; a missing mean counts nothing
    grid = nb_inverse(u[:6].reshape(2, 3), np.array([1.0, np.nan, 3.0]), 2.0)
    assert grid.shape == (2, 3) and np.all(grid[:, 1] == 0)


@pytest.mark.parametrize("case", ["controlled-case.yaml", "deadline-case.yaml"])
def test_runs_one_at_a_time_equal_runs_together(case):
    s = load(HERE / case)
    together = simulate(s, runs=40, months=14, seed=8)
    alone = simulate_reference(s, runs=40, months=14, seed=8, subset_runs=12)
    for k in ("modes", "provocations", "missiles", "choices", "zone", "gap", "rate"):
        assert np.array_equal(alone[k], getattr(together, k)[:, :12]), k


@pytest.mark.parametrize("tau", [0.0, -0.5, float("nan")])
def test_a_logit_noise_that_is_not_positive_is_refused_in_words(tau):
    """The compiled logit divides by its temperature: 0 would raise ZeroDivisionError inside
    numba (NumPy gave inf with a warning); it is refused before any month is played."""
    from detente.errors import ModelError
    from detente.scenario import load_bundled

    with pytest.raises(ModelError, match=r"logit_noise .* must be above 0"):
        simulate(load_bundled("us-dprk-2021"), runs=20, months=6, parameters={"logit_noise": tau})


def test_the_command_line_refuses_a_zero_logit_noise_in_words():
    import json

    from typer.testing import CliRunner

    from detente.cli import app

    runner = CliRunner()
    out = runner.invoke(
        app, ["simulate", "us-dprk-2021", "--set", "parameters.logit_noise=0", "--runs", "20"]
    )
    assert out.exit_code == 2, out.output
    assert "must be above 0" in out.output and "Traceback" not in out.output
    # the report computes what it can and says why the outlook is missing
    out = runner.invoke(
        app,
        ["run", "us-dprk-2021", "--pin", "parameters.logit_noise=0", "--runs", "20",
         "--draws", "16", "--json"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    assert report["outlook"] is None and "must be above 0" in report["missing"]["outlook"]
