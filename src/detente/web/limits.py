"""One bound on everything the workbench computes: a job limit and a memory budget per job.

Every endpoint that computes (``/api/analyse``, ``/api/upload``, ``/api/jobs``, the report
download ``/api/runs/ID/report.html``) takes a slot of one :class:`Limiter` before it
starts and gives it back when the computation ends (not when the request gives up: a
thread cannot be stopped, so its slot stays taken until it returns). Before a slot is
taken, the job's memory is estimated from the scenario's size (:func:`estimate`); a job
over the per-job budget is refused with the reason, so no request can make the server
grow without bound. A request waits up to ``queue_seconds`` for a slot, then is refused
with a message saying how many analyses are running.

The estimate is an upper bound measured on this code (``tests/web/test_load.py`` keeps
it honest): the bargaining models' pairwise arrays take about 220 bytes per actor pair and
issue (2,000 actors on one issue: 0.85 GB), the diagnosis about 320 bytes per draw, actor
and issue, the dynamics about 400 bytes per run and month.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..errors import DetenteError

__all__ = ["BudgetError", "Estimate", "LimitError", "Limiter", "estimate"]

#: Bytes per actor pair and issue of the bargaining models (EUM, SMP challenges).
PAIR_BYTES = 220
#: Bytes per draw, actor and issue of the diagnosis' Monte Carlo.
DRAW_BYTES = 320
#: Bytes per dynamics run and month.
RUN_MONTH_BYTES = 400
#: What any job takes beyond its arrays (reading, JSON, figures).
BASE_BYTES = 40 * 2**20


class LimitError(DetenteError):
    """Every slot is taken: ``running`` analyses are under way."""


class BudgetError(DetenteError):
    """A job's estimated memory is over the per-job budget (``estimate`` says why)."""


@dataclass(frozen=True)
class Estimate:
    """A job's estimated peak memory in bytes, and what it is made of."""

    bytes: int
    reason: str

    @property
    def mib(self) -> float:
        return self.bytes / 2**20


def estimate(s: Any, *, models: bool, draws: int = 0, runs: int = 0, months: int = 0) -> Estimate:
    """The peak memory of analysing ``s``: the models (if ``models``), ``draws`` diagnosis
    draws and ``runs`` x ``months`` of dynamics, from the numbers of actors and issues."""
    n, m = len(s.actors), len(s.issues)
    parts: list[tuple[int, str]] = [(BASE_BYTES, "reading and writing")]
    if models:
        parts.append(
            (
                PAIR_BYTES * n * n * m,
                f"the models' pairwise arrays ({n:,} actors squared x {m} issues)",
            )
        )
    if draws:
        parts.append((DRAW_BYTES * draws * n * m, f"{draws} diagnosis draws of {n:,} x {m}"))
    if runs:
        parts.append(
            (RUN_MONTH_BYTES * runs * months, f"{runs} runs x {months} months of dynamics")
        )
    total = sum(b for b, _ in parts)
    biggest = max(parts)[1]
    return Estimate(total, biggest)


class Limiter:
    """At most ``max_jobs`` computations at once, each within ``job_bytes``.

    Parameters
    ----------
    max_jobs : int
        Computations running at once (fast analyses, uploads, reports, background jobs).
    job_bytes : int
        The memory budget of one computation; a larger estimate is refused before it starts.
    queue_seconds : float
        How long a request waits for a free slot before it is refused.
    """

    def __init__(
        self, max_jobs: int = 3, job_bytes: int = 500 * 2**20, queue_seconds: float = 15.0
    ) -> None:
        self.max_jobs, self.job_bytes, self.queue_seconds = max_jobs, job_bytes, queue_seconds
        self._cond = threading.Condition()
        self._running: dict[int, str] = {}
        self._next = 0

    @property
    def running(self) -> list[str]:
        """Labels of the computations under way."""
        with self._cond:
            return list(self._running.values())

    def check(self, est: Estimate, label: str) -> None:
        """Refuse a job whose estimate is over the budget, with the reason."""
        if est.bytes > self.job_bytes:
            raise BudgetError(
                f"{label}: refused before it started: it would need about {est.mib:,.0f} MiB "
                f"(mostly {est.reason}); the workbench allows {self.job_bytes / 2**20:,.0f} MiB "
                "per analysis (detente serve --max-job-mb); use a smaller scenario, or the "
                "command line (detente forecast / diagnose / run), which has no such budget"
            )

    def acquire(self, est: Estimate, label: str, *, wait: float | None = None) -> int:
        """Take a slot for ``label`` (after :meth:`check`), waiting up to ``wait`` seconds
        (default ``queue_seconds``; 0: not at all); returns the slot's ticket."""
        self.check(est, label)
        deadline = time.monotonic() + (self.queue_seconds if wait is None else wait)
        with self._cond:
            while len(self._running) >= self.max_jobs:
                left = deadline - time.monotonic()
                if left <= 0:
                    n = len(self._running)
                    raise LimitError(
                        f"{label}: {n} {'analysis is' if n == 1 else 'analyses are'} running "
                        f"({', '.join(self._running.values())}), the most this server runs at "
                        "once; try again when one has finished (or cancel a background job)"
                    )
                self._cond.wait(left)
            self._next += 1
            self._running[self._next] = label
            return self._next

    def release(self, ticket: int) -> None:
        with self._cond:
            self._running.pop(ticket, None)
            self._cond.notify()

    @contextmanager
    def slot(self, est: Estimate, label: str, *, wait: float | None = None) -> Iterator[None]:
        """``with limiter.slot(est, label):`` run one computation within the limits."""
        ticket = self.acquire(est, label, wait=wait)
        try:
            yield
        finally:
            self.release(ticket)
