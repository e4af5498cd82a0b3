"""Compatibility: the report is built by :func:`detente.pipeline.run`.

``build_report`` is :func:`detente.pipeline.run`; ``AnalysisReport`` its result.
"""

from __future__ import annotations

from ..defaults import DRAWS as DEFAULT_DRAWS
from ..defaults import HORIZONS
from ..defaults import MONTHS as DEFAULT_MONTHS
from ..defaults import RUNS as DEFAULT_RUNS
from ..defaults import SEED as DEFAULT_SEED
from ..pipeline import AnalysisReport
from ..pipeline import run as build_report

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_MONTHS",
    "DEFAULT_RUNS",
    "DEFAULT_SEED",
    "HORIZONS",
    "AnalysisReport",
    "build_report",
]
