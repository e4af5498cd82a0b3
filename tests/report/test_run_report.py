"""``detente run``: the report on the terminal, as JSON and as self-contained HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from detente import load_bundled
from detente.cli import app
from detente.report import HORIZONS, build_report, render_html

runner = CliRunner()
FAST = ["--draws", "100", "--runs", "100"]


def _run(*args: str) -> str:
    res = runner.invoke(app, ["run", *args], env={"COLUMNS": "120"})
    assert res.exit_code == 0, res.output
    return res.output


@pytest.fixture(scope="module")
def flagship(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One ``detente run`` of the flagship writing HTML and JSON and printing the report."""
    d = tmp_path_factory.mktemp("flagship")
    out = _run("--html", str(d / "report.html"), "--json", str(d / "report.json"), *FAST)
    return {
        "dir": d,
        "terminal": out,
        "json": json.loads((d / "report.json").read_text()),
        "html": (d / "report.html").read_text(),
    }


def test_json_holds_every_section(flagship: dict[str, Any]) -> None:
    data = flagship["json"]
    for key in (
        "scenario",
        "settings",
        "setting",
        "actors",
        "issues",
        "forecasts",
        "diagnosis",
        "outlook",
        "claims",
        "calibration",
        "provenance",
        "missing",
    ):
        assert key in data, key
    assert data["scenario"] == "us-dprk-2021"
    assert data["settings"]["seed"] == 2021 and data["settings"]["draws"] == 100
    assert data["missing"] == {}, "the flagship has everything every section needs"
    # every model ran and gave an outcome per issue
    issues = [i["id"] for i in data["issues"]]
    assert data["forecasts"]
    for f in data["forecasts"]:
        assert "error" not in f, f
        assert set(f["outcome"]) == set(issues)
    d = data["diagnosis"]
    assert isinstance(d["zone_nonempty"], bool)
    assert 0 <= d["p_zone_nonempty"] <= 1
    assert {lv["name"] for lv in d["levers"]} >= {
        "us-waters-down",
        "reframe-without-denuclearization",
        "partial-for-relief",
    }
    o = data["outlook"]
    assert [h["month"] for h in o["horizons"]] == list(HORIZONS)
    for h in o["horizons"]:
        for k in ("talks", "agreement", "crisis"):
            assert 0 <= h[k] <= 1
    assert o["driver_sentence"]
    # the sentence is computed from the what-if deltas: it names the biggest mover
    top = o["what_ifs"][0]
    assert "error" not in top
    assert f"What moves it most: {top['name']} (" in o["driver_sentence"]
    ids = [c["id"] for c in data["claims"]["claims"]]
    assert ids == [f"C{k}" for k in range(1, 15)]
    for c in data["claims"]["claims"]:
        assert c["verdict"] in ("holds", "fails", "too-close-to-call", "pending")
    p = data["provenance"]
    assert p["n_numbers"] == sum(p["counts"].values()) == len(p["numbers"])


def test_json_to_stdout_is_the_same_report() -> None:
    data = json.loads(_run("ec-emissions-1994", "--json", "-", *FAST))
    assert data["scenario"] == "ec-emissions-1994"


def test_same_seed_same_report() -> None:
    s = load_bundled("ec-emissions-1994")
    a = build_report(s, draws=200, runs=200, seed=7).to_dict()
    b = build_report(s, draws=200, runs=200, seed=7).to_dict()
    assert "timings" not in a
    assert json.dumps(a) == json.dumps(b)


def test_ec_emissions_report_says_what_is_missing() -> None:
    out = _run("ec-emissions-1994", *FAST)
    assert "When will the European Community" in out
    assert "Netherlands" in out
    assert "What the bargaining models forecast" in out
    assert "no veto players" in out
    assert "declares no roles" in out and "not applicable" in out
    assert "no claims" in out
    assert "Where the numbers come from" in out
    assert "Traceback" not in out


def test_forecast_table_lists_every_model_on_ec_emissions() -> None:
    from detente.models import MODELS

    out = _run("ec-emissions-1994", *FAST)
    for name in MODELS:
        assert name in out


@pytest.mark.slow
def test_china_soe_reform_report() -> None:
    out = _run("china-soe-reform", *FAST)
    assert "What the bargaining models forecast" in out
    assert "Where the numbers come from" in out
    assert "imported" in out or "fact" in out
    assert "Not computed" in out  # a KTAB case has no veto players, tools or drivers


