"""The workbench's HTTP endpoints (see :mod:`detente.web.app` for the safety rules).

========================  =====  ===========================================================
path                      verb   what
========================  =====  ===========================================================
/                         GET    the page (sets the CSRF cookie)
/static/NAME              GET    app.js, app.css, plotly.min.js (from the plotly package)
/api/scenarios            GET    bundled names, uploads, the default
/api/scenario?name=KEY    GET    a scenario's editable numbers, provenance, what-ifs
/api/upload               POST   a scenario file (body; name in X-Filename) -> its KEY
/api/analyse              POST   the fast path: zone, gap, blockers, levers, forecasts
/api/jobs                 POST   start the whole report in the background
/api/jobs/ID              GET    its progress and, when done, its outlook, claims, run id
/api/jobs/ID/cancel       POST   cancel it
/api/runs                 GET    the recorded runs
/api/runs/ID              GET    one run (inputs and result)
/api/runs/A/diff/B        GET    what changed from run A to run B
/api/runs/ID/scenario     POST   open the run's scenario (its upload again) -> its KEY
/api/runs/ID/report.html  GET    the run's self-contained HTML report (download)
/api/runs/ID/result.json  GET    the run's JSON (download)
/api/author/catalogue     GET    menus of the case editor (claim quantities, kinds)
/api/author/case?name=K   GET    a scenario as the mapping the case editor edits
/api/author/check         POST   a case (mapping) -> its YAML and every located problem
/api/author/use           POST   a valid case -> registered like an upload (its KEY)
/api/sensitivity...       both   what drives a quantity (see :mod:`detente.web.sensitivity`)
========================  =====  ===========================================================
"""

from __future__ import annotations

import asyncio
import html
import json
from pathlib import PurePath
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from .. import defaults
from ..plotting.palette import BASELINE, PALETTE
from ..store import ScenarioSource
from . import authoring, compute
from .app import _STATIC, ClientError, Workbench, _inputs, _json, _read_limited, _static, within
from .jobs import JobLimitError
from .limits import Estimate, estimate
from .sensitivity import sensitivity_routes

__all__ = ["routes"]


def _wb(request: Request) -> Workbench:
    wb: Workbench = request.app.state.wb
    return wb


async def index(request: Request) -> Response:
    import detente

    page = _static("index.html").decode("utf-8")
    token = request.app.state.token
    page = page.replace("{{token}}", token).replace("{{version}}", detente.__version__)
    # the CLI's seed, and the figures' palette (so the page's plots match the report's)
    page = page.replace("{{seed}}", str(defaults.SEED))
    page = page.replace("{{palette}}", html.escape(json.dumps([*PALETTE, BASELINE])))
    response = HTMLResponse(page)
    response.set_cookie("detente_csrf", token, httponly=True, samesite="strict", path="/")
    return response


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in _STATIC:
        raise ClientError(404, [f"no static file {name!r}"])
    data = await run_in_threadpool(_static, name)
    return Response(data, media_type=_STATIC[name], headers={"Cache-Control": "max-age=3600"})


async def scenarios(request: Request) -> Response:
    wb = _wb(request)
    uploads = [{"key": k, "name": src.name} for k, (src, _) in wb.uploads.items()]
    return JSONResponse({"bundled": wb.bundled, "uploads": uploads, "default": wb.default})


async def scenario(request: Request) -> Response:
    wb = _wb(request)
    src, s = wb.scenario(request.query_params.get("name", wb.default))
    view = await run_in_threadpool(compute.scenario_view, s)
    return JSONResponse(
        {"key": request.query_params.get("name", wb.default), "name": src.name, **view}
    )


def _parse_upload(name: str, text: str) -> Any:
    from ..scenario import formats  # noqa: F401  registers every reader
    from ..scenario.io import READERS, detect_format

    fmt = detect_format(name, text)
    return fmt, READERS[fmt](text, name)


