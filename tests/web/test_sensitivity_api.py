"""The workbench's "what drives it" over HTTP: the quantities listed from the code, jobs whose
JSON equals ``detente sensitivity ... --json`` at the same seed and size (an uploaded case with
edits, a bundled one with a what-if), the limits (size, job limit, timeout) and cancellation."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from detente.analysis.sensitivity import available_quantities
from detente.cli import app
from detente.scenario import resolve
from detente.web import compute
from detente.web import sensitivity as web_sensitivity

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _wait(client: Any, job: dict[str, Any], timeout: float = 240) -> dict[str, Any]:
    t0 = time.monotonic()
    while job["status"] in ("queued", "running"):
        assert time.monotonic() - t0 < timeout, job
        time.sleep(0.1)
        job = client.get(f"/api/jobs/{job['id']}").json()
    return job


def _cli(*args: str) -> dict[str, Any]:
    res = CliRunner().invoke(
        app, ["sensitivity", *args, "--json", "--executor", "inline", "--quiet"]
    )
    assert res.exit_code == 0, (res.output, repr(res.exception))
    out: dict[str, Any] = json.loads(res.stdout)
    return out


def test_the_quantities_are_those_the_command_accepts(client: Any) -> None:
    r = client.get("/api/sensitivity/quantities?name=iran-jcpoa-2021")
    assert r.status_code == 200, r.text
    d = r.json()
    listed = [q["quantity"] for q in d["quantities"]]
    assert listed == [q.text for q in available_quantities(resolve("iran-jcpoa-2021"))]
    assert {"zone.p_open", "outlook.talks@12", "forecast.compromise.sanctions_relief"} <= set(
        listed
    )
    # a claim compared with == has no margin: not offered
    iran = resolve("iran-jcpoa-2021")
    assert "claim.C3" not in listed and iran.claims[2].check[0].compare == "=="
    assert {q["kind"] for q in d["quantities"]} == {"zone", "forecast", "outlook", "claim"}
    assert all(q["simulates"] == (q["kind"] in ("outlook", "claim")) for q in d["quantities"])
    # runs per design point: the command's default (not the report's size)
    import inspect

    from detente.analysis.sensitivity import RUNS
    from detente.cli import sensitivity_cmd

    assert (
        d["runs"]
        == RUNS
        == inspect.signature(sensitivity_cmd.sensitivity).parameters["runs"].default
    )
    # a case without roles has no outlook to offer
    listed = client.get("/api/sensitivity/quantities?name=ec-emissions-1994").json()
    assert not any(q["kind"] == "outlook" for q in listed["quantities"])


def test_a_morris_job_on_an_edited_upload_equals_the_command(client: Any, tmp_path: Path) -> None:
    text = (EXAMPLES / "steel-dispute.yaml").read_bytes()
    up = client.post("/api/upload", content=text, headers={"X-Filename": "steel-dispute.yaml"})
    assert up.status_code == 200, up.text
    key = up.json()["key"]
    s = resolve(str(EXAMPLES / "steel-dispute.yaml"))
    ranged = [p for p, q in s.quantities() if q.low < q.high]
    pin = next(p for p in ranged if p.startswith("drivers."))
    body = {
        "scenario": key, "sets": ["importer.red_lines.tariff=30"], "pins": [pin], "seed": 11,
        "quantity": "outlook.talks@6", "method": "morris", "n": 2, "runs": 20,
    }  # fmt: skip
    r = client.post("/api/sensitivity", json=body)
    assert r.status_code == 202, r.text
    job = _wait(client, r.json())
    assert job["status"] == "done", job
    got = job["result"]
    assert job["done"] == job["total"] and job["total"] >= 1
    command = got.pop("command")
    value = s.drivers[pin.split(".")[1]].value.value
    want = _cli(
        str(EXAMPLES / "steel-dispute.yaml"), "--quantity", "outlook.talks@6", "--method",
        "morris", "--n", "2", "--seed", "11", "--runs", "20", "--set",
        "importer.red_lines.tariff=30", "--pin", f"{pin}={value:g}",
    )  # fmt: skip
    assert got == want
    assert got["variance"] > 0 and got["inputs"][0]["mu_star"] > 0
    assert pin not in [row["input"] for row in got["inputs"]]  # pinned: not varied
    assert command.startswith("detente sensitivity steel-dispute.yaml --quantity outlook.talks@6")
    assert f"--pin {pin}=" in command and "--set importer.red_lines.tariff=30" in command


def test_a_sobol_job_with_a_what_if_equals_the_command(client: Any) -> None:
    body = {"scenario": "iran-jcpoa-2021", "what_ifs": [], "quantity": "zone.gap",
            "method": "sobol", "n": 32, "seed": 4}  # fmt: skip
    what_if = next(iter(compute.scenario_view(resolve("iran-jcpoa-2021"))["what_ifs"]))
    body["what_ifs"] = [what_if]
    job = _wait(client, client.post("/api/sensitivity", json=body).json())
    assert job["status"] == "done", job
    got = job["result"]
    got.pop("command")
    want = _cli("iran-jcpoa-2021", "--quantity", "zone.gap", "--method", "sobol", "--n", "32",
                "--seed", "4", "--what-if", what_if)  # fmt: skip
    assert got == want
    assert all("first_interval" in row and "total" in row for row in got["inputs"])


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"quantity": "zone.width"}, 400, "unknown quantity"),
        ({"quantity": "outlook.talks@12", "scenario": "ec-emissions-1994"}, 400, "no roles"),
        ({"quantity": "zone.p_open", "method": "fast"}, 400, "morris or sobol"),
        ({"quantity": "zone.p_open", "method": "sobol", "n": 100}, 400, "power of two"),
        ({"quantity": "zone.p_open", "n": 1}, 400, "'n' must be an integer"),
        ({"quantity": "outlook.talks@12", "n": 2000, "runs": 200}, 413, "refused before"),
        ({"quantity": "zone.p_open", "sets": ["usa.nosuch=1"]}, 400, "usa.nosuch"),
    ],
)
def test_bad_requests_are_refused_before_a_job_starts(
    client: Any, body: dict[str, Any], status: int, message: str
) -> None:
    body = {"scenario": "us-dprk-2021", **body}
    r = client.post("/api/sensitivity", json=body)
    if r.status_code == 202:  # refused inside the job (SALib's own checks): its error says why
        job = _wait(client, r.json())
        assert job["status"] == "error" and message in job["error"], job
        return
    assert r.status_code == status, r.text
    assert message in " ".join(r.json()["problems"]), r.text


def test_a_job_is_cancelled_and_one_past_its_time_stops_saying_so(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = {"scenario": "iran-jcpoa-2021", "quantity": "claim.C11", "method": "morris",
            "n": 6, "runs": 40}  # fmt: skip
    seen = threading.Event()
    real = compute.sensitivity

    def watched(*a: Any, progress: Any, **kw: Any) -> Any:
        def tell(done: int, total: int) -> None:
            seen.set()
            time.sleep(0.5)  # leave the test time to cancel between batches
            progress(done, total)

        return real(*a, progress=tell, **kw)

    monkeypatch.setattr(compute, "sensitivity", watched)
    job = client.post("/api/sensitivity", json=body).json()
    assert seen.wait(120)
    client.post(f"/api/jobs/{job['id']}/cancel", json={})
    job = _wait(client, job)
    assert job["status"] == "cancelled" and job["done"] < job["total"], job
    monkeypatch.setattr(web_sensitivity, "JOB_SECONDS", 0.0)
    job = _wait(client, client.post("/api/sensitivity", json=body).json())
    assert job["status"] == "error" and "stopped after 0 s" in job["error"], job
    assert "detente sensitivity iran-jcpoa-2021 --quantity claim.C11" in job["error"]


def test_sensitivity_jobs_share_the_job_limit(
    make_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client(max_jobs=1, queue_seconds=0.2)
    release = threading.Event()

    def blocked(*a: Any, **kw: Any) -> Any:
        release.wait(30)
        raise compute.Cancelled("released")

    monkeypatch.setattr(compute, "sensitivity", blocked)
    body = {"scenario": "iran-jcpoa-2021", "quantity": "zone.p_open"}
    first = client.post("/api/sensitivity", json=body)
    assert first.status_code == 202
    second = client.post("/api/sensitivity", json=body)
    assert second.status_code == 429 and "running" in second.json()["error"]
    assert client.post("/api/jobs", json={"scenario": "iran-jcpoa-2021"}).status_code == 429
    release.set()
    assert _wait(client, first.json())["status"] == "cancelled"


def test_a_file_without_ranges_takes_a_spread_as_the_command_does(client: Any) -> None:
    text = (EXAMPLES / "water-sharing.csv").read_bytes()
    up = client.post("/api/upload", content=text, headers={"X-Filename": "water-sharing.csv"})
    key = up.json()["key"]
    info = client.get(f"/api/sensitivity/quantities?name={key}").json()
    assert info["uncertain_inputs"] == 0 and info["numbers"] > 0
    body = {"scenario": key, "quantity": "forecast.compromise.dim1", "method": "sobol", "n": 16}
    refused = _wait(client, client.post("/api/sensitivity", json=body).json())
    assert refused["status"] == "error" and "reads no uncertain input" in refused["error"]
    job = _wait(client, client.post("/api/sensitivity", json={**body, "spread": 0.1}).json())
    assert job["status"] == "done", job
    got = job["result"]
    assert got.pop("command").endswith("--seed 2021 --spread 0.1")
    want = _cli(str(EXAMPLES / "water-sharing.csv"), "--quantity", "forecast.compromise.dim1",
                "--method", "sobol", "--n", "16", "--spread", "0.1")  # fmt: skip
    assert got == want and got["variance"] > 0
