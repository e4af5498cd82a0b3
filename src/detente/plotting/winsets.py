"""Win-sets of the veto players on two issues, with ideal points, status quo, red lines, zone.

The other issues are held at the status quo (``others="status_quo"``, the default) or at
the best package of the point diagnosis (``others="best"``: the max-min package inside an
open zone, else the package attaining the gap); the title says which. Each veto player's
win-set is drawn from its utility on a grid of ``resolution`` x ``resolution`` points (the
definitions are those of :mod:`detente.core`); the zone of agreement on the
slice is the grid cells inside every win-set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import bargaining_inputs, win_set_gap, win_set_masks
from ..errors import ModelError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..analysis.diagnosis import Diagnosis
    from ..scenario import Scenario

__all__ = ["default_issues", "plot_diagnosis", "plot_winsets", "winset_grid"]

_COLOURS = ("tab:blue", "tab:red", "tab:green", "tab:purple", "tab:orange", "tab:brown")


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
    others: str = "status_quo",
    resolution: int = 201,
    curvature: float | None = None,
    agreement_cost: float | None = None,
) -> dict[str, Any]:
    """The grid behind :func:`plot_winsets`: axes values, each veto player's win-set mask
    (resolution, resolution) and the zone mask."""
    if others not in ("status_quo", "best"):
        raise ModelError(
            f"The 'others' parameter of plot_winsets must be 'status_quo' or 'best'. Got {others!r} instead."
        )
    arrays = s.to_arrays()
    inp = bargaining_inputs(arrays, curvature=curvature, agreement_cost=agreement_cost)
    j1, j2 = (arrays.issue_index(i) for i in issues)
    if j1 == j2:
        raise ModelError("pick two different issues to plot")
    if others == "best":
        r = win_set_gap(arrays, curvature=curvature, agreement_cost=agreement_cost)
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
    }


def plot_winsets(
    s: Scenario,
    issues: tuple[str, str] | None = None,
    *,
    ax: Axes | None = None,
    others: str = "status_quo",
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
    for k, (a, mask) in enumerate(g["win_sets"].items()):
        c = _COLOURS[k % len(_COLOURS)]
        if mask.any():
            ax.contourf(x, y, mask.astype(float), levels=[0.5, 1.5], colors=[c], alpha=0.25)
            ax.contour(x, y, mask.astype(float), levels=[0.5], colors=[c], linewidths=1)
        px, py = g["ideal"][a]
        ax.plot(px, py, marker="o", color=c, ms=8, ls="none", clip_on=False)
        ax.annotate(f"{a} ideal", (px, py), textcoords="offset points", xytext=(5, 5), color=c)
        handles.append(Patch(color=c, alpha=0.35, label=f"{a} win-set"))
        for dim, issue in enumerate(issues):
            lo, hi = g["red_lines"][a][issue]
            scale = x if dim == 0 else y
            for bound, is_red in ((lo, lo > scale[0]), (hi, hi < scale[-1])):
                if is_red:
                    if dim == 0:
                        ax.axvline(bound, color=c, ls="--", lw=1.5)
                    else:
                        ax.axhline(bound, color=c, ls="--", lw=1.5)
    if g["zone"].any():
        ax.contourf(x, y, g["zone"].astype(float), levels=[0.5, 1.5], colors=["k"], alpha=0.35)
        handles.append(Patch(color="k", alpha=0.45, label="zone of agreement"))
    else:
        handles.append(Patch(facecolor="none", edgecolor="none", label="zone of agreement: empty"))
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
