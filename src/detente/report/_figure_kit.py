"""The tools every figure of the HTML report uses: a figure without pyplot, its inline SVG,
the palette and colours, legend columns and wrapped labels (:mod:`.figures` draws the figures)."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from ..plotting import palette

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "EVER_COLOURS",
    "MODEL_MARKERS",
    "MODE_COLOURS",
    "PALETTE",
    "ZONE_COLOUR",
    "figure_svg",
    "legend_columns",
    "new_figure",
    "wrap_label",
]

#: The colour-blind-safe palette shared with the workbench (:mod:`detente.plotting.palette`).
PALETTE = list(palette.PALETTE)


def new_figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasSVG(fig)
    return fig


def figure_svg(fig: Figure, prefix: str = "") -> str:
    """The figure as an ``<svg>`` element for inline use (no prologue, metadata or fonts).

    ``prefix`` is put before every ``id`` in the SVG (and every reference to one), so that
    several figures inline in one page never share an id.
    """
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "detente"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    # responsive: the viewBox keeps the proportions, the page's width sets the size
    head_end = svg.index(">")
    head = re.sub(r'\s(width|height)="[^"]*"', "", svg[:head_end])
    svg = head + ' width="100%" preserveAspectRatio="xMidYMid meet"' + svg[head_end:]
    if prefix:
        svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}\1"', svg)
        svg = re.sub(r'(href="#|url\(#)([^")]+)', rf"\1{prefix}\2", svg)
    return svg


def legend_columns(width: float, labels: list[str], fontsize: float = 8.3) -> int:
    """How many legend columns of ``labels`` fit across ``width`` inches (at most four):
    a column is its longest label (about 0.55 em a character) plus the handle and padding."""
    longest = max((len(x) for x in labels), default=1)
    column = 0.55 * fontsize / 72 * longest + 0.7
    return int(max(1, min(4, len(labels), width // column)))


def wrap_label(label: str, width: int = 40) -> str:
    """A legend label on lines of at most ``width`` characters."""
    import textwrap

    return "\n".join(textwrap.wrap(label, width)) or label


MODE_COLOURS = {
    "impasse": "#c7c7c7",
    "limited_talks": "#9ecae1",
    "substantive_talks": "#3182bd",
    "agreement": "#2ca02c",
    "crisis": "#d62728",
}
EVER_COLOURS = {"talks": "#3182bd", "agreement": "#2ca02c", "crisis": "#d62728"}
#: The zone is black cross-hatching with a black outline: no veto player's colour.
ZONE_COLOUR = "#000000"
#: Model markers differ in shape as well as colour, so overlapping forecasts stay apart.
MODEL_MARKERS = list(palette.MARKERS)
