"""Rendering: terminal tables, text and HTML reports. The only place that formats output.

:func:`build_report` runs the whole analysis of a scenario into an :class:`AnalysisReport`;
:func:`render_terminal`, :func:`render_html` and :meth:`AnalysisReport.to_json` show it.
"""

from .build import HORIZONS, AnalysisReport, build_report
from .html import render_html
from .terminal import render_terminal

__all__ = ["HORIZONS", "AnalysisReport", "build_report", "render_html", "render_terminal"]
