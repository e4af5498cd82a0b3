"""The bargaining set as the simulation sees it: is there a zone of agreement, and how wide is the gap.

:func:`zone_and_gap` uses the diagnosis kernel :func:`detente.analysis.bargaining.win_set_gap`
when it is installed, and otherwise :func:`red_line_zone`, which looks at the veto players'
red lines only: issue by issue, the highest lower bound against the lowest upper bound.
Both return, per draw, whether the zone is non-empty and the gap clipped to [0, 1] (0 when
the zone is non-empty): for the kernel, the total utility the veto players would have to
give up (see its docstring); for the red-line fallback, the red-line overlap deficit as a
share of the issue scale.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ModelError
from ..scenario.arrays import ScenarioArrays

__all__ = ["red_line_zone", "subset", "zone_and_gap"]


def red_line_zone(arrays: ScenarioArrays) -> tuple[np.ndarray, np.ndarray]:
    """Zone and gap from the veto players' red lines alone.

    ``gap = max_i max(0, max_v red_low[v, i] - min_v red_high[v, i]) / (high_i - low_i)``
    over issues ``i`` and veto players ``v``; the zone is non-empty when the gap is 0.
    """
    veto = np.asarray(arrays.veto, bool)
    if veto.sum() == 0:
        veto = np.ones_like(veto)
    lo = arrays.red_low[..., veto, :].max(axis=-2)
    hi = arrays.red_high[..., veto, :].min(axis=-2)
    width = arrays.scale_high - arrays.scale_low
    gap = (np.clip(lo - hi, 0.0, None) / width).max(axis=-1)
    gap = np.atleast_1d(gap)
    return gap <= 0.0, gap


def _from_kernel(arrays: ScenarioArrays) -> tuple[np.ndarray, np.ndarray] | None:
    try:
        from ..analysis.bargaining import win_set_gap  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    res: Any = win_set_gap(arrays)
    get = (lambda k: res[k]) if isinstance(res, dict) else (lambda k: getattr(res, k))
    zone = np.atleast_1d(np.asarray(get("zone_nonempty"), bool))
    gap = np.atleast_1d(np.asarray(get("gap"), float))
    # The kernel's gap is in utility units summed over veto players (0.1 = one veto player
    # giving up 10 points of an issue carrying all its salience); clip to [0, 1].
    gap = np.where(zone, 0.0, np.clip(np.nan_to_num(gap, nan=1.0), 0.0, 1.0))
    return zone, gap


def zone_and_gap(arrays: ScenarioArrays, *, kernel: str = "auto") -> tuple[np.ndarray, np.ndarray]:
    """Per draw: (zone non-empty, gap in [0, 1]). ``kernel``: auto, diagnosis or red_lines."""
    if kernel in ("auto", "diagnosis"):
        out = _from_kernel(arrays)
        if out is not None:
            return out
        if kernel == "diagnosis":
            raise ModelError(
                "kernel='diagnosis' needs detente.analysis.bargaining.win_set_gap, which is "
                "not installed; use kernel='auto' or 'red_lines'"
            )
    elif kernel != "red_lines":
        raise ModelError(f"kernel must be 'auto', 'diagnosis' or 'red_lines'; got {kernel!r}")
    return red_line_zone(arrays)


def subset(arrays: ScenarioArrays, idx: np.ndarray) -> ScenarioArrays:
    """The draws ``idx`` of a batched :class:`ScenarioArrays`."""
    return arrays.take(idx)
