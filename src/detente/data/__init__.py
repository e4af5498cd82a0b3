"""Packaged facts (missile tests, provocations, negotiations, nuclear tests, CAMEO) and loaders.

Sources and terms: ``detente/data/files/SOURCES.md``. Loaders return pandas DataFrames with
typed columns documented in their docstrings; :func:`monthly_panel` builds the monthly series
the legacy calibration uses; :func:`load_record` reads a case's record (manifest and dated
events, see :mod:`detente.data.records`), which the dynamics are fitted to and backtested on.

The loaders (:mod:`detente.data.loaders`, :mod:`detente.data.panel`) import pandas, so they
are imported when one of their names is first read (PEP 562), not with the package: a
simulation reads its record through :mod:`detente.data.records`, which needs only NumPy,
and ``detente run`` does not pay pandas' import (0.15 s of CPU) for tables it never builds.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .records import Record, bundled_records, load_record

if TYPE_CHECKING:
    from .loaders import (
        KST_OFFSET,
        data_path,
        load_cameo,
        load_missile_tests,
        load_monthly,
        load_negotiation_events,
        load_nuclear_tests,
        load_provocations,
    )
    from .panel import STRATEGIC_MISSILE_TYPES, monthly_panel, overlap_check

#: The names read from a module of this package on first use (the module imports pandas).
_LAZY = {
    "KST_OFFSET": "loaders",
    "data_path": "loaders",
    "load_cameo": "loaders",
    "load_missile_tests": "loaders",
    "load_monthly": "loaders",
    "load_negotiation_events": "loaders",
    "load_nuclear_tests": "loaders",
    "load_provocations": "loaders",
    "STRATEGIC_MISSILE_TYPES": "panel",
    "monthly_panel": "panel",
    "overlap_check": "panel",
}

__all__ = [
    "KST_OFFSET",
    "STRATEGIC_MISSILE_TYPES",
    "Record",
    "bundled_records",
    "data_path",
    "load_cameo",
    "load_missile_tests",
    "load_monthly",
    "load_negotiation_events",
    "load_nuclear_tests",
    "load_provocations",
    "load_record",
    "monthly_panel",
    "overlap_check",
]


def __getattr__(name: str) -> Any:
    """A loader's name, from its module (imported now, with pandas)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
