"""``detente run``: the analyst's report — models, diagnosis, dynamics, claims, provenance."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ..defaults import DRAWS as DEFAULT_DRAWS
from ..defaults import MONTHS as DEFAULT_MONTHS
from ..defaults import RUNS as DEFAULT_RUNS
from ..defaults import SCENARIO as DEFAULT_SCENARIO
from ..defaults import SEED as DEFAULT_SEED
from ..errors import DetenteError, UsageError
from ._common import (
    FromOption,
    PinOption,
    RecordOption,
    SetOption,
    StoreOption,
    app,
    check_store,
    console,
    emit_json_text,
    fail,
    load_scenario,
    record_if_asked,
    safe,
    with_record,
)
from ._limits import DrawsOption, MonthsOption, RunsOption, SeedOption


class _RunCommand(typer.core.TyperCommand):
    """``run`` reads the deprecated ``--json FILE`` (before ``-o/--output``) as ``--json-file``.

    ``--json`` is a flag now, as on every command. ``--json X`` keeps its old meaning (write
    the JSON to file X and print the report) when X is ``-``, ends in ``.json``, or follows the
    scenario argument; otherwise X is the scenario (``run --json ec-emissions-1994``).
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        args = list(args)
        seen_positional = False
        i = 0
        while i < len(args):
            a = args[i]
            if a == "--":
                break
            if a == "--json" and i + 1 < len(args):
                nxt = args[i + 1]
                if nxt == "-" or (
                    not nxt.startswith("-") and (nxt.endswith(".json") or seen_positional)
                ):
                    args[i] = "--json-file"
                    i += 2
                    continue
            elif a.startswith("--json="):
                args[i] = "--json-file=" + a.removeprefix("--json=")
            elif not a.startswith("-") and (i == 0 or not _takes_value(self, ctx, args[i - 1])):
                seen_positional = True
            i += 1
        return super().parse_args(ctx, args)


def _takes_value(command: Any, ctx: Any, option: str) -> bool:
    name = option.split("=", 1)[0]
    if not name.startswith("-") or "=" in option:
        return False
    for p in command.get_params(ctx):
        if name in getattr(p, "opts", ()) or name in getattr(p, "secondary_opts", ()):
            return not getattr(p, "is_flag", False)
    return False


@app.command(cls=_RunCommand)
def run(
    scenario: Annotated[
        str,
        typer.Argument(
            help="A bundled scenario name (see 'detente scenarios') or a scenario file "
            "(YAML, KTAB CSV/XML, #A/#P/#M/#D, actor table)."
        ),
    ] = DEFAULT_SCENARIO,
    html: Annotated[
        str | None,
        typer.Option(
            "--html",
            help="Also write the report with figures to this HTML file ('-': stdout, "
            "instead of the terminal report).",
        ),
    ] = None,
    json_out: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print every number behind the report as JSON on standard output instead of "
            "the report ('-o FILE' writes it to FILE).",
        ),
    ] = False,
    json_file: Annotated[
        str | None,
        typer.Option(
            "--json-file",
            hidden=True,
            help="Deprecated spelling 'run --json FILE': write the JSON to FILE and print the "
            "report; use -o FILE.",
        ),
    ] = None,
    set_: SetOption = None,
    pin: PinOption = None,
    what_if: Annotated[
        list[str] | None,
        typer.Option(
            "--what-if",
            help="A named what-if of the scenario (a lever or a shock under its what_ifs), "
            "repeatable, applied in order.",
        ),
    ] = None,
    seed: SeedOption = DEFAULT_SEED,
    draws: DrawsOption = DEFAULT_DRAWS,
    runs: RunsOption = DEFAULT_RUNS,
    months: MonthsOption = DEFAULT_MONTHS,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print no report on screen (with --html/--json).")
    ] = False,
    fmt: FromOption = None,
    record: RecordOption = None,
    store: StoreOption = None,
) -> None:
    """Analyse a scenario (default: the flagship) and print the analyst's report.

    Runs every bargaining model, the zone-of-agreement diagnosis with its levers, the crisis
    dynamics and the source's claims, then prints the question, actors and issues, forecasts,
    the verdict, the outlook at 6, 12, 24 and 36 months, the claims table and where the numbers
    come from. Sections a scenario lacks the information for say so.
    """
    from .._outputs import check_outputs, write_atomic
    from ..report import build_report, render_html, render_terminal
    from ._common import err_console

    if json_file == "-":  # the old 'run --json -': JSON on standard output
        json_out, json_file = True, None
    elif json_file:
        err_console.print(
            f"note: 'run --json FILE' is deprecated; use 'run -o {safe(json_file)}' (JSON to the "
            "file) and, for the report on screen too, run without -o",
            soft_wrap=True,
            highlight=False,
        )
    try:
        if quiet and not html and not json_file and not json_out and not store:
            raise UsageError(
                "--quiet with neither --html, --json, -o nor --store would compute a report and "
                "keep nothing",
                "add --html FILE, -o FILE or --store PATH, or drop --quiet",
                field="--quiet",
            )
        if html == "-" and json_out:
            raise UsageError(
                "--html - and --json - would both write to standard output",
                "write one of them to a file",
                field="--html -",
            )
        check_outputs([("--html", html), ("--json", json_file)], inputs=[scenario])
        check_store(store, [("--html", html), ("--json", json_file)])
        s = with_record(load_scenario(scenario, set_, fmt, pins=pin), record)
        report = build_report(
            s,
            draws=draws,
            runs=runs,
            months=months,
            seed=seed,
            what_ifs=what_if or (),
            sets=[*(set_ or ()), *(f"pin {x}" for x in pin or ())],
            source=scenario,
            progress=True,
        )
        html_text = None
        if html == "-":
            html_text = render_html(report)
        elif html:
            with err_console.status("drawing the figures and writing the HTML report"):
                write_atomic(html, render_html(report), "--html")
        if json_file and json_file != "-":
            write_atomic(json_file, report.to_json() + "\n", "--json")
    except DetenteError as err:
        fail(err)
    record_if_asked(store, "run", report.to_dict, report.timings)
    if json_out:
        emit_json_text(report.to_json())
        return
    if html_text is not None:
        import sys

        sys.stdout.write(html_text)
        return
    if not quiet:
        render_terminal(report, console)
    for path, what in ((html, "HTML report"), (json_file, "JSON")):
        if path:
            console.print(f"[green]wrote[/] {safe(path)} ({what})", soft_wrap=True)
