"""The HTML report's figures, drawn with matplotlib (no pyplot, no global backend) as inline SVG.

Every figure is drawn from the numbers an :class:`~detente.report.AnalysisReport` holds, so the
figures show exactly what the tables and the JSON say. Text is drawn as paths, so the SVG needs
no fonts; metadata and the XML prologue are dropped so the SVG can sit inside HTML.

The tools every figure uses (a figure, its SVG, the palette) are in :mod:`._figure_kit`, the
win-set map in :mod:`._winset_figure`; this module draws the other figures and assembles them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..plotting import palette
from ._figure_kit import (
    EVER_COLOURS,
    MODE_COLOURS,
    MODEL_MARKERS,
    PALETTE,
    ZONE_COLOUR,
    figure_svg,
    legend_columns,
    new_figure,
    wrap_label,
)
from ._winset_figure import winset_fig

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .build import AnalysisReport

__all__ = [
    "MODEL_MARKERS",
    "PALETTE",
    "ZONE_COLOUR",
    "figure_svg",
    "new_figure",
    "report_figure_objects",
    "report_figures",
    "winset_fig",
]


def _forecast_fig(r: AnalysisReport) -> Figure | None:
    ok = [f for f in r.forecasts if "outcome" in f]
    n = len(r.issues)
    if n == 0:
        return None
    fig = new_figure(8, 0.55 * n + 1.3)
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    for k, i in enumerate(r.issues):
        span = i["high"] - i["low"]
        for a in r.actors:
            st = a["stances"].get(i["id"])
            if st is None:
                continue
            x = 100 * (st["position"] - i["low"]) / span
            ax.scatter(x, y[k], s=20 + 180 * st["salience"], color=palette.BASELINE, zorder=1, lw=0)
        sq = 100 * (i["status_quo"] - i["low"]) / span
        ax.scatter(
            sq, y[k], marker="x", color="k", s=50, zorder=3, label="status quo" if k == 0 else None
        )
        for m, f in enumerate(ok):
            v = f["outcome"].get(i["id"])
            if v is None:
                continue
            # each model on its own line within the issue's band, with its own shape
            ax.scatter(
                100 * (v - i["low"]) / span,
                y[k] + 0.6 * ((m + 0.5) / max(1, len(ok)) - 0.5),
                marker=MODEL_MARKERS[m % len(MODEL_MARKERS)],
                s=34,
                facecolor=PALETTE[m % len(PALETTE)],
                edgecolor="k",
                linewidth=0.5,
                zorder=4,
                label=f["model"] if k == 0 else None,
            )
    ax.set_yticks(y, [i["id"] for i in r.issues])
    ax.set_xlim(-3, 103)
    ax.set_xlabel("position, % of each issue's scale (grey: actors, size = salience)")
    ax.set_title("Forecast outcome per issue and model")
    # below the axes, in columns: clear of the title whatever the number of models
    labels = [f["model"] for f in ok] + ["status quo"]
    fig.legend(
        loc="outside lower center",
        ncol=legend_columns(8, labels),
        fontsize="small",
        frameon=False,
    )
    ax.grid(axis="x", alpha=0.3)
    return fig


def _rounds_fig(r: AnalysisReport, f: dict[str, Any]) -> Figure | None:
    pos = np.asarray(f["positions"], dtype=float)
    if pos.ndim != 3 or pos.shape[0] < 2:
        return None
    from matplotlib.ticker import MaxNLocator

    issues = f["issue_ids"]
    actors = f["actor_ids"]
    labels = {a["id"]: a["label"] for a in r.actors}
    stances = {a["id"]: a["stances"] for a in r.actors}
    n = len(issues)
    cols = min(3, n)
    rows = int(np.ceil(n / cols))
    width = 3.3 * cols + 1.5
    wrapped = [wrap_label(labels.get(a, a)) for a in actors]
    ncol = legend_columns(width, [max(x.split("\n"), key=len) for x in wrapped])
    lines = max((x.count("\n") + 1 for x in wrapped), default=1)
    legend_height = 0.2 * lines * int(np.ceil(len(actors) / ncol))
    fig = new_figure(width, 2.4 * rows + 0.9 + legend_height)
    axes = fig.subplots(rows, cols, squeeze=False)
    rounds = np.arange(pos.shape[0])
    for j, iid in enumerate(issues):
        ax = axes[j // cols][j % cols]
        for k, a in enumerate(actors):
            if iid not in stances.get(a, {iid: None}):
                continue  # no stance on this issue: not a party to it
            ax.plot(
                rounds,
                pos[:, k, j],
                marker=".",
                lw=1.2,
                color=palette.colour(k),
                ls=palette.style(k),
                label=wrap_label(labels.get(a, a)),
            )
        v = f["outcome"].get(iid)
        if v is not None:
            ax.axhline(v, color="k", ls="--", lw=1)
        ax.set_title(iid, fontsize="medium")
        ax.set_xlabel("round")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for j in range(n, rows * cols):
        axes[j // cols][j % cols].set_axis_off()
    by_label: dict[str, Any] = {}
    for row in axes:
        for ax in row:
            for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
                by_label.setdefault(lab, h)
    # below the panels, four to a row: never under the title, at any number of actors
    fig.legend(
        list(by_label.values()),
        list(by_label),
        loc="outside lower center",
        ncol=ncol,
        fontsize="small",
        frameon=False,
    )
    fig.suptitle(f"{f['model']}: positions by round (dashed: forecast outcome)")
    return fig


def _outlook_fig(r: AnalysisReport) -> Figure | None:
    o = r.outlook
    if not o or not o.get("p_mode"):
        return None
    months = list(o["months"])
    x = np.arange(1, len(months) + 1)
    ever = o.get("p_ever") or {}
    fig = new_figure(8.5, 7.2)
    ax, ax1, ax2 = fig.subplots(3, 1, sharex=True, height_ratios=[3, 3, 2])
    modes = list(o["p_mode"])
    ys = np.array([np.asarray(o["p_mode"][m], dtype=float) for m in modes])
    cols = [MODE_COLOURS.get(m, PALETTE[k % len(PALETTE)]) for k, m in enumerate(modes)]
    ax.stackplot(x, ys, labels=[m.replace("_", " ") for m in modes], colors=cols)
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of runs")
    ax.set_title("Outlook: the mode each month, and what has happened by then")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    n = max(1, int(r.settings.get("runs", 1)))
    for key, colour in EVER_COLOURS.items():
        if key not in ever:
            continue
        p = np.asarray(ever[key], dtype=float)
        half = 1.645 * np.sqrt(p * (1 - p) / n)
        ax1.plot(x, p, color=colour, lw=1.8, label=f"P({key} by then)")
        ax1.fill_between(
            x, np.clip(p - half, 0, 1), np.clip(p + half, 0, 1), color=colour, alpha=0.2, lw=0
        )
    for h in o.get("horizons", []):
        ax1.axvline(h["month"], color="#555", lw=0.6, ls=":")
    ax1.set_ylim(0, 1)
    ax1.set_ylabel("probability")
    ax1.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    prov = o.get("provocations")
    if prov and prov.get("mean") is not None:
        # monthly counts are small integers, so their percentiles are a flat band; the
        # cumulative count fans out (its percentiles when the dynamics give them)
        mean = np.cumsum(np.asarray(prov["mean"], dtype=float))
        ax2.plot(x, mean, color="#d62728", label="mean")
        low, high = prov.get("cumulative_low"), prov.get("cumulative_high")
        if low is not None and high is not None:
            ax2.fill_between(
                x, low, high, color="#d62728", alpha=0.2, lw=0, label="5th to 95th percentile"
            )
        ax2.set_ylabel("provocations\n(cumulative)")
        ax2.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    else:
        ax2.set_axis_off()
    step = max(1, len(months) // 8)
    ax2.set_xticks(x[::step], [str(m) for m in months[::step]], rotation=30, fontsize="small")
    ax2.set_xlabel("month")
    return fig


def _levers_fig(r: AnalysisReport) -> Figure | None:
    import textwrap

    d = r.diagnosis
    if not d or not d.get("levers"):
        return None
    from .text import top_levers

    # levers that do not apply (no P(zone)) have no bar
    levers = [lv for lv in top_levers(d, 12) if lv.get("p_zone_nonempty") is not None]
    if not levers:
        return None
    fig = new_figure(9, 0.42 * len(levers) + 1.5)
    ax = fig.add_subplot()
    y = np.arange(len(levers))[::-1]
    vals = [lv["p_zone_nonempty"] for lv in levers]
    colours = ["#2ca02c" if lv.get("named") else "#3182bd" for lv in levers]
    ax.barh(y, vals, color=colours, height=0.7)
    for yi, v in zip(y, vals, strict=True):
        ax.text(min(v, 0.9) + 0.01, yi, f"{100 * v:.0f}%", va="center", fontsize="small")
    base = d.get("p_zone_nonempty")
    if base is not None:
        ax.axvline(base, color="k", ls="--", lw=1, label=f"baseline {100 * base:.0f}%")
        ax.legend(fontsize="small", loc="lower right")
    labels = [textwrap.fill(lv["name"], 38) for lv in levers]
    ax.set_yticks(y, labels, fontsize="small")
    ax.set_xlim(0, 1)
    ax.set_xlabel("P(zone of agreement non-empty) with the lever")
    ax.set_title("Levers (green: named in the scenario)", fontsize="medium")
    return fig


def _calibration_fig(r: AnalysisReport) -> Figure | None:
    c = r.calibration
    if not c or not c.get("series"):
        return None
    series = c["series"]
    fig = new_figure(9, 4.4)
    ax = fig.add_subplot()
    months = series["months"]
    x = np.arange(len(months))
    observed = np.asarray(series["observed"], dtype=float)
    if series.get("talks") is not None:
        talks = np.nan_to_num(np.asarray(series["talks"], dtype=float)) > 0
        top = max(1.0, float(observed.max()))
        ax.fill_between(
            x,
            0,
            top,
            where=talks,
            step="mid",
            color="#2ca02c",
            alpha=0.15,
            lw=0,
            label=series.get("talks_label", "months with talks"),
        )
    ax.bar(
        x,
        observed,
        color="#777",
        width=1.0,
        label=series.get("observed_label", "observed"),
    )
    for k, (name, ys) in enumerate(series.get("fitted", {}).items()):
        ax.plot(x, ys, lw=1.4, color=PALETTE[k % len(PALETTE)], label=name)
    # the model's forecasts from each rolling origin (the next 12 months as a monthly mean,
    # at the middle of that year): median, 50% (thick) and 90% (thin) intervals
    for sample, colour in (
        ("train", PALETTE[1 % len(PALETTE)]),
        ("test", PALETTE[3 % len(PALETTE)]),
    ):
        fc = [f for f in series.get("forecasts", []) if f["sample"] == sample]
        if not fc:
            continue
        fx = np.array([f["x"] for f in fc])
        med = np.array([f["median"] for f in fc])
        ax.vlines(fx, [f["lo90"] for f in fc], [f["hi90"] for f in fc], color=colour, lw=0.8)
        ax.vlines(fx, [f["lo50"] for f in fc], [f["hi50"] for f in fc], color=colour, lw=3)
        ax.plot(fx, med, "o", ms=3, color=colour,
                label=f"forecast of the next 12 months, {sample} origins (median, 50%, 90%)")  # fmt: skip
        ax.plot(fx, [f["observed"] for f in fc], "x", ms=4, color="k",
                label="observed mean of those 12 months" if sample == "test" else None)  # fmt: skip
    split = series.get("split_index")
    if split is not None:
        ax.axvline(split, color="k", ls="--", lw=1, label="out-of-sample from here")
    step = max(1, len(months) // 10)
    ax.set_xticks(x[::step], [str(m) for m in months[::step]], rotation=30, fontsize="small")
    ax.set_ylabel(series.get("ylabel", "count per month"))
    ax.set_title(series.get("title", "Calibration against history"), fontsize="medium")
    # long labels wrapped, as many columns as fit across the figure: never cut off at its sides
    handles, labels = ax.get_legend_handles_labels()
    wrapped = [wrap_label(x, 36) for x in labels]
    longest = [max(x.split("\n"), key=len) for x in wrapped]
    fig.legend(
        handles,
        wrapped,
        loc="outside lower center",
        ncol=legend_columns(8.6, longest),
        fontsize="small",
        frameon=False,
    )
    return fig


def report_figure_objects(r: AnalysisReport) -> list[tuple[str, str, str, Figure]]:
    """Every matplotlib figure of the report as ``(id, title, caption, figure)``, in reading
    order (the figures :func:`report_figures` renders; ``extra_figures`` are SVG already)."""
    out: list[tuple[str, str, str, Figure]] = []

    def add(fid: str, title: str, caption: str, fig: Figure | None) -> None:
        if fig is not None:
            out.append((fid, title, caption, fig))

    add(
        "fig-forecasts",
        "Forecasts per issue",
        "Each model's predicted outcome (its own colour and shape) against the actors' positions (grey, sized by salience) and the status quo (x).",
        _forecast_fig(r),
    )
    for f in r.forecasts:
        if "positions" in f:
            add(
                f"fig-rounds-{f['model']}",
                f"Positions by round: {f['model']}",
                f"How each actor's position moves round by round in the {f['model']} model.",
                _rounds_fig(r, f),
            )
    if r.diagnosis and r.diagnosis.get("winset_map"):
        m = r.diagnosis["winset_map"]
        held = ", ".join(m.get("held") or m.get("held_at_status_quo") or [])
        at = (
            "the max-min package of the zone" if m.get("held_at") == "package" else "the status quo"
        )
        add(
            "fig-winset",
            "Win-set map",
            f"The packages each veto player prefers to the status quo on {m['issues'][0]} × {m['issues'][1]}"
            + (f", with {held} held at {at}" if held else "")
            + "; stars are ideal points, dashed lines red lines, black cross-hatching the zone of agreement.",
            winset_fig(m),
        )
    add(
        "fig-levers",
        "Lever chart",
        "P(zone of agreement non-empty) under each lever, against the baseline.",
        _levers_fig(r),
    )
    add(
        "fig-outlook",
        "Outlook fan chart",
        "Top: the share of simulated runs in each mode, month by month. Middle: the probability that talks, an agreement or a crisis has happened by each month (bands: 90% Monte Carlo error; dotted: the report's horizons). Bottom: provocations since the start, mean and 5th to 95th percentile of runs.",
        _outlook_fig(r),
    )
    add(
        "fig-calibration",
        "Calibration against history",
        "The record's provocation events per month (bars, 12-month mean line) and the simulation's forecasts from each rolling origin of the backtest: the mean of the next 12 months (median, 50% and 90% intervals; x the observed mean), with parameters fitted on the months before each origin; the dashed line marks the first test origin.",
        _calibration_fig(r),
    )
    return out


def report_figures(r: AnalysisReport) -> list[dict[str, str]]:
    """Every figure of the report as ``{"id", "title", "caption", "svg"}``, in reading order
    (the case's extra figures after the win-set map, before the levers)."""
    out = [
        {"id": fid, "title": title, "caption": caption, "svg": figure_svg(fig, prefix=f"{fid}-")}
        for fid, title, caption, fig in report_figure_objects(r)
    ]
    before = ("fig-forecasts", "fig-winset")
    split = sum(1 for f in out if f["id"] in before or f["id"].startswith("fig-rounds-"))
    return out[:split] + _extra(r) + out[split:]


def _extra(r: AnalysisReport) -> list[dict[str, str]]:
    return [
        {"id": fid, "title": title, "caption": caption, "svg": svg}
        for fid, title, caption, svg in r.extra_figures
    ]
