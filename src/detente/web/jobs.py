"""Background jobs of the workbench: the whole report, with progress, cancellation and a limit.

Each job runs :func:`detente.web.compute.full` in a thread of its own. ``progress`` is
updated before each step; ``cancel()`` sets an event the computation checks between steps.
A finished job keeps its report (for the HTML download) and the id of the run it recorded.
"""

from __future__ import annotations

import atexit
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import DetenteError
from .compute import Cancelled
from .limits import Estimate, Limiter, LimitError

__all__ = ["Job", "JobLimitError", "Jobs"]

log = logging.getLogger("detente.serve")


class JobLimitError(DetenteError):
    """Too many background jobs are running at once."""


@dataclass(eq=False)
class Job:
    """One background computation and what the browser polls of it."""

    id: str
    label: str
    status: str = "queued"  # queued, running, done, cancelled, error
    done: int = 0
    total: int = 1
    step: str = ""
    error: str | None = None
    run_id: int | None = None
    result: dict[str, Any] | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "status": self.status,
            "done": self.done,
            "total": self.total,
            "step": self.step,
            "error": self.error,
            "run_id": self.run_id,
            "seconds": round((self.finished or time.monotonic()) - self.started, 2),
            "result": self.result,
        }


class Jobs:
    """Background jobs within ``limiter`` (its slots are shared with every other computation
    of the server); the last ``keep`` finished jobs are remembered."""

    def __init__(self, limiter: Limiter | None = None, keep: int = 50) -> None:
        self.limiter = limiter or Limiter()
        self.keep = keep
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        # a job thread still writing (to the store, in C++) when the interpreter exits would
        # abort it: cancel and wait for every job first
        atexit.register(self.shutdown)

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def start(
        self,
        label: str,
        work: Callable[[Job], tuple[dict[str, Any], int | None]],
        estimate: Estimate | None = None,
    ) -> Job:
        """Run ``work(job)`` in a thread; it returns (summary, recorded run id). A job over
        the memory budget raises :class:`~detente.web.limits.BudgetError`; with no free slot,
        :class:`JobLimitError`."""
        est = estimate or Estimate(0, "nothing")
        try:
            ticket = self.limiter.acquire(est, label, wait=0)
        except LimitError as err:
            raise JobLimitError(*err.args) from err
        with self._lock:
            job = Job(id=secrets.token_hex(8), label=label)
            self._jobs[job.id] = job
            finished = [k for k, j in self._jobs.items() if j.finished is not None]
            for k in finished[: max(0, len(self._jobs) - self.keep)]:
                del self._jobs[k]
        thread = threading.Thread(target=self._run, args=(job, work, ticket), daemon=True)
        with self._lock:
            self._threads = [x for x in self._threads if x.is_alive()] + [thread]
        thread.start()
        return job

    def shutdown(self, timeout: float = 120.0) -> None:
        """Cancel every job and wait (up to ``timeout`` seconds) for their threads to end."""
        with self._lock:
            jobs, threads = list(self._jobs.values()), list(self._threads)
        for job in jobs:
            job.cancel_event.set()
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _run(
        self, job: Job, work: Callable[[Job], tuple[dict[str, Any], int | None]], ticket: int
    ) -> None:
        job.status = "running"
        try:
            job.result, job.run_id = work(job)
            job.status = "done"
        except Cancelled:
            job.status = "cancelled"
        except DetenteError as err:
            job.status, job.error = "error", "; ".join(err.lines())
        except Exception as err:  # a crashing job is logged; the server keeps serving
            log.exception("background job %s (%s) crashed", job.id, job.label)
            job.status, job.error = (
                "error",
                f"internal error ({type(err).__name__}); see the server log",
            )
        finally:
            job.finished = time.monotonic()
            self.limiter.release(ticket)

    def cancel(self, job_id: str) -> Job | None:
        job = self.get(job_id)
        if job is not None:
            job.cancel_event.set()
        return job
