"""The win-set map of the HTML report: each veto player's win-set over two issues, the zone
hatched, ideal points, the status quo and the red lines, from the numbers the report holds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..plotting import palette
from ._figure_kit import ZONE_COLOUR, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plt_line", "winset_fig"]


def winset_fig(m: dict[str, Any]) -> Figure:
    """The veto players' win-sets over two issues, the zone, ideal points, red lines."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    x = np.asarray(m["x"], dtype=float)
    y = np.asarray(m["y"], dtype=float)
    fig = new_figure(7.5, 6)
    ax = fig.add_subplot()
    handles: list[Any] = []
    import matplotlib

    for k, (v, mask) in enumerate(m["masks"].items()):
        # a colour, a hatch and an outline style of its own: four or more overlapping win-sets
        # stay apart where their tints blend
        colour, hatch = palette.colour(k), palette.HATCHES[k % len(palette.HATCHES)]
        outline = palette.LINESTYLES[k % len(palette.LINESTYLES)]
        z = _unbits(mask)
        if z.any():
            with matplotlib.rc_context({"hatch.color": colour, "hatch.linewidth": 0.8}):
                ax.contourf(
                    x, y, z, levels=[0.5, 1.5], colors=[colour], alpha=0.18, hatches=[hatch]
                )
            ax.contour(x, y, z, levels=[0.5], colors=[colour], linewidths=1.6, linestyles=outline)
        handles.append(
            Patch(
                facecolor=matplotlib.colors.to_rgba(colour, 0.18),
                edgecolor=colour,
                hatch=hatch,
                ls=outline,
                label=f"{v}'s win-set",
            )
        )
        ix, iy = m["ideal"][v]
        ax.scatter([ix], [iy], marker="*", s=180, color=colour, edgecolor="k", zorder=5)
        ax.annotate(
            f"{v} ideal",
            (ix, iy),
            textcoords="offset points",
            xytext=_toward_centre(ix, iy, x, y),
            fontsize="small",
        )
        for rl in m["red_lines"].get(v, []):
            line = ax.axvline if rl["issue"] == m["issues"][0] else ax.axhline
            line(rl["bound"], color=colour, ls="--", lw=1.5)
            handles.append(
                plt_line(colour, f"{v} red line: {rl['issue']} {rl['op']} {rl['bound']:g}")
            )
    zone = _unbits(m["zone"])
    # the zone the headline reads (the diagnosis' point zone), not only what the slice shows
    is_open = bool(m.get("zone_open", zone.any()))
    if zone.any():
        with matplotlib.rc_context({"hatch.color": ZONE_COLOUR, "hatch.linewidth": 1.0}):
            ax.contourf(x, y, zone, levels=[0.5, 1.5], colors=["none"], hatches=["xxx"])
        ax.contour(x, y, zone, levels=[0.5], colors=[ZONE_COLOUR], linewidths=2.0)
    if not is_open:
        zone_label = "zone of agreement: empty"
    elif zone.any():
        zone_label = "zone of agreement: open"
    else:
        zone_label = "zone of agreement: open, thinner than the grid here (◆)"
    handles.append(Patch(facecolor="none", edgecolor=ZONE_COLOUR, hatch="xxx", label=zone_label))
    package = m.get("package")
    if is_open and package is not None:
        ax.scatter([package[0]], [package[1]], marker="D", s=70, color="w", edgecolor="k", zorder=7)
        handles.append(
            Line2D(
                [], [], marker="D", color="w", markeredgecolor="k", ls="none",
                label="max-min package (in the zone)",
            )
        )  # fmt: skip
    sx, sy = m["status_quo"]
    ax.scatter([sx], [sy], marker="X", s=120, color="k", zorder=6)
    ax.annotate(
        "status quo",
        (sx, sy),
        textcoords="offset points",
        xytext=_toward_centre(sx, sy, x, y),
        fontsize="small",
    )
    px, py = 0.02 * (x[-1] - x[0]), 0.02 * (y[-1] - y[0])
    ax.set_xlim(x[0] - px, x[-1] + px)
    ax.set_ylim(y[0] - py, y[-1] + py)
    ax.set_xlabel(m["issues"][0])
    ax.set_ylabel(m["issues"][1])
    held = m.get("held") or m.get("held_at_status_quo") or []
    at = "the max-min package" if m.get("held_at") == "package" else "the status quo"
    ax.set_title(
        "Win-sets of the veto players" + (f"\n(other issues at {at})" if held else ""),
        fontsize="medium",
    )
    fig.legend(handles=handles, loc="outside right upper", fontsize="small", frameon=False)
    return fig


def _unbits(rows: list[str]) -> np.ndarray:
    return np.array([[c == "1" for c in row] for row in rows], dtype=float)


def _toward_centre(px: float, py: float, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """A label offset (points) that keeps a label at ``(px, py)`` inside the axes."""
    right = px > (x[0] + x[-1]) / 2
    top = py > (y[0] + y[-1]) / 2
    return (-60.0 if right else 8.0, -14.0 if top else 8.0)


def plt_line(colour: str, label: str) -> Any:
    from matplotlib.lines import Line2D

    return Line2D([], [], color=colour, ls="--", lw=1.5, label=label)
