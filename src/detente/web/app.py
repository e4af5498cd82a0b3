"""``detente serve``: the what-if workbench, a Starlette application.

Safe by default:

* scenarios are named, never located: a request names a bundled scenario or an upload's id,
  and nothing a request sends reaches the file system (``../../etc/passwd`` is an unknown
  scenario, not a path);
* requests a browser marks ``Sec-Fetch-Site: cross-site`` are refused (but for the page
  itself), so another site cannot make the server compute a report;
* every state-changing request (POST) must carry the page's token in ``X-Detente-Token``
  and the ``detente_csrf`` cookie (SameSite=Strict) with the same value, and an ``Origin``,
  when sent, must be the server's own; the Host header must be one the server was bound to;
* uploads are limited in size (``max_upload_bytes``) and parse time (``upload_seconds``);
* only clients on this machine (loopback addresses) are served, whatever their Host header
  says, unless the server was started with ``allow_remote`` (``--allow-remote``);
* everything that computes shares one :class:`~detente.web.limits.Limiter`: at most
  ``max_jobs`` computations at once, each within a memory budget estimated from the
  scenario's size before it starts; a request's body must arrive within ``body_seconds``
  and an analysis answer within ``request_seconds``;
* a request that crashes is logged with its traceback and answered with a JSON error; the
  server keeps serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import json
import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import defaults
from ..errors import DetenteError
from ..store import RunStore, ScenarioSource
from . import compute
from .jobs import Jobs
from .limits import BudgetError, Limiter, LimitError, estimate

__all__ = ["ClientError", "Workbench", "create_app", "within"]

log = logging.getLogger("detente.serve")

MAX_JSON_BYTES = 256 * 1024
MAX_SETS = 500
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
_STATIC = {
    "app.js": "text/javascript",
    "author.js": "text/javascript",
    "sens.js": "text/javascript",
    "app.css": "text/css",
    "plotly.min.js": "text/javascript",
}


class ClientError(Exception):
    """A request the server refuses, with its HTTP status and the lines to show."""

    def __init__(self, status: int, lines: list[str]) -> None:
        super().__init__("; ".join(lines))
        self.status, self.lines = status, lines


def _error(status: int, lines: list[str]) -> JSONResponse:
    return JSONResponse({"error": lines[0] if lines else "error", "problems": lines}, status)


def _static(name: str) -> bytes:
    if name == "plotly.min.js":
        return (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    return (resources.files("detente.web") / "static" / name).read_bytes()


class _Guard(BaseHTTPMiddleware):
    """Host check, CSRF check, security headers and the crash handler."""

    def __init__(self, app: Any, *, token: str, hosts: set[str], allow_remote: bool) -> None:
        super().__init__(app)
        self.token, self.hosts, self.allow_remote = token, hosts, allow_remote

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        client = request.client.host if request.client else ""
        local = _is_loopback(client)
        if not local and not self.allow_remote:
            # the client's address, not the Host header it sends, says where it is
            return _error(
                403,
                [f"client {client or 'unknown'} is not on this machine; this workbench serves "
                 "only this machine (start it with --allow-remote to serve others)"],
            )  # fmt: skip
        host = request.headers.get("host", "")
        hostname = (
            host.rsplit(":", 1)[0].strip("[]") if not host.endswith("]") else host.strip("[]")
        )
        if local and hostname not in self.hosts:
            return _error(400, [f"host {host!r} is not served here; open http://127.0.0.1:PORT/"])
        if request.headers.get("sec-fetch-site") == "cross-site" and request.url.path != "/":
            # another site's page asking for data or work (an <img> on a report URL, ...)
            return _error(403, ["cross-site request refused (Sec-Fetch-Site: cross-site)"])
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            problem = self._csrf_problem(request, host)
            if problem:
                return _error(403, [problem])
        try:
            response = await call_next(request)
        except ClientError as err:
            response = _error(err.status, err.lines)
        except LimitError as err:
            response = _error(429, err.lines())
        except BudgetError as err:
            response = _error(413, err.lines())
        except DetenteError as err:
            response = _error(400, err.lines())
        except Exception:
            log.exception("request %s %s crashed", request.method, request.url.path)
            response = _error(
                500,
                ["internal error while answering this request; it was logged, and the "
                 "server keeps serving"],
            )  # fmt: skip
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    def _csrf_problem(self, request: Request, host: str) -> str | None:
        origin = request.headers.get("origin")
        if origin is not None and origin not in (f"http://{host}", f"https://{host}"):
            return f"cross-site request refused (Origin {origin!r} is not this server)"
        sent = request.headers.get("x-detente-token", "")
        cookie = request.cookies.get("detente_csrf", "")
        if not (hmac.compare_digest(sent, self.token) and hmac.compare_digest(cookie, self.token)):
            return (
                "cross-site request refused: missing or wrong X-Detente-Token header or "
                "detente_csrf cookie; reload the page"
            )
        return None


class Workbench:
    """The application's state: scenarios (bundled and uploaded), the store and the jobs."""

    def __init__(
        self,
        store: RunStore | None,
        *,
        default_scenario: str,
        draws: int,
        runs: int,
        months: int,
        max_upload_bytes: int,
        upload_seconds: float,
        max_uploads: int = 32,
        limiter: Limiter | None = None,
        request_seconds: float = 120.0,
        body_seconds: float = 30.0,
    ) -> None:
        from ..scenario import bundled_names

        self.store = store
        self.bundled = bundled_names()
        self.default = default_scenario if default_scenario in self.bundled else self.bundled[0]
        self.sizes = {"draws": draws, "runs": runs, "months": months}
        self.max_upload_bytes, self.upload_seconds = max_upload_bytes, upload_seconds
        self.uploads: OrderedDict[str, tuple[ScenarioSource, Any]] = OrderedDict()
        self.max_uploads = max_uploads
        self.reports: OrderedDict[int, Any] = OrderedDict()
        self.fast_cache: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
        self.limiter = limiter or Limiter()
        self.request_seconds, self.body_seconds = request_seconds, body_seconds
        self.jobs = Jobs(self.limiter)
        self._lock = threading.Lock()

    # ----- scenarios: bundled names and upload ids only; nothing else is looked up ------------

    def scenario(self, key: Any) -> tuple[ScenarioSource, Any]:
        if isinstance(key, str) and key in self.bundled:
            from ..scenario import load_bundled

            return ScenarioSource.resolve(key), load_bundled(key)
        upload = self.uploads.get(key) if isinstance(key, str) else None
        if upload is not None:
            return upload
        looks_like_path = isinstance(key, str) and any(c in key for c in "/\\.~:")
        raise ClientError(
            404 if not looks_like_path else 400,
            [
                f"unknown scenario {key!r}: scenarios are chosen by bundled name "
                f"({', '.join(self.bundled)}) or by uploading a file"
                + ("; paths are never read" if looks_like_path else "")
            ],
        )

    def add_upload(self, source: ScenarioSource, scenario: Any) -> str:
        key = f"upload-{secrets.token_hex(6)}"
        with self._lock:
            self.uploads[key] = (source, scenario)
            while len(self.uploads) > self.max_uploads:
                self.uploads.popitem(last=False)
        return key

    def fast(self, key: str, s: Any, inputs: compute.Inputs, part: str) -> dict[str, Any]:
        """:func:`compute.fast`, remembered for the last 256 distinct requests (an analyst
        toggling a change back and forth gets the earlier answer at once)."""
        k = (key, inputs, part)
        with self._lock:
            hit = self.fast_cache.get(k)
        if hit is None:
            est = estimate(
                s, models=part != "zone", draws=compute.FAST_DRAWS if part != "models" else 0
            )
            with self.limiter.slot(est, f"analysis of {s.id}"):
                hit = compute.fast(s, inputs, part=part)
            with self._lock:
                self.fast_cache[k] = hit
                while len(self.fast_cache) > 256:
                    self.fast_cache.popitem(last=False)
        return hit

    def remember_report(self, run_id: int, report: Any) -> None:
        with self._lock:
            self.reports[run_id] = report
            while len(self.reports) > 8:
                self.reports.popitem(last=False)


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


