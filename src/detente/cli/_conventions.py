"""The one convention every command follows, applied by one function after all commands load.

:func:`apply_conventions` walks every command of the app (sub-apps such as ``runs`` and
``backtest`` included) and

- reflows its help (paragraphs wrap at the terminal's width, see :func:`reflow_help`);
- gives every command that has ``--json`` an ``-o/--output FILE`` option: the JSON that
  ``--json`` prints goes to FILE instead (checked before the work starts, written atomically,
  ``wrote FILE`` on standard error). A command declaring its own ``--output`` keeps it.

A command written later (``sensitivity``, ``sweep`` ...) gets the same options by declaring
``--json`` with :data:`detente.cli._common.JsonOption`; nothing else to do. ``-h`` works
everywhere through the app's ``context_settings``; the exit statuses (0, 1, 2, 130, a broken
pipe ending with 0) are set in :func:`detente.cli._common.main`. docs/cli.md documents all of it.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Iterator
from typing import Any

import typer
from typer.models import CommandInfo, OptionInfo

from ..errors import DetenteError
from ._common import JSON_TARGET, OutputOption, err_console, fail, safe
from ._help_style import reflow_help

__all__ = ["apply_conventions", "option_names"]

#: Arguments that name a command's input files: an ``--output`` equal to one is refused.
_INPUT_PARAMETERS = ("scenario", "source", "files")


def option_names(parameter: inspect.Parameter) -> tuple[str, ...]:
    """The command-line names of a typer option parameter (``("--json",)``), else ()."""
    if typing.get_origin(parameter.annotation) is not typing.Annotated:
        return ()
    for meta in typing.get_args(parameter.annotation)[1:]:
        if isinstance(meta, OptionInfo):
            first = meta.default if isinstance(meta.default, str) else None
            return tuple(n for n in (first, *(meta.param_decls or ())) if n)
    return ()


def _commands(typer_app: typer.Typer) -> Iterator[CommandInfo]:
    yield from typer_app.registered_commands
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            yield from _commands(group.typer_instance)


def apply_conventions(typer_app: typer.Typer) -> None:
    """Reflow every command's help and add ``-o/--output`` to every command with ``--json``."""
    for info in _commands(typer_app):
        doc = info.help or (info.callback.__doc__ if info.callback else None)
        info.help = reflow_help(doc)
        if info.callback is not None and not getattr(info.callback, "_detente_output", False):
            info.callback = with_output_option(info.callback)


def with_output_option(callback: Callable[..., Any]) -> Callable[..., Any]:
    """``callback`` with an ``output`` parameter (``-o/--output``) when it has ``--json``.

    The wrapper checks the file before calling the command, turns its ``--json`` on (a flag
    set to True; a value option, as ``run``'s deprecated ``--json FILE``, set to '-') and
    points :func:`~detente.cli._common.print_json` at the file for the command's duration.
    """
    signature = inspect.signature(callback, eval_str=True)
    names = {p.name: option_names(p) for p in signature.parameters.values()}
    json_name = next((n for n, opts in names.items() if "--json" in opts), None)
    if json_name is None or any("--output" in opts for opts in names.values()):
        return callback
    json_is_flag = signature.parameters[json_name].default is False

    @functools.wraps(callback)
    def wrapper(*args: Any, output: str | None = None, **kwargs: Any) -> Any:
        if output is None:
            return callback(*args, **kwargs)
        from .._outputs import check_outputs

        inputs: list[str] = []
        for k in _INPUT_PARAMETERS:
            given = kwargs.get(k)
            inputs.extend([given] if isinstance(given, str) else [str(v) for v in given or ()])
        try:
            check_outputs([("--output", output)], inputs=inputs)
        except DetenteError as err:
            fail(err)
        kwargs[json_name] = True if json_is_flag else "-"
        JSON_TARGET.update(path=output, written=False)
        try:
            result = callback(*args, **kwargs)
        finally:
            written = JSON_TARGET["written"]
            JSON_TARGET.update(path=None, written=False)
        if written:
            err_console.print(f"wrote {safe(output)} (JSON)", soft_wrap=True, highlight=False)
        return result

    parameters = list(signature.parameters.values())
    output = inspect.Parameter(
        "output", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=OutputOption
    )
    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in parameters] + [output]
    )
    wrapper.__annotations__ = {
        **{p.name: p.annotation for p in parameters},
        "output": OutputOption,
    }
    wrapper._detente_output = True  # type: ignore[attr-defined]
    return wrapper
