"""The report as one self-contained HTML file: inline CSS, inline SVG figures, no scripts or fonts.

The page loads nothing: no CDN, no web fonts, no images from files. It is rendered with the
jinja2 template ``templates/report.html.j2`` packaged with detente.
"""

from __future__ import annotations

import shlex
from importlib import resources
from typing import TYPE_CHECKING, Any

from . import text as T
from .figures import figure_svg, report_figures

if TYPE_CHECKING:
    from .build import AnalysisReport

__all__ = ["render_html"]


def _env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        num=T.num,
        pct=T.pct,
        dpct=T.dpct,
        outcome=T.outcome,
        shorten=T.shorten,
        sh=shlex.quote,
    )
    return env


def _drivers_svg(report: AnalysisReport) -> str:
    """The bar chart of "what drives it" (the chart of ``detente sensitivity --plot``), as
    inline SVG; empty when P(zone) does not vary over the ranges."""
    d = (report.diagnosis or {}).get("what_drives")
    if not d or not d.get("variance"):
        return ""
    from ..plotting.sensitivity import sensitivity_bars

    return figure_svg(sensitivity_bars(d), prefix="fig-drivers-")


def _load(name: str) -> str:
    return (resources.files("detente.report") / "templates" / name).read_text(encoding="utf-8")


def render_html(report: AnalysisReport) -> str:
    """The whole report as an HTML document (a string); write it with ``write_atomic``."""
    import detente

    tpl = _env().get_template("report.html.j2")
    return tpl.render(
        r=report,
        css=_load("report.css"),
        figures=report_figures(report),
        headline=T.headline(report),
        zone_verdict=T.zone_verdict(report.diagnosis) if report.diagnosis else "",
        zone_details=T.zone_details(report.diagnosis) if report.diagnosis else [],
        provenance_sentence=T.provenance_sentence(report.provenance),
        claim_counts=T.claim_counts(report.claims["counts"]).capitalize() if report.claims else "",
        ok_forecasts=[f for f in report.forecasts if "outcome" in f],
        top_levers=T.top_levers,
        drivers_svg=_drivers_svg(report),
        version=detente.__version__,
    )
