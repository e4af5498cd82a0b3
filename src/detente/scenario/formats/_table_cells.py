"""The cells of the actor-issue table, read one at a time: where a cell stands (for messages)
and a reader that turns rows into records, text, numbers, quantities and provenance while it
collects every problem with its sheet, row and column (:mod:`.table_read` builds the scenario)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ...errors import Problem
from .table import KINDS, SHEETS, Sheets

__all__ = ["CellReader", "Where"]


# ------------------------------------------------------------------------------ reading
class Where:
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


class CellReader:
    def __init__(self, sheets: Sheets, where: Where) -> None:
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