async def upload(request: Request) -> Response:
    wb = _wb(request)
    raw_name = request.headers.get("x-filename", "upload.yaml")
    # only the last component, used for the format and labels: never opened as a path
    name = PurePath(raw_name.replace("\\", "/")).name or "upload.yaml"
    body = await _read_limited(request, wb.max_upload_bytes, "upload")
    if not body.strip():
        raise ClientError(400, [f"{name}: the upload is empty; choose a scenario file"])
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ClientError(
            400, [f"{name}: not UTF-8 text (byte {err.start}); upload a YAML, CSV, TSV or XML file"]
        ) from err
    # reading a file takes roughly 200 times its size at most (nodes, then the scenario)
    est = Estimate(200 * len(body) + 2**20, "reading the file")

    # the upload's time limit runs from when it has a slot (waiting for one is bounded by
    # the limiter's queue); the slot is given back when the parse ends, even after a timeout
    ticket = await run_in_threadpool(wb.limiter.acquire, est, f"upload {name}")

    def parse() -> Any:
        try:
            return _parse_upload(name, text)
        finally:
            wb.limiter.release(ticket)

    try:
        fmt, s = await asyncio.wait_for(run_in_threadpool(parse), timeout=wb.upload_seconds)
    except TimeoutError as err:
        raise ClientError(
            400,
            [f"{name}: reading took longer than {wb.upload_seconds:g} s; upload a smaller file"],
        ) from err
    key = wb.add_upload(ScenarioSource(name, fmt, text), s)
    view = await run_in_threadpool(compute.scenario_view, s)
    return JSONResponse({"key": key, "name": name, "format": fmt, **view})


async def analyse(request: Request) -> Response:
    wb = _wb(request)
    data = await _json(request)
    key = data.get("scenario", wb.default)
    _src, s = wb.scenario(key)
    inputs = _inputs(data)
    part = data.get("part", "all")
    if part not in ("all", "zone", "models"):
        raise ClientError(400, ["'part' must be all, zone or models"])
    result = await within(
        wb.request_seconds, "the analysis", run_in_threadpool(wb.fast, key, s, inputs, part)
    )
    return JSONResponse(result)


async def start_job(request: Request) -> Response:
    wb = _wb(request)
    data = await _json(request)
    key = data.get("scenario", wb.default)
    src, s = wb.scenario(key)
    inputs = _inputs(data)
    label = str(data.get("label") or "what-if")[:80]
    compute.apply_inputs(s, inputs)  # refuse bad changes now, with their locations
    recorded = await run_in_threadpool(_recorded_run, wb, src, inputs)

    def work(job: Any) -> tuple[dict[str, Any], int | None]:
        def progress(done: int, total: int, step: str) -> None:
            job.done, job.total, job.step = done, total, step

        report = compute.full(
            s,
            inputs,
            draws=wb.sizes["draws"],
            runs=wb.sizes["runs"],
            months=wb.sizes["months"],
            source=src.name,
            progress=progress,
            cancel=job.cancel_event,
        )
        result = report.to_dict()
        run_id = None
        if wb.store is not None:
            run_id = wb.store.record(
                "run",
                source=src,
                result=result,
                sets=inputs.sets,
                pins=inputs.pins,
                what_ifs=inputs.what_ifs,
                seed=inputs.seed,
                sizes=wb.sizes,
                options={"fmt": src.fmt if src.fmt != "yaml" else None},
                timings=report.timings,
                label=label,
            )
            wb.remember_report(run_id, report)
        return _summary(result), run_id

    def reuse(_job: Any) -> tuple[dict[str, Any], int | None]:
        assert recorded is not None
        return _summary(recorded.result or {}), recorded.id

    est = estimate(s, models=True, **wb.sizes)
    try:
        # this scenario with these inputs and settings is in the store already: one run, not
        # one per page load (the job answers at once with the recorded result)
        job = wb.jobs.start(label, work if recorded is None else reuse, est)
    except JobLimitError as err:  # the page tries again shortly
        raise ClientError(429, err.lines()) from err
    return JSONResponse(job.to_dict(), status_code=202)


