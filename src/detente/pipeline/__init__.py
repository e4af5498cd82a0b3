"""One pipeline: :func:`run` computes every analysis of a run once and returns typed results.

The report (``detente.report``) only renders what :func:`run` returns; the command line only
parses and calls it. Defaults for every command are in :mod:`detente.defaults`.
"""

from __future__ import annotations

from .result import AnalysisReport
from .run import HORIZONS, run

__all__ = ["HORIZONS", "AnalysisReport", "run"]
