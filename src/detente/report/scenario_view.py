"""Terminal view of a scenario (``detente show``).

The view fits a 100-column terminal: the stance table puts whichever is more numerous, actors
or issues, down the side; long labels wrap rather than widen the tables. Sections: the stance
table with the status quo, the issues and their anchors, the actors (capability, veto, red
lines), tools, drivers and events; with ``sources=True`` two more tables give the provenance of
every number (by its ``--set`` path) and of every issue, actor, tool and event.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from .._text import safe

if TYPE_CHECKING:
    from ..scenario import Scenario
    from ..scenario.schema import Event, Provenance, Quantity

__all__ = ["element_provenance", "number_rows", "render_scenario"]


def _q(x: float) -> str:
    return f"{x:g}"


def _range(q: Quantity) -> str:
    return "" if q.is_certain else f"[{_q(q.low)}, {_q(q.high)}]"


def _describe(p: Provenance | None) -> str:
    return p.describe() if p is not None else "none given"


def element_provenance(s: Scenario) -> Iterator[tuple[str, Provenance | None]]:
    """The provenance of every issue, actor, tool and event, by the path ``unsourced()`` uses."""
    for i in s.issues:
        yield f"issues.{i.id}", i.provenance
    for a in s.actors:
        yield a.id, a.provenance
        for t in a.tools:
            yield f"{a.id}.tools.{t.id}", t.provenance
    for e in s.events:
        yield f"events.{e.id}", e.provenance


def number_rows(s: Scenario) -> list[dict[str, Any]]:
    """Every number with its path, value, range and provenance (JSON-ready)."""
    return [
        {
            "path": path,
            "value": q.value,
            "range": [q.low, q.high],
            "provenance": q.provenance.model_dump() if q.provenance else None,
        }
        for path, q in s.quantities()
    ]


def _stance_cell(s: Scenario, actor_id: str, issue_id: str) -> str:
    st = s.actor(actor_id).stances.get(issue_id)
    return "—" if st is None else f"{_q(st.position.value)} ({_q(st.salience.value)})"


def _stance_tables(s: Scenario, width: int) -> list[Table]:
    """Positions (salience): the longer list down the rows, the shorter across, split into
    as many tables as it takes to fit ``width`` without cutting an id."""
    by_issue = s.n_actors <= s.n_issues
    rows = list(s.issues) if by_issue else list(s.actors)
    cols = list(s.actors) if by_issue else list(s.issues)

    def head(x: Any) -> str:
        return x.id + ("*" if getattr(x, "veto", False) else "")

    first = max([len("status quo")] + [len(head(x)) for x in rows])
    cells = {
        (r.id, c.id): _stance_cell(s, c.id, r.id) if by_issue else _stance_cell(s, r.id, c.id)
        for r in rows
        for c in cols
    }
    widths = [max([len(head(c))] + [len(cells[(r.id, c.id)]) for r in rows]) for c in cols]
    if by_issue:
        widths.append(max(2, *(len(_sq(s, r.id)) for r in rows)))
    groups: list[list[int]] = [[]]
    used = first
    for k, w in enumerate(widths):
        if groups[-1] and used + w + 1 > width:
            groups.append([])
            used = first
        groups[-1].append(k)
        used += w + 1
    tables = []
    for n, group in enumerate(groups):
        title = "Positions (salience)" + (f", part {n + 1}" if len(groups) > 1 else "")
        t = Table(
            title=title,
            box=box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
            padding=(0, 1, 0, 0),
        )
        t.add_column("issue" if by_issue else "actor", no_wrap=True, min_width=first)
        for k in group:
            if k == len(cols):
                t.add_column("SQ", justify="right", style="italic", no_wrap=True)
            else:
                t.add_column(head(cols[k]), justify="right", no_wrap=True)
        for r in rows:
            row = []
            for k in group:
                if k == len(cols):
                    row.append(_sq(s, r.id))
                else:
                    row.append(cells[(r.id, cols[k].id)])
            t.add_row(head(r), *row)
        if not by_issue:
            t.add_row("[italic]status quo[/]", *[_sq(s, cols[k].id) for k in group])
        tables.append(t)
    return tables


def _sq(s: Scenario, issue_id: str) -> str:
    """The status quo cell: the value every model uses, with '†' where the file gives none."""
    if s.status_quo_is_given(issue_id):
        return _q(s.status_quo_value(issue_id))
    return f"{s.status_quo_value(issue_id):.3g}†"  # as 'detente forecast' shows it


def _issue_table(s: Scenario) -> Table:
    t = Table(title="Issues and their anchor points", show_lines=True)
    wid = max(len(i.id) for i in s.issues)  # ids are never folded
    t.add_column("issue", overflow="fold", min_width=wid, max_width=max(24, wid))
    t.add_column("scale", justify="right", no_wrap=True)
    t.add_column("anchors", overflow="fold")
    for i in s.issues:
        anchors = "\n".join(f"{_q(k)}: {safe(v)}" for k, v in sorted(i.anchors.items()))
        head = Text(i.id, style="bold")
        head.append(f"\n{i.label}", style="")
        if i.direction:
            head.append(f"\n({i.direction})", style="dim")
        t.add_row(head, f"{_q(i.low)} to {_q(i.high)}", anchors or "—")
    return t


def _actor_table(s: Scenario) -> Table:
    t = Table(title="Actors", show_lines=True)
    wid = max(len(a.id) for a in s.actors)
    t.add_column("actor", overflow="fold", min_width=wid, max_width=max(28, wid))
    t.add_column("capability", justify="right", no_wrap=True)
    t.add_column("veto", no_wrap=True)
    t.add_column("red lines", overflow="fold")
    for a in s.actors:
        lines = []
        for iid, rl in a.red_lines.items():
            anchor = s.issue(iid).anchor_for(rl.bound.value)
            rng = _range(rl.bound)
            lines.append(
                f"{iid} {rl.op} {_q(rl.bound.value)}"
                + (f" {rng}" if rng else "")
                + (f"\n  near: {anchor}" if anchor else "")
            )
        cap = _q(a.capability.value) + (
            f"\n{_range(a.capability)}" if not a.capability.is_certain else ""
        )
        t.add_row(
            Text(a.id, style="bold").append(f"\n{a.label}", style=""),
            cap,
            "yes" if a.veto else "no",
            "\n".join(lines) or "—",
        )
    return t


def _tool_table(s: Scenario) -> Table:
    t = Table(title="Tools")
    t.add_column("actor", no_wrap=True)
    wid = max(len(tool.id) for a in s.actors for tool in a.tools)
    t.add_column("tool", overflow="fold", min_width=wid, max_width=max(24, wid))
    t.add_column("kind", no_wrap=True)
    t.add_column("what it is", overflow="fold")
    for a in s.actors:
        for tool in a.tools:
            t.add_row(a.id, tool.id, tool.kind, safe(tool.label))
    return t


def _driver_table(s: Scenario) -> Table:
    t = Table(title="Drivers and parameters")
    wid = max(len(n) for g in (s.drivers, s.parameters) for n in g)
    t.add_column("name", overflow="fold", min_width=wid, max_width=max(28, wid + 12))
    t.add_column("value", justify="right", no_wrap=True)
    t.add_column("range", no_wrap=True)
    t.add_column("bounds", no_wrap=True)
    t.add_column("what it is", overflow="fold")
    for group in ("drivers", "parameters"):
        for did, d in getattr(s, group).items():
            bounds = f"[{_q(d.bounds[0])}, {_q(d.bounds[1])}]" if d.bounds else ""
            name = did if group == "drivers" else f"{did} (parameter)"
            t.add_row(name, _q(d.value.value), _range(d.value), safe(bounds), safe(d.label))
    return t


def event_effect(e: Event, *, short: bool = False) -> str:
    """What an event does in the crisis dynamics, in words (the kinds they read); ``short``
    leaves out a deadline's reason for being inert (``show --sources`` prints it)."""
    kind = e.kind.lower()
    if "exercise" in kind:
        return "exercise months"
    if "election" in kind:
        return f"an election of {e.actor}" if e.actor else "nothing (an election of no actor)"
    if "deadline" in kind:
        eff = e.effect
        if eff is None:
            return "nothing: the deadline declares no effect"
        if eff.inert is not None or eff.by is None:
            return "nothing, declared inert" + ("" if short else f": {eff.inert}")
        before, after = eff.window
        size = f"{_q(eff.by.value)}" + (f" {_range(eff.by)}" if not eff.by.is_certain else "")
        return (
            f"raises the hazard of {eff.raises} by {size} (utility) from {-before} months "
            f"before to {after} after each date"
        )
    return "nothing (context)"