def _recorded_run(wb: Workbench, src: ScenarioSource, inputs: compute.Inputs) -> Any:
    """The newest recorded full run of the same scenario text, inputs, seed, sizes and detente
    version, with its result; None when there is none (or no store)."""
    import detente

    if wb.store is None:
        return None
    want = {
        "command": "run",
        "scenario_hash": src.hash,
        "sets": list(inputs.sets),
        "pins": list(inputs.pins),
        "what_ifs": list(inputs.what_ifs),
        "seed": inputs.seed,
        "sizes": wb.sizes,
        "detente_version": detente.__version__,
        "status": "ok",
    }
    for rec in wb.store.list(limit=200):
        row = rec.summary()
        if all(row.get(k) == v for k, v in want.items()):
            return wb.store.get(rec.id)
    return None


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    claims = result.get("claims") or {}
    return {
        "outlook": (result.get("outlook") or {}).get("horizons"),
        "claims": [
            {k: c.get(k) for k in ("id", "text", "verdict", "robustness", "evidence")}
            for c in claims.get("claims", [])
        ],
        "claim_counts": claims.get("counts"),
        "missing": result.get("missing"),
    }


async def job_status(request: Request) -> Response:
    job = _wb(request).jobs.get(request.path_params["job"])
    if job is None:
        raise ClientError(404, ["no such job (finished jobs are forgotten after a while)"])
    return JSONResponse(job.to_dict())


async def job_cancel(request: Request) -> Response:
    job = _wb(request).jobs.cancel(request.path_params["job"])
    if job is None:
        raise ClientError(404, ["no such job"])
    return JSONResponse(job.to_dict())


def _store(wb: Workbench) -> Any:
    if wb.store is None:
        raise ClientError(404, ["this server records no runs (started with --no-store)"])
    return wb.store


async def runs(request: Request) -> Response:
    store = _store(_wb(request))
    rows = await run_in_threadpool(store.list, limit=200)
    return JSONResponse([r.summary() for r in rows])


async def run(request: Request) -> Response:
    store = _store(_wb(request))
    rec = await run_in_threadpool(store.get, request.path_params["id"])
    return JSONResponse({**rec.summary(), "result": rec.result})


async def diff(request: Request) -> Response:
    store = _store(_wb(request))
    d = await run_in_threadpool(store.diff, request.path_params["a"], request.path_params["b"])
    return JSONResponse(d)


def _report_of(wb: Workbench, run_id: int) -> Any:
    """The run's report: remembered from its job, else computed again from the stored inputs."""
    remembered = wb.reports.get(run_id)
    if remembered is not None:
        return remembered
    rec = _store(wb).get(run_id)
    if rec.command != "run" or rec.source is None:
        raise ClientError(
            400, [f"run {run_id} is a '{rec.command}' run; HTML reports are made of full runs"]
        )
    inputs = compute.Inputs(
        tuple(rec.sets), tuple(rec.pins), tuple(rec.what_ifs), int(rec.seed or 0)
    )
    report = compute.full(
        rec.source.load(),
        inputs,
        draws=int(rec.sizes["draws"]),
        runs=int(rec.sizes["runs"]),
        months=int(rec.sizes["months"]),
        source=rec.source.name,
    )
    wb.remember_report(run_id, report)
    return report


async def run_scenario(request: Request) -> Response:
    """Open the scenario a run was made of: its bundled name when the text is the bundled one,
    else its stored text again as an upload (a run of an uploaded or authored case reopens it)."""
    wb = _wb(request)
    rec = await run_in_threadpool(_store(wb).get, request.path_params["id"])
    if rec.source is None:
        raise ClientError(400, [f"run {rec.id} recorded no scenario text"])
    src = rec.source
    if src.name in wb.bundled and ScenarioSource.resolve(src.name).hash == src.hash:
        return JSONResponse({"key": src.name, "name": src.name})
    for key, (up, _s) in wb.uploads.items():
        if up.hash == src.hash and up.name == src.name:
            return JSONResponse({"key": key, "name": src.name})
    s = await run_in_threadpool(src.load)
    key = wb.add_upload(src, s)
    return JSONResponse({"key": key, "name": src.name})


