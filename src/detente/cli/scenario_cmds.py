"""Scenario commands: scenarios, show, validate, convert."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from ..errors import DetenteError
from ._common import (
    FromOption,
    JsonOption,
    ScenarioArg,
    SetOption,
    app,
    console,
    fail,
    load_scenario,
    print_json,
)


@app.command()
def scenarios(json_out: JsonOption = False) -> None:
    """List the bundled scenarios."""
    from ..scenario import bundled_names, load_bundled

    rows: list[dict[str, Any]] = []
    for name in bundled_names():
        s = load_bundled(name)
        rows.append(
            {"name": name, "title": s.meta.title, "actors": s.n_actors, "issues": s.n_issues}
        )
    if json_out:
        print_json({"scenarios": rows})
        return
    t = Table(title="Bundled scenarios")
    for c in ("name", "title", "actors", "issues"):
        t.add_column(c)
    for r in rows:
        t.add_row(r["name"], r["title"], str(r["actors"]), str(r["issues"]))
    console.print(t)


def scenario_dict(s: Any) -> dict[str, Any]:
    """The scenario as JSON, plus flat lists of every number (``numbers``: path, value, range,
    provenance) and every issue, actor, tool and event (``elements``) with its provenance — the
    rows ``show --sources`` prints — and the paths that lack provenance (``unsourced``)."""
    from ..report.scenario_view import element_provenance, number_rows

    data: dict[str, Any] = s.model_dump(mode="json")
    data["veto_players"] = list(s.veto_players)
    data["numbers"] = number_rows(s)
    data["elements"] = [
        {"path": path, "provenance": p.model_dump() if p else None}
        for path, p in element_provenance(s)
    ]
    data["unsourced"] = s.unsourced()
    return data


@app.command()
def show(
    scenario: ScenarioArg,
    sources: Annotated[
        bool,
        typer.Option(
            "--sources",
            help="Add the provenance and range of every number, issue, actor, tool and event "
            "(--json always carries them).",
        ),
    ] = False,
    json_out: JsonOption = False,
    set_: SetOption = None,
    fmt: FromOption = None,
) -> None:
    """Show a scenario: stances and status quo, issues and anchors, actors and red lines, tools,
    drivers, events and claims; --sources adds where every number comes from."""
    try:
        s = load_scenario(scenario, set_, fmt)
    except DetenteError as err:
        fail(err)
    if json_out:
        print_json(scenario_dict(s))
        return
    from ..report.scenario_view import render_scenario

    render_scenario(s, console, sources=sources)


@app.command()
def validate(
    files: Annotated[list[str], typer.Argument(help="Scenario files (or bundled names) to check.")],
    json_out: JsonOption = False,
    fmt: FromOption = None,
) -> None:
    """Check scenario files; list every problem with its file, line and field. Exit 2 if any."""
    from ..scenario import resolve

    results: list[dict[str, Any]] = []
    bad = False
    for f in files:
        try:
            s = resolve(f, fmt=fmt)
            results.append({"file": f, "ok": True, "problems": [], "unsourced": s.unsourced()})
        except DetenteError as err:
            bad = True
            results.append({"file": f, "ok": False, "problems": err.lines()})
    if json_out:
        print_json({"results": results})
    else:
        for r in results:
            if r["ok"]:
                extra = (
                    f" ({len(r['unsourced'])} numbers without provenance)" if r["unsourced"] else ""
                )
                console.print(f"[green]ok[/] {r['file']}{extra}")
            else:
                for line in r["problems"]:
                    console.print(f"[bold red]error[/]: {line}", soft_wrap=True)
    if bad:
        raise typer.Exit(2)


@app.command()
def convert(
    source: Annotated[str, typer.Argument(help="Input scenario file or bundled name.")],
    target: Annotated[
        str,
        typer.Argument(help="Output file; its extension picks the format unless --to is given."),
    ],
    to: Annotated[
        str | None, typer.Option("--to", help="Output format (yaml, ktab-csv, exchange).")
    ] = None,
    fmt: FromOption = None,
    set_: SetOption = None,
) -> None:
    """Convert a scenario between formats. Nothing is written unless the whole conversion succeeds."""
    from ..scenario import save

    try:
        s = load_scenario(source, set_, fmt)
        used = save(s, target, fmt=to)
    except DetenteError as err:
        fail(err)
    console.print(f"wrote {target} ({used})")