def _event_table(s: Scenario) -> Table:
    t = Table(title="Events")
    wid = max(len(e.id) for e in s.events)
    t.add_column("event", overflow="fold", min_width=wid, max_width=max(28, wid))
    t.add_column("kind", no_wrap=True)
    t.add_column("dates", overflow="fold")
    t.add_column("what it is / in the dynamics", overflow="fold")
    for e in s.events:
        body = Text(e.label)
        body.append("\n" + event_effect(e, short=True), style="dim")
        t.add_row(e.id, e.kind, safe(", ".join(e.dates)), body)
    return t


def _claim_table(s: Scenario, sources: bool) -> Table:
    t = Table(
        title="Claims of the source to test (verdicts: detente claims)",
        show_lines=sources,
    )
    t.add_column("id", no_wrap=True)
    t.add_column("at", no_wrap=True)
    t.add_column("claim" + (" / rests on" if sources else ""), overflow="fold")
    for c in s.claims:
        body = Text(c.text)
        if sources and c.rests_on:
            body.append("\nrests on: " + ", ".join(c.rests_on), style="dim")
        t.add_row(c.id, safe(c.at), body)
    return t


def _print_sources(s: Scenario, console: Console) -> None:
    """One entry per number and per element: the path and value, then its provenance indented.

    A list rather than a table so long quotes use the full width of the terminal.
    """
    console.rule("Where every number comes from (path as for --set, value, range)")
    for path, q in s.quantities():
        head = Text(path, style="bold")
        head.append(f" = {_q(q.value)}")
        if not q.is_certain:
            head.append(f"  [{_q(q.low)}, {_q(q.high)}]", style="dim")
        console.print(head)
        body = Text(_describe(q.provenance), style="" if q.provenance else "red")
        console.print(Padding(body, (0, 0, 0, 4)))
    _print_dynamics_parameters(s, console)
    console.rule("Where every issue, actor, tool and event comes from")
    for path, p in element_provenance(s):
        console.print(Text(path, style="bold"))
        console.print(Padding(Text(_describe(p), style="" if p else "red"), (0, 0, 0, 4)))
    deadlines = [e for e in s.events if "deadline" in e.kind.lower()]
    if deadlines:
        console.rule("What each deadline does in the dynamics (events.ID.effect)")
    for e in deadlines:
        console.print(Text(f"events.{e.id}.effect", style="bold"))
        console.print(Padding(Text(event_effect(e)), (0, 0, 0, 4)))


