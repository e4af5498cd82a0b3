"""The workbench's "what drives it": global sensitivity of a quantity as a background job.

========================================  =====  =============================================
path                                      verb   what
========================================  =====  =============================================
/api/sensitivity/quantities?name=KEY      GET    the quantities ``detente sensitivity`` accepts
                                                 on the scenario, the methods, the limits
/api/sensitivity                          POST   start one on the loaded scenario with the
                                                 page's changes -> a job (``/api/jobs/ID``)
========================================  =====  =============================================

The job calls :func:`detente.web.compute.sensitivity`, the command's own computation, in
its thread: its result is the JSON of ``detente sensitivity ... --json`` at the same seed,
method and size, plus the command line that reproduces it. It holds one slot of the
server's :class:`~detente.web.limits.Limiter` (the job limit, and a memory budget estimated
before it starts), is refused before it starts when its design is larger than the
workbench allows (the command line has no such limit), reports its progress after each
batch of design points, stops between batches when cancelled, and stops with a message
past :data:`JOB_SECONDS`.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import defaults
from ..analysis.sensitivity import CHUNK, RUNS, check_design, parse_quantity, points_per_task
from ..errors import DetenteError
from . import compute
from .app import ClientError, Workbench, _inputs, _json
from .jobs import JobLimitError
from .limits import estimate

__all__ = ["sensitivity_routes"]

#: The longest a sensitivity job runs before it stops with a message (seconds).
JOB_SECONDS = 600.0
#: The largest designs the workbench runs, in design points (the command line has no limit):
#: batched quantities (zone, compromise and median forecasts), a model's forecast per point,
#: and simulated runs in all (outlook and claims: points x runs).
MAX_POINTS = {"batched": 400_000, "model": 2_000, "runs": 2_000_000}
#: The sizes the panel proposes.
DEFAULT_N = {"morris": 4, "sobol": 64}


class JobTooLong(DetenteError):
    """A sensitivity job ran past :data:`JOB_SECONDS`."""


def _wb(request: Request) -> Workbench:
    wb: Workbench = request.app.state.wb
    return wb


async def quantities(request: Request) -> Response:
    wb = _wb(request)
    key = request.query_params.get("name", wb.default)
    _src, s = wb.scenario(key)
    listed = await run_in_threadpool(compute.sensitivity_quantities, s)
    return JSONResponse(
        {
            "key": key,
            "quantities": listed,
            "methods": ["morris", "sobol"],
            "default_n": DEFAULT_N,
            "runs": RUNS,  # the command's default, not the report's (each point simulates)
            "uncertain_inputs": sum(1 for _p, q in s.quantities() if not q.is_certain),
            "numbers": sum(1 for _ in s.quantities()),
            "limits": {**MAX_POINTS, "seconds": JOB_SECONDS},
        }
    )


def _int(data: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    v = data.get(key, default)
    if not isinstance(v, int) or isinstance(v, bool) or not low <= v <= high:
        raise ClientError(400, [f"'{key}' must be an integer in [{low}, {high}]; got {v!r}"])
    return v


def _request(data: dict[str, Any]) -> dict[str, Any]:
    quantity = data.get("quantity")
    if not isinstance(quantity, str) or not quantity.strip() or len(quantity) > 200:
        raise ClientError(400, ["'quantity' must name a quantity, e.g. zone.p_open"])
    method = data.get("method", "morris")
    if method not in ("morris", "sobol"):
        raise ClientError(400, [f"'method' must be morris or sobol; got {method!r}"])
    n = _int(data, "n", DEFAULT_N[method], 2, 65_536)
    check_design(method, n)  # Sobol's n a power of two: refused now, as the command does
    runs = _int(data, "runs", RUNS, 1, 100_000)
    spread = data.get("spread")
    if spread is not None and (
        not isinstance(spread, int | float) or isinstance(spread, bool) or not 0 < spread <= 1
    ):
        raise ClientError(400, [f"'spread' must be a number in (0, 1] or null; got {spread!r}"])
    return {"quantity": quantity.strip(), "method": method, "n": n, "runs": runs,
            "spread": float(spread) if spread else None}  # fmt: skip


def _check_size(s: Any, q: Any, req: dict[str, Any]) -> None:
    """Refuse a design larger than the workbench runs, before it starts (an upper bound: every
    uncertain input counted, also those the quantity does not read)."""
    d = (
        sum(1 for _p, x in s.quantities() if not x.is_certain)
        if req["spread"] is None
        else len(list(s.quantities()))
    )
    points = req["n"] * (d + (2 if req["method"] == "sobol" else 1))
    kind = "batched" if q.is_vectorised else "model" if q.kind == "forecast" else "runs"
    size = points * (req["runs"] if kind == "runs" else 1)
    if size > MAX_POINTS[kind]:
        what = "simulated runs" if kind == "runs" else "design points"
        raise ClientError(
            413,
            [f"what drives {req['quantity']}: refused before it started: up to {size:,} {what} "
             f"(n={req['n']}, {d} uncertain inputs); the workbench runs at most "
             f"{MAX_POINTS[kind]:,}; use a smaller n (or fewer runs), or the command line "
             "(detente sensitivity), which has no such limit"],
        )  # fmt: skip


async def start(request: Request) -> Response:
    wb = _wb(request)
    data = await _json(request)
    key = data.get("scenario", wb.default)
    src, s = wb.scenario(key)
    inputs = _inputs(data)
    req = _request(data)
    changed = compute.apply_inputs(s, inputs)  # refuse bad changes now, with their locations
    q = parse_quantity(changed, req["quantity"])  # an unknown quantity: 400, saying which exist
    _check_size(changed, q, req)
    months = int(q.args.get("month", defaults.MONTHS))
    est = estimate(
        changed,
        models=q.kind == "forecast" and not q.is_vectorised,
        draws=CHUNK if q.is_vectorised else 0,
        runs=0 if q.kind not in ("outlook", "claim") else points_per_task(req["runs"]) * req["runs"],
        months=months,
    )  # fmt: skip
    command = compute.sensitivity_command(src.name, s, inputs, **req)

    def work(job: Any) -> tuple[dict[str, Any], int | None]:
        t0 = time.monotonic()
        job.step = "choosing the inputs the quantity reads"

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total
            job.step = f"{done} of {total} batches of design points"
            if job.cancel_event.is_set():
                raise compute.Cancelled()
            if time.monotonic() - t0 > JOB_SECONDS:
                raise JobTooLong(
                    f"what drives {req['quantity']}: stopped after {JOB_SECONDS:g} s (the "
                    f"workbench's limit); use a smaller n, or the command line: {command}"
                )

        result = compute.sensitivity(s, inputs, progress=progress, **req)
        return {**result, "command": command}, None

    try:
        job = wb.jobs.start(f"what drives {req['quantity']}", work, est)
    except JobLimitError as err:  # the page says so and the analyst tries again
        raise ClientError(429, err.lines()) from err
    return JSONResponse({**job.to_dict(), "command": command}, status_code=202)


sensitivity_routes = [
    ("/api/sensitivity/quantities", quantities, ["GET"]),
    ("/api/sensitivity", start, ["POST"]),
]
