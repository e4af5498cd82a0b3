"""Every Monte Carlo draw of a scenario's numbers is the triangular quantile of its uniform,
whether drawn one number at a time or all at once (the batched draw is the same arithmetic
per element, so every number of a run stays the same)."""

from __future__ import annotations

import numpy as np
import pytest

from detente.scenario import arrays, load, load_bundled
from detente.scenario.arrays import ScenarioArrays, _triangular, _triangular_rows, quantile


@pytest.mark.parametrize("case", ["us-dprk-2021", "iran-jcpoa-2021", "examples/steel-dispute.yaml"])
def test_the_batched_quantiles_are_each_numbers_own(case):
    s = load(case) if case.endswith(".yaml") else load_bundled(case)
    qs = [q for _, q in s.quantities() if q.shift is None]
    rng = np.random.default_rng(7)
    u = rng.random((len(qs), 500))
    u[:, :3] = [0.0, 1.0, 0.5]
    for k, q in enumerate(qs):  # the mode's own uniform, where the two branches meet
        if q.high > q.low:
            u[k, 3] = (q.value - q.low) / (q.high - q.low)
    rows = _triangular_rows(qs, u)
    for k, q in enumerate(qs):
        assert np.array_equal(rows[k], _triangular(q, u[k])), q


def test_a_sample_and_a_design_draw_each_number_at_its_quantile():
    s = load("examples/steel-dispute.yaml")
    batch = s.sample(64, 3)
    path, q = next(
        (p, q) for p, q in s.quantities() if p.endswith(".capability") and not q.is_certain
    )
    actor = path.split(".")[0]
    u = np.linspace(0.0, 1.0, 64)
    design = ScenarioArrays.from_uniforms(s, {path: u})
    k = design.actor_index(actor)
    assert np.array_equal(design.capabilities[:, k], quantile(q, u))
    drawn = batch.capabilities[:, k]
    assert np.all((drawn >= q.low) & (drawn <= q.high)) and np.ptp(drawn) > 0


def test_the_batched_quantiles_are_bit_for_bit_those_of_each_number():
    """Point ranges, modes at either end and uniforms at 0, 1 and the mode: the batched
    draw (a branch-free select of the two branches, a block of rows at a time: 1,001
    draws make 16 rows a block here) gives each number's own bits."""
    from detente.scenario.schema import Quantity

    rng = np.random.default_rng(11)
    qs = []
    for k in range(60):
        low, width = float(rng.normal() * 10), float(abs(rng.normal()) * 5)
        width *= k % 7 != 0  # every seventh a point
        value = low + width * (0.0 if k % 5 == 0 else 1.0 if k % 11 == 0 else rng.random())
        qs.append(Quantity(value=value, low=low, high=low + width))
    u = rng.random((len(qs), 1001))
    u[:, :3] = [0.0, 1.0, 0.5]
    rows = _triangular_rows(qs, u)
    assert arrays._BLOCK // u.shape[1] < len(qs)  # more than one block
    for k, q in enumerate(qs):
        assert np.array_equal(rows[k].view(np.uint64), _triangular(q, u[k]).view(np.uint64)), q


@pytest.mark.parametrize("case", ["us-dprk-2021", "iran-jcpoa-2021", "examples/steel-dispute.yaml"])
def test_a_sample_is_the_design_of_its_own_uniforms(case):
    """``sample`` draws every number at its own row of the generator's uniforms: the same
    arrays, bit for bit, as the design (``from_uniforms``) at those rows, whichever way
    ``sample`` takes to them (all rows at once when every number has its own)."""
    s = load(case) if case.endswith(".yaml") else load_bundled(case)
    paths = [p for p, _ in s.quantities()]
    batch = s.sample(300, 5)
    u = np.random.default_rng(5).random((len(paths), 300))
    design = ScenarioArrays.from_uniforms(s, {p: u[k] for k, p in enumerate(paths)})
    for name in ("positions", "saliences", "capabilities", "status_quo", "red_low", "red_high"):
        assert np.array_equal(getattr(batch, name), getattr(design, name)), name
    for table in ("drivers", "parameters", "events"):
        got, want = getattr(batch, table), getattr(design, table)
        assert got.keys() == want.keys()
        assert all(np.array_equal(got[k], want[k]) for k in got), table
