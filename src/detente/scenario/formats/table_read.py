"""Reading the actor-issue table (:mod:`.table` describes the layout): cells to a scenario.

Every problem of a workbook is collected with its sheet, row and column (CSV: line and
column), then the schema's own problems are mapped back to the cells they came from, and all
are raised at once.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import yaml

from ...errors import Problem, ScenarioError
from ..io import checked_scenario
from ..schema import Scenario
from ._table_cells import CellReader, Where
from .table import CSV_MARK, META_FIELDS, SHEETS, Row, Sheets

__all__ = ["read_table_csv", "read_xlsx", "sniff_table_csv"]


def sheets_to_scenario(sheets: Sheets, where: Where) -> Scenario:
    """Build the scenario from the sheets; raise every problem at once, located by cell."""
    r = CellReader(sheets, where)
    data: dict[str, Any] = {"meta": {}, "issues": [], "actors": []}
    for row, rec in r.records("about"):
        field = r.text(rec, "field")
        if field is None:
            continue
        if field == "salience_max":
            v = r.number("about", row, rec, "value", required=True)
            data["salience_max"] = v if v is not None else 1
        elif field in META_FIELDS:
            value = r.text(rec, "value")
            if value is not None:
                data["meta"][field] = value
            r.cells[("meta", field)] = ("about", row, "value")
        else:
            r.add(
                "about",
                row,
                "field",
                f"unknown field {field!r}",
                f"the fields are: {', '.join((*META_FIELDS, 'salience_max'))}",
            )
    for row, rec in r.records("sources"):
        key = r.text(rec, "key")
        if key is None:
            r.add(
                "sources",
                row,
                "key",
                "a source needs a key",
                "write the key the provenance columns use",
            )
            continue
        src = {k: r.text(rec, k) for k in ("title", "author", "date", "note")}
        data["meta"].setdefault("sources", {})[key] = {
            k: v for k, v in src.items() if v is not None
        }
        r.cells[("meta", "sources", key)] = ("sources", row, None)
    issue_index: dict[str, int] = {}
    status_quo: dict[str, Any] = {}
    for row, rec in r.records("issues"):
        k = len(data["issues"])
        iid = r.text(rec, "id") or ""
        issue: dict[str, Any] = {"id": iid, "label": r.text(rec, "label") or ""}
        for key in ("low", "high"):
            v = r.number("issues", row, rec, key, required=True)
            issue[key] = v if v is not None else (0 if key == "low" else 100)
            r.cells[("issues", k, key)] = ("issues", row, key)
        for key in ("direction", "description"):
            words = r.text(rec, key)
            if words is not None:
                issue[key] = words
        controlled = r.text(rec, "controlled_by")
        if controlled:
            issue["controlled_by"] = [c.strip() for c in controlled.split(",") if c.strip()]
        issue.update(r.provenance(rec, "", "issues", row))
        for key in ("id", "label", "controlled_by", "description", "direction"):
            r.cells[("issues", k, key)] = ("issues", row, key)
        r.cells[("issues", k)] = ("issues", row, None)
        sq = r.quantity("issues", row, rec, "status quo", ("status_quo", iid), required=False)
        if sq is not None:
            status_quo[iid] = sq
        issue_index[iid] = k
        data["issues"].append(issue)
    if status_quo:
        data["status_quo"] = status_quo
    for row, rec in r.records("anchors"):
        iid = r.text(rec, "issue") or ""
        if iid not in issue_index:
            r.add(
                "anchors",
                row,
                "issue",
                f"no issue {iid!r} in the issues sheet",
                "use an issue id of the issues sheet",
            )
            continue
        at = r.number("anchors", row, rec, "at", required=True)
        if at is not None:
            data["issues"][issue_index[iid]].setdefault("anchors", {})[at] = (
                r.text(rec, "label") or ""
            )
            r.cells[("issues", issue_index[iid], "anchors")] = ("anchors", row, "at")
    actor_index: dict[str, int] = {}
    for row, rec in r.records("actors"):
        k = len(data["actors"])
        aid = r.text(rec, "id") or ""
        actor: dict[str, Any] = {"id": aid, "label": r.text(rec, "label") or ""}
        desc = r.text(rec, "description")
        if desc is not None:
            actor["description"] = desc
        veto = (r.text(rec, "veto") or "no").strip().lower()
        if veto not in ("yes", "no", "true", "false", "1", "0"):
            r.add(
                "actors",
                row,
                "veto",
                f"expected yes or no, got {veto!r}",
                "write yes for a veto player, else no",
            )
        actor["veto"] = veto in ("yes", "true", "1")
        actor["capability"] = r.quantity(
            "actors", row, rec, "capability", ("actors", k, "capability")
        )
        actor.update(r.provenance(rec, "", "actors", row))
        for key in ("id", "label", "description", "veto"):
            r.cells[("actors", k, key)] = ("actors", row, key)
        r.cells[("actors", k)] = ("actors", row, None)
        actor_index[aid] = k
        data["actors"].append(actor)
    for sheet, key in (("stances", "stances"), ("red lines", "red_lines")):
        for row, rec in r.records(sheet):
            aid, iid = r.text(rec, "actor") or "", r.text(rec, "issue") or ""
            if aid not in actor_index:
                r.add(
                    sheet,
                    row,
                    "actor",
                    f"no actor {aid!r} in the actors sheet",
                    "use an actor id of the actors sheet",
                )
                continue
            k = actor_index[aid]
            loc = ("actors", k, key, iid)
            r.cells[loc] = (sheet, row, "issue")
            if sheet == "stances":
                entry = {
                    "position": r.quantity(sheet, row, rec, "position", (*loc, "position")),
                    "salience": r.quantity(sheet, row, rec, "salience", (*loc, "salience")),
                }
            else:
                op = (r.text(rec, "op") or "").strip()
                r.cells[(*loc, "op")] = (sheet, row, "op")
                entry = {"op": op, "bound": r.quantity(sheet, row, rec, "bound", (*loc, "bound"))}
            target = data["actors"][k].setdefault(key, {})
            if iid in target:
                r.add(
                    sheet,
                    row,
                    "issue",
                    f"a second row for {aid}/{iid}",
                    "keep one row per actor and issue",
                )
            target[iid] = entry
    _merge_more(r, data, actor_index, issue_index)
    scn, found = checked_scenario(data)
    for loc, msg, hint in found:
        sheet, at_row, column = _nearest(r.cells, tuple(loc))
        r.add(sheet, at_row, column, msg, hint)
    if r.problems:
        raise ScenarioError(r.problems)
    assert isinstance(scn, Scenario)
    return scn


def _nearest(
    cells: dict[tuple[Any, ...], tuple[str, int, str | None]], loc: tuple[Any, ...]
) -> tuple[str, int | None, str | None]:
    top = loc[:1]
    while loc:
        if loc in cells:
            return cells[loc]
        loc = loc[:-1]
    if top in (("meta",), (), ("salience_max",)):
        return ("about", None, None)
    return ("more", None, None)


def _merge_more(
    r: CellReader, data: dict[str, Any], actor_index: dict[str, int], issue_index: dict[str, int]
) -> None:
    rows = r.sheets.get("more") or []
    lines = [("" if not row or row[0] is None else str(row[0])) for row in rows[1:]]
    if not any(line.strip() for line in lines):
        return
    try:
        rest = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        row = mark.line + 2 if mark is not None else None
        r.add(
            "more",
            row,
            "yaml",
            f"YAML syntax error: {getattr(err, 'problem', None) or err}",
            "fix the YAML on that row",
        )
        return
    if not isinstance(rest, dict):
        r.add(
            "more", 2, "yaml", "expected YAML keys (claims:, what_ifs: ...)", "see docs/formats.md"
        )
        return
    for key, value in rest.items():
        if key in ("meta", "sources", "actors", "issues", "stances") and not (
            (isinstance(value, dict) and all(isinstance(v, dict) for v in value.values()))
            or (key == "meta" and isinstance(value, dict))
        ):
            r.add("more", None, "yaml", f"{key}: expected a mapping by id", "see docs/formats.md")
        elif key == "meta":
            data["meta"].update(value)
        elif key == "sources":
            for k, v in value.items():
                data["meta"].setdefault("sources", {}).setdefault(k, {}).update(v)
        elif key in ("actors", "issues"):
            index, items = (
                (actor_index, data["actors"]) if key == "actors" else (issue_index, data["issues"])
            )
            for ident, extra in value.items():
                if ident not in index:
                    r.add(
                        "more",
                        None,
                        "yaml",
                        f"{key}: no {key[:-1]} {ident!r}",
                        f"use an id of the {key} sheet",
                    )
                else:
                    items[index[ident]].update(extra)
        elif key == "stances":
            for pair, extra in value.items():
                aid, _, iid = str(pair).partition("/")
                stance = (
                    data["actors"][actor_index[aid]].get("stances", {}).get(iid)
                    if aid in actor_index
                    else None
                )
                if stance is None:
                    r.add(
                        "more",
                        None,
                        "yaml",
                        f"stances: no stance {pair!r}",
                        "use actor/issue of the stances sheet",
                    )
                else:
                    stance.update(extra)
        else:
            data[key] = value


# ------------------------------------------------------------------------------ formats
def read_xlsx(raw: bytes, filename: str) -> Scenario:
    """Read an XLSX workbook in the table layout (see docs/formats.md)."""
    import zipfile

    from openpyxl import load_workbook  # optional weight: loaded only for XLSX files
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as err:
        raise ScenarioError(
            [
                Problem(
                    f"not an XLSX workbook ({err})",
                    "save the file as Excel workbook (.xlsx)",
                    file=filename,
                )
            ]
        ) from None
    try:
        sheets: Sheets = {}
        for ws in wb.worksheets:
            name = ws.title.strip().lower()
            if name not in SHEETS:
                raise ScenarioError(
                    [
                        Problem(
                            f"unknown sheet {ws.title!r}",
                            f"the sheets are: {', '.join(SHEETS)}",
                            file=filename,
                            field=f"sheet {ws.title!r}",
                        )
                    ]
                )
            sheets[name] = [list(row) for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    return sheets_to_scenario(sheets, Where(filename))


def sniff_table_csv(text: str) -> bool:
    return text.removeprefix("\ufeff").startswith(CSV_MARK)


def read_table_csv(text: str, filename: str) -> Scenario:
    """Read the CSV form of the table layout: sheets opened by ``#sheet NAME`` lines."""
    sheets: Sheets = {}
    lines: dict[tuple[str, int], int] = {}
    current: str | None = None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(io.StringIO(text))
    start = 1
    problems: list[Problem] = []
    for row in reader:
        line = start
        start = reader.line_num + 1
        if row and row[0].startswith(CSV_MARK):
            current = row[0].removeprefix(CSV_MARK).strip().lower()
            if current not in SHEETS:
                problems.append(
                    Problem(
                        f"unknown sheet {current!r}",
                        f"the sheets are: {', '.join(SHEETS)}",
                        file=filename,
                        line=line,
                    )
                )
            sheets[current] = []
            continue
        if current is None:
            problems.append(
                Problem(
                    "the file must start with a line '#sheet about'",
                    "see docs/formats.md",
                    file=filename,
                    line=line,
                )
            )
            break
        cells: Row = [_uncell(c) if c != "" else None for c in row]
        sheets[current].append(cells)
        lines[(current, len(sheets[current]))] = line
    if problems:
        raise ScenarioError(problems)
    return sheets_to_scenario(sheets, Where(filename, lines))


def _uncell(c: str) -> str:
    """Undo :func:`csv_cell`'s apostrophe before ``= + - @``."""
    return c[1:] if len(c) > 1 and c[0] == "'" and c[1] in "=+-@\t\r" else c
