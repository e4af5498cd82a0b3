"""``detente run``: the analyst's report — models, diagnosis, dynamics, claims, provenance."""

from __future__ import annotations

from typing import Annotated

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
    fail,
    load_scenario,
    record_if_asked,
    safe,
    with_record,
)
from ._limits import DrawsOption, MonthsOption, RunsOption, SeedOption


@app.command()
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
    json_file: Annotated[
        str | None,
        typer.Option(
            "--json",
            help="Also write every number behind the report to this JSON file ('-': stdout).",
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

    try:
        if quiet and not html and not json_file and not store:
            raise UsageError(
                "--quiet with neither --html, --json nor --store would compute a report and keep nothing",
                "add --html FILE, --json FILE or --store PATH, or drop --quiet",
                field="--quiet",
            )
        if html == "-" and json_file == "-":
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
            from ._common import err_console

            with err_console.status("drawing the figures and writing the HTML report"):
                write_atomic(html, render_html(report), "--html")
        if json_file and json_file != "-":
            write_atomic(json_file, report.to_json() + "\n", "--json")
    except DetenteError as err:
        fail(err)
    record_if_asked(store, "run", report.to_dict(), report.timings)
    if json_file == "-" or html_text is not None:
        import sys

        sys.stdout.write(report.to_json() + "\n" if html_text is None else html_text)
        return
    if not quiet:
        render_terminal(report, console)
    for path, what in ((html, "HTML report"), (json_file, "JSON")):
        if path:
            console.print(f"[green]wrote[/] {safe(path)} ({what})", soft_wrap=True)
