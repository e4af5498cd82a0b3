"""Shared CLI plumbing: the app, scenario loading with ``--set``, JSON output, error exits."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn, TypeVar

import typer
import typer.core
from rich.console import Console

from .._text import SafeConsole, clean, safe
from ..errors import DetenteError
from ._help_style import OrderedGroup

app = typer.Typer(
    name="detente",
    cls=OrderedGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

console: Console = SafeConsole(highlight=False)
err_console: Console = SafeConsole(stderr=True, highlight=False)

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="What-if PATH=VALUE, repeatable: ACTOR.ISSUE.position=40, ACTOR.capability=0.3, "
        "status_quo.ISSUE=20, drivers.NAME=0.9, ACTOR.red_lines.ISSUE=none ('detente show "
        "SCENARIO --sources' lists the paths).",
        show_default=False,
    ),
]
PinOption = Annotated[
    list[str] | None,
    typer.Option(
        "--pin",
        help="Fix a number PATH=VALUE (its range collapses to the value, so the Monte Carlo "
        "no longer varies it), repeatable; --set moves the range with the value.",
        show_default=False,
    ),
]
WhatIfOption = Annotated[
    list[str] | None,
    typer.Option(
        "--what-if",
        help="A named what-if of the scenario (its what_ifs: levers and shocks), repeatable; "
        "applied in order before the analysis.",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool,
    typer.Option(
        "--json", help="Print machine-readable JSON on standard output instead of tables."
    ),
]
OutputOption = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the JSON (what --json prints) to this file instead; checked before the "
        "work starts, written atomically.",
        show_default=False,
    ),
]
RecordOption = Annotated[
    str | None,
    typer.Option(
        "--record",
        help="The case's historical record for the dynamics: a bundled record's id or a CSV "
        "file of dated events (columns date,kind,actor; docs/dynamics.md). Replaces the "
        "scenario's roles.record; the dynamics are fitted on it.",
        show_default=False,
    ),
]


def with_record(s: Any, record: str | None) -> Any:
    """The scenario with ``roles.record`` replaced by ``record`` (read and checked first: a
    bad file raises DataError with every problem and its line)."""
    if record is None:
        return s
    from ..data.records import load_record
    from ..errors import ModelError

    if s.roles is None:
        raise ModelError(
            f"--record {record}: scenario {s.id} declares no roles (challenger, defender), so it "
            "has no dynamics to fit on a record; add a roles: section"
        )
    load_record(record)
    return s.model_copy(update={"roles": s.roles.model_copy(update={"record": record})})


FromOption = Annotated[
    str | None,
    typer.Option(
        "--from",
        help="Input format when the extension does not tell (yaml, xlsx, table-csv, ktab-csv, "
        "ktab-xml, exchange, bdm).",
    ),
]
ScenarioArg = Annotated[
    str,
    typer.Argument(help="A bundled scenario name (see 'detente scenarios') or a scenario file."),
]

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["app", "clean", "console", "err_console", "fail", "load_scenario", "main", "safe"]


def fail(error: DetenteError | str) -> NoReturn:
    """Print every line of an error to stderr and exit with status 2."""
    lines = error.lines() if isinstance(error, DetenteError) else [str(error)]
    for line in lines:
        err_console.print(
            f"[bold red]error[/]: {safe(line)}", markup=True, soft_wrap=True, highlight=False
        )
    raise typer.Exit(2)


def load_scenario(
    name: str,
    sets: list[str] | None = None,
    fmt: str | None = None,
    *,
    pins: list[str] | None = None,
    what_ifs: list[str] | None = None,
) -> Any:
    """Read a scenario, apply ``--set`` then ``--pin`` assignments, then named what-ifs."""
    from ..scenario import apply_sets, resolve

    scn = resolve(name, fmt=fmt)
    if sets:
        scn = apply_sets(scn, sets)
    if pins:
        scn = apply_sets(scn, pins, pin=True)
    for w in what_ifs or ():
        from ..report.whatifs import apply_named

        scn, _ = apply_named(scn, w)
    return scn


#: Where the running command's JSON goes: None for standard output, else the file named by
#: ``-o/--output`` (set by :mod:`detente.cli._conventions` around the command).
JSON_TARGET: dict[str, Any] = {"path": None, "written": False}


def print_json(data: Any) -> None:
    """Print ``data`` as JSON (numbers rounded to their precision, see :mod:`detente._json`)
    on standard output, or write it atomically to the ``-o/--output`` file."""
    emit_json_text(
        json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False, default=_default)
    )


def emit_json_text(text: str) -> None:
    """Write JSON text to standard output or to the ``-o/--output`` file."""
    text = text if text.endswith("\n") else text + "\n"
    target = JSON_TARGET["path"]
    if target is None:
        sys.stdout.write(text)
        return
    from .._outputs import write_atomic

    try:
        write_atomic(target, text, "--output")
    except DetenteError as err:
        fail(err)
    JSON_TARGET["written"] = True


def _default(x: Any) -> Any:
    import numpy as np

    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"not JSON serialisable: {type(x).__name__}")


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        console.print(f"detente {__version__}", markup=False, highlight=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Model, forecast and break negotiation stalemates.

    Start with 'detente run' (the full report on the flagship) or 'detente show SCENARIO'.
    """


