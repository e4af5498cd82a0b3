"""One status quo: show, its JSON, forecast's JSON and the models use the same value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.pipeline.run import with_status_quo
from detente.scenario import resolve

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
TABLES = [
    str(ROOT / "tests" / "data" / "scholz2011_example_actors.csv"),  # a BdM table, no status quo
    str(ROOT / "examples" / "water-sharing.csv"),  # KTAB CSV
    str(ROOT / "examples" / "two-actors.tsv"),  # #A/#P/#M/#D
]


@pytest.mark.parametrize("name", TABLES, ids=["bdm", "ktab", "exchange"])
def test_a_table_without_status_quo_shows_and_uses_the_models_reference_point(name: str) -> None:
    s = resolve(name)
    _, used_by_models = with_status_quo(s)
    assert set(used_by_models) == set(s.issue_ids)
    for iid, value in used_by_models.items():
        assert not s.status_quo_is_given(iid)
        assert s.status_quo_value(iid) == pytest.approx(value, rel=1e-12)
        issue = s.issue(iid)
        assert s.status_quo_value(iid) != issue.low  # never the scale minimum (old behaviour)
    shown = json.loads(runner.invoke(app, ["show", name, "--json"]).stdout)["status_quo_used"]
    forecast = json.loads(runner.invoke(app, ["forecast", name, "--json"]).stdout)
    assert shown == forecast["status_quo"]
    for iid, value in used_by_models.items():
        assert shown[iid] == {"value": pytest.approx(value, rel=1e-12), "given": False}
    text = runner.invoke(app, ["show", name], env={"COLUMNS": "120"}).stdout
    for value in used_by_models.values():
        assert f"{value:.3g}†" in text
    assert "† = none given" in text


def test_the_models_forecast_uses_the_same_reference_point_on_a_bdm_table() -> None:
    name = TABLES[0]
    forecast = json.loads(runner.invoke(app, ["forecast", name, "--json", "-m", "nash"]).stdout)
    # Nash's disagreement point is the status quo: with no package better for everyone it
    # predicts the status quo itself, which must be the reference point shown by 'show'
    sq = forecast["status_quo"]["issue"]["value"]
    outcome = forecast["models"]["nash"]["outcome"]["issue"]
    assert sq == pytest.approx(7.38995568685, abs=1e-9)  # c x s weighted mean of the table
    assert outcome == pytest.approx(sq, abs=1e-9)


def test_a_given_status_quo_is_shown_as_given() -> None:
    s = resolve("us-dprk-2021")
    data = json.loads(runner.invoke(app, ["show", "us-dprk-2021", "--json"]).stdout)
    for iid in s.issue_ids:
        assert data["status_quo_used"][iid] == {
            "value": s.status_quo[iid].value,
            "given": True,
        }
    assert "†" not in runner.invoke(app, ["show", "us-dprk-2021"]).stdout
