"""A workbench application on a temporary store, and a client that holds its token."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")

from starlette.testclient import TestClient

from detente.store import RunStore
from detente.web import create_app

SIZES = {"draws": 10, "runs": 20, "months": 6}


class Client:
    """A TestClient that sends the page's token, like the page does."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.http = TestClient(
            app,
            base_url="http://127.0.0.1:8765",
            raise_server_exceptions=False,
            client=("127.0.0.1", 50000),
        )
        page = self.http.get("/")
        assert page.status_code == 200
        match = re.search(r'name="detente-token" content="([^"]+)"', page.text)
        assert match is not None
        self.token = match.group(1)

    def get(self, path: str, **kw: Any) -> Any:
        return self.http.get(path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        headers = {"X-Detente-Token": self.token, **kw.pop("headers", {})}
        return self.http.post(path, headers=headers, **kw)


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Any]:
    clients: list[Client] = []

    def make(**kw: Any) -> Client:
        kw = {**SIZES, **kw}
        app = create_app(RunStore(tmp_path / "runs.duckdb"), default_scenario="us-dprk-2021", **kw)
        client = Client(app)
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.http.close()
        c.app.state.wb.jobs.shutdown()  # no background job outlives its test


@pytest.fixture
def client(make_client: Any) -> Client:
    c: Client = make_client()
    return c


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: Any) -> Iterator[str]:
    """The workbench served by uvicorn on a free port of 127.0.0.1 (a temporary store, small
    background sizes); yields its URL."""
    import socket
    import threading
    import time

    uvicorn = pytest.importorskip("uvicorn")
    tmp = tmp_path_factory.mktemp("serve")
    app = create_app(
        RunStore(tmp / "runs.duckdb"), default_scenario="us-dprk-2021", draws=10, runs=20, months=12
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    t0 = time.monotonic()
    while not srv.started:
        assert time.monotonic() - t0 < 20, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)
    app.state.wb.jobs.shutdown()


def console_errors(driver: Any, *, allowed: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The page's SEVERE console entries, less the job limit's 429 from ``/api/jobs`` and
    ``/api/sensitivity`` (the page waits for a free slot and retries: app.js ``startJob``,
    sens.js ``sensRun``) and any entry naming one of
    ``allowed`` (e.g. ``"/api/analyse - "`` for a refused edit's 400)."""
    out = []
    for e in driver.get_log("browser"):
        msg = e.get("message", "")
        if e.get("level") != "SEVERE" or any(a in msg for a in allowed):
            continue
        if ("/api/jobs - " in msg or "/api/sensitivity - " in msg) and "status of 429" in msg:
            continue
        out.append(e)
    return out


def wait_for(driver: Any, script: str, *, timeout: float, page: str) -> Any:
    """Poll the JavaScript expression ``script`` until it is truthy and return its value;
    past ``timeout`` seconds fail with the page's state (``page``, a JavaScript expression
    giving the text to show)."""
    t0 = time.monotonic()
    while True:
        value = driver.execute_script(f"return ({script});")
        if value:
            return value
        if time.monotonic() - t0 > timeout:
            text = driver.execute_script(f"return ({page});")
            raise AssertionError(f"timed out waiting for {script}; page:\n{text}")
        time.sleep(0.1)
