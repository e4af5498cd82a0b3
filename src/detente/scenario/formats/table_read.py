"""Reading the actor-issue table (:mod:`.table` describes the layout): cells to a scenario.

Every problem of a workbook is collected with its sheet, row and column (CSV: line and
column), then the schema's own problems are mapped back to the cells they came from, and all
are raised at once.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from typing import Any

import yaml

from ...errors import Problem, ScenarioError
from ..io import checked_scenario
from ..schema import Scenario
from .table import CSV_MARK, KINDS, META_FIELDS, SHEETS, Row, Sheets

__all__ = ["read_table_csv", "read_xlsx", "sniff_table_csv"]


# ------------------------------------------------------------------------------ reading
class _Where:
    """Where a cell stands, for messages: XLSX sheet/row/column, CSV line/column."""

    def __init__(self, filename: str, lines: dict[tuple[str, int], int] | None = None) -> None:
        self.filename = filename
        self.lines = lines  # CSV: (sheet, row) -> line in the file

    def problem(
        self, sheet: str, row: int | None, column: str | None, msg: str, hint: str
    ) -> Problem:
        col = f", column {column!r}" if column else ""
        if self.lines is None:
            at = f"sheet {sheet!r}" + (f", row {row}" if row else "") + col
            return Problem(msg, hint, file=self.filename, field=at)
        line = self.lines.get((sheet, row or 1))
        return Problem(msg, hint, file=self.filename, line=line, field=f"sheet {sheet!r}{col}")


class _Reader:
    def __init__(self, sheets: Sheets, where: _Where) -> None:
        self.sheets = sheets
        self.where = where
        self.problems: list[Problem] = []
        self.cells: dict[tuple[Any, ...], tuple[str, int, str | None]] = {}

    def add(self, sheet: str, row: int | None, column: str | None, msg: str, hint: str) -> None:
        self.problems.append(self.where.problem(sheet, row, column, msg, hint))

    def records(self, sheet: str) -> Iterable[tuple[int, dict[str, Any]]]:
        rows = self.sheets.get(sheet)
        if rows is None:
            if sheet in ("about", "issues", "actors", "stances"):
                self.add(
                    sheet,
                    None,
                    None,
                    "the sheet is missing",
                    f"add a sheet {sheet!r} (see docs/formats.md)",
                )
            return
        if not rows:
            return
        header = [str(h).strip().lower() if h is not None else "" for h in rows[0]]
        known = SHEETS[sheet]
        for h in header:
            if h and h not in known:
                self.add(
                    sheet,
                    1,
                    h,
                    "unknown column",
                    f"the columns of {sheet!r} are: {', '.join(known)}",
                )
        for i, row in enumerate(rows[1:], start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            rec = {h: (row[j] if j < len(row) else None) for j, h in enumerate(header) if h}
            yield i, rec

    def text(self, rec: dict[str, Any], key: str) -> str | None:
        v = rec.get(key)
        if v is None:
            return None
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        t = str(v)
        return t if t.strip() else None

    def number(
        self, sheet: str, row: int, rec: dict[str, Any], key: str, *, required: bool
    ) -> float | None:
        v = rec.get(key)
        if v is None or (isinstance(v, str) and not v.strip()):
            if required:
                self.add(
                    sheet, row, key, "a number is missing (empty cell)", "write a number there"
                )
            return None
        if isinstance(v, bool):
            self.add(sheet, row, key, f"expected a number, got {v!r}", "write a plain number")
            return None
        if isinstance(v, int | float):
            x = float(v)
        else:
            try:
                x = float(str(v).strip())
            except ValueError:
                shown = str(v) if len(str(v)) <= 40 else str(v)[:37] + "..."
                self.add(
                    sheet,
                    row,
                    key,
                    f"expected a number, got {shown!r}",
                    "write a plain number like 42 or 0.5",
                )
                return None
        if not math.isfinite(x):
            self.add(sheet, row, key, f"{v!r} is not allowed", "give a finite number")
            return None
        return int(x) if x.is_integer() and abs(x) < 2**53 else x

    def provenance(self, rec: dict[str, Any], prefix: str, sheet: str, row: int) -> dict[str, Any]:
        p = f"{prefix} " if prefix else ""
        kind = self.text(rec, f"{p}provenance")
        text = self.text(rec, f"{p}text")
        at = self.text(rec, f"{p}at")
        source = self.text(rec, f"{p}source")
        out: dict[str, Any] = {}
        if kind is None:
            if text or at:
                self.add(
                    sheet,
                    row,
                    f"{p}provenance",
                    "a text or locator without a provenance kind",
                    f"write one of {', '.join(KINDS)}",
                )
        elif kind.strip().lower() not in KINDS:
            self.add(
                sheet,
                row,
                f"{p}provenance",
                f"unknown provenance {kind!r}",
                f"write one of {', '.join(KINDS)}",
            )
        else:
            kind = kind.strip().lower()
            out[kind] = text if text is not None else ""
            if at is not None:
                out["at" if kind == "quote" else "cite"] = at
        if source is not None:
            out["source"] = source
        return out

    def quantity(
        self,
        sheet: str,
        row: int,
        rec: dict[str, Any],
        name: str,
        loc: tuple[Any, ...],
        *,
        required: bool = True,
    ) -> Any:
        value = self.number(sheet, row, rec, name, required=required)
        self.cells[loc] = (sheet, row, name)
        if value is None:
            return 0 if required else None
        lo = self.number(sheet, row, rec, f"{name} low", required=False)
        hi = self.number(sheet, row, rec, f"{name} high", required=False)
        prov = self.provenance(rec, name, sheet, row)
        if (lo is None) != (hi is None):
            self.add(
                sheet,
                row,
                f"{name} {'high' if hi is None else 'low'}",
                "a range needs both ends",
                f"fill both '{name} low' and '{name} high', or neither",
            )
        if lo is None and hi is None and not prov:
            return value
        q: dict[str, Any] = {"value": value, **prov}
        if lo is not None and hi is not None:
            q["range"] = [lo, hi]
            self.cells[(*loc, "range")] = (sheet, row, f"{name} low")
        return q


def sheets_to_scenario(sheets: Sheets, where: _Where) -> Scenario:
    """Build the scenario from the sheets; raise every problem at once, located by cell."""
    r = _Reader(sheets, where)
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
    r: _Reader, data: dict[str, Any], actor_index: dict[str, int], issue_index: dict[str, int]
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
    return sheets_to_scenario(sheets, _Where(filename))


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
    return sheets_to_scenario(sheets, _Where(filename, lines))


def _uncell(c: str) -> str:
    """Undo :func:`csv_cell`'s apostrophe before ``= + - @``."""
    return c[1:] if len(c) > 1 and c[0] == "'" and c[1] in "=+-@\t\r" else c
