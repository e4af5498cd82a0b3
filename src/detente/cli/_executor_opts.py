"""The executor options shared by ``sensitivity``, ``sweep`` and the backtests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from ._common import err_console

ExecutorOption = Annotated[
    str | None,
    typer.Option(
        "--executor",
        help="Where the variants run: inline (this process), processes (local processes, the "
        "default) or dask (a cluster; implied by --scheduler or DASK_SCHEDULER_ADDRESS).",
        show_default=False,
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", help="Local processes (default: every core).", show_default=False),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="A Dask scheduler's address, tcp://HOST:PORT (default: $DASK_SCHEDULER_ADDRESS).",
        show_default=False,
    ),
]


def spec_or_fail(executor: str | None, workers: int | None, scheduler: str | None) -> Any:
    """The :class:`detente.executor.ExecutorSpec` for the options, or exit 2 with the reason."""
    from ..executor import ExecutorError, executor_spec
    from ._common import fail

    try:
        return executor_spec(executor, workers, scheduler)
    except ExecutorError as err:
        fail(str(err))


@contextmanager
def progress_bar(label: str, quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """``progress(done, total)`` drawing a bar on standard error (None when ``quiet``)."""
    if quiet:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err_console,
                  transient=True) as bar:  # fmt: skip
        task = bar.add_task(label, total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield progress


def backtest_spec_or_fail(executor: str | None, workers: int | None, scheduler: str | None) -> Any:
    """As :func:`spec_or_fail`, but in this process when no option (nor
    DASK_SCHEDULER_ADDRESS) asks otherwise: a backtest is small by default."""
    import os

    if (
        executor is None
        and workers is None
        and not (scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS"))
    ):
        executor = "inline"
    return spec_or_fail(executor, workers, scheduler)
