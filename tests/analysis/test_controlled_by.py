"""An issue's controllers (``controlled_by``) hold a veto on that issue only, everywhere.

A generated three-actor case: two veto players want a high ``stock`` (one needs at least 50);
``owner`` holds no veto but controls ``stock`` and accepts at most 30. With the owner's veto on
``stock`` the red lines do not overlap and no deal exists; without it (the diagnosis before
issue 19's leftovers) the zone looked open. The veto projection of every model, the diagnosis,
its levers, the claims' quantities and the win-set map must all give the core's answer.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from detente.analysis.diagnosis import diagnose
from detente.analysis.quantities import Evaluator
from detente.core import agreement_arrays, veto_holders, win_set_gap, zone_open
from detente.models import get_model
from detente.pipeline.sections import winset_map
from detente.scenario import Scenario
from detente.testing import make_scenario


def _case(controlled: bool = True, veto: bool = True) -> Scenario:
    return make_scenario(
        {
            "north": {
                "capability": 1,
                "veto": veto,
                "stances": {"aid": (90, 0.5), "stock": (90, 0.5)},
                "red_lines": {"stock": ">= 50"},
            },
            "south": {
                "capability": 1,
                "veto": veto,
                "stances": {"aid": (80, 0.5), "stock": (80, 0.5)},
            },
            "owner": {
                "capability": 1,
                "stances": {"aid": (50, 0.1), "stock": (10, 0.9)},
                "red_lines": {"aid": ">= 60", "stock": "<= 30"},
            },
        },
        ["aid", "stock"],
        status_quo={"aid": 20, "stock": 40},
        controlled_by={"stock": ["owner"]} if controlled else None,
        scenario_id="controlled-stock",
    )


@pytest.fixture(scope="module")
def case() -> Scenario:
    return _case()


def test_the_core_shuts_the_zone_on_the_controllers_red_line(case: Scenario) -> None:
    assert veto_holders(case) == ("north", "south", "owner")
    r = win_set_gap(agreement_arrays(case))
    assert not bool(r.zone_nonempty)
    assert float(r.gap) == pytest.approx(0.2)  # 50 against 30 on a 0-100 scale
    # the owner's red line on aid, an issue it does not control, binds nobody
    assert "aid" not in " ".join(b.detail for b in r.blockers())
    # without the controller the same actors would agree
    assert bool(win_set_gap(_case(controlled=False).to_arrays()).zone_nonempty)


def test_the_diagnosis_agrees_with_the_veto_projection(case: Scenario) -> None:
    d = diagnose(case, draws=40, seed=2)
    assert d.veto_ids == ("north", "south", "owner")
    assert not bool(d.point.zone_nonempty)
    assert d.p_zone_nonempty == 0.0
    assert float(d.point.gap) == pytest.approx(float(win_set_gap(agreement_arrays(case)).gap))
    nash = get_model("nash").forecast(case)
    assert nash.veto["status"] == "blocked"
    assert nash.extra["zone_open"] is False
    np.testing.assert_allclose(nash.outcome, [20.0, 40.0])


def test_the_levers_open_the_zone_the_controller_shuts(case: Scenario) -> None:
    d = diagnose(case, draws=40, seed=2)
    # relaxing either side of the stock conflict opens the zone (read without the owner's
    # veto, the zone was open already and no lever could raise P(zone))
    best = d.levers[0]
    assert best.delta == pytest.approx(1.0)
    assert {c.issue for c in best.changes} == {"stock"}


def test_the_claims_quantities_read_the_controllers_veto(case: Scenario) -> None:
    ev = Evaluator(case, draws=40, seed=2)
    v = ev.baseline
    assert ev.quantity(v, "zone_open", {}).value == 0.0
    assert ev.quantity(v, "p_zone", {}).value == 0.0
    gap = ev.quantity(v, "gap", {}).value
    assert gap == pytest.approx(0.2)
    # the red lines that bind on stock: north's 50 and the owner's 30
    overlap = ev.quantity(v, "red_line_overlap", {"issue": "stock"}).value
    assert overlap == pytest.approx(-20.0)
    ins = ev.quantity(v, "in_win_set", {"actor": "owner", "package": {"stock": 20}})
    assert ins.value == 1.0
    np.testing.assert_array_equal(v.open_, zone_open(agreement_arrays(case, v.batch))[0])


def test_the_win_set_map_draws_the_controller(case: Scenario) -> None:
    m = winset_map(case, issues=("aid", "stock"), n=21)
    assert set(m.masks) == {"north", "south", "owner"}
    assert not m.zone.any()
    assert m.red_lines["owner"] == [{"issue": "stock", "op": "<=", "bound": 30.0}]
    view = m.to_dict()
    assert not view["zone_in_slice"] and len(view["masks"]["owner"]) == 21


def test_controllers_alone_make_the_zone_theirs_not_everyones() -> None:
    """No veto player at all: the controller alone must agree on its issue (the veto model's
    reading), not every actor (unanimity)."""
    s = _case(veto=False)
    assert veto_holders(s) == ("owner",)
    d = diagnose(s, draws=20, seed=1, levers=False)
    assert d.veto_ids == ("owner",)
    # the owner alone gains from a lower stock: the zone is open
    assert bool(d.point.zone_nonempty)
    assert bool(d.point.zone_nonempty) == bool(get_model("nash").forecast(s).extra["zone_open"])


def test_the_report_names_the_controllers_and_reads_their_veto(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from detente.cli import app
    from detente.scenario.io import dump_yaml

    path = tmp_path / "controlled.yaml"
    path.write_text(dump_yaml(_case()), encoding="utf-8")
    out = tmp_path / "report.json"
    res = CliRunner().invoke(
        app,
        ["run", str(path), "--draws", "40", "--runs", "10", "--json", str(out)],
        env={"COLUMNS": "150"},
    )
    assert res.exit_code == 0, res.output
    assert "controllers (a veto on their issue): owner on stock" in res.output
    import json

    r = json.loads(out.read_text(encoding="utf-8"))
    assert r["setting"]["controllers"] == {"stock": ["owner"]}
    assert r["diagnosis"]["zone_nonempty"] is False
    assert r["diagnosis"]["unanimity"] is False
    assert set(r["diagnosis"]["winset_map"]["masks"]) == {"north", "south", "owner"}
