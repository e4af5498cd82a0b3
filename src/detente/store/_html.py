"""``detente runs export --format html``: one recorded run as a self-contained HTML page.

The page shows what the store keeps of any run (not only ``detente run``'s): the inputs
needed to reproduce it (scenario, its hash, every change, the seed and sizes, the options),
then its result tables (forecasts, the zone of agreement, levers, the outlook at 6, 12, 24
and 36 months, claims). No script, no network: inline CSS only. The full report with its
figures is ``detente run ... --html`` (or the workbench's download), which recomputes it.
"""

from __future__ import annotations

import html
import json
from typing import Any

__all__ = ["run_html"]

_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "color:#222}table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid "
    "#ccc;padding:.25rem .5rem;text-align:left;font-variant-numeric:tabular-nums}th{background:"
    "#f3f3f3}code{background:#f6f6f6;padding:0 .2rem}caption{text-align:left;font-weight:600}"
)


def _cell(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list | dict):
        return html.escape(json.dumps(v, ensure_ascii=False))
    return html.escape(str(v))


def _table(caption: str, rows: list[dict[str, Any]], skip: tuple[str, ...] = ("run_id",)) -> str:
    if not rows:
        return ""
    cols = [c for c in rows[0] if c not in skip]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(r.get(c))}</td>" for c in cols) + "</tr>" for r in rows
    )
    return f"<table><caption>{html.escape(caption)}</caption><tr>{head}</tr>{body}</table>"


def _outlook_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not rows:
        return []
    last = max(r["month_index"] for r in rows)
    keep = {m - 1 for m in (6, 12, 24, 36) if m - 1 <= last} | {last}
    return [r for r in rows if r["month_index"] in keep]


def run_html(summary: dict[str, Any], tables: dict[str, list[dict[str, Any]]]) -> str:
    """The page of one run: ``summary`` is :meth:`RunRecord.summary`, ``tables`` its rows of
    each result table (name -> rows)."""
    title = f"detente run {summary['id']}: {summary['command']} of {summary.get('scenario') or '-'}"
    inputs = [
        {"input": k, "value": summary.get(k)}
        for k in (
            "command", "created", "detente_version", "label", "scenario", "scenario_name",
            "scenario_hash", "sets", "pins", "what_ifs", "seed", "sizes", "options", "status",
        )
    ]  # fmt: skip
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<p>Recorded in a detente run store. Reproduce it with "
        f"<code>detente runs rerun {int(summary['id'])} --store STORE</code>.</p>",
        _table("Inputs", inputs, skip=()),
        _table("Forecasts (outcome per model and issue)", tables.get("forecasts", [])),
        _table("Zone of agreement", tables.get("diagnosis", [])),
        _table("Levers", tables.get("levers", [])),
        _table("Outlook (probability of each mode)", _outlook_rows(tables.get("outlook", []))),
        _table("Claims", tables.get("claims", [])),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"