def _print_dynamics_parameters(s: Scenario, console: Console) -> None:
    """Every parameter of the crisis dynamics with its value, range and provenance: the
    scenario's own, fitted on the case's record (or pooled toward a reference record), or a
    prior (:func:`detente.dynamics.casefit.case_parameters`)."""
    if s.roles is None:
        return
    from ..dynamics.casefit import case_parameters
    from ..errors import DetenteError

    console.rule("Where every dynamics parameter comes from (value, 90% range, source)")
    try:
        params, notes = case_parameters(s)
    except DetenteError as err:
        for line in err.lines():
            console.print(Text(f"the record cannot be read: {line}", style="red"))
        return
    for name, p in params.items():
        head = Text(f"parameters.{name}", style="bold")
        head.append(f" = {_q(p.value)}")
        if p.high > p.low:
            head.append(f"  [{_q(p.low)}, {_q(p.high)}]", style="dim")
        head.append(f"  {p.source}", style="cyan")
        console.print(head)
        console.print(Padding(Text(p.provenance), (0, 0, 0, 4)))
    for note in notes:
        console.print(Text(f"note: {note}", style="yellow"))


def render_scenario(s: Scenario, console: Console, *, sources: bool = False) -> None:
    """Print the scenario; with ``sources`` also the provenance of every number and element."""
    console.print(f"[bold]{safe(s.meta.title)}[/]  ({safe(s.meta.id)})")
    if s.meta.question:
        console.print(f"Question: {safe(s.meta.question)}")
    if s.meta.start:
        console.print(f"As of: {safe(s.meta.start)}")
    veto = ", ".join(s.veto_players) or "none"
    console.print(f"Veto players (*): {veto}")
    for table in _stance_tables(s, console.width):
        console.print(table)
    assumed = [i for i in s.issue_ids if not s.status_quo_is_given(i)]
    console.print(
        f"[dim]position on the issue's scale (salience on [0, {_q(s.salience_max)}]); "
        "— = no stance; * = veto player; SQ = status quo"
        + (
            "; † = none given: the models' reference point, the capability x salience "
            "weighted mean of the stances (docs/models/contract.md)"
            if assumed
            else ""
        )
        + "[/]"
    )
    console.print(_issue_table(s))
    console.print(_actor_table(s))
    if any(a.tools for a in s.actors):
        console.print(_tool_table(s))
    if s.drivers or s.parameters:
        console.print(_driver_table(s))
    if s.events:
        console.print(_event_table(s))
    if s.claims:
        console.print(_claim_table(s, sources))
    if s.meta.sources:
        console.print("[bold]Sources[/]")
        for key, src in s.meta.sources.items():
            bits = [x for x in (src.author, src.title, src.date) if x]
            console.print(Padding(Text(f"{key}: " + ", ".join(bits)), (0, 0, 0, 2)))
    if sources:
        _print_sources(s, console)
    else:
        console.print("[dim]Add --sources for where every number comes from.[/]")
