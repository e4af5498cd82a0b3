"""Packaged facts (missile tests, provocations, negotiations, nuclear tests, CAMEO) and loaders.

Sources and terms: ``detente/data/files/SOURCES.md``. Loaders return pandas DataFrames with
typed columns documented in their docstrings; :func:`monthly_panel` builds the monthly series
the dynamics are calibrated on.
"""

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

__all__ = [
    "KST_OFFSET",
    "STRATEGIC_MISSILE_TYPES",
    "data_path",
    "load_cameo",
    "load_missile_tests",
    "load_monthly",
    "load_negotiation_events",
    "load_nuclear_tests",
    "load_provocations",
    "monthly_panel",
    "overlap_check",
]
