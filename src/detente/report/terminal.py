"""The report in the terminal: a few screens of rich tables and sentences."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.markup import escape as esc
from rich.padding import Padding
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
        body.append(Text(T.clip(st["description"], 600)))
    facts = [T.plural(st["n_actors"], "actor"), T.plural(st["n_issues"], "issue")]
    if st["veto_players"]:
        facts.append("veto players: " + ", ".join(st["veto_players"]))
    if st.get("controllers"):
        facts.append(
            "controllers (a veto on their issue): "
            + ", ".join(f"{'/'.join(who)} on {iid}" for iid, who in st["controllers"].items())
        )
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


def _column_groups(widths: list[int], first: int, total: int) -> list[list[int]]:
    """Indices of columns (of ``widths``) split into tables that each fit ``total``
    characters beside a first column of width ``first`` (3 per column for separators)."""
    groups: list[list[int]] = [[]]
    used = first + 3
    for k, w in enumerate(widths):
        if groups[-1] and used + w + 3 > total:
            groups.append([])
            used = first + 3
        groups[-1].append(k)
        used += w + 3
    return groups


def _actors_issues(r: AnalysisReport, console: Console) -> None:
    _h(console, "Actors and issues")
    at = Table(show_edge=False, pad_edge=False)
    at.add_column("id", no_wrap=True)
    at.add_column("actor")
    at.add_column("capability", justify="right", no_wrap=True)
    at.add_column("veto", no_wrap=True)
    for a in r.actors:
        at.add_row(a["id"], esc(a["label"]), T.num(a["capability"]), "yes" if a["veto"] else "")
    console.print(at)
    # red lines and tools as sentences: a table column would cut the issue ids at 80 columns
    for a in r.actors:
        bits = []
        rl = ", ".join(f"{iid} {x['op']} {T.num(x['bound'])}" for iid, x in a["red_lines"].items())
        if rl:
            bits.append(f"red line {rl}" if len(a["red_lines"]) == 1 else f"red lines {rl}")
        kinds: dict[str, int] = {}
        for t in a["tools"]:
            kinds[t["kind"]] = kinds.get(t["kind"], 0) + 1
        if kinds:
            bits.append("tools: " + ", ".join(f"{n} {k}" for k, n in kinds.items()))
        if bits:
            console.print(f"  [bold]{a['id']}[/]: " + esc("; ".join(bits)))
    console.print()
    # positions: the longer list goes down the rows, the shorter across in tables that fit
    by_issue = len(r.issues) >= len(r.actors)
    rows = r.issues if by_issue else r.actors
    cols = r.actors if by_issue else r.issues
    first = max([5] + [len(x["id"]) for x in rows] + [len("status quo")])
    widths = [max(len(c["id"]), 7) for c in cols] + ([3] if by_issue else [])
    for group in _column_groups(widths, first, console.width):
        t = Table(show_edge=False, pad_edge=False)
        t.add_column("issue" if by_issue else "actor", no_wrap=True, min_width=first)
        for k in group:
            head = cols[k]["id"] if k < len(cols) else "[italic]SQ[/]"
            t.add_column(head, justify="right", no_wrap=True)
        for x in rows:
            cells = []
            for k in group:
                if k == len(cols):
                    cells.append(T.num(x["status_quo"]))
                else:
                    a, i = (cols[k], x) if by_issue else (x, cols[k])
                    cells.append(_cell(a, i["id"]))
            t.add_row(x["id"], *cells)
        if not by_issue:
            t.add_row("[italic]status quo[/]", *[T.num(cols[k]["status_quo"]) for k in group])
        console.print(t)
    console.print(
        "[dim]positions and saliences (0 to 1); red: the actor has a red line on that issue"
        + ("; SQ: status quo" if by_issue else "")
        + "[/]"
    )
    for i in r.issues:
        lo, hi = T.num(i["low"]), T.num(i["high"])
        anchor = f" — status quo: {i['status_quo_anchor']}" if i["status_quo_anchor"] else ""
        console.print(f"  [bold]{i['id']}[/] \\[{lo} to {hi}] {esc(i['label'] + anchor)}")


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
        # stacked, not a table: lever names are long ids that a column would cut
        console.print("[bold]Top levers[/] (P(zone): the zone's probability with the lever)")
        for lv in T.top_levers(d, 6):
            named = " [dim](named)[/]" if lv.get("named") else ""
            delta = T.dpct(lv.get("delta"))
            console.print(
                f"  [bold]{esc(lv['name'])}[/]{named}: P(zone) {T.pct(lv.get('p_zone_nonempty'))}"
                + (f", {delta}" if delta else "")
            )
            change = " ".join(str(lv.get("change", "")).split())
            if change:
                console.print(Padding(Text(change), (0, 0, 0, 4)))
    drives = d.get("what_drives")
    if drives:  # the sentence; the table and the chart are the command's (and the HTML's)
        console.print(Text.assemble(("What drives it: ", "bold"), drives["words"]))
        console.print(
            Padding(Text(f"indices and chart: {drives['command']}", style="dim"), (0, 0, 0, 2))
        )


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
    for note in o.get("notes", []):
        if note.startswith("warning:"):  # e.g. veto players the roles leave out
            console.print(f"[yellow]{esc(note)}[/]")
    line = T.change_sentence(o)
    if line:
        console.print(esc(line))
    if o.get("driver_sentence"):
        console.print(esc(o["driver_sentence"]))
    if o.get("inert_sentence"):
        console.print(f"[dim]{esc(o['inert_sentence'])}[/]")
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
    colours = {
        "holds": "green",
        "fails": "red",
        "too-close-to-call": "yellow",
        "not-applicable": "dim",
    }
    for row in c["claims"]:
        v = row["verdict"]
        shown = f"[{colours.get(v, 'white')}]{v}[/]"
        if row.get("evidence") == "encoding" and v != "not-applicable":
            shown = f"[dim]encoded ({v})[/]"
        cells = [
            esc(row["id"]),
            esc(" ".join(str(row.get("text", "")).split())),
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
    fixed = [
        f"{row['id']} condition {k + 1}"
        for row in c["claims"]
        if row.get("evidence") != "encoding"
        for k, cond in enumerate(row.get("conditions") or [])
        if cond.get("structural")
    ]
    if fixed:
        console.print(
            f"[dim]Cannot fail within the stated ranges (structural, not findings): "
            f"{esc(', '.join(fixed))}.[/]"
        )
    console.print(
        "[dim]robust: the share of draws over the ranges of every uncertain input in which the "
        "claim holds (blank: a share over the draws itself, or no parameter groups); encoded: "
        "the verdict restates the scenario's inputs or the model's construction and is not a "
        "finding"
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
                T.span(row["low"], row["high"]),
                T.pct(row["relative_width"]),
                row["kind"],
            )
        console.print(t)
    console.print(
        "[dim]Every number with its range and source: "
        f"detente show {esc(_quote(r.settings['source']))} --sources, or the HTML report "
        "(--html FILE).[/]"
    )
