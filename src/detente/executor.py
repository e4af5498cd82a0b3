"""One executor for many independent variants: in this process, on local processes, or on a
Dask cluster.

A *job* is a function ``fn(shared, item) -> result`` applied to every item of a list; ``shared``
(the scenario and the settings) is the same for every item and is shipped to each worker once,
the items travel in batches. :func:`run_variants` returns the results in the items' order, so
the numbers never depend on which worker computed what: a job that needs random numbers derives
them from the item (see :func:`variant_seeds`), never from the worker.

==============  ==========================================================================
kind            what it does
==============  ==========================================================================
``inline``      a loop in this process (small jobs, debugging, tests)
``processes``   a pool of local processes, all cores by default; the shared object is
                sent once per process (the pool's initializer); a process that dies has
                its batches run again on a fresh pool
``dask``        a Dask distributed cluster at ``scheduler`` (``tcp://host:port``, or the
                ``DASK_SCHEDULER_ADDRESS`` environment variable); the shared object is
                scattered once to every worker, batches are submitted with retries, a lost
                worker's tasks are rescheduled by the scheduler
==============  ==========================================================================

Ctrl-C cancels what has not run yet (the pool's pending futures, the cluster's futures) and
re-raises :class:`KeyboardInterrupt`.

This module names no domain module (only :mod:`detente.errors`): it sits below everything
that uses it.
"""

from __future__ import annotations

import functools
import math
import os
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import numpy as np

from .errors import DetenteError

__all__ = [
    "EXECUTOR_KINDS",
    "ExecutorError",
    "ExecutorSpec",
    "executor_spec",
    "run_variants",
    "variant_seeds",
]

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

#: The executors a user can choose.
EXECUTOR_KINDS = ("inline", "processes", "dask")
Kind = Literal["inline", "processes", "dask"]

#: Batches per worker when the caller gives no batch size: enough for the load to even out,
#: few enough that the per-batch overhead stays small.
BATCHES_PER_WORKER = 4


class ExecutorError(DetenteError, ValueError):
    """The executor options are wrong (unknown kind, bad worker count, unreachable scheduler)."""


@dataclass(frozen=True)
class ExecutorSpec:
    """Where the variants run.

    Parameters
    ----------
    kind : {"inline", "processes", "dask"}
        See the module docstring.
    workers : int, optional
        Local processes (default: every core). Ignored by ``inline`` and ``dask``.
    scheduler : str, optional
        The Dask scheduler's address (``dask`` only).
    batch_size : int, optional
        Variants per task (default: about :data:`BATCHES_PER_WORKER` batches per worker).
    retries : int
        Times a failed batch is run again (a lost worker, a broken pool) before giving up.
    chosen : bool
        Whether the user chose this executor (see :func:`executor_spec`).
    """

    kind: Kind = "processes"
    workers: int | None = None
    scheduler: str | None = None
    batch_size: int | None = None
    retries: int = 3
    #: False when nobody chose the executor (the default): a caller may then run a job it
    #: knows to be small in this process instead of paying for a pool.
    chosen: bool = True

    def describe(self) -> str:
        if self.kind == "inline":
            return "in this process"
        if self.kind == "dask":
            return f"on the Dask cluster at {self.scheduler}"
        return f"on {self.n_workers} local processes"

    @property
    def n_workers(self) -> int:
        if self.kind == "inline":
            return 1
        return int(self.workers or os.cpu_count() or 1)


def executor_spec(
    kind: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    *,
    batch_size: int | None = None,
) -> ExecutorSpec:
    """The executor a command's options ask for.

    ``--scheduler`` (or ``DASK_SCHEDULER_ADDRESS``) chooses Dask; otherwise ``kind`` (default
    ``processes``). Raises :class:`ExecutorError` with one clear message on bad options.
    """
    scheduler = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    chosen = kind is not None or workers is not None or scheduler is not None
    if kind is None:
        kind = "dask" if scheduler else "processes"
    if kind not in EXECUTOR_KINDS:
        raise ExecutorError(f"--executor must be one of {', '.join(EXECUTOR_KINDS)}; got {kind!r}")
    if kind == "dask" and not scheduler:
        raise ExecutorError(
            "--executor dask needs --scheduler tcp://HOST:PORT (or DASK_SCHEDULER_ADDRESS)"
        )
    if kind != "dask":
        scheduler = None  # an explicit local executor wins over the environment
    if workers is not None and int(workers) < 1:
        raise ExecutorError(f"--workers must be >= 1; got {workers}")
    if batch_size is not None and int(batch_size) < 1:
        raise ExecutorError(f"--batch-size must be >= 1; got {batch_size}")
    return ExecutorSpec(kind, workers, scheduler, batch_size, chosen=chosen)  # type: ignore[arg-type]


