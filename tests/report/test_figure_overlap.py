"""The report's figures for every bundled case, the steel example and a generated case with 12
actors (four of them veto players): no legend overlaps a title, a figure-level legend lies on no
axes and inside the figure, titles do not overlap; one colour per model and per veto player,
none the baseline's grey; the win-set map reads the zone the headline reads.

Boxes are matplotlib's window extents after a full draw (Agg: the same layout and font metrics
as the SVG the report inlines).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.colors as mcolors
import numpy as np
import pytest

from detente.pipeline import run
from detente.plotting.palette import BASELINE, PALETTE
from detente.report.figures import report_figure_objects
from detente.scenario import Scenario, bundled_names, load, resolve

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "steel-dispute.yaml"


def twelve_actors() -> Scenario:
    """A generated case: 12 actors with long labels, four veto players, three issues."""
    rng = np.random.default_rng(12)
    issues = [{"id": f"issue_{k}", "label": f"Issue {k}"} for k in range(3)]
    actors = []
    for k in range(12):
        stances = {
            i["id"]: {
                "position": float(rng.integers(0, 101)),
                "salience": round(float(rng.uniform(0.2, 1.0)), 2),
            }
            for i in issues
        }
        actors.append(
            {
                "id": f"actor_{k:02d}",
                "label": f"A party with a rather long name number {k}",
                "capability": round(float(rng.uniform(0.1, 1.0)), 2),
                "veto": k < 4,
                "stances": stances,
            }
        )
    return Scenario.model_validate(
        {
            "meta": {"id": "generated-12", "title": "Twelve actors"},
            "issues": issues,
            "actors": actors,
            "status_quo": {i["id"]: 50 for i in issues},
        }
    )


CASES = [*bundled_names(), "steel-dispute", "generated-12"]


def _scenario(name: str) -> Scenario:
    if name == "steel-dispute":
        return load(EXAMPLE)
    if name == "generated-12":
        return twelve_actors()
    return resolve(name)


@pytest.fixture(scope="module", params=CASES)
def report(request: Any) -> Any:
    return run(_scenario(request.param), draws=16, runs=16, months=6, seed=3)


def _drawn(fig: Any) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def _titles(fig: Any) -> list[Any]:
    texts = [getattr(fig, "_suptitle", None)]
    for ax in fig.axes:
        texts += [ax.title, ax._left_title, ax._right_title]
    return [t for t in texts if t is not None and t.get_visible() and t.get_text()]


def test_no_legend_overlaps_a_title_or_the_plots(report: Any) -> None:
    figures = report_figure_objects(report)
    assert figures, "every case has at least the forecast figure"
    for fid, _title, _caption, fig in figures:
        renderer = _drawn(fig)
        frame = fig.bbox.padded(1)
        titles = [(t.get_text(), t.get_window_extent(renderer)) for t in _titles(fig)]
        legends = [(leg, True) for leg in fig.legends]
        legends += [(ax.get_legend(), False) for ax in fig.axes if ax.get_legend() is not None]
        for leg, outside in legends:
            box = leg.get_window_extent(renderer)
            for text, tb in titles:
                assert not box.overlaps(tb), (
                    f"{report.scenario.id} {fid}: legend over title {text!r}"
                )
            if outside:  # a figure legend sits beside the plots, never on them
                for ax in fig.axes:
                    if ax.get_visible() and ax.axison:
                        assert not box.overlaps(ax.get_window_extent(renderer)), (
                            f"{report.scenario.id} {fid}: the legend covers a plot"
                        )
                assert frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1), (
                    f"{report.scenario.id} {fid}: the legend is cut off {box} {fig.bbox}"
                )
        for k, (a, ab) in enumerate(titles):
            for b, bb in titles[k + 1 :]:
                assert not ab.overlaps(bb), f"{report.scenario.id} {fid}: {a!r} over {b!r}"


def _grey(colour: Any) -> bool:
    r, g, b = mcolors.to_rgb(colour)
    return max(r, g, b) - min(r, g, b) < 0.08


def test_every_model_and_veto_player_has_its_own_colour_none_grey(report: Any) -> None:
    figures = {fid: fig for fid, _t, _c, fig in report_figure_objects(report)}
    fig = figures["fig-forecasts"]
    models = [f["model"] for f in report.forecasts if "outcome" in f]
    handles = {h.get_label(): h for h in fig.legends[0].legend_handles}
    colours = [mcolors.to_hex(handles[m].get_facecolor()[0]) for m in models]
    assert len(set(colours)) == len(models) and not any(map(_grey, colours)), colours
    win = figures.get("fig-winset")
    if win is not None:
        veto = list(report.diagnosis["winset_map"]["masks"])
        patches = {h.get_label(): h for h in win.legends[0].legend_handles}
        sets = [patches[f"{v}'s win-set"] for v in veto]
        edge = [mcolors.to_hex(p.get_edgecolor()) for p in sets]
        hatches = [p.get_hatch() for p in sets]
        assert len(set(edge)) == len(veto) and not any(map(_grey, edge)), edge
        # with four veto players or more the fills blend: each keeps a hatch of its own
        assert len(set(hatches)) == len(veto), hatches


def test_the_palette_is_distinct_and_never_the_baseline_grey() -> None:
    assert len(set(PALETTE)) == len(PALETTE) >= 12
    assert not any(map(_grey, PALETTE)) and BASELINE not in PALETTE and _grey(BASELINE)
    # distinct under deuteranopia too (Machado et al. 2009, severity 1.0): no two of the
    # first eight colours closer than 0.12 in simulated RGB
    m = np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
         [-0.011820, 0.042940, 0.968881]]
    )  # fmt: skip
    rgb = np.array([mcolors.to_rgb(c) for c in PALETTE[:8]]) ** 2.2
    sim = np.clip(rgb @ m.T, 0, 1) ** (1 / 2.2)
    dist = np.linalg.norm(sim[:, None] - sim[None], axis=-1) + np.eye(8)
    assert dist.min() > 0.12, dist.min()


def test_the_win_set_map_reads_the_headlines_zone(report: Any) -> None:
    d = report.diagnosis
    if not d or "winset_map" not in d:
        pytest.skip(f"{report.scenario.id} has no win-set map (fewer than two issues or no veto)")
    m = d["winset_map"]
    if d["zone_nonempty"]:
        # held at the max-min package: the slice passes through the zone the headline reports
        assert m["held_at"] == "package" and m["zone_in_slice"]
        assert m["package"] == [d["best_package"][i] for i in m["issues"]]
    else:
        assert not m["zone_in_slice"]
