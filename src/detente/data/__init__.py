"""Packaged facts (missile tests, provocations, negotiations, nuclear tests, CAMEO) and loaders.

Sources and terms: ``detente/data/files/SOURCES.md``. Loaders return pandas DataFrames with
typed columns documented in their docstrings; :func:`monthly_panel` builds the monthly series
the legacy calibration uses; :func:`load_record` reads a case's record (manifest and dated
events, see :mod:`detente.data.records`), which the dynamics are fitted to and backtested on.
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
from .records import Record, bundled_records, load_record

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
