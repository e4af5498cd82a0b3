"""Terminal view of a scenario."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from ..scenario import Scenario


def _q(x: float) -> str:
    return f"{x:g}"


def render_scenario(s: Scenario, console: Console, *, sources: bool = False) -> None:
    console.print(f"[bold]{s.meta.title}[/]  ({s.meta.id})")
    if s.meta.question:
        console.print(f"Question: {s.meta.question}")
    t = Table(title="Positions (salience)", show_lines=False)
    t.add_column("actor")
    t.add_column("capability", justify="right")
    t.add_column("veto")
    for i in s.issues:
        t.add_column(i.id, justify="right")
    for a in s.actors:
        cells = []
        for i in s.issues:
            st = a.stances.get(i.id)
            cells.append(
                "—" if st is None else f"{_q(st.position.value)} ({_q(st.salience.value)})"
            )
        t.add_row(a.label, _q(a.capability.value), "yes" if a.veto else "", *cells)
    t.add_row("[italic]status quo[/]", "", "", *[_q(s.status_quo_value(i.id)) for i in s.issues])
    console.print(t)
    for i in s.issues:
        anchors = "; ".join(f"{_q(k)}: {v}" for k, v in sorted(i.anchors.items()))
        console.print(
            f"[bold]{i.id}[/] [{_q(i.low)}–{_q(i.high)}] {i.label}"
            + (f" — {anchors}" if anchors else "")
        )
    red = [(a, iid, rl) for a in s.actors for iid, rl in a.red_lines.items()]
    if red:
        console.print("[bold]Red lines[/]")
        for a, iid, rl in red:
            console.print(f"  {a.label}: {iid} {rl.op} {_q(rl.bound.value)}")
    if s.drivers:
        console.print("[bold]Drivers[/]")
        for did, d in s.drivers.items():
            console.print(f"  {did} = {_q(d.value.value)}  ({d.label})")
    if sources:
        pt = Table(title="Where every number comes from")
        for c in ("path", "value", "range", "provenance"):
            pt.add_column(c, overflow="fold")
        for path, q in s.quantities():
            pt.add_row(
                path,
                _q(q.value),
                f"[{_q(q.low)}, {_q(q.high)}]",
                q.provenance.describe() if q.provenance else "[red]none given[/]",
            )
        console.print(pt)
