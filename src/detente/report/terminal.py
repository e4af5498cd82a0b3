"""The report in the terminal: a few screens of rich tables and sentences."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.markup import escape as esc
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from . import text as T

if TYPE_CHECKING:
    from .build import AnalysisReport

__all__ = ["render_terminal"]


def _h(console: Console, title: str) -> None:
    console.print()
    console.rule(f"[bold]{title}[/]", align="left")


def _missing(console: Console, report: AnalysisReport, section: str) -> bool:
    why = report.missing.get(section)
    if why:
        console.print(f"[yellow]Not computed[/]: {esc(why)}.")
        return True
    return False


def render_terminal(report: AnalysisReport, console: Console) -> None:
    """Print the report: setting, actors and issues, forecasts, zone, outlook, claims, sources."""
    _setting(report, console)
    _actors_issues(report, console)
    _forecasts(report, console)
    _zone(report, console)
    _outlook(report, console)
    _claims(report, console)
    _sources(report, console)


def _setting(r: AnalysisReport, console: Console) -> None:
    st = r.setting
    body: list[Any] = []
    if st["question"]:
        body.append(Text.from_markup(f"[bold]Question[/]: {esc(st['question'])}"))
    if st["description"]:
        body.append(Text(T.shorten(st["description"], 600)))
    facts = [T.plural(st["n_actors"], "actor"), T.plural(st["n_issues"], "issue")]
    if st["veto_players"]:
        facts.append("veto players: " + ", ".join(st["veto_players"]))
    if st["start"]:
        facts.append(f"as of {st['start']}")
    body.append(Text(" · ".join(facts), style="dim"))
    s = r.settings
    run = f"seed {s['seed']}, {s['draws']} draws, {s['runs']} runs x {s['months']} months"
    if s["sets"]:
        run += "; --set " + ", ".join(s["sets"])
    body.append(Text(run, style="dim"))
    for note in s.get("what_if_notes", []):
        body.append(Text.from_markup(f"[magenta]what-if[/] {esc(note)}"))
    console.print(Panel(Group(*body), title=f"[bold]{esc(st['title'])}[/]", title_align="left"))
    summary = T.headline(r)
    if summary:
        console.print(Text(summary, style="bold"))


def _actors_issues(r: AnalysisReport, console: Console) -> None:
    _h(console, "Actors and issues")
    # the longer list goes down the rows so the tables fit the terminal
    by_issue = len(r.issues) >= len(r.actors)
    has_red = any(a["red_lines"] for a in r.actors)
    has_tools = any(a["tools"] for a in r.actors)
    at = Table(show_edge=False, pad_edge=False)
    at.add_column("id")
    at.add_column("actor")
    at.add_column("capability", justify="right")
    at.add_column("veto")
    if has_red:
        at.add_column("red lines")
    if has_tools:
        at.add_column("tools")
    if not by_issue:
        for i in r.issues:
            at.add_column(i["id"], justify="right", no_wrap=True)
    for a in r.actors:
        row = [a["id"], esc(a["label"]), T.num(a["capability"]), "yes" if a["veto"] else ""]
        if has_red:
            rl = ", ".join(
                f"{iid} {x['op']} {T.num(x['bound'])}" for iid, x in a["red_lines"].items()
            )
            row.append(f"[red]{rl}[/]" if rl else "")
        if has_tools:
            kinds: dict[str, int] = {}
            for t in a["tools"]:
                kinds[t["kind"]] = kinds.get(t["kind"], 0) + 1
            row.append(", ".join(f"{n} {k}" for k, n in kinds.items()))
        if not by_issue:
            row += [_cell(a, i["id"]) for i in r.issues]
        at.add_row(*row)
    if not by_issue:
        pad = [""] * (2 + has_red + has_tools)
        at.add_row("[italic]status quo[/]", "", *pad, *[T.num(i["status_quo"]) for i in r.issues])
    console.print(at)
    if by_issue:
        console.print()
        t = Table(show_edge=False, pad_edge=False)
        t.add_column("issue", no_wrap=True)
        for a in r.actors:
            t.add_column(a["id"], justify="right", no_wrap=True)
        t.add_column("[italic]status quo[/]", justify="right", no_wrap=True)
        for i in r.issues:
            t.add_row(i["id"], *[_cell(a, i["id"]) for a in r.actors], T.num(i["status_quo"]))
        console.print(t)
    console.print(
        "[dim]positions and saliences (0–1)"
        + ("; red: the actor has a red line on that issue" if has_red else "")
        + "[/]"
    )
    for i in r.issues:
        lo, hi = T.num(i["low"]), T.num(i["high"])
        anchor = f" — status quo: {i['status_quo_anchor']}" if i["status_quo_anchor"] else ""
        console.print(f"  [bold]{i['id']}[/] \\[{lo}–{hi}] {esc(i['label'] + anchor)}")


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


def _cell(a: dict[str, Any], iid: str) -> str:
    st = a["stances"].get(iid)
    rl = a["red_lines"].get(iid)
    if st is None:
        return "—"
    pos = T.num(st["position"])
    if rl is not None:
        pos = f"[red]{pos}[/]"
    sal = f"{st['salience']:.2f}".removeprefix("0")
    return f"{pos} [dim]{sal}[/]"


def _forecasts(r: AnalysisReport, console: Console) -> None:
    _h(console, "What the bargaining models forecast")
    ok = [f for f in r.forecasts if "outcome" in f]
    if not r.forecasts:
        console.print("[yellow]No bargaining models are registered in this build.[/]")
        return
    _outcome_tables(r, console, ok, "outcome")
    vetoed = [f for f in ok if (f.get("veto") or {}).get("status") in ("blocked", "projected")]
    if vetoed:
        reason = (vetoed[0].get("veto") or {}).get("reason") or ""
        console.print(
            f"  [bold]Who decides[/]: {len(vetoed)} of {len(ok)} models' forecasts are held to "
            f"what every veto player accepts{': ' + esc(reason) if reason else ''}. What each "
            "model would forecast if the veto players did not bind:"
        )
        _outcome_tables(r, console, vetoed, "unconstrained_outcome")
    for f in ok:
        line = T.forecast_note(f)
        if line:
            console.print(f"  [bold]{f['model']}[/]: {esc(line)}")
    for f in r.forecasts:
        if "error" in f:
            console.print(
                f"  [yellow]{f['model']}[/] did not run on this scenario: {esc(f['error'])}"
            )


def _outcome_tables(
    r: AnalysisReport, console: Console, forecasts: list[dict[str, Any]], key: str
) -> None:
    """One table per group of models, as many model columns as fit the terminal."""
    first = max([len("issue")] + [len(i["id"]) for i in r.issues]) + 3 + 10
    groups: list[list[dict[str, Any]]] = [[]]
    used = first
    for f in forecasts:
        w = max(len(f["model"]), 5) + 3
        if groups[-1] and used + w > console.width:
            groups.append([])
            used = first
        groups[-1].append(f)
        used += w
    for group in groups:
        t = Table(show_edge=False, pad_edge=False)
        t.add_column("issue", no_wrap=True)
        t.add_column("status quo", justify="right")
        for f in group:
            t.add_column(esc(f["model"]), justify="right")
        for i in r.issues:
            t.add_row(
                esc(i["id"]),
                T.num(i["status_quo"]),
                *[T.outcome((f.get(key) or {}).get(i["id"])) for f in group],
            )
        console.print(t)


def _zone(r: AnalysisReport, console: Console) -> None:
    _h(console, "Is there a deal? The zone of agreement")
    if _missing(console, r, "diagnosis"):
        return
    d = r.diagnosis
    assert d is not None
    console.print(Text(T.zone_verdict(d), style="bold"))
    for line in T.zone_details(d):
        console.print(f"  {esc(line)}")
    levers = d.get("levers") or []
    if levers:
        t = Table(title="Top levers", title_justify="left", show_edge=False, pad_edge=False)
        t.add_column("lever")
        t.add_column("change")
        t.add_column("P(zone)", justify="right")
        t.add_column("Δ", justify="right")
        for lv in T.top_levers(d, 6):
            t.add_row(
                esc(lv["name"]) + (" [dim](named)[/]" if lv.get("named") else ""),
                esc(T.shorten(lv.get("change", ""), 110)),
                T.pct(lv.get("p_zone_nonempty")),
                T.dpct(lv.get("delta")),
            )
        console.print(t)


def _outlook(r: AnalysisReport, console: Console) -> None:
    _h(console, "Outlook")
    if _missing(console, r, "outlook"):
        return
    o = r.outlook
    assert o is not None
    t = Table(show_edge=False, pad_edge=False)
    t.add_column("by month")
    t.add_column("P(talks)", justify="right")
    t.add_column("P(agreement)", justify="right")
    t.add_column("P(crisis)", justify="right")
    for h in o["horizons"]:
        t.add_row(
            f"{h['month']} ({h['date']})" if h.get("date") else str(h["month"]),
            T.pct(h["talks"]),
            T.pct(h["agreement"]),
            T.pct(h["crisis"]),
        )
    console.print(t)
    console.print(f"[dim]{o.get('definition', '')}[/]")
    line = T.change_sentence(o)
    if line:
        console.print(esc(line))
    if o.get("driver_sentence"):
        console.print(esc(o["driver_sentence"]))
    line = T.calibration_sentence(r.calibration)
    if line:
        console.print(f"[dim]{line}[/]")


def _claims(r: AnalysisReport, console: Console) -> None:
    _h(console, "The source's claims, checked")
    if _missing(console, r, "claims"):
        return
    c = r.claims
    assert c is not None
    wide = console.width >= 110  # room for what each verdict hinges on
    t = Table(show_edge=False, pad_edge=False, show_lines=False)
    t.add_column("id", no_wrap=True)
    t.add_column("claim", ratio=3)
    t.add_column("verdict", no_wrap=True)
    t.add_column("robust", justify="right", no_wrap=True)
    if wide:
        t.add_column("hinges on", ratio=2)
    colours = {"holds": "green", "fails": "red", "not-applicable": "dim"}
    for row in c["claims"]:
        v = row["verdict"]
        shown = f"[{colours.get(v, 'white')}]{v}[/]"
        if row.get("evidence") == "encoding" and v != "not-applicable":
            shown = f"[dim]encoded ({v})[/]"
        cells = [
            esc(row["id"]),
            esc(T.shorten(row.get("text", ""), 100 if wide else 90)),
            shown,
            T.pct(row.get("robustness")),
        ]
        if wide:
            cells.append(esc("\n".join(row.get("hinges_on") or [])))
        t.add_row(*cells)
    console.print(t)
    counts = c.get("counts", {})
    if counts:
        console.print(f"[dim]{esc(T.claim_counts(counts)).capitalize()}.[/]")
    console.print(
        "[dim]robust: the share of draws over the ranges of every uncertain input in which the "
        "claim holds (blank: a share over the draws itself, or no parameter groups); encoded: "
        "the verdict restates the scenario's inputs and is not a finding"
        + ("" if wide else "; what each verdict hinges on is in --html and --json")
        + ".[/]"
    )


def _sources(r: AnalysisReport, console: Console) -> None:
    _h(console, "Where the numbers come from")
    p = r.provenance
    console.print(T.provenance_sentence(p))
    if p["most_uncertain"]:
        t = Table(
            title="Most uncertain inputs", title_justify="left", show_edge=False, pad_edge=False
        )
        t.add_column("number")
        t.add_column("value", justify="right")
        t.add_column("range", justify="right")
        t.add_column("width", justify="right")
        t.add_column("kind")
        for row in p["most_uncertain"][:6]:
            t.add_row(
                row["path"],
                T.num(row["value"]),
                f"{T.num(row['low'])}–{T.num(row['high'])}",
                T.pct(row["relative_width"]),
                row["kind"],
            )
        console.print(t)
    console.print(
        "[dim]Every number with its range and source: "
        f"detente show {esc(_quote(r.settings['source']))} --sources, or the HTML report "
        "(--html FILE).[/]"
    )
