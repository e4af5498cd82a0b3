"""How the command line looks: commands listed in the report's order, option types in help
as TEXT and INTEGER, arguments the POSIX way, help reflowed to the terminal's width, and a
closed pipe (``| head -1``) ending quietly with status 0. Importing it applies the style to
typer and rich (:mod:`._common` does, before the app is built)."""

from __future__ import annotations

import sys
from typing import Any

import typer
import typer.core
from rich.console import Console

__all__ = ["COMMAND_ORDER", "OrderedGroup", "reflow_help"]


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


class OrderedGroup(typer.core.TyperGroup):
    def list_commands(self, ctx: Any) -> list[str]:
        names = list(self.commands)
        rank = {n: i for i, n in enumerate(COMMAND_ORDER)}
        return sorted(names, key=lambda n: (rank.get(n, len(rank)), n))


def _display_type(self: Any, ctx: Any) -> str | None:
    """Option types in help as TEXT, INTEGER ...; nothing for flags (no '<bool>') and
    nothing for arguments (their name, in capitals, says what they are)."""
    if isinstance(self, typer.core.TyperArgument):
        return None
    if getattr(self, "is_flag", False) or getattr(self, "count", False):
        return None
    if self.metavar is not None:
        return str(self.metavar)
    label = _ORIGINAL_DISPLAY_TYPE(self, ctx)
    if label is None:
        return None
    plain = label.removesuffix("...").strip("<>").removesuffix(" range")
    plain = plain.removeprefix("list[").removesuffix("]")
    name = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "Path": "FILE"}.get(plain)
    return name or plain.upper()


def _argument_name(self: Any) -> str:
    """An argument as SCENARIO in help and in error messages ('Missing argument FILES')."""
    return str(self.metavar or self.name).upper()


def _argument_usage(self: Any) -> str:
    """An argument in the usage line the POSIX way: SCENARIO when required, [SCENARIO]
    when optional, FILES... when repeatable (typer's default writes {scenario})."""
    name = _argument_name(self)
    name = name if self.required else f"[{name}]"
    return name + ("..." if self.nargs != 1 else "")


def reflow_help(text: str | None) -> str | None:
    """Join the lines of each paragraph of a docstring, so help wraps at the terminal's
    width instead of at the source's line breaks."""
    if not text:
        return text
    import inspect
    import re

    paragraphs = re.split(r"\n\s*\n", inspect.cleandoc(text))
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


_ORIGINAL_DISPLAY_TYPE = typer.core.TyperOption.display_type_rich
typer.core.TyperOption.display_type_rich = _display_type  # type: ignore[method-assign]
typer.core.TyperArgument.display_type_rich = _display_type  # type: ignore[method-assign]
typer.core.TyperArgument.display_name_raw = property(_argument_name)  # type: ignore[assignment,method-assign]
typer.core.TyperArgument._usage_display_name = _argument_usage  # type: ignore[method-assign]
# ranges are written into the option's help by _limits.bounded(), not into the type column
typer.core.TyperOption._get_number_range_help_str = lambda self: None  # type: ignore[method-assign]


def _end_on_broken_pipe(self: Console) -> None:
    """A reader that closed the pipe (``| head -1``) had what it wanted: exit 0, quietly."""
    import os

    self.quiet = True
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise SystemExit(0)


# rich's default exits with 1; every console of the process (typer's help too) ends with 0
Console.on_broken_pipe = _end_on_broken_pipe  # type: ignore[method-assign]