async def report_html(request: Request) -> Response:
    from ..report import render_html

    wb = _wb(request)
    run_id = request.path_params["id"]

    def render() -> str:
        rec_sizes = wb.sizes
        s = None
        if run_id not in wb.reports and wb.store is not None:
            rec = wb.store.get(run_id)
            rec_sizes = {k: int(v) for k, v in rec.sizes.items() if k in wb.sizes}
            s = rec.source.load() if rec.source is not None else None
        est = (
            estimate(s, models=True, **rec_sizes)
            if s is not None
            else Estimate(64 * 2**20, "drawing the figures")
        )
        with wb.limiter.slot(est, f"report of run {run_id}"):
            return str(render_html(_report_of(wb, run_id)))

    html = await within(wb.request_seconds, "the report", run_in_threadpool(render))
    return HTMLResponse(
        html, headers={"Content-Disposition": f'attachment; filename="detente-run-{run_id}.html"'}
    )


async def result_json(request: Request) -> Response:
    store = _store(_wb(request))
    run_id = request.path_params["id"]
    text = await run_in_threadpool(store.export, run_id, "json")
    return Response(
        text,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="detente-run-{run_id}.json"'},
    )


async def author_catalogue(request: Request) -> Response:
    return JSONResponse(authoring.catalogue())


async def author_case(request: Request) -> Response:
    wb = _wb(request)
    key = request.query_params.get("name", wb.default)
    src, s = wb.scenario(key)
    data = await run_in_threadpool(authoring.case_data, s)
    return JSONResponse(
        {"key": key, "name": authoring.file_name(PurePath(src.name).stem), "case": data}
    )


async def author_check(request: Request) -> Response:
    data = await _json(request)
    name = authoring.file_name(data.get("name"))
    answer, _s = await run_in_threadpool(authoring.check, data.get("case"), name)
    return JSONResponse(answer)


async def author_use(request: Request) -> Response:
    """Register a valid case like an upload, so it runs at once (and its runs keep its text)."""
    wb = _wb(request)
    data = await _json(request)
    name = authoring.file_name(data.get("name"))
    answer, s = await run_in_threadpool(authoring.check, data.get("case"), name)
    if s is None:
        raise ClientError(400, [p["text"] for p in answer["problems"]])
    key = wb.add_upload(authoring.source_of(answer), s)
    return JSONResponse({"key": key, "name": name})


routes = [
    ("/", index, ["GET"]),
    ("/static/{name}", static, ["GET"]),
    ("/api/scenarios", scenarios, ["GET"]),
    ("/api/scenario", scenario, ["GET"]),
    ("/api/upload", upload, ["POST"]),
    ("/api/analyse", analyse, ["POST"]),
    ("/api/jobs", start_job, ["POST"]),
    ("/api/jobs/{job}", job_status, ["GET"]),
    ("/api/jobs/{job}/cancel", job_cancel, ["POST"]),
    ("/api/runs", runs, ["GET"]),
    ("/api/runs/{id:int}", run, ["GET"]),
    ("/api/runs/{a:int}/diff/{b:int}", diff, ["GET"]),
    ("/api/runs/{id:int}/scenario", run_scenario, ["POST"]),
    ("/api/runs/{id:int}/report.html", report_html, ["GET"]),
    ("/api/runs/{id:int}/result.json", result_json, ["GET"]),
    ("/api/author/catalogue", author_catalogue, ["GET"]),
    ("/api/author/case", author_case, ["GET"]),
    ("/api/author/check", author_check, ["POST"]),
    ("/api/author/use", author_use, ["POST"]),
    *sensitivity_routes,
]