async def within(seconds: float, what: str, awaitable: Any) -> Any:
    """Await ``awaitable`` for at most ``seconds``; then answer 504 saying so (a computation
    in a thread runs on to its end, holding its slot, so the limits still hold)."""
    try:
        return await asyncio.wait_for(awaitable, timeout=seconds)
    except TimeoutError as err:
        raise ClientError(
            504,
            [f"{what} took longer than {seconds:g} s and was abandoned; use a smaller scenario "
             "or the command line"],
        ) from err  # fmt: skip


async def _json(request: Request) -> dict[str, Any]:
    body = await _read_limited(request, MAX_JSON_BYTES, "request")
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError) as err:
        raise ClientError(400, [f"the request body is not JSON: {err}"]) from err
    if not isinstance(data, dict):
        raise ClientError(400, ["the request body must be a JSON object"])
    return data


async def _read_limited(request: Request, limit: int, what: str) -> bytes:
    """The body, refused past ``limit`` bytes or (slow senders) past the body deadline."""
    wb = getattr(request.app.state, "wb", None)
    seconds = wb.body_seconds if wb is not None else 30.0
    try:
        return await asyncio.wait_for(_read_body(request, limit, what), timeout=seconds)
    except TimeoutError as err:
        raise ClientError(408, [f"the {what} did not arrive within {seconds:g} s"]) from err


