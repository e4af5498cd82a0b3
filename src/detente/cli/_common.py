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
        help="What-if PATH=VALUE, repeatable: usa.denuclearization.position=40, usa.capability=0.3, "
        "status_quo.sanctions_relief=20, drivers.economic_distress=0.9, usa.red_lines.denuclearization=none.",
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


def load_scenario(name: str, sets: list[str] | None = None, fmt: str | None = None) -> Any:
    from ..scenario import apply_sets, resolve

    scn = resolve(name, fmt=fmt)
    if sets:
        scn = apply_sets(scn, sets)
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
