"""Scenario commands: scenarios, show, validate, convert."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
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
    data["status_quo_used"] = status_quo_used(s)
    return data


def status_quo_used(s: Any) -> dict[str, dict[str, Any]]:
    """The status quo every model uses, per issue: its value and whether the file gives it
    (``given: false``: the models' reference point, docs/models/contract.md)."""
    return {
        i: {"value": s.status_quo_value(i), "given": s.status_quo_is_given(i)} for i in s.issue_ids
    }


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
    """Show a scenario's stances, issues, actors, drivers and claims.

    Stances and status quo, issues and anchors, actors and red lines, tools, drivers, events and claims; --sources adds where every number comes from."""
    try:
        s = load_scenario(scenario, set_, fmt)
    except DetenteError as err:
        fail(err)
    if json_out:
        print_json(scenario_dict(s))
        return
    from ..report.scenario_view import render_scenario

    render_scenario(s, console, sources=sources)


_FORMATS_HELP = (
    "Formats: yaml (.yaml/.yml, detente's own); ktab-csv (.csv, KTAB); ktab-xml (.xml, KTAB); "
    "exchange (.tsv/.dat/.txt, the exchange model's #A/#P/#M/#D records); "
    "bdm (.csv, Actor,Capability,Position,Salience); "
    "xlsx (.xlsx, the actor-issue table: every number with its range and provenance); "
    "table-csv (the same table as one CSV; write it with --to table-csv). "
    ".csv files are told apart by their content. See docs/formats.md."
)


@app.command(
    help=f"""Check scenario files and list every problem.

Each problem is printed as FILE:LINE field: what is wrong; what to do. Exits with status 2 if any file has a problem.

{_FORMATS_HELP}"""
)
def validate(
    files: Annotated[list[str], typer.Argument(help="Scenario files (or bundled names) to check.")],
    json_out: JsonOption = False,
    fmt: FromOption = None,
) -> None:
    from ..scenario import resolve

    results: list[dict[str, Any]] = []
    bad = False
    for f in files:
        try:
            s = resolve(f, fmt=fmt)
            numbers = {p for p, q in s.quantities() if q.provenance is None}
            results.append(
                {
                    "file": f,
                    "ok": True,
                    "problems": [],
                    "unsourced": s.unsourced(),
                    "unsourced_numbers": [p for p in s.unsourced() if p in numbers],
                    "unsourced_elements": [p for p in s.unsourced() if p not in numbers],
                }
            )
        except DetenteError as err:
            bad = True
            details = [
                {k: getattr(p, k) for k in ("file", "line", "field", "message", "hint")}
                for p in getattr(err, "problems", [])
            ]
            results.append({"file": f, "ok": False, "problems": err.lines(), "details": details})
    if json_out:
        print_json({"results": results})
    else:
        for r in results:
            if r["ok"]:
                extra = _unsourced_note(r["unsourced_numbers"], r["unsourced_elements"])
                console.print(f"[green]ok[/] {escape(r['file'])}{extra}", soft_wrap=True)
            else:
                for line in r["problems"]:
                    console.print(f"[bold red]error[/]: {escape(line)}", soft_wrap=True)
    if bad:
        raise typer.Exit(2)


def _unsourced_note(numbers: list[str], elements: list[str]) -> str:
    """' (2 numbers, 5 actors and 1 tool without provenance)', counting each kind apart."""
    if not numbers and not elements:
        return ""
    kinds: dict[str, int] = {}
    for path in elements:
        kind = (
            "issue"
            if path.startswith("issues.")
            else "event"
            if path.startswith("events.")
            else "tool"
            if ".tools." in path
            else "actor"
        )
        kinds[kind] = kinds.get(kind, 0) + 1
    parts = [(len(numbers), "number")] if numbers else []
    parts += [(n, k) for k, n in kinds.items()]
    words = [f"{n} {k}{'s' if n != 1 else ''}" for n, k in parts]
    text = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return f" ({text} without provenance; 'detente show FILE --sources' lists them)"


@app.command(
    help=f"""Convert a scenario between formats.

Nothing is written unless the whole
conversion succeeds: a format that cannot represent the scenario (KTAB needs 0-100 scales,
a Bueno de Mesquita table one issue ...) is refused with every reason, and what the target
format cannot carry (provenance, ranges, red lines ...) is listed as notes.

{_FORMATS_HELP}"""
)
def convert(
    source: Annotated[str, typer.Argument(help="Input scenario file or bundled name.")],
    target: Annotated[
        str,
        typer.Argument(help="Output file; its extension picks the format unless --to is given."),
    ],
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Output format: yaml, xlsx, table-csv, ktab-csv, ktab-xml, exchange or bdm.",
        ),
    ] = None,
    fmt: FromOption = None,
    rescale: Annotated[
        bool,
        typer.Option(
            "--rescale",
            help="Map every issue linearly onto 0-100 and saliences onto 0-100 (each actor's "
            "scaled down to sum to at most 100) before writing; for KTAB targets.",
        ),
    ] = False,
    set_: SetOption = None,
    json_out: JsonOption = False,
) -> None:
    from .._outputs import check_outputs
    from ..scenario import save
    from ..scenario.formats import lost_in
    from ..scenario.formats import rescale as do_rescale

    try:
        check_outputs([("target", target)], inputs=[source])
        s = load_scenario(source, set_, fmt)
        if rescale:
            s = do_rescale(s)
        used = save(s, target, fmt=to)
        lost = lost_in(used, s)
    except DetenteError as err:
        fail(err)
    if json_out:
        print_json({"wrote": target, "format": used, "not_carried": lost})
        return
    console.print(f"wrote {escape(target)} ({used})", soft_wrap=True)
    if lost:
        console.print(
            f"note: {used} has no place for: {escape('; '.join(lost))} (not carried)",
            soft_wrap=True,
        )
