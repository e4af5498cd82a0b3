"""``detente run``: the analyst's report — models, diagnosis, dynamics, claims, provenance."""

from __future__ import annotations

from typing import Annotated

import typer

from ..defaults import DRAWS as DEFAULT_DRAWS
from ..defaults import MONTHS as DEFAULT_MONTHS
from ..defaults import RUNS as DEFAULT_RUNS
from ..defaults import SCENARIO as DEFAULT_SCENARIO
from ..defaults import SEED as DEFAULT_SEED
from ..errors import DetenteError
from ._common import (
    FromOption,
    PinOption,
    SetOption,
    StoreOption,
    app,
    console,
    fail,
    load_scenario,
    record_if_asked,
)


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
        typer.Option("--html", help="Also write the report with figures to this HTML file."),
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
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of every random stream.")
    ] = DEFAULT_SEED,
    draws: Annotated[
        int, typer.Option("--draws", min=2, help="Monte Carlo draws for the diagnosis and claims.")
    ] = DEFAULT_DRAWS,
    runs: Annotated[
        int, typer.Option("--runs", min=1, help="Monte Carlo runs of the crisis dynamics.")
    ] = DEFAULT_RUNS,
    months: Annotated[
        int, typer.Option("--months", min=1, help="Horizon of the crisis dynamics in months.")
    ] = DEFAULT_MONTHS,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print no report on screen (with --html/--json).")
    ] = False,
    fmt: FromOption = None,
    store: StoreOption = None,
) -> None:
    """Analyse a scenario (default: the flagship) and print the analyst's report.

    Runs every bargaining model, the zone-of-agreement diagnosis with its levers, the crisis
    dynamics and the source's claims, then prints the question, actors and issues, forecasts,
    the verdict, the outlook at 6, 12, 24 and 36 months, the claims table and where the numbers
    come from. Sections a scenario lacks the information for say so.
    """
    from ..report import build_report, render_html, render_terminal
    from ..scenario.io import write_atomic

    try:
        s = load_scenario(scenario, set_, fmt, pins=pin)
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
        if html:
            from ._common import err_console

            with err_console.status("drawing the figures and writing the HTML report"):
                write_atomic(html, render_html(report))
        if json_file and json_file != "-":
            write_atomic(json_file, report.to_json() + "\n")
    except DetenteError as err:
        fail(err)
    record_if_asked(store, "run", report.to_dict())
    if json_file == "-":
        import sys

        sys.stdout.write(report.to_json() + "\n")
        return
    if not quiet:
        render_terminal(report, console)
    for path, what in ((html, "HTML report"), (json_file, "JSON")):
        if path:
            console.print(f"[green]wrote[/] {path} ({what})")