def main() -> None:
    """Entry point: run the app with the exit statuses of docs/cli.md.

    0 done; 1 a check the user asked for failed (``claims --fail-on``, ``runs rerun``);
    2 bad input (detente errors, without a traceback); 130 interrupted. A closed pipe on
    standard output (``detente show ... | head -1``) ends quietly with 0: the reader had
    what it wanted. SIGTERM and SIGHUP end the command like Ctrl-C, through ``finally``
    blocks, so a half-written output leaves no temporary file (see :mod:`detente._outputs`).
    """
    from .._numba_cache import cache_dir, set_notice
    from .._outputs import install_signal_handlers

    install_signal_handlers()
    set_notice(
        lambda text: err_console.print(
            f"{text}; cached in {cache_dir()}", markup=False, highlight=False
        )
    )
    try:
        app(prog_name="detente")
    except DetenteError as err:  # commands call fail() themselves; this is the safety net
        try:
            fail(err)
        except typer.Exit as ex:
            sys.exit(ex.exit_code)
    except BrokenPipeError:
        _quiet_broken_pipe()
    except KeyboardInterrupt:
        err_console.print("interrupted", markup=False, highlight=False)
        sys.exit(130)
    except MemoryError:
        err_console.print(
            "error: out of memory; use fewer --draws or --runs, or a smaller scenario",
            markup=False,
            highlight=False,
        )
        sys.exit(2)
    except SystemExit as ex:
        # typer turns a broken pipe into status 1 after swapping in a flush-pacifying stdout
        if ex.code == 1 and type(sys.stdout).__name__ == "PacifyFlushWrapper":
            _quiet_broken_pipe()
        raise


def _quiet_broken_pipe() -> NoReturn:
    """End with status 0 after the reader of standard output went away, with no message and
    no 'Exception ignored' at shutdown (stdout is pointed at /dev/null before Python flushes)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout already gone
        pass
    sys.exit(0)


def check_store_option(value: str | None) -> str | None:
    """Refuse a ``--store`` that cannot be a run store as the options are parsed, before any
    work (a folder, FIFO, device, a file of another kind, a missing folder)."""
    if value:
        check_store(value)
    return value


def check_store(
    store: str | None,
    outputs: list[tuple[str, Any]] | None = None,
    *,
    create: bool = True,
) -> None:
    """Check ``--store`` (kind of file, see :func:`detente.store.RunStore.check`) and that it
    is none of the command's other ``outputs`` (``(option, path)`` pairs); exits with 2."""
    if not store:
        return
    from .._outputs import check_outputs
    from ..store import RunStore

    try:
        path = RunStore(store_path(store), create=create).path
        if outputs:
            check_outputs([*outputs, ("--store", path)])
    except DetenteError as err:
        fail(err)


StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        callback=check_store_option,
        help="Record this run (inputs and results) in the run store at PATH; 'default' means "
        "$DETENTE_STORE or ~/.local/share/detente/runs.duckdb. See 'detente runs'.",
        show_default=False,
    ),
]

#: Parameters that only choose where or how output is shown: not recorded with a run.
_OUTPUT_ONLY = frozenset(
    {"store", "json_out", "json_", "json_file", "html", "quiet", "plot", "plot_issues", "trace",
     "rules", "list_what_ifs"}
)  # fmt: skip


def store_path(store: str) -> Any:
    """The run store file for a ``--store`` value ('default': the default location)."""
    from ..store import default_store_path

    return default_store_path() if store == "default" else store


def record_if_asked(
    store: str | None,
    command: str,
    result: dict[str, Any] | Callable[[], dict[str, Any]],
    timings: dict[str, float] | None = None,
) -> int | None:
    """Record the calling command's run in the store named by ``--store`` (if given).

    The command's parameters are read from the caller's frame (the typer command function),
    so a command records itself with one line at its end::

        record_if_asked(store, "diagnose", d.to_dict())

    Output-only parameters (``--json``, ``--html``, ``--plot``, ...) are left out. Returns the
    run's id, or None when ``--store`` was not given. ``result`` may be a function giving
    it (such as ``report.to_dict``), called only when there is a store to record it in: a
    report's JSON view takes a noticeable share of a run. ``timings`` (seconds per stage) go
    to the store's ``timings`` column, never into the comparable result.
    """
    if not store:
        return None
    if callable(result):
        result = result()
    import inspect

    frame = inspect.currentframe()
    caller = frame.f_back if frame is not None else None
    if caller is None:  # pragma: no cover - CPython always has frames
        return None
    code = caller.f_code
    names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    params = {n: caller.f_locals[n] for n in names if n not in _OUTPUT_ONLY}
    del frame, caller
    from ..store import RunStore, ScenarioSource

    try:
        source = ScenarioSource.resolve(params["scenario"], params.get("fmt"))
        run_id = RunStore(store_path(store)).record(
            command,
            source=source,
            result=result,
            sets=params.get("set_") or (),
            pins=params.get("pin") or (),
            what_ifs=_as_list(params.get("what_if")),
            seed=params.get("seed"),
            sizes={k: params[k] for k in ("draws", "runs", "months", "rounds") if k in params},
            options={
                k: v
                for k, v in params.items()
                if k
                not in (
                    "scenario",
                    "set_",
                    "pin",
                    "what_if",
                    "seed",
                    "draws",
                    "runs",
                    "months",
                    "rounds",
                )
            },
            timings={**(timings or {}), "total": round(time.perf_counter() - _T0, 3)},
        )
    except DetenteError as err:
        fail(err)
    err_console.print(f"recorded as run {run_id} in {store_path(store)}", highlight=False)
    return run_id


def _as_list(x: Any) -> list[str]:
    if x is None:
        return []
    return [x] if isinstance(x, str) else list(x)


_T0 = time.perf_counter()


@contextmanager
def progress_steps(total: int, label: str, quiet: bool) -> Iterator[Callable[[str], None]]:
    """A progress bar on standard error for a command's stages: ``step(name)`` starts the
    next stage (the bar advances past the previous one); nothing when ``quiet``."""
    if quiet:
        yield lambda step: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        started = False

        def step(name: str) -> None:
            nonlocal started
            if started:
                bar.advance(task)
            started = True
            bar.update(task, description=f"{label}: {name}")

        yield step
        bar.update(task, completed=total)