def test_imported_exchange_file_runs(tmp_path: Path) -> None:
    f = tmp_path / "two.tsv"
    f.write_text(
        "#A\tActor-1\tActor-1\n#A\tActor-2\tActor-2\n"
        "#P\tIssue-1\tIssue-1\tfirst\n#P\tIssue-2\tIssue-2\tsecond\n"
        "#M\tIssue-1\t0\tlow\n#M\tIssue-1\t100\thigh\n#M\tIssue-2\t0\tlow\n#M\tIssue-2\t100\thigh\n"
        "#D\tActor-1\tIssue-1\t0\t10\t1\n#D\tActor-1\tIssue-2\t0\t90\t1\n"
        "#D\tActor-2\tIssue-1\t100\t60\t1\n#D\tActor-2\tIssue-2\t100\t50\t1\n"
    )
    out = _run(str(f), "--from", "exchange", *FAST)
    assert "Issue-1" in out or "issue-1" in out.lower()
    assert "Not computed" in out


def test_flagship_terminal_report_has_every_section(flagship: dict[str, Any]) -> None:
    out = flagship["terminal"]
    for text in (
        "Question",
        "Actors and issues",
        "What the bargaining models forecast",
        "zone of agreement",
        "Top levers",
        "Outlook",
        "P(talks)",
        "P(agreement)",
        "P(crisis)",
        "claims, checked",
        "Where the numbers come from",
        "Most uncertain inputs",
    ):
        assert text in out, text
    assert "Not computed" not in out


@pytest.mark.slow
def test_set_and_what_if_change_the_report(tmp_path: Path) -> None:
    base = json.loads(_run("--json", "-", *FAST))
    moved = json.loads(
        _run(
            "--json",
            "-",
            "--set",
            "usa.denuclearization.position=25",
            "--set",
            "usa.red_lines.denuclearization=none",
            *FAST,
        )
    )
    assert moved["settings"]["sets"] == [
        "usa.denuclearization.position=25",
        "usa.red_lines.denuclearization=none",
    ]
    assert moved["diagnosis"]["p_zone_nonempty"] > base["diagnosis"]["p_zone_nonempty"]
    shocked = json.loads(_run("--json", "-", "--what-if", "us-waters-down", *FAST))
    assert shocked["settings"]["what_ifs"] == ["us-waters-down"]
    assert shocked["diagnosis"] != base["diagnosis"]


def test_unknown_what_if_is_one_clear_error() -> None:
    res = runner.invoke(app, ["run", "ec-emissions-1994", "--what-if", "us-waters-dwn"])
    assert res.exit_code == 2
    assert "unknown what-if" in res.output
    assert "Traceback" not in res.output