async def _read_body(request: Request, limit: int, what: str) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ClientError(413, [f"the {what} is {int(declared)} bytes; the limit is {limit} bytes"])
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ClientError(413, [f"the {what} is larger than the limit of {limit} bytes"])
        chunks.append(chunk)
    return b"".join(chunks)


def _inputs(data: dict[str, Any]) -> compute.Inputs:
    inputs = compute.Inputs.from_json(data)
    items = [*inputs.sets, *inputs.pins, *inputs.what_ifs]
    if len(items) > MAX_SETS or any(len(x) > 300 for x in items):
        raise ClientError(
            400, [f"too many or too long changes (at most {MAX_SETS}, 300 characters each)"]
        )
    return inputs


def create_app(
    store: RunStore | None,
    *,
    default_scenario: str,
    draws: int = defaults.DRAWS,
    runs: int = defaults.RUNS,
    months: int = defaults.MONTHS,
    max_upload_bytes: int = 1_000_000,
    upload_seconds: float = 10.0,
    hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1"),
    allow_remote: bool = False,
    max_jobs: int = 3,
    max_job_bytes: int = 500 * 2**20,
    queue_seconds: float = 15.0,
    request_seconds: float = 120.0,
) -> Starlette:
    """The workbench application.

    Parameters
    ----------
    store : RunStore or None
        Where every full analysis is recorded (None: nothing is recorded).
    default_scenario : str
        The bundled scenario the page opens on.
    draws, runs, months : int
        Sizes of the background job (the whole report); the fast path uses
        :data:`detente.web.compute.FAST_DRAWS` draws.
    max_upload_bytes, upload_seconds : int, float
        Limits of an uploaded scenario: its size, and the time to read it.
    hosts : tuple of str
        Host names the server answers to from this machine (others are refused: DNS
        rebinding).
    allow_remote : bool
        Serve clients on other machines too (checked by their address; by default only
        loopback clients are served).
    max_jobs, max_job_bytes, queue_seconds : int, int, float
        The :class:`~detente.web.limits.Limiter` of every computation: how many at once,
        the memory budget of each, and how long a request waits for a free slot.
    request_seconds : float
        The longest an analysis request is answered in (504 after).
    """
    from .routes import routes

    token = secrets.token_urlsafe(24)
    wb = Workbench(
        store,
        default_scenario=default_scenario,
        draws=draws,
        runs=runs,
        months=months,
        max_upload_bytes=max_upload_bytes,
        upload_seconds=upload_seconds,
        limiter=Limiter(max_jobs, max_job_bytes, queue_seconds),
        request_seconds=request_seconds,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        wb.jobs.shutdown()  # no job thread outlives the server

    app = Starlette(
        routes=[Route(path, fn, methods=methods) for path, fn, methods in routes],
        middleware=[Middleware(_Guard, token=token, hosts=set(hosts), allow_remote=allow_remote)],
        lifespan=lifespan,
    )
    app.state.wb = wb
    app.state.token = token
    return app
