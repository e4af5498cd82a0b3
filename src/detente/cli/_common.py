"""Shared CLI plumbing: the app, scenario loading with ``--set``, JSON output, error exits."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from ..errors import DetenteError

app = typer.Typer(
    name="detente",
    help="Model, forecast and break negotiation stalemates.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

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
    bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")
]
FromOption = Annotated[
    str | None,
    typer.Option(
        "--from",
        help="Input format when the extension does not tell (yaml, ktab-csv, ktab-xml, exchange, bdm).",
    ),
]
ScenarioArg = Annotated[
    str,
    typer.Argument(help="A bundled scenario name (see 'detente scenarios') or a scenario file."),
]

F = TypeVar("F", bound=Callable[..., Any])


def fail(error: DetenteError | str) -> NoReturn:
    """Print every line of an error to stderr and exit with status 2."""
    lines = error.lines() if isinstance(error, DetenteError) else [str(error)]
    for line in lines:
        err_console.print(
            f"[bold red]error[/]: {escape(line)}", markup=True, soft_wrap=True, highlight=False
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


def print_json(data: Any) -> None:
    sys.stdout.write(
        json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False, default=_default)
    )
    sys.stdout.write("\n")


def _default(x: Any) -> Any:
    import numpy as np

    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"not JSON serialisable: {type(x).__name__}")


def main() -> None:
    """Entry point: run the app, turning detente errors into exit status 2 without a traceback."""
    try:
        app()
    except DetenteError as err:  # pragma: no cover - commands call fail() themselves
        try:
            fail(err)
        except typer.Exit as ex:
            sys.exit(ex.exit_code)
