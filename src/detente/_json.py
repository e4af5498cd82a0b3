"""Turning results into JSON-ready Python values: one rule for every result object."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["jsonable"]


def jsonable(x: Any) -> Any:
    """Nested dicts, lists, tuples and NumPy values as plain JSON types.

    Keys become strings, arrays lists, NumPy scalars Python scalars, and NaN or infinity
    ``None`` (JSON has no such numbers; ``json.dumps(..., allow_nan=False)`` would refuse them).

    >>> jsonable({1: np.array([1.5, np.nan]), "ok": np.bool_(True)})
    {'1': [1.5, None], 'ok': True}
    """
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, np.bool_ | bool):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, float | np.floating):
        v = float(x)
        return v if np.isfinite(v) else None
    return x
