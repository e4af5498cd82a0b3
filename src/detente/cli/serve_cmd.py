"""``detente serve``: the what-if workbench in the browser (a local web application)."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import defaults
from ._common import app, console, err_console, fail, store_path


def _flagship() -> str:
    """The scenario ``detente run`` analyses by default: the workbench opens on it too."""
    import inspect

    from .run_cmd import run

    default = inspect.signature(run).parameters["scenario"].default
    return str(default)


FLAGSHIP = _flagship()


@app.command()
def serve(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to bind. The default serves this machine only; anything else exposes "
            "the workbench to your network.",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port (0: any free one).")
    ] = 8765,
    store: Annotated[
        str,
        typer.Option(
            "--store",
            help="Run store recording every analysis ('default': $DETENTE_STORE or ~/.local/share/detente/runs.duckdb).",
        ),
    ] = "default",
    no_store: Annotated[bool, typer.Option("--no-store", help="Record nothing.")] = False,
    scenario: Annotated[
        str, typer.Option("--scenario", help="The bundled scenario to open on.")
    ] = FLAGSHIP,
    draws: Annotated[
        int, typer.Option("--draws", min=2, help="Draws of the background report (as 'run').")
    ] = defaults.DRAWS,
    runs: Annotated[
        int,
        typer.Option("--runs", min=1, help="Dynamics runs of the background report (as 'run')."),
    ] = defaults.RUNS,
    months: Annotated[
        int, typer.Option("--months", min=1, max=600, help="Dynamics horizon (as 'run').")
    ] = defaults.MONTHS,
    max_upload_kb: Annotated[
        int, typer.Option("--max-upload-kb", min=1, help="Largest upload accepted.")
    ] = 1024,
    upload_seconds: Annotated[
        float,
        typer.Option(
            "--upload-seconds", min=1, max=600, help="Longest time an upload may take to read."
        ),
    ] = 10.0,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Serve clients on other machines (required with a --host other than this "
            "machine's; clients are told apart by their address, not their Host header).",
        ),
    ] = False,
    max_jobs: Annotated[
        int,
        typer.Option("--max-jobs", min=1, max=64, help="Computations running at once."),
    ] = 3,
    max_job_mb: Annotated[
        int,
        typer.Option(
            "--max-job-mb",
            min=50,
            help="Memory budget of one computation, estimated from the scenario's size before "
            "it starts; larger ones are refused with the reason.",
        ),
    ] = 500,
    open_browser: Annotated[
        bool, typer.Option("--open/--no-open", help="Open a browser tab.")
    ] = False,
) -> None:
    """Start the what-if workbench: edit any number, toggle levers and what-ifs, watch the zone of
    agreement and the forecasts follow, compare with the baseline; every analysis is recorded."""
    import logging

    import uvicorn

    from ..errors import DetenteError
    from ..scenario import bundled_names
    from ..store import RunStore
    from ..web import create_app

    if scenario not in bundled_names():
        fail(
            f"--scenario {scenario}: not a bundled scenario; choose one of {', '.join(bundled_names())} (upload others in the page)"
        )
    local = host in ("127.0.0.1", "localhost", "::1")
    if not local and not allow_remote:
        fail(
            f"--host {host}: serves other machines, which the workbench does only when asked; "
            "add --allow-remote (anyone who can reach the port can then use it), or drop --host"
        )
    run_store = None
    if not no_store:
        try:
            run_store = RunStore(store_path(store))
            run_store.list(limit=1)  # refuse a store of another schema now, not at the first job
        except DetenteError as err:
            fail(err)
    if port == 0:
        import socket

        with socket.socket() as sock:
            sock.bind((host, 0))
            port = int(sock.getsockname()[1])
    hosts = ("127.0.0.1", "localhost", "::1", host)
    application = create_app(
        run_store,
        default_scenario=scenario,
        draws=draws,
        runs=runs,
        months=months,
        max_upload_bytes=max_upload_kb * 1024,
        upload_seconds=upload_seconds,
        hosts=hosts,
        allow_remote=allow_remote,
        max_jobs=max_jobs,
        max_job_bytes=max_job_mb * 2**20,
    )
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if not local:
        err_console.print(
            f"[yellow]warning[/]: serving on {host}: anyone who can reach it can use the workbench"
        )
    config = uvicorn.Config(application, host=host, port=port, log_level="info", access_log=False)
    server = uvicorn.Server(config)
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, [f"http://{host}:{port}/"]).start()
    console.print(f"detente workbench on http://{host}:{port}/ (Ctrl-C stops it)")
    try:
        server.run()
    except OSError as err:
        fail(f"cannot serve on {host}:{port}: {err}")
