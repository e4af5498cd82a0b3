"""One colour-blind-safe palette for every figure, the HTML report and the workbench.

The first seven colours are Okabe & Ito's (2008, "Color Universal Design"), without their black
and grey; the next nine are from Paul Tol's "muted" and "bright" schemes (Tol 2021, SRON
technical note SRON/EPS/TN/09-002), chosen to stay apart from the first seven under the common
colour-vision deficiencies. None is grey: grey (:data:`BASELINE`) is kept for the baseline and
for context (actors' positions), so a model or a veto player is never mistaken for it.
Beyond sixteen series, colours repeat and :data:`LINESTYLES` / :data:`MARKERS` tell them apart.
"""

from __future__ import annotations

__all__ = ["BASELINE", "HATCHES", "LINESTYLES", "MARKERS", "PALETTE", "colour", "style"]

PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#332288",  # indigo
    "#882255",  # wine
    "#999933",  # olive
    "#44AA99",  # teal
    "#CC6677",  # rose
    "#F0E442",  # yellow
    "#117733",  # green
    "#AA4499",  # purple
    "#DDCC77",  # sand
    "#88CCEE",  # cyan
)
#: The baseline's (and context's) grey: no series colour is grey.
BASELINE = "#bbbbbb"
MARKERS: tuple[str, ...] = ("D", "o", "s", "^", "v", "P", "X", "<", ">", "h")
LINESTYLES: tuple[str, ...] = ("-", "--", "-.", ":")
#: Hatches of overlapping fills (win-sets): with four or more they stay distinguishable
#: where colours blend.
HATCHES: tuple[str, ...] = ("//", "\\\\", "||", "--", "++", "xx", "..", "oo")


def colour(k: int) -> str:
    """The ``k``-th series' colour."""
    return PALETTE[k % len(PALETTE)]


def style(k: int) -> str:
    """The ``k``-th series' line style: solid for the first sixteen, then dashed, ..."""
    return LINESTYLES[(k // len(PALETTE)) % len(LINESTYLES)]