def variant_seeds(seed: int, n: int) -> list[int]:
    """One independent seed per variant, from ``np.random.SeedSequence(seed).spawn(n)``.

    The seed of variant ``i`` depends on ``seed`` and ``i`` only, never on the worker.
    """
    return [int(c.generate_state(1, np.uint32)[0]) for c in np.random.SeedSequence(seed).spawn(n)]


def _batches(n: int, size: int) -> list[range]:
    return [range(i, min(n, i + size)) for i in range(0, n, size)]


def _batch_size(spec: ExecutorSpec, n: int, workers: int) -> int:
    if spec.batch_size:
        return int(spec.batch_size)
    return max(1, math.ceil(n / (max(1, workers) * BATCHES_PER_WORKER)))


#: BLAS and OpenMP threads while a batch runs, in every executor: a threaded BLAS sums in an
#: order that depends on its thread count (the Nash solver's point moved in the 13th digit
#: between one and two threads), and Dask's workers start with one thread; so every batch runs
#: with one, and the numbers are the same wherever it runs.
BLAS_THREADS = 1


def run_batch(fn: Callable[[S, T], R], shared: S, items: Sequence[T]) -> list[R]:
    """Apply ``fn(shared, item)`` to a batch of items (the unit of work on a worker), with
    :data:`BLAS_THREADS` BLAS threads."""
    with _one_blas_thread():
        return [fn(shared, x) for x in items]


def _one_blas_thread() -> Any:
    """A context in which BLAS and OpenMP use :data:`BLAS_THREADS` threads."""
    _load_scipys_blas()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=BLAS_THREADS)


@functools.cache  # once a process: a loaded library stays loaded
def _load_scipys_blas() -> None:
    """Load the OpenBLAS scipy ships, so the thread limit reaches it too: scipy loads it with
    its first linear algebra, maybe inside the batch, after the limit was set.

    Importing scipy.linalg for that costs about 0.15 s of CPU, and a run that needs no scipy
    solver never imports it; so the library is loaded by itself, from the wheel's
    ``scipy.libs`` folder, and when scipy.linalg comes its modules link that same copy (the
    dynamic loader matches it by name; ``tests/test_executor_blas.py`` checks the limit holds).
    Where the file is not found (another scipy build), scipy.linalg is imported as before.
    """
    import sys

    if "scipy.linalg" in sys.modules:
        return
    import ctypes
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("scipy")
    found = []
    if spec is not None and spec.origin:
        found = sorted(
            (Path(spec.origin).parent.parent / "scipy.libs").glob("libscipy_openblas*.so")
        )
    if len(found) == 1:
        try:
            ctypes.CDLL(str(found[0]))
            return
        except OSError:
            pass
    import scipy.linalg  # noqa: F401


# ----- local processes ---------------------------------------------------------------------

_WORKER_SHARED: Any = None


def _init_worker(payload: bytes) -> None:
    global _WORKER_SHARED
    _WORKER_SHARED = pickle.loads(payload)


def _run_local_batch(fn: Callable[[Any, T], R], items: Sequence[T]) -> list[R]:
    return run_batch(fn, _WORKER_SHARED, items)


