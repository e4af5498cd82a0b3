"""The workbench's HTTP interface: safety (paths, uploads, CSRF, hosts, crashes) and results."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest

from detente.scenario import apply_sets, resolve
from detente.web import compute

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NO_RED_LINE = "usa.red_lines.denuclearization=none"


def _still_serves(client: Any) -> None:
    r = client.post("/api/analyse", json={"scenario": "ec-emissions-1994", "part": "zone"})
    assert r.status_code == 200, r.text
    assert "zone_nonempty" in r.json()["diagnosis"]


def _wait(client: Any, job: dict[str, Any], timeout: float = 120) -> dict[str, Any]:
    t0 = time.monotonic()
    while job["status"] in ("queued", "running"):
        assert time.monotonic() - t0 < timeout, job
        time.sleep(0.1)
        job = client.get(f"/api/jobs/{job['id']}").json()
    return job


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "..\\..\\windows\\win.ini",
        "~/.ssh/id_rsa",
        "file:///etc/passwd",
    ],
)
def test_a_request_naming_a_path_is_refused(client: Any, name: str) -> None:
    r = client.get("/api/scenario", params={"name": name})
    assert r.status_code == 400
    assert "paths are never read" in r.json()["error"]
    r = client.post("/api/analyse", json={"scenario": name})
    assert r.status_code == 400 and "paths are never read" in r.json()["error"]
    r = client.post("/api/jobs", json={"scenario": name})
    assert r.status_code == 400
    _still_serves(client)


def test_static_files_are_a_fixed_list(client: Any) -> None:
    assert client.get("/static/app.js").status_code == 200
    plotly = client.get("/static/plotly.min.js")
    assert plotly.status_code == 200 and len(plotly.content) > 1_000_000
    for bad in (
        "/static/..%2f..%2fetc%2fpasswd",
        "/static/%2fetc%2fpasswd",
        "/static/index.html.bak",
    ):
        assert client.get(bad).status_code == 404


def test_an_oversized_upload_gets_a_clear_error_and_the_server_keeps_serving(
    make_client: Any,
) -> None:
    client = make_client(max_upload_bytes=2000)
    r = client.post("/api/upload", content=b"x" * 5000, headers={"X-Filename": "big.yaml"})
    assert r.status_code == 413
    assert (
        "limit of 2000 bytes" in r.json()["error"] or "the limit is 2000 bytes" in r.json()["error"]
    )
    _still_serves(client)


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"meta: {id: x\n", "bad.yaml", "bad.yaml:"),
        (b"\xff\xfe\x00binary", "bin.yaml", "not UTF-8 text"),
        (b"   \n", "empty.yaml", "the upload is empty"),
        (b"meta:\n  id: x\n  title: t\nactors: 3\n", "wrong.yaml", "wrong.yaml"),
    ],
)
def test_a_malformed_upload_gets_a_located_error(
    client: Any, content: bytes, name: str, expected: str
) -> None:
    r = client.post("/api/upload", content=content, headers={"X-Filename": f"../../{name}"})
    assert r.status_code == 400, r.text
    body = r.json()
    assert expected in body["error"] and body["problems"]
    assert "../" not in body["error"], "only the upload's base name is used"
    _still_serves(client)


def test_an_uploaded_scenario_is_analysed_like_a_bundled_one(client: Any) -> None:
    text = (EXAMPLES / "two-actors.tsv").read_bytes()
    r = client.post("/api/upload", content=text, headers={"X-Filename": "two-actors.tsv"})
    assert r.status_code == 200, r.text
    up = r.json()
    assert up["key"].startswith("upload-") and up["numbers"]
    r = client.post("/api/analyse", json={"scenario": up["key"]})
    assert r.status_code == 200, r.text
    expected = compute.fast(resolve(str(EXAMPLES / "two-actors.tsv")), compute.Inputs())
    assert r.json()["diagnosis"]["zone_nonempty"] == expected["diagnosis"]["zone_nonempty"]
    assert up["key"] in [u["key"] for u in client.get("/api/scenarios").json()["uploads"]]


def test_cross_site_requests_are_refused(client: Any) -> None:
    body = {"scenario": "ec-emissions-1994", "part": "zone"}
    r = client.http.post("/api/analyse", json=body)
    assert r.status_code == 403 and "cross-site request refused" in r.json()["error"]
    r = client.post("/api/analyse", json=body, headers={"X-Detente-Token": "guess"})
    assert r.status_code == 403
    r = client.post("/api/analyse", json=body, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403 and "Origin" in r.json()["error"]
    client.http.cookies.clear()
    r = client.post("/api/analyse", json=body)
    assert r.status_code == 403, "the token alone, without the SameSite cookie, is not enough"
    page = client.http.get("/")
    cookie = page.headers["set-cookie"].lower()
    assert "samesite=strict" in cookie and "httponly" in cookie
    r = client.post("/api/analyse", json=body, headers={"Origin": "http://127.0.0.1:8765"})
    assert r.status_code == 200


def test_requests_a_browser_marks_cross_site_are_refused(client: Any) -> None:
    r = client.get("/api/runs", headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403 and "cross-site" in r.json()["error"]
    assert client.get("/api/runs", headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200
    assert client.get("/", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200


def test_an_unknown_host_is_refused(client: Any) -> None:
    r = client.get("/api/scenarios", headers={"Host": "attacker.example"})
    assert r.status_code == 400


def test_a_crashing_request_is_logged_answered_and_the_server_keeps_serving(
    client: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(*a: Any, **k: Any) -> Any:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(compute, "fast", boom)
    with caplog.at_level(logging.ERROR, logger="detente.serve"):
        r = client.post("/api/analyse", json={"scenario": "ec-emissions-1994", "seed": 99})
    assert r.status_code == 500
    assert "internal error" in r.json()["error"] and "kaboom" not in r.text
    assert any("crashed" in rec.message and rec.exc_info for rec in caplog.records)
    monkeypatch.undo()
    _still_serves(client)


def test_bad_changes_are_refused_with_their_location(client: Any) -> None:
    r = client.post(
        "/api/analyse", json={"scenario": "ec-emissions-1994", "sets": ["nobody.capability=2"]}
    )
    assert r.status_code == 400 and "nobody" in r.json()["error"]
    r = client.post("/api/analyse", json={"scenario": "ec-emissions-1994", "sets": "x=1"})
    assert r.status_code == 400 and "'sets' must be a list" in r.json()["error"]
    r = client.post(
        "/api/analyse", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400 and "not JSON" in r.json()["error"]


def test_the_fast_path_opens_the_zone_when_the_red_line_goes(client: Any) -> None:
    base = client.post("/api/analyse", json={"part": "zone"}).json()["diagnosis"]
    what_if = client.post("/api/analyse", json={"sets": [NO_RED_LINE], "part": "zone"}).json()[
        "diagnosis"
    ]
    assert base["zone_nonempty"] is False and what_if["zone_nonempty"] is True
    expected = compute.fast(
        resolve("us-dprk-2021"), compute.Inputs(sets=(NO_RED_LINE,)), part="zone"
    )
    assert what_if == expected["diagnosis"]
    assert [lv["p_zone_nonempty"] for lv in base["levers"]] != [
        lv["p_zone_nonempty"] for lv in what_if["levers"]
    ]


def test_pins_remove_a_numbers_uncertainty() -> None:
    s = resolve("china-soe-reform")
    path, q = next((p, q) for p, q in s.quantities() if q.low < q.high)
    pinned = dict(compute.pin(s, path).quantities())[path]
    assert pinned.low == pinned.high == q.value
    with pytest.raises(Exception, match=r"no number at 'nowhere\.capability' to pin"):
        compute.pin(s, "nowhere.capability")


def test_the_full_job_equals_the_report_of_detente_run() -> None:
    from detente.report.build import build_report
    from detente.store import same_results

    s = resolve("ec-emissions-1994")
    inputs = compute.Inputs(seed=5)
    steps: list[tuple[int, int, str]] = []
    mine = compute.full(s, inputs, draws=10, runs=10, months=6, progress=lambda *a: steps.append(a))
    theirs = build_report(s, draws=10, runs=10, months=6, seed=5)
    assert same_results(mine.to_dict(), theirs.to_dict())
    assert steps[0][0] == 0 and steps[-1][0] == steps[-1][1]
    flagship = resolve("us-dprk-2021")
    changed = compute.full(
        flagship, compute.Inputs(sets=(NO_RED_LINE,)), draws=10, runs=10, months=6
    )
    ref = build_report(
        apply_sets(flagship, [NO_RED_LINE]),
        draws=10,
        runs=10,
        months=6,
        seed=compute.Inputs().seed,
        sets=[NO_RED_LINE],
    )
    assert same_results(changed.to_dict(), ref.to_dict())


def test_a_job_can_be_cancelled(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    started = threading.Event()

    def slow_full(s: Any, inputs: Any, *, cancel: threading.Event, **kw: Any) -> Any:
        started.set()
        assert cancel.wait(30)
        raise compute.Cancelled("cancelled")

    monkeypatch.setattr(compute, "full", slow_full)
    job = client.post("/api/jobs", json={"scenario": "ec-emissions-1994"}).json()
    assert started.wait(30)
    r = client.post(f"/api/jobs/{job['id']}/cancel", json={})
    assert r.status_code == 200
    assert _wait(client, r.json())["status"] == "cancelled"
    full_cancel = threading.Event()

    def cancel_after_first(done: int, total: int, step: str) -> None:
        full_cancel.set()

    monkeypatch.undo()
    with pytest.raises(compute.Cancelled):
        compute.full(
            resolve("ec-emissions-1994"), compute.Inputs(), draws=4, runs=4, months=2,
            progress=cancel_after_first, cancel=full_cancel,
        )  # fmt: skip


def test_jobs_record_runs_that_are_compared_and_downloaded(client: Any) -> None:
    base = _wait(client, client.post("/api/jobs", json={"label": "baseline"}).json())
    what_if = _wait(client, client.post("/api/jobs", json={"sets": [NO_RED_LINE]}).json())
    assert base["status"] == what_if["status"] == "done", (base, what_if)
    a, b = base["run_id"], what_if["run_id"]
    assert [r["id"] for r in client.get("/api/runs").json()] == [b, a]
    d = client.get(f"/api/runs/{a}/diff/{b}").json()
    assert {"what": "--set", "a": None, "b": NO_RED_LINE} in d["inputs"]
    rows = {r["what"]: (r["a"], r["b"]) for r in d["results"]}
    assert rows["zone.zone_nonempty"] == (False, True)
    html = client.get(f"/api/runs/{b}/report.html")
    assert html.status_code == 200 and html.text.lstrip().lower().startswith("<!doctype html")
    assert "attachment" in html.headers["content-disposition"]
    data = json.loads(client.get(f"/api/runs/{b}/result.json").text)
    assert data["sets"] == [NO_RED_LINE] and data["result"]["diagnosis"]["zone_nonempty"] is True
    assert client.get("/api/runs/9999").status_code == 400


def test_an_upload_that_reads_too_long_is_refused_and_the_server_keeps_serving(
    make_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import detente.web.routes as routes

    def slow(name: str, text: str) -> Any:
        time.sleep(2)
        raise AssertionError("not reached in time")

    monkeypatch.setattr(routes, "_parse_upload", slow)
    client = make_client(upload_seconds=0.2)
    r = client.post("/api/upload", content=b"meta: {}\n", headers={"X-Filename": "slow.yaml"})
    assert r.status_code == 400 and "took longer than 0.2 s" in r.json()["error"]
    _still_serves(client)


def test_too_many_jobs_at_once_are_refused_until_one_ends(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    release = threading.Event()

    def blocked(s: Any, inputs: Any, *, cancel: threading.Event, **kw: Any) -> Any:
        release.wait(30)
        raise compute.Cancelled("released")

    monkeypatch.setattr(compute, "full", blocked)
    jobs = [client.post("/api/jobs", json={"scenario": "ec-emissions-1994"}) for _ in range(3)]
    assert [j.status_code for j in jobs] == [202, 202, 202]
    r = client.post("/api/jobs", json={"scenario": "ec-emissions-1994"})
    assert r.status_code == 429 and "analyses are running" in r.json()["error"]
    release.set()
    for j in jobs:
        assert _wait(client, j.json())["status"] == "cancelled"
    monkeypatch.undo()
    r = client.post("/api/jobs", json={"scenario": "ec-emissions-1994"})
    assert r.status_code == 202
    assert _wait(client, r.json())["status"] == "done"


def test_a_workbench_run_with_pins_is_rerun_exactly_from_the_command_line(client: Any) -> None:
    from typer.testing import CliRunner

    from detente.cli import app

    s = resolve("china-soe-reform")
    ranged = [p for p, q in s.quantities() if q.low < q.high]
    body = {"scenario": "china-soe-reform", "pins": ranged, "seed": 3}
    job = _wait(client, client.post("/api/jobs", json=body).json())
    assert job["status"] == "done", job
    store = client.http.app.state.wb.store
    rec = store.get(job["run_id"])
    assert rec.pins == ranged and rec.command == "run"
    res = CliRunner().invoke(app, ["runs", "rerun", str(rec.id), "--store", str(store.path)])
    assert res.exit_code == 0, res.output
    assert "reproduced exactly" in res.output


def test_every_computing_endpoint_shares_the_job_limit(
    make_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: /api/analyse had no limit and report downloads recomputed past the job limit."""
    import threading

    client = make_client(max_jobs=1, queue_seconds=0.2)
    done = client.post("/api/jobs", json={"scenario": "ec-emissions-1994"})
    run_id = _wait(client, done.json())["run_id"]
    client.app.state.wb.reports.clear()  # the download must recompute
    release = threading.Event()

    def blocked(s: Any, inputs: Any, *, cancel: threading.Event, **kw: Any) -> Any:
        release.wait(30)
        raise compute.Cancelled("released")

    monkeypatch.setattr(compute, "full", blocked)
    # another seed: the recorded run above would answer the same job at once from the store
    job = client.post("/api/jobs", json={"scenario": "ec-emissions-1994", "seed": 7})
    assert job.status_code == 202
    for r in (
        client.post("/api/analyse", json={"scenario": "ec-emissions-1994", "seed": 99}),
        client.get(f"/api/runs/{run_id}/report.html"),
        client.post("/api/upload", content=b"meta: {}\n", headers={"X-Filename": "x.yaml"}),
    ):
        assert r.status_code == 429, r.text
        assert "1 analysis is running" in r.json()["error"]
    release.set()
    assert _wait(client, job.json())["status"] == "cancelled"
    r = client.post("/api/analyse", json={"scenario": "ec-emissions-1994", "seed": 99})
    assert r.status_code == 200
