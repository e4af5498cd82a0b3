"""Reference solver: the gap LP draw by draw, one HiGHS call each.

For tests and benchmarks only (an oracle for the block LP of :mod:`detente.core.gap`);
no command or model reaches it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ModelError
from .gap import solve
from .utility import bargaining_inputs

if TYPE_CHECKING:
    from ..scenario import ScenarioArrays

__all__ = ["win_set_gap_per_draw"]


def win_set_gap_per_draw(
    arrays: ScenarioArrays,
    *,
    curvature: float | None = None,
    agreement_cost: float | None = None,
    red_line_price: float = 1.0,
) -> np.ndarray:
    """Reference: the gap LP solved draw by draw with one HiGHS call each (for tests and
    benchmarks). Returns the gap per draw (n,)."""
    inp = bargaining_inputs(arrays, curvature=curvature, agreement_cost=agreement_cost)
    if not np.all(inp.curvature == 1.0):
        raise ModelError("the per-draw LP reference needs curvature 1")
    out = np.empty(inp.n)
    for k in range(inp.n):
        one = replace(inp.subset(np.array([k])), batched=True)
        out[k] = float(solve(one, red_line_price, 2).gap[0])
    return out
