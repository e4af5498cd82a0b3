"""Issue 14: the HTML figures fill the page, tell the zone from the win-sets, and label axes."""

from types import SimpleNamespace

import numpy as np

from detente.report import figures as F


def test_svg_is_responsive():
    fig = F.new_figure(4, 3)
    fig.add_subplot().plot([0, 1], [0, 1])
    svg = F.figure_svg(fig)
    head = svg[: svg.index(">")]
    assert 'width="100%"' in head and "viewBox=" in head
    assert "pt" not in head.split("viewBox")[0]  # no fixed width or height in points


def test_the_zone_never_shares_a_win_set_colour():
    assert F.ZONE_COLOUR not in F.PALETTE
    assert len(set(F.MODEL_MARKERS)) == len(F.MODEL_MARKERS)


def _outlook(months: int) -> SimpleNamespace:
    rng = np.random.default_rng(0)
    counts = rng.poisson(0.4, size=(months, 200))
    cum = np.cumsum(counts, axis=0)
    p = np.linspace(0.1, 0.6, months)
    return SimpleNamespace(
        settings={"runs": 200},
        outlook={
            "months": [f"2030-{k % 12 + 1:02d}" for k in range(months)],
            "p_mode": {"impasse": 1 - p, "limited_talks": p},
            "p_ever": {"talks": p},
            "horizons": [{"month": 6}],
            "provocations": {
                "mean": counts.mean(axis=1),
                "low": np.percentile(counts, 5, axis=1),
                "high": np.percentile(counts, 95, axis=1),
                "cumulative_low": np.percentile(cum, 5, axis=1),
                "cumulative_high": np.percentile(cum, 95, axis=1),
            },
        },
    )


def test_outlook_band_fans_out_and_the_month_axis_is_labelled():
    fig = F._outlook_fig(_outlook(24))
    bottom = fig.axes[2]
    assert bottom.get_xlabel() == "month"
    band = next(c for c in bottom.collections if c.get_label().startswith("5th"))
    ys = band.get_paths()[0].vertices[:, 1]
    # a flat rectangle has two distinct heights; the cumulative band widens over time
    assert len(np.unique(np.round(ys, 6))) > 4