def run_variants(
    fn: Callable[[S, T], R],
    shared: S,
    items: Sequence[T],
    spec: ExecutorSpec | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> list[R]:
    """``[fn(shared, item) for item in items]``, computed where ``spec`` says.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled by reference to reach the workers).
    shared : object
        Passed to every call; shipped once per worker.
    items : sequence
        One per variant; travel in batches.
    spec : ExecutorSpec, optional
        Default: in this process.
    progress : callable, optional
        ``progress(done, total)`` after each batch.

    Returns
    -------
    list
        The results in the order of ``items``, whatever the executor.
    """
    spec = spec or ExecutorSpec("inline")
    items = list(items)
    if not items:
        return []
    if spec.kind == "inline":
        out: list[R] = []
        # one BLAS limit for all of them (each limit inspects every loaded library)
        with _one_blas_thread():
            for i, x in enumerate(items):
                out.append(fn(shared, x))
                if progress is not None:
                    progress(i + 1, len(items))
        return out
    if spec.kind == "processes":
        return _run_processes(fn, shared, items, spec, progress)
    return _run_dask(fn, shared, items, spec, progress)


def _run_processes(
    fn: Callable[[S, T], R],
    shared: S,
    items: list[T],
    spec: ExecutorSpec,
    progress: Callable[[int, int], None] | None,
) -> list[R]:
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    n = len(items)
    workers = min(spec.n_workers, n)
    batches = _batches(n, _batch_size(spec, n, workers))
    payload = pickle.dumps(shared, protocol=pickle.HIGHEST_PROTOCOL)
    results: list[Any] = [None] * len(batches)
    todo = set(range(len(batches)))
    done_items, attempts = 0, 0
    # spawn, not fork: the parent may hold threads (numba, a progress bar) a fork would copy
    ctx = mp.get_context("spawn")
    while todo:
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(payload,)
        )
        futures: dict[Future[Any], int] = {}
        broken = interrupted = False
        try:
            for b in sorted(todo):
                futures[pool.submit(_run_local_batch, fn, [items[i] for i in batches[b]])] = b
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in finished:
                    b = futures[f]
                    try:
                        results[b] = f.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    todo.discard(b)
                    done_items += len(batches[b])
                    if progress is not None:
                        progress(done_items, n)
        except BaseException:  # Ctrl-C, SIGTERM (SystemExit), an error in a task
            interrupted = True
            for f in futures:
                f.cancel()
            # stop the running batches too: before Python 3.14 the pool has no public way to
            # end its workers, and waiting for them would hold Ctrl-C for a whole batch
            workers_ = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for proc in workers_:
                proc.terminate()
            raise
        finally:
            if not interrupted:
                pool.shutdown(wait=True, cancel_futures=True)
        if broken and todo:
            attempts += 1
            if attempts > spec.retries:
                raise ExecutorError(
                    f"a local worker process died {attempts} times; {len(todo)} batches were not "
                    "computed (out of memory? try fewer --workers)"
                )
    return [r for batch in results for r in batch]


# ----- Dask ---------------------------------------------------------------------------------


def _run_dask(
    fn: Callable[[S, T], R],
    shared: S,
    items: list[T],
    spec: ExecutorSpec,
    progress: Callable[[int, int], None] | None,
) -> list[R]:
    from distributed import Client, as_completed

    try:
        client = Client(spec.scheduler, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise ExecutorError(
            f"cannot reach the Dask scheduler at {spec.scheduler}: {err}; start one with "
            "'dask scheduler' and workers with 'dask worker ADDRESS', or leave out --scheduler"
        ) from err
    try:
        n = len(items)
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        batches = _batches(n, _batch_size(spec, n, workers))
        # the scenario travels once to every worker; the batches refer to it
        shared_f = client.scatter(shared, broadcast=True, hash=False)
        futures = [
            client.submit(
                run_batch,
                fn,
                shared_f,
                [items[i] for i in b],
                retries=spec.retries,
                pure=False,
            )
            for b in batches
        ]
        index = {f.key: k for k, f in enumerate(futures)}
        results: list[Any] = [None] * len(batches)
        done_items = 0
        try:
            for f in as_completed(futures, loop=client.loop):
                k = index[f.key]
                results[k] = f.result()
                done_items += len(batches[k])
                if progress is not None:
                    progress(done_items, n)
        except KeyboardInterrupt:
            client.cancel(futures, force=True)
            raise
        return [r for batch in results for r in batch]
    finally:
        client.close()
