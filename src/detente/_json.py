"""Turning results into JSON-ready Python values: one rule for every result object."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["jsonable", "tidy", "tidy_frame"]

#: Floats closer to zero than this are arithmetic noise (``5.84e-21`` left by a difference of
#: two equal sums), not results: every output writes them as 0.
NOISE = 1e-12
#: Significant digits a float keeps in every output (JSON, tables): float64 arithmetic is good
#: to about 15-16; 12 drop the last bits of accumulated rounding (``0.30000000000000004``).
DIGITS = 12


def tidy(x: float) -> float:
    """``x`` rounded to the precision detente's numbers have: 12 significant digits, and 0
    for magnitudes under 1e-12.

    >>> tidy(5.84e-21), tidy(0.1 + 0.2), tidy(68.09523809523809)
    (0.0, 0.3, 68.0952380952)
    """
    # math.isfinite, not NumPy's: the same answer for a float, without a ufunc call per
    # number (a report's JSON holds some 30,000)
    if not math.isfinite(x) or abs(x) < NOISE:
        return 0.0 if math.isfinite(x) else float(x)
    return float(f"{x:.{DIGITS}g}")


def tidy_frame(df: Any) -> Any:
    """A DataFrame with every float column passed through :func:`tidy` (NaN kept)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype.kind == "f":
            out[col] = out[col].map(lambda v: v if v != v else tidy(v))
    return out


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
        return tidy(v) if math.isfinite(v) else None
    return x
