"""The actor-issue table: a scenario as spreadsheet sheets, in XLSX or in one sectioned CSV.

The layout (docs/formats.md, "The actor-issue table") has one sheet per kind of row:

==========  ===================================================================================
sheet       columns
==========  ===================================================================================
about       field, value: id, title, question, description, start, attribution, salience_max
sources     key, title, author, date, note
issues      id, label, low, high, direction, description, controlled_by, provenance columns,
            then the status quo as a number block (``status quo``, ``status quo low`` ...)
anchors     issue, at, label
actors      id, label, description, veto (yes/no), the ``capability`` number block, provenance
stances     actor, issue, the ``position`` and ``salience`` number blocks
red lines   actor, issue, op (>= or <=), the ``bound`` number block
more        yaml: what a table cannot hold (drivers, parameters, events, roles, what-ifs,
            claims, tools), one line of YAML per row
==========  ===================================================================================

A *number block* named ``X`` is seven columns: ``X`` (the value), ``X low`` and ``X high``
(its plausible range; empty when the number is certain), ``X provenance`` (quote, fact,
judgement, imported or calibrated), ``X text`` (the quote, fact or reason), ``X at`` (where:
a quote's locator, a fact's citation) and ``X source`` (a key of the sources sheet). An
issue's, actor's own provenance takes the last four without the prefix.

So every number keeps its range and provenance: a scenario written as a table and read back
is the same scenario (``tests/test_table_format.py`` checks the flagship and the examples).
The CSV form is the same sheets in one file, each opened by a line ``#sheet NAME``.
Problems are located by sheet, row and column (CSV: line and column) and all reported at once
(reading is :mod:`.table_read`).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import yaml

from ..._text import csv_cell
from ..schema import Scenario

__all__ = [
    "CSV_MARK",
    "KINDS",
    "META_FIELDS",
    "SHEETS",
    "Row",
    "Sheets",
    "write_table_csv",
    "write_xlsx",
]

Row = list[Any]
Sheets = dict[str, list[Row]]

KINDS = ("quote", "fact", "judgement", "imported", "calibrated")
_BLOCK = ("", " low", " high", " provenance", " text", " at", " source")
_PROVENANCE = ("provenance", "text", "at", "source")

META_FIELDS = ("id", "title", "question", "description", "start", "attribution")


def _block(name: str) -> list[str]:
    return [name + suffix for suffix in _BLOCK]


SHEETS: dict[str, list[str]] = {
    "about": ["field", "value"],
    "sources": ["key", "title", "author", "date", "note"],
    "issues": [
        "id",
        "label",
        "low",
        "high",
        "direction",
        "description",
        "controlled_by",
        *_PROVENANCE,
        *_block("status quo"),
    ],
    "anchors": ["issue", "at", "label"],
    "actors": ["id", "label", "description", "veto", *_block("capability"), *_PROVENANCE],
    "stances": ["actor", "issue", *_block("position"), *_block("salience")],
    "red lines": ["actor", "issue", "op", *_block("bound")],
    "more": ["yaml"],
}

#: The first line of the CSV form, and how it is recognised.
CSV_MARK = "#sheet "


# ------------------------------------------------------------------------------ writing
def _provenance_cells(d: dict[str, Any]) -> list[Any]:
    kind = next((k for k in KINDS if k in d), None)
    if kind is None:
        return [None, None, None, d.get("source")]
    return [kind, d.get(kind), d.get("at", d.get("cite")), d.get("source")]


def _number_cells(q: Any) -> list[Any]:
    if q is None:
        return [None] * 7
    if not isinstance(q, dict):
        return [q, None, None, None, None, None, None]
    lo, hi = q.get("range", (None, None))
    return [q["value"], lo, hi, *_provenance_cells(q)]


def _pop_provenance(d: dict[str, Any]) -> None:
    for k in (*KINDS, "at", "cite", "source"):
        d.pop(k, None)


def scenario_sheets(s: Scenario) -> Sheets:
    """The scenario as the rows of each sheet (headers first)."""
    data: dict[str, Any] = s.model_dump(mode="json")
    rest: dict[str, Any] = {}
    sheets: Sheets = {name: [list(cols)] for name, cols in SHEETS.items()}
    meta = dict(data.pop("meta"))
    for f in META_FIELDS:
        sheets["about"].append([f, meta.pop(f, None)])
    sheets["about"].append(["salience_max", data.pop("salience_max")])
    for key, src in (meta.pop("sources", None) or {}).items():
        src = dict(src)
        sheets["sources"].append(
            [key, *(src.pop(k, None) for k in ("title", "author", "date", "note"))]
        )
        if src:
            rest.setdefault("sources", {})[key] = src
    if meta:
        rest["meta"] = meta
    status_quo = data.pop("status_quo") or {}
    for issue in data.pop("issues"):
        i = dict(issue)
        iid = i["id"]
        sheets["issues"].append(
            [
                i.pop("id"),
                i.pop("label"),
                i.pop("low"),
                i.pop("high"),
                i.pop("direction", ""),
                i.pop("description", ""),
                ", ".join(i.pop("controlled_by", ()) or ()),
                *_provenance_cells(i),
                *_number_cells(status_quo.get(iid)),
            ]
        )
        _pop_provenance(i)
        for at, label in (i.pop("anchors", None) or {}).items():
            sheets["anchors"].append([iid, float(at), label])
        if i:
            rest.setdefault("issues", {})[iid] = i
    for actor in data.pop("actors"):
        a = dict(actor)
        aid = a["id"]
        sheets["actors"].append(
            [
                a.pop("id"),
                a.pop("label"),
                a.pop("description", ""),
                "yes" if a.pop("veto", False) else "no",
                *_number_cells(a.pop("capability")),
                *_provenance_cells(a),
            ]
        )
        _pop_provenance(a)
        for iid, stance in (a.pop("stances", None) or {}).items():
            st = dict(stance)
            sheets["stances"].append(
                [aid, iid, *_number_cells(st.pop("position")), *_number_cells(st.pop("salience"))]
            )
            st = {k: v for k, v in st.items() if v is not None}
            if st:
                rest.setdefault("stances", {})[f"{aid}/{iid}"] = st
        for iid, rl in (a.pop("red_lines", None) or {}).items():
            sheets["red lines"].append([aid, iid, rl["op"], *_number_cells(rl["bound"])])
        a = {k: v for k, v in a.items() if v not in (None, [], {}, ())}
        if a:
            rest.setdefault("actors", {})[aid] = a
    rest.update({k: v for k, v in data.items() if v not in (None, [], {}, ())})
    if rest:
        text = yaml.safe_dump(rest, sort_keys=False, allow_unicode=True, width=100)
        sheets["more"].extend([line] for line in text.splitlines())
    return sheets


def write_xlsx(s: Scenario) -> bytes:
    """The scenario as an XLSX workbook in the table layout (see the module docstring)."""
    from openpyxl import Workbook  # optional weight: loaded only for XLSX files
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in scenario_sheets(s).items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None or value == "":
                    continue
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # '=...' stays text, never a formula
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_table_csv(s: Scenario) -> str:
    """The scenario as one CSV: each sheet opened by a line ``#sheet NAME``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for name, rows in scenario_sheets(s).items():
        buf.write(f"{CSV_MARK}{name}\n")
        for row in rows:
            w.writerow(["" if v is None else _csv_text(v) for v in row])
    return buf.getvalue()


def _csv_text(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return csv_cell(str(v)) if isinstance(v, str) else repr(v)
