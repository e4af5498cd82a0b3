"""The workbench under load: a real ``detente serve`` process, its memory measured (psutil).

Before the limits, one 5,000-actor analysis took 80 s and 5.8 GB and two reached 10.8 GB.
"""

from __future__ import annotations

import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

psutil = pytest.importorskip("psutil")

from detente.scenario import formats  # noqa: E402,F401  registers every reader
from detente.scenario.io import READERS  # noqa: E402
from detente.web.limits import Limiter, estimate  # noqa: E402

ROOT = Path(__file__).parents[2]
GB = 2**30


def _table(n_actors: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    rows = [
        f"a{i},{rng.randint(1, 100)},{rng.randint(0, 100)},{rng.random():.2f}"
        for i in range(n_actors)
    ]
    return "Actor,Capability,Position,Salience\n" + "\n".join(rows) + "\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Reply:
    def __init__(self, status: int, body: bytes) -> None:
        self.status_code, self.text = status, body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.text)


class Server:
    def __init__(self, proc: subprocess.Popen[bytes], port: int) -> None:
        self.proc, self.base = proc, f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(self.base + "/", timeout=60) as page:
            text = page.read().decode()
        match = re.search(r'name="detente-token" content="([^"]+)"', text)
        assert match is not None
        self.token = match.group(1)
        self.peak = 0
        self._stop = threading.Event()
        self._watch = threading.Thread(target=self._measure, daemon=True)
        self._watch.start()

    def _measure(self) -> None:
        p = psutil.Process(self.proc.pid)
        while not self._stop.is_set():
            try:
                rss = p.memory_info().rss + sum(c.memory_info().rss for c in p.children(True))
            except psutil.Error:
                return
            self.peak = max(self.peak, rss)
            time.sleep(0.05)

    def post(
        self, path: str, *, content: bytes | None = None, json_body: Any = None, headers: Any = None
    ) -> Reply:
        body = content if content is not None else json.dumps(json_body).encode()
        request = urllib.request.Request(
            self.base + path,
            data=body,
            method="POST",
            headers={
                "X-Detente-Token": self.token,
                "Cookie": f"detente_csrf={self.token}",
                "Content-Type": "application/json" if content is None else "text/csv",
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=600) as r:
                return Reply(r.status, r.read())
        except urllib.error.HTTPError as err:
            return Reply(err.code, err.read())

    def close(self) -> None:
        self._stop.set()
        self._watch.join(5)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "detente", "serve", "--port", str(port), "--no-store",
         "--draws", "10", "--runs", "20", "--months", "6", "--max-jobs", "2",
         "--upload-seconds", "120"],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("detente serve did not start")
            time.sleep(0.2)
    s = Server(proc, port)
    try:
        yield s
    finally:
        s.close()
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _at_once(n: int, call: Any) -> list[Any]:
    out: list[Any] = [None] * n

    def one(i: int) -> None:
        out[i] = call(i)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    return out


def test_the_estimate_of_a_5000_actor_analysis_is_over_the_budget() -> None:
    s = READERS["bdm"](_table(5000), "big.csv")
    est = estimate(s, models=True, draws=64)
    assert est.bytes > 5 * GB  # the 5.8 GB measured before the limits
    with pytest.raises(
        Exception, match=r"would need about 5,\d{3} MiB \(mostly the models' pairwise"
    ):
        Limiter().check(est, "analysis")
    assert estimate(s, models=False, draws=64).bytes < 200 * 2**20  # the zone alone fits


@pytest.mark.slow
def test_three_concurrent_5000_actor_analyses_keep_the_server_under_2_gb(server: Server) -> None:
    body = _table(5000).encode()
    assert 80_000 < len(body) < 100_000  # the 94 KB table of the report
    uploads = _at_once(
        3, lambda i: server.post("/api/upload", content=body, headers={"X-Filename": f"big{i}.csv"})
    )
    assert [u.status_code for u in uploads] == [200, 200, 200], [u.text[:200] for u in uploads]
    key = uploads[0].json()["key"]

    # the whole analysis (models included) is refused before it starts, with the reason
    full = _at_once(
        3, lambda i: server.post("/api/analyse", json_body={"scenario": key, "seed": i})
    )
    assert [r.status_code for r in full] == [413, 413, 413]
    assert all("refused before it started" in r.json()["error"] for r in full)
    assert all("pairwise arrays (5,000 actors squared" in r.json()["error"] for r in full)

    # the zone alone fits the budget: two at once (--max-jobs 2), the third waits or is refused
    zone = _at_once(
        3,
        lambda i: server.post(
            "/api/analyse", json_body={"scenario": key, "part": "zone", "seed": i}
        ),
    )
    codes = [r.status_code for r in zone]
    assert set(codes) <= {200, 429} and codes.count(200) >= 2, [r.text[:300] for r in zone]
    for r in zone:
        if r.status_code == 429:
            assert "analyses are running" in r.json()["error"]
        else:
            assert r.json()["diagnosis"] is not None
    print(f"server peak RSS {server.peak / 2**20:.0f} MiB")  # shown with -s
    assert server.peak < 2 * GB, f"server peak RSS {server.peak / GB:.2f} GB"
    assert server.proc.poll() is None  # still serving


def test_a_remote_client_is_refused_whatever_host_it_sends() -> None:
    from starlette.testclient import TestClient

    from detente.web import create_app

    app = create_app(None, default_scenario="us-dprk-2021")
    remote = TestClient(app, base_url="http://127.0.0.1:8765", client=("203.0.113.9", 4000))
    r = remote.get("/api/scenarios", headers={"Host": "127.0.0.1"})
    assert r.status_code == 403 and "client 203.0.113.9 is not on this machine" in r.json()["error"]
    local = TestClient(app, base_url="http://127.0.0.1:8765", client=("127.0.0.1", 4000))
    assert local.get("/api/scenarios").status_code == 200
    allowed = create_app(None, default_scenario="us-dprk-2021", allow_remote=True)
    remote_ok = TestClient(allowed, base_url="http://192.0.2.1:8765", client=("203.0.113.9", 4000))
    assert remote_ok.get("/api/scenarios").status_code == 200
    for c in (remote, local, remote_ok):
        c.close()


def test_serve_on_all_addresses_needs_allow_remote(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "detente", "serve", "--host", "0.0.0.0", "--no-store"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "--host 0.0.0.0: serves other machines" in result.stderr
    assert "--allow-remote" in result.stderr


def test_an_upload_with_a_claim_argument_list_is_a_located_400(tmp_path: Path) -> None:
    """Before: HTTP 500 (TypeError in the claim checks)."""
    from starlette.testclient import TestClient

    from detente.web import create_app

    steel = (ROOT / "examples" / "steel-dispute.yaml").read_text(encoding="utf-8")
    bad = steel.replace("args: {issue: tariff}", "args: {issue: [tariff]}", 1)
    app = create_app(None, default_scenario="us-dprk-2021")
    with TestClient(app, base_url="http://127.0.0.1:8765", client=("127.0.0.1", 4000)) as c:
        page = c.get("/")
        token = re.search(r'name="detente-token" content="([^"]+)"', page.text)
        assert token is not None
        r = c.post(
            "/api/upload",
            content=bad.encode(),
            headers={"X-Detente-Token": token.group(1), "X-Filename": "steel.yaml"},
        )
    assert r.status_code == 400
    assert re.match(
        r"steel\.yaml:\d+ claims\.T2\.check\.0: issue must be one issue id", r.json()["error"]
    )
