"""Win-sets of the veto players on two issues, with ideal points, status quo, red lines, zone.

The other issues are held at the best package of the point diagnosis (``others="best"``: the
max-min package inside an open zone, else the package attaining the gap), at the status quo
(``others="status_quo"``), or (``others="auto"``, the default) at the max-min package when the
zone is open and at the status quo when it is not, so that the picture reads the zone the
diagnosis' headline reads; the title says which, and the legend says whether the zone is open. Each veto player's
win-set is drawn from its utility on a grid of ``resolution`` x ``resolution`` points (the
definitions are those of :mod:`detente.core`); the zone of agreement on the
slice is the grid cells inside every win-set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import bargaining_inputs, win_set_gap, win_set_masks
from ..errors import ModelError
from .palette import HATCHES, LINESTYLES, colour

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..analysis.diagnosis import Diagnosis
    from ..scenario import Scenario

__all__ = ["default_issues", "plot_diagnosis", "plot_winsets", "winset_grid"]


def default_issues(s: Scenario) -> tuple[str, str]:
    """The two issues the veto players care most about together."""
    if s.n_issues < 2:
        raise ModelError("a win-set plot needs two issues; this scenario has one")
    w = bargaining_inputs(s.to_arrays()).weights[0].sum(axis=0)
    j1, j2 = np.argsort(-w, kind="stable")[:2]
    return (s.issue_ids[int(j1)], s.issue_ids[int(j2)])


def winset_grid(
    s: Scenario,
    issues: tuple[str, str],
    *,
    others: str = "auto",
    resolution: int = 201,
    curvature: float | None = None,
    agreement_cost: float | None = None,
) -> dict[str, Any]:
    """The grid behind :func:`plot_winsets`: axes values, each veto player's win-set mask
    (resolution, resolution) and the zone mask."""
    if others not in ("status_quo", "best", "auto"):
        raise ModelError(
            f"The 'others' parameter of plot_winsets must be 'auto', 'status_quo' or 'best'. Got {others!r} instead."
        )
    arrays = s.to_arrays()
    inp = bargaining_inputs(arrays, curvature=curvature, agreement_cost=agreement_cost)
    j1, j2 = (arrays.issue_index(i) for i in issues)
    if j1 == j2:
        raise ModelError("pick two different issues to plot")
    r = win_set_gap(arrays, curvature=curvature, agreement_cost=agreement_cost)
    zone_open = bool(r.zone_nonempty)
    if others == "auto":
        others = "best" if zone_open else "status_quo"
    if others == "best":
        base = (r.best_package - inp.scale_low) / inp.scale_width
    else:
        base = inp.status_quo[0]
    t = np.linspace(0.0, 1.0, resolution)
    masks = win_set_masks(inp, j1, j2, base, resolution)  # (V, m): the core's one test
    shape = (resolution, resolution)
    return {
        "x": inp.scale_low[j1] + t * inp.scale_width[j1],
        "y": inp.scale_low[j2] + t * inp.scale_width[j2],
        "win_sets": {a: masks[v].reshape(shape) for v, a in enumerate(inp.veto_ids)},
        "zone": np.all(masks, axis=0).reshape(shape),
        "ideal": {
            a: (
                inp.scale_low[j1] + inp.ideal[0, v, j1] * inp.scale_width[j1],
                inp.scale_low[j2] + inp.ideal[0, v, j2] * inp.scale_width[j2],
            )
            for v, a in enumerate(inp.veto_ids)
        },
        "status_quo": (float(arrays.status_quo[j1]), float(arrays.status_quo[j2])),
        "base": inp.to_issue_units(base),
        "red_lines": {
            a: {
                issues[0]: (float(arrays.red_low[k, j1]), float(arrays.red_high[k, j1])),
                issues[1]: (float(arrays.red_low[k, j2]), float(arrays.red_high[k, j2])),
            }
            for a, k in zip(inp.veto_ids, inp.veto_index, strict=True)
        },
        "others": others,
        "zone_open": zone_open,
        "package": (float(r.best_package[j1]), float(r.best_package[j2])),
    }


def plot_winsets(
    s: Scenario,
    issues: tuple[str, str] | None = None,
    *,
    ax: Axes | None = None,
    others: str = "auto",
    resolution: int = 201,
    curvature: float | None = None,
    agreement_cost: float | None = None,
) -> Axes:
    """Draw the veto players' win-sets on two issues; returns the axes."""
    import matplotlib.pyplot as plt  # the caller's backend; headless machines fall back to Agg
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    issues = issues or default_issues(s)
    g = winset_grid(
        s,
        issues,
        others=others,
        resolution=resolution,
        curvature=curvature,
        agreement_cost=agreement_cost,
    )
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 6))
    x, y = g["x"], g["y"]
    extent = (x[0], x[-1], y[0], y[-1])
    handles: list[Any] = []
    import matplotlib

    for k, (a, mask) in enumerate(g["win_sets"].items()):
        # a colour, a hatch and an outline of its own: overlapping win-sets stay apart
        c, hatch, ls = colour(k), HATCHES[k % len(HATCHES)], LINESTYLES[k % len(LINESTYLES)]
        if mask.any():
            with matplotlib.rc_context({"hatch.color": c, "hatch.linewidth": 0.8}):
                ax.contourf(
                    x, y, mask.astype(float), levels=[0.5, 1.5], colors=[c], alpha=0.18,
                    hatches=[hatch],
                )  # fmt: skip
            ax.contour(x, y, mask.astype(float), levels=[0.5], colors=[c], linewidths=1.4,
                       linestyles=ls)  # fmt: skip
        px, py = g["ideal"][a]
        ax.plot(px, py, marker="o", color=c, ms=8, ls="none", clip_on=False)
        ax.annotate(f"{a} ideal", (px, py), textcoords="offset points", xytext=(5, 5), color=c)
        handles.append(
            Patch(
                facecolor=matplotlib.colors.to_rgba(c, 0.18), edgecolor=c, hatch=hatch, ls=ls,
                label=f"{a} win-set",
            )
        )  # fmt: skip
        for dim, issue in enumerate(issues):
            lo, hi = g["red_lines"][a][issue]
            scale = x if dim == 0 else y
            for bound, is_red in ((lo, lo > scale[0]), (hi, hi < scale[-1])):
                if is_red:
                    if dim == 0:
                        ax.axvline(bound, color=c, ls="--", lw=1.5)
                    else:
                        ax.axhline(bound, color=c, ls="--", lw=1.5)
    # the legend reads the zone of the point diagnosis (the headline), the fill what the slice shows
    if g["zone"].any():
        with matplotlib.rc_context({"hatch.color": "k", "hatch.linewidth": 1.0}):
            ax.contourf(x, y, g["zone"].astype(float), levels=[0.5, 1.5], colors=["none"],
                        hatches=["xxx"])  # fmt: skip
        ax.contour(x, y, g["zone"].astype(float), levels=[0.5], colors=["k"], linewidths=2)
    if not g["zone_open"]:
        label = "zone of agreement: empty"
    elif g["zone"].any():
        label = "zone of agreement: open"
    else:
        label = "zone of agreement: open, thinner than the grid here (◆)"
    handles.append(Patch(facecolor="none", edgecolor="k", hatch="xxx", label=label))
    if g["zone_open"] and g["others"] == "best":
        bx, by = g["package"]
        ax.plot(bx, by, marker="D", color="w", mec="k", ms=8, ls="none", zorder=7)
        handles.append(
            Line2D([], [], marker="D", color="w", mec="k", ls="none", label="max-min package")
        )
    sx, sy = g["status_quo"]
    ax.plot(sx, sy, marker="*", color="k", ms=14, ls="none", clip_on=False)
    ax.annotate("status quo", (sx, sy), textcoords="offset points", xytext=(6, -12))
    handles.append(Line2D([], [], color="k", marker="*", ls="none", ms=10, label="status quo"))
    handles.append(Line2D([], [], color="gray", ls="--", label="red line"))
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_xlabel(s.issue(issues[0]).label)
    ax.set_ylabel(s.issue(issues[1]).label)
    held = "the status quo" if g["others"] == "status_quo" else "the best package"
    ax.set_title(
        f"Win-sets on {issues[0]} x {issues[1]}\n(other issues held at {held})", fontsize=10
    )
    ax.legend(handles=handles, fontsize="small", loc="best")
    return ax


def plot_diagnosis(
    d: Diagnosis, ax: Axes | None = None, issues: tuple[str, str] | None = None, **kw: Any
) -> Axes:
    """A diagnosis' win-sets on two issues (default: the two most disputed), drawn with the
    diagnosis' curvature and cost of agreement (see :func:`plot_winsets`).

    The diagnosis lives in ``analysis``, below the drawing layer, so it does not draw itself.
    """
    if d.scenario is None:
        raise ModelError("this diagnosis carries no scenario to plot")
    return plot_winsets(
        d.scenario,
        issues=issues,
        ax=ax,
        curvature=d.settings.get("curvature"),
        agreement_cost=d.settings.get("agreement_cost"),
        **kw,
    )