def test_bad_scenario_file_exits_2(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text("meta: {id: x}\n")
    res = runner.invoke(app, ["run", str(f)])
    assert res.exit_code == 2
    assert "Traceback" not in res.output


@pytest.mark.parametrize("name", ["us-dprk-2021", "ec-emissions-1994"])
def test_html_is_self_contained(name: str, flagship: dict[str, Any]) -> None:
    if name == "us-dprk-2021":
        html = flagship["html"]
    else:
        html = render_html(build_report(load_bundled(name), draws=100, runs=100))
    assert html.startswith("<!DOCTYPE html>")
    for attr in re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", html, flags=re.I):
        assert attr.startswith("#") or attr.startswith("data:"), attr
    assert "<script" not in html.lower()
    assert "@import" not in html and "@font-face" not in html
    assert re.findall(r"url\((?!#)", html) == []  # only references inside the page
    assert "<link" not in html.lower()
    assert html.count("<svg") >= 1
    assert "Where the numbers come from" in html


def test_html_written_atomically_with_figures(flagship: dict[str, Any]) -> None:
    html = flagship["html"]
    for fig in ("fig-forecasts", "fig-winset", "fig-levers", "fig-outlook", "fig-calibration"):
        assert f'id="{fig}"' in html, fig
    assert 'id="provenance-table"' in html
    assert sorted(p.name for p in flagship["dir"].iterdir()) == ["report.html", "report.json"]


def test_html_to_missing_folder_fails_cleanly(tmp_path: Path) -> None:
    res = runner.invoke(
        app, ["run", "ec-emissions-1994", "--html", str(tmp_path / "no" / "r.html")]
    )
    assert res.exit_code == 2
    assert "does not exist" in res.output


def test_ktab_csv_file_runs() -> None:
    ktab = Path(__file__).resolve().parents[2] / "examples" / "water-sharing.csv"
    out = _run(str(ktab), *FAST)
    assert "UP" in out and "DOWN" in out
    assert "no veto players" in out


def test_a_what_if_that_could_never_apply_is_refused_where_read() -> None:
    """Before (issue 25): it passed validation and became "does not apply" in the report."""
    from detente.scenario import Scenario

    data = load_bundled("us-dprk-2021").model_dump()
    off_scale = {
        "id": "off-scale",
        "label": "off the scale",
        "changes": [{"set": "usa.capability", "to": -5}],
    }
    with pytest.raises(ValueError, match=r"what_ifs\.8\.changes\.0\.to: 'to' -5 is outside"):
        Scenario.model_validate({**data, "what_ifs": [*data["what_ifs"], off_scale]})


def test_short_horizon_reports_its_last_month() -> None:
    r = build_report(load_bundled("us-dprk-2021"), draws=50, runs=50, months=3)
    assert r.outlook is not None
    assert [h["month"] for h in r.outlook["horizons"]] == [3]
    assert r.outlook["driver_sentence"].startswith("By month 3:")


def test_html_ids_are_unique_and_every_reference_resolves(flagship: dict[str, Any]) -> None:
    from collections import Counter

    html = flagship["html"]
    ids = Counter(re.findall(r'\bid="([^"]+)"', html))
    assert [k for k, n in ids.items() if n > 1] == []
    refs = set(re.findall(r'(?:href="#|url\(#)([^")]+)', html))
    assert refs and refs <= set(ids)


@pytest.mark.slow
def test_without_veto_players_the_zone_is_diagnosed_under_unanimity_and_says_so() -> None:
    out = _run("china-soe-reform", *FAST)
    assert "every actor is treated as one" in out
    assert "zone of agreement" in out.lower()
    ec = _run("ec-emissions-1994", *FAST)
    # the UK, France and Italy sit at the status quo (10 years): no strict improvement exists
    assert "Knife edge" in ec


def test_the_sections_are_views_of_the_typed_results() -> None:
    """The run keeps the library's own results; the JSON sections are built from them."""
    from detente.analysis.claims import ClaimsReport
    from detente.analysis.diagnosis import Diagnosis
    from detente.dynamics.result import DynamicsResult
    from detente.models.base import Forecast

    r = build_report(load_bundled("iran-jcpoa-2021"), draws=60, runs=60, months=12, seed=3)
    assert r.model_runs and all(isinstance(m.forecast, Forecast) or m.error for m in r.model_runs)
    assert [f["model"] for f in r.forecasts] == [m.name for m in r.model_runs]
    for m, f in zip(r.model_runs, r.forecasts, strict=True):
        if m.forecast is not None:
            assert f["outcome"] == m.forecast.to_dict()["outcome"]
    d = r.diagnosis_part
    assert d is not None and isinstance(d.result, Diagnosis)
    assert r.diagnosis is not None
    assert r.diagnosis["p_zone_nonempty"] == d.result.p_zone_nonempty
    assert [lv["name"] for lv in r.diagnosis["levers"]] == [lv.name for lv in d.result.levers]
    o = r.outlook_part
    assert o is not None and isinstance(o.simulation, DynamicsResult)
    assert r.outlook is not None
    at12 = o.simulation.at(12)
    h12 = next(h for h in r.outlook["horizons"] if h["month"] == 12)
    assert (h12["talks"], h12["crisis"]) == (at12["talks"], at12["crisis"])
    # the what-if table is the typed deltas, largest first, in the same order
    assert [w["name"] for w in r.outlook["what_ifs"]] == [w.name for w in o.what_ifs]
    if r.claims_part is not None:
        assert isinstance(r.claims_part.result, ClaimsReport)
        assert r.claims is not None
        assert [c["id"] for c in r.claims["claims"]] == [c.id for c in r.claims_part.result.claims]
    # a view is built once and the JSON reads the same objects
    assert r.diagnosis is r.diagnosis
    assert r.to_dict()["outlook"]["what_if_month"] == o.what_if_month == 12
