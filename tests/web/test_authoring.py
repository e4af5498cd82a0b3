"""The case editor's endpoints and the workbench's run bookkeeping: validate's own located
messages, a saved case that reads back the same, one run per scenario and settings, a run of an
uploaded case reopening its upload, the CLI's defaults."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from detente import defaults
from detente.cli import app as cli_app
from detente.scenario import read_yaml, resolve
from detente.web import authoring, create_app

from .test_app import _wait


def test_an_empty_case_gets_validates_messages_with_their_lines(client: Any) -> None:
    case = {"meta": {"id": "draft", "title": "Draft"}, "issues": [], "actors": []}
    r = client.post("/api/author/check", json={"name": "draft", "case": case}).json()
    assert r["ok"] is False and r["name"] == "draft.yaml"
    texts = [p["text"] for p in r["problems"]]
    assert any(
        re.match(r"draft\.yaml:\d+ issues: a scenario needs at least one issue", t) for t in texts
    )
    assert {p["field"] for p in r["problems"]} == {"issues", "actors"}


def test_the_checked_yaml_is_what_validate_reads(client: Any, tmp_path: Path) -> None:
    """Open a bundled case (not the flagship) in the editor, break a salience, then fix it:
    the problem is validate's line for the very text offered for download."""
    data = client.get("/api/author/case?name=ec-emissions-1994").json()
    case = data["case"]
    actor = case["actors"][1]
    issue = next(iter(actor["stances"]))
    sal = actor["stances"][issue]["salience"]
    actor["stances"][issue]["salience"] = (
        {"value": 7} if not isinstance(sal, dict) else {**sal, "value": 7, "range": [0, 7]}
    )
    bad = client.post("/api/author/check", json={"name": data["name"], "case": case}).json()
    assert not bad["ok"]
    path = tmp_path / data["name"]
    path.write_text(bad["yaml"], encoding="utf-8")
    result = CliRunner().invoke(cli_app, ["validate", str(path)])
    assert result.exit_code == 2
    field = f"actors.{actor['id']}.stances.{issue}.salience"
    ours = [p["text"] for p in bad["problems"] if p["field"] == field]
    assert ours and ours[0].split(":")[1] in result.output.replace("\n", "")
    # restored, the case reads back as the bundled scenario
    actor["stances"][issue]["salience"] = sal
    good = client.post("/api/author/check", json={"name": data["name"], "case": case}).json()
    assert good["ok"], good["problems"]
    assert read_yaml(good["yaml"]).model_dump() == resolve("ec-emissions-1994").model_dump()


def test_a_valid_case_runs_at_once_and_its_run_reopens_it(client: Any) -> None:
    case = {
        "meta": {"id": "pair", "title": "Two parties"},
        "issues": [{"id": "x", "label": "X", "anchors": {"0": "none", "100": "all"}}],
        "actors": [
            {"id": "a", "label": "A", "capability": 1, "veto": True, "stances": {"x": {"position": 20, "salience": 0.5}}},
            {"id": "b", "label": "B", "capability": {"value": 1, "range": [0.5, 1], "judgement": "as strong"}, "veto": True, "stances": {"x": {"position": 70, "salience": 0.5}}},
        ],
        "status_quo": {"x": 40},
    }  # fmt: skip
    refused = client.post("/api/author/use", json={"name": "pair", "case": {**case, "issues": []}})
    assert refused.status_code == 400 and "pair.yaml" in refused.json()["error"]
    used = client.post("/api/author/use", json={"name": "pair", "case": case}).json()
    key = used["key"]
    assert key.startswith("upload-")
    assert client.get(f"/api/scenario?name={key}").json()["title"] == "Two parties"
    job = _wait(
        client, client.post("/api/jobs", json={"scenario": key, "label": "baseline"}).json()
    )
    assert job["status"] == "done", job
    # the upload is forgotten (a restart, or too many uploads): its run still reopens it
    client.app.state.wb.uploads.clear()
    opened = client.post(f"/api/runs/{job['run_id']}/scenario", json={}).json()
    assert opened["key"].startswith("upload-") and opened["name"] == "pair.yaml"
    assert client.get(f"/api/scenario?name={opened['key']}").json()["title"] == "Two parties"
    # a run of a bundled scenario reopens it by name
    base = _wait(client, client.post("/api/jobs", json={"label": "baseline"}).json())
    assert (
        client.post(f"/api/runs/{base['run_id']}/scenario", json={}).json()["key"] == "us-dprk-2021"
    )


def test_one_baseline_run_per_scenario_and_settings(client: Any) -> None:
    first = _wait(client, client.post("/api/jobs", json={"label": "baseline"}).json())
    again = _wait(client, client.post("/api/jobs", json={"label": "baseline"}).json())
    assert first["status"] == again["status"] == "done"
    assert again["run_id"] == first["run_id"] and again["result"] == first["result"]
    other_seed = _wait(
        client, client.post("/api/jobs", json={"label": "baseline", "seed": 7}).json()
    )
    assert other_seed["run_id"] != first["run_id"]
    assert len(client.get("/api/runs").json()) == 2


def test_the_workbench_uses_the_clis_defaults(tmp_path: Path) -> None:
    params = inspect.signature(create_app).parameters
    assert (params["draws"].default, params["runs"].default, params["months"].default) == (
        defaults.DRAWS,
        defaults.RUNS,
        defaults.MONTHS,
    )
    from detente.cli.serve_cmd import serve

    sp = inspect.signature(serve).parameters
    assert (sp["draws"].default, sp["runs"].default, sp["months"].default) == (
        defaults.DRAWS,
        defaults.RUNS,
        defaults.MONTHS,
    )


def test_the_page_starts_at_the_clis_seed(client: Any) -> None:
    page = client.get("/").text
    assert f'id="seed" value="{defaults.SEED}"' in page


def test_file_names_are_safe() -> None:
    assert authoring.file_name("../../etc/passwd") == "etc-passwd.yaml"
    assert authoring.file_name("") == "my-case.yaml"
    assert authoring.file_name("brexit 2019") == "brexit-2019.yaml"


def test_the_page_plots_with_the_figures_palette(client: Any) -> None:
    import html
    import json

    from detente.plotting.palette import BASELINE, PALETTE

    page = client.get("/").text
    meta = re.search(r'name="detente-palette" content="([^"]+)"', page)
    assert meta is not None
    assert json.loads(html.unescape(meta.group(1))) == [*PALETTE, BASELINE]
