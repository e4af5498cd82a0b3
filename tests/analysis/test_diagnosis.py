"""The impasse diagnosis: point verdict, Monte Carlo, drivers, result face."""

import json

import numpy as np
import pytest

from detente.analysis.diagnosis import diagnose, sampled_quantities
from detente.core import win_set_gap
from detente.errors import ModelError
from detente.scenario import load_bundled

from .builders import make, q


@pytest.fixture(scope="module")
def flagship():
    return load_bundled("us-dprk-2021")


@pytest.fixture(scope="module")
def flagship_diagnosis(flagship):
    return diagnose(flagship, draws=300, seed=0)


def test_flagship_point_diagnosis_is_what_the_kernel_computes(flagship, flagship_diagnosis):
    d = flagship_diagnosis
    r = win_set_gap(flagship.to_arrays())
    assert d.zone_nonempty == bool(r.zone_nonempty)
    assert d.gap == pytest.approx(float(r.gap))
    assert d.veto_ids == ("usa", "dprk")
    # the US red line (>= 60) and the North's (nothing past 40) leave no package: the model
    # finds the conflict and prices the gap as the 20 points between them
    assert not d.zone_nonempty
    first = d.point.blockers()[0]
    assert first.kind == "red-line-conflict" and first.issue == "denuclearization"
    assert first.amount == pytest.approx(20.0)
    assert d.gap == pytest.approx(0.20, abs=1e-6)


def test_flagship_monte_carlo_and_drivers(flagship_diagnosis):
    d = flagship_diagnosis
    assert d.p_zone_nonempty == pytest.approx(float(d.batch.zone_nonempty.mean()))
    assert 0 <= d.gap_quantiles[0.05] <= d.gap_quantiles[0.5] <= d.gap_quantiles[0.95]
    top = {x.path for x in d.drivers[:2]}
    assert top == {"usa.red_lines.denuclearization", "dprk.red_lines.denuclearization"}
    dprk = next(x for x in d.drivers if x.path == "dprk.red_lines.denuclearization")
    assert dprk.rho_gap is not None and dprk.rho_gap < -0.3  # a higher DPRK bound narrows it
    us = next(x for x in d.drivers if x.path == "usa.red_lines.denuclearization")
    assert us.rho_gap is not None and us.rho_gap > 0.5  # a higher US bound widens the gap


def test_flagship_levers_include_the_three_named_ones(flagship_diagnosis):
    names = [lv.name for lv in flagship_diagnosis.levers]
    assert names[:3] == ["us-waters-down", "reframe-without-denuclearization", "partial-for-relief"]
    assert len(names) > 3


def test_result_face(flagship_diagnosis, tmp_path):
    d = flagship_diagnosis
    data = d.to_dict()
    json.dumps(data, allow_nan=False)
    for key in ("zone_nonempty", "p_zone_nonempty", "gap", "blockers", "levers"):
        assert key in data
    assert {"name", "change", "p_zone_nonempty"} <= set(data["levers"][0])
    assert "EMPTY" in d.summary() and "P(zone non-empty)" in d.summary()
    assert d.summary("markdown").startswith("### Impasse diagnosis")
    html = d.summary("html")
    assert html.startswith("<h3>") and "<table>" in html and "&gt;= 60" in html
    with pytest.raises(ValueError, match="'fmt' parameter"):
        d.summary("pdf")
    # the named reframe lever is not repeated by the search
    assert sum(lv.change.startswith("denuclearization is taken off") for lv in d.levers) == 1
    assert len(d.to_frame("draws")) == 300
    assert set(d.to_frame("drivers").columns) >= {"path", "rho_gap", "rho_zone"}
    assert len(d.to_frame("levers")) == len(d.levers)
    assert len(d.to_frame("blockers")) == len(d.point.blockers())
    with pytest.raises(ValueError, match="must be one of"):
        d.to_frame("nope")
    from detente.plotting.winsets import plot_diagnosis

    ax = plot_diagnosis(d)
    assert ax.get_title().startswith("Win-sets on denuclearization x sanctions_relief")
    ax.figure.savefig(tmp_path / "w.png")
    assert "the status quo" in ax.get_title()
    import matplotlib.pyplot as plt

    plt.close(ax.figure)
    assert "Diagnosis 'us-dprk-2021'" in repr(d)


def test_open_zone_reports_size_nash_point_and_favourites(flagship):
    s = flagship.with_value("usa.denuclearization.position", 25).with_value(
        "usa.red_lines.denuclearization", "none"
    )
    d = diagnose(s, draws=100, seed=0, levers=False)
    assert d.zone_nonempty and d.gap == 0
    assert d.zone is not None and 0 < d.zone.volume_fraction < 1
    assert set(d.zone.favourites) == {"usa", "dprk"}
    assert "OPEN" in d.summary()
    assert d.levers == ()


def test_diagnosis_is_reproducible_by_seed(flagship):
    a = diagnose(flagship, draws=100, seed=4, levers=False)
    b = diagnose(flagship, draws=100, seed=4, levers=False)
    np.testing.assert_array_equal(a.batch.gap, b.batch.gap)
    assert a.drivers == b.drivers


def test_top_driver_is_the_only_quantity_that_matters():
    s = make(
        ["x"],
        {
            "a": {"stances": {"x": (q(60, 30, 90), 1.0)}},
            "b": {"stances": {"x": (80, 1.0)}},
            "c": {"veto": False, "stances": {"x": (q(10, 0, 40), q(0.5, 0.1, 0.9))}},
        },
        {"x": 50},
    )
    d = diagnose(s, draws=400, seed=1, levers=False)
    assert d.drivers[0].path == "a.x.position"
    assert d.drivers[0].rho_zone is not None and d.drivers[0].rho_zone > 0.5
    batch = s.sample(10, seed=2)
    got = sampled_quantities(s, batch)
    np.testing.assert_array_equal(got["a.x.position"], batch.positions[:, 0, 0])
    np.testing.assert_array_equal(got["c.x.salience"], batch.saliences[:, 2, 0])


def test_bad_settings_are_refused(flagship):
    with pytest.raises(ModelError, match="draws"):
        diagnose(flagship, draws=1)
    with pytest.raises(ModelError, match="unknown lever"):
        diagnose(flagship, draws=10, lever_names=["nope"])


def test_knife_edge_is_named_and_useless_levers_are_not_listed():
    # one issue, status quo between the two ideal points: empty, but only just
    s = make(
        ["x"],
        {"a": {"stances": {"x": (q(80, 70, 90), 1.0)}}, "b": {"stances": {"x": (20, 1.0)}}},
        {"x": 50},
    )
    d = diagnose(s, draws=50, seed=0)
    assert not d.zone_nonempty and d.is_knife_edge
    assert "knife edge" in d.summary()
    assert d.to_dict()["knife_edge"] is True
    searched = d.levers  # the scenario declares no what-ifs: every lever was searched
    assert all((lv.delta or 0) > 0 for lv in searched)
    # moving the status quo to one side opens the zone: the search finds it
    assert any(c.kind == "status_quo" for lv in searched for c in lv.changes)
