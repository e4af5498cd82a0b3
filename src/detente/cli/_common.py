"""Shared CLI plumbing: the app, scenario loading with ``--set``, JSON output, error exits."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Annotated, Any, NoReturn, TypeVar

import typer
import typer.core
from rich.console import Console

from .._text import SafeConsole, clean, safe
from ..errors import DetenteError

#: The order 'detente --help' lists the commands in: the report first, then the scenario
#: tools, then the analyses one by one.
COMMAND_ORDER = (
    "run",
    "show",
    "validate",
    "convert",
    "scenarios",
    "forecast",
    "diagnose",
    "claims",
    "simulate",
    "calibrate",
)


class _OrderedGroup(typer.core.TyperGroup):
    def list_commands(self, ctx: Any) -> list[str]:
        names = list(self.commands)
        rank = {n: i for i, n in enumerate(COMMAND_ORDER)}
        return sorted(names, key=lambda n: (rank.get(n, len(rank)), n))


def _display_type(self: Any, ctx: Any) -> str | None:
    """Option types in help as TEXT, INTEGER ...; nothing for flags (no '<bool>')."""
    if getattr(self, "is_flag", False) or getattr(self, "count", False):
        return None
    if self.metavar is not None:
        return str(self.metavar)
    label = _ORIGINAL_DISPLAY_TYPE(self, ctx)
    if label is None:
        return None
    plain = label.strip("<>").removeprefix("list[").removesuffix("]").removesuffix(" range")
    name = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "Path": "FILE"}.get(plain)
    return name or plain.upper()


def reflow_help(text: str | None) -> str | None:
    """Join the lines of each paragraph of a docstring, so help wraps at the terminal's
    width instead of at the source's line breaks."""
    if not text:
        return text
    import inspect
    import re

    paragraphs = re.split(r"\n\s*\n", inspect.cleandoc(text))
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


def reflow_commands(typer_app: typer.Typer) -> None:
    """Reflow the help of every registered command (see :func:`reflow_help`)."""
    for info in typer_app.registered_commands:
        doc = info.help or (info.callback.__doc__ if info.callback else None)
        info.help = reflow_help(doc)


_ORIGINAL_DISPLAY_TYPE = typer.core.TyperOption.display_type_rich
typer.core.TyperOption.display_type_rich = _display_type  # type: ignore[method-assign]
typer.core.TyperArgument.display_type_rich = _display_type  # type: ignore[method-assign]
# ranges are written into the option's help by _limits.bounded(), not into the type column
typer.core.TyperOption._get_number_range_help_str = lambda self: None  # type: ignore[method-assign]

app = typer.Typer(
    name="detente",
    cls=_OrderedGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

console: Console = SafeConsole(highlight=False)
err_console: Console = SafeConsole(stderr=True, highlight=False)

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

__all__ = ["app", "clean", "console", "err_console", "fail", "load_scenario", "main", "safe"]


def fail(error: DetenteError | str) -> NoReturn:
    """Print every line of an error to stderr and exit with status 2."""
    lines = error.lines() if isinstance(error, DetenteError) else [str(error)]
    for line in lines:
        err_console.print(
            f"[bold red]error[/]: {safe(line)}", markup=True, soft_wrap=True, highlight=False
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
    """Entry point: run the app, turning detente errors into exit status 2 without a traceback.

    SIGTERM and SIGHUP end the command like Ctrl-C, through ``finally`` blocks, so a
    half-written output leaves no temporary file (see :mod:`detente._outputs`).
    """
    from .._outputs import install_signal_handlers

    install_signal_handlers()
    try:
        app(prog_name="detente")
    except DetenteError as err:  # commands call fail() themselves; this is the safety net
        try:
            fail(err)
        except typer.Exit as ex:
            sys.exit(ex.exit_code)
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
