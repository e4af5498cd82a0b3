"""The win-set plot: grid masks agree with the kernel; the figure says what it holds fixed."""

import numpy as np
import pytest

from detente.errors import ModelError
from detente.plotting.winsets import default_issues, plot_winsets, winset_grid

from .builders import make


def two_issue():
    actors = {
        "a": {"stances": {"x": (100, 0.8), "z": (0, 0.2)}},
        "b": {"stances": {"x": (0, 0.2), "z": (100, 0.8)}, "red_lines": {"x": "<= 90"}},
    }
    return make(["x", "z"], actors, {"x": 50, "z": 50})


def test_grid_win_sets_match_hand_computation():
    g = winset_grid(two_issue(), ("x", "z"), resolution=101)
    x, z = np.meshgrid(g["x"], g["y"], indexing="xy")
    # a: .8|x-100| + .2|z| < .8*50 + .2*50 ; b likewise, and x <= 90 for b
    a = 0.8 * np.abs(x - 100) + 0.2 * np.abs(z) < 50 - 1e-4
    b = (0.2 * np.abs(x) + 0.8 * np.abs(z - 100) < 50 - 1e-4) & (x <= 90)
    assert np.mean(g["win_sets"]["a"] == a) > 0.99
    assert np.mean(g["win_sets"]["b"] == b) > 0.99
    np.testing.assert_array_equal(g["zone"], g["win_sets"]["a"] & g["win_sets"]["b"])
    assert g["zone"].any()


def test_plot_draws_and_says_what_is_held_fixed(tmp_path):
    s = two_issue()
    ax = plot_winsets(s, others="best", resolution=51)
    assert "best package" in ax.get_title()
    ax.figure.savefig(tmp_path / "p.png")
    import matplotlib.pyplot as plt

    plt.close(ax.figure)
    assert default_issues(s) == ("x", "z")
    with pytest.raises(ModelError, match="'others'"):
        winset_grid(s, ("x", "z"), others="median")
    with pytest.raises(ModelError, match="two different issues"):
        winset_grid(s, ("x", "x"))


def test_the_default_picture_reads_the_headlines_zone():
    """Iran's zone is open at the point values but misses the slice at the status quo: by
    default the picture holds the other issues at the max-min package and shows the zone."""
    from detente.scenario import resolve

    s = resolve("iran-jcpoa-2021")
    issues = default_issues(s)
    at_status_quo = winset_grid(s, issues, others="status_quo", resolution=121)
    auto = winset_grid(s, issues, resolution=121)
    assert at_status_quo["zone_open"] and not at_status_quo["zone"].any()
    assert auto["others"] == "best" and auto["zone"].any()
    ax = plot_winsets(s, resolution=61)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(lab.startswith("zone of agreement: open") for lab in labels), labels
    assert "best package" in ax.get_title()
    import matplotlib.pyplot as plt

    plt.close(ax.figure)
