"""Figures of global sensitivity and of sweeps, drawn from their JSON (``to_dict()``).

Matplotlib is imported lazily; each function returns the figure.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["sensitivity_bars", "sweep_multiples"]

#: Inputs shown in the bar chart (the rest are counted in the title).
TOP = 12


def sensitivity_bars(result: dict[str, Any], *, top: int = TOP) -> Any:
    """Horizontal bars of the indices: first-order and total (Sobol) or mu* (Morris), with
    their bootstrap intervals, most important input on top.

    Drawn on a :class:`matplotlib.figure.Figure` of its own (no pyplot, no global state), so
    ``detente sensitivity --plot`` and the HTML report's "what drives it" draw the same chart."""
    from matplotlib.figure import Figure

    sobol = result["method"] == "sobol"
    key = "total" if sobol else "mu_star"
    # inputs whose index is zero (read, but moving nothing over the ranges) are counted, not drawn
    rows = [r for r in result["inputs"] if abs(r[key] or 0.0) > 5e-4][:top]
    fig = Figure(figsize=(7.5, 0.45 * max(3, len(rows)) + 1.2))
    ax = fig.add_subplot()
    y = list(range(len(rows)))[::-1]
    labels = [r["label"] for r in rows]

    def bars(key: str, offset: float, color: str, name: str) -> None:
        vals = [r[key] or 0.0 for r in rows]
        iv = [r.get(f"{key}_interval") or [v, v] for r, v in zip(rows, vals, strict=True)]
        err = [[max(0.0, v - i[0]) for v, i in zip(vals, iv, strict=True)],
               [max(0.0, i[1] - v) for v, i in zip(vals, iv, strict=True)]]  # fmt: skip
        ax.barh([v + offset for v in y], vals, height=0.38 if sobol else 0.7, color=color,
                xerr=err, ecolor="#444444", capsize=2, label=name)  # fmt: skip

    if sobol:
        bars("total", -0.2, "#1f77b4", "total")
        bars("first", 0.2, "#9ecae1", "first order")
        ax.set_xlabel("Sobol index (share of the variance)\nwith its 95% bootstrap interval")
        ax.legend(loc="best", frameon=True, fontsize=8)
    else:
        bars("mu_star", 0.0, "#1f77b4", "mu*")
        ax.set_xlabel(
            "Morris mu* (mean absolute elementary effect)\nwith its 95% bootstrap interval"
        )
    ax.set_yticks(y, labels)
    more = len(result["inputs"]) - len(rows)
    ax.set_title(
        f"What drives {result['label']} ({result['scenario']})"
        + (f"\n{more} more inputs with index 0 or below the top {top}" if more > 0 else ""),
        fontsize=10,
        loc="right",
    )
    ax.axvline(0, color="#888888", lw=0.8)
    fig.tight_layout()
    return fig


def sweep_multiples(result: dict[str, Any], metric: str = "p_zone") -> Any:
    """Small multiples of a sweep: one panel per value of the second grid path (if any), the
    metric against the first grid path, one line per value of the third."""
    import matplotlib.pyplot as plt

    grid = result["grid"]
    paths = list(grid)
    rows = [r for r in result["variants"] if r.get(metric) is not None]
    x_path = paths[0]
    panel_path = paths[1] if len(paths) > 1 else None
    line_path = paths[2] if len(paths) > 2 else None
    panels = grid[panel_path] if panel_path else [None]
    ncols = min(3, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 2.8 * nrows + 0.6),
                             sharey=True, squeeze=False)  # fmt: skip
    for k, pv in enumerate(panels):
        ax = axes[k // ncols][k % ncols]
        sel = [r for r in rows if panel_path is None or r["values"][panel_path] == pv]
        for lv in grid[line_path] if line_path else [None]:
            pts = sorted(
                (r["values"][x_path], r[metric])
                for r in sel
                if line_path is None or r["values"][line_path] == lv
            )
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o",
                        label=None if lv is None else f"{str(line_path).split('.')[-1]}={lv:g}")  # fmt: skip
        ax.set_title("all variants" if pv is None else f"{panel_path} = {pv:g}", fontsize=9)
        ax.set_xlabel(x_path, fontsize=8)
        if k % ncols == 0:
            ax.set_ylabel(metric)
        if line_path:
            ax.legend(fontsize=7, frameon=False)
    for k in range(len(panels), nrows * ncols):
        axes[k // ncols][k % ncols].set_visible(False)
    fig.suptitle(f"Sweep of {result['scenario']}: {metric}", fontsize=10)
    fig.tight_layout()
    return fig
