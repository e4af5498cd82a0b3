"""Shared machinery of the importers: problem collection, numbers, ids, line maps.

Every reader works the same way: it parses the file into the plain mapping that
:func:`detente.scenario.io.scenario_from_data` validates, remembering the line every
element came from. Problems found while parsing (a cell that is not a number, a count
that does not match) are collected with their line, the offending value is replaced by
a harmless placeholder so that validation can go on, and at the end every problem --
the reader's and the schema's -- is raised at once, each located at ``FILE:LINE``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ...errors import Problem, ScenarioError
from .._yaml_guards import number_problem
from ..io import MAX_ACTORS, MAX_ISSUES, nearest_line, scenario_from_data
from ..schema import ID_PATTERN, Scenario

__all__ = [
    "MAX_ACTORS",
    "MAX_ISSUES",
    "Collector",
    "distinct_ids",
    "fmt_number",
    "imported",
    "infer_salience_max",
    "make_id",
]

#: Limits beyond which a file is almost surely not a negotiation scenario (one table, in
#: :mod:`detente.scenario.io`, for every format).

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NONFINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)


def fmt_number(x: float) -> str:
    """The shortest text that reads back as exactly ``x`` (integers without ``.0``)."""
    if float(x).is_integer() and abs(x) < 2**53:
        return str(int(x))
    return repr(float(x))


def make_id(name: str, prefix: str = "a") -> str:
    """A valid detente id from a name: kept as is when it already is one.

    Characters other than letters, digits, ``_`` and ``-`` become ``_``; a name that
    does not start with a letter gets ``prefix_`` in front.
    """
    name = name.strip()
    if re.fullmatch(ID_PATTERN, name) and len(name) <= 64:
        return name
    out = re.sub(r"[^A-Za-z0-9_\-]+", "_", name).strip("_")
    if not out or not out[0].isalpha() or not out[0].isascii():
        out = f"{prefix}_{out}" if out else prefix
    return out[:64]


def distinct_ids(named: Sequence[tuple[str | None, str]], taken: Iterable[str] = ()) -> list[str]:
    """Ids that never clash, for ``(name in the file, derived id)`` pairs in file order.

    A file's names live in namespaces of their own (a KTAB actor ``u`` and a dimension
    ``U`` are different things) and different names can derive the same id (``a b`` and
    ``a_b``), but a scenario's ids must be distinct across actors and issues. A derived
    id is kept when it is not in ``taken`` and no earlier, different name has it;
    otherwise it gets the first free suffix ``_2``, ``_3``, ... (free: not taken, not
    derived by any name, not given already). The same name twice gets the same id, so
    a name really given twice is still reported as a duplicate; a name of ``None``
    (an unnamed row) never shares. The readers keep the original name in the label or
    the provenance, so a changed id is always traceable.
    """
    blocked = set(taken)
    natural = {nid for _, nid in named}
    given: dict[str, str | None] = {}  # id -> the name that got it
    by_name: dict[str, str] = {}
    out: list[str] = []
    for name, nid in named:
        if name is not None and name in by_name:
            out.append(by_name[name])
            continue
        new = nid
        if new in blocked or new in given:
            n = 2
            while True:
                suffix = f"_{n}"
                new = nid[: 64 - len(suffix)] + suffix
                if new not in blocked and new not in natural and new not in given:
                    break
                n += 1
        given[new] = name
        if name is not None:
            by_name[name] = new
        out.append(new)
    return out


def imported(filename: str, line: int | None, what: str) -> dict[str, str]:
    """The YAML-style provenance of a number read from ``filename`` at ``line``."""
    where = Path(filename).name or filename
    text = f"{where} line {line}" if line is not None else where
    return {"imported": f"{text}: {what}"}


class Collector:
    """Collects problems with their line while a reader parses a file."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Problem] = []
        self.lines: dict[tuple[Any, ...], int] = {}

    def add(self, line: int | None, field: str | None, message: str, hint: str) -> None:
        self.problems.append(
            Problem(message, hint, file=self.filename, line=line, field=field or None)
        )

    def number(
        self,
        text: str | None,
        line: int | None,
        field: str,
        *,
        what: str = "a number",
        placeholder: float = 0.0,
    ) -> tuple[float, bool]:
        """Parse a number cell; on failure record a problem and return the placeholder."""
        raw = (text or "").strip()
        if not raw:
            self.add(line, field, f"{what} is missing (empty cell)", "write a number there")
            return placeholder, False
        if _NONFINITE.fullmatch(raw):
            self.add(
                line,
                field,
                f"{raw!r} is not allowed",
                "NaN and infinity are not allowed; give a finite number",
            )
            return placeholder, False
        if not _NUMBER.fullmatch(raw):
            shown = raw if len(raw) <= 40 else raw[:37] + "..."
            self.add(
                line,
                field,
                f"expected {what}, got {shown!r}",
                "write a plain number like 42 or 0.5",
            )
            return placeholder, False
        why = number_problem(raw)
        if why is not None:
            shown = raw if len(raw) <= 40 else raw[:37] + "..."
            self.add(line, field, f"{shown!r}: {why}", "give a number the models can compute with")
            return placeholder, False
        value = float(raw)
        if not math.isfinite(value):
            self.add(line, field, f"{raw!r} is too large", "give a finite number")
            return placeholder, False
        return value, True

    def line_for(self, loc: tuple[Any, ...]) -> int | None:
        return nearest_line(self.lines, loc)

    def finish(self, data: dict[str, Any]) -> Scenario:
        """Validate the mapping and raise every problem (the reader's and the schema's)."""
        problems = list(self.problems)
        scn: Scenario | None = None
        try:
            scn = scenario_from_data(data, self.filename, self.line_for)
        except ScenarioError as err:
            problems.extend(_short_field(p) for p in err.problems)
        if problems:
            raise ScenarioError(_sorted(problems))
        assert scn is not None
        return scn

    def fail_if_any(self) -> None:
        if self.problems:
            raise ScenarioError(_sorted(self.problems))

    def fatal(
        self, line: int | None, message: str, hint: str, field: str | None = None
    ) -> ScenarioError:
        """Record a problem that stops reading and return the error to raise."""
        self.add(line, field, message, hint)
        return ScenarioError(_sorted(self.problems))


_STANCE_FIELD = re.compile(r"actors\.([^.]+)\.stances\.(.+)")
_ACTOR_FIELD = re.compile(r"actors\.([^.]+)\.(.+)")


def _short_field(p: Problem) -> Problem:
    """Name fields by their ``--set`` path (``XJ.policy.position``), as the readers do."""
    if not p.field:
        return p
    f = _STANCE_FIELD.sub(r"\1.\2", p.field)
    f = _ACTOR_FIELD.sub(r"\1.\2", f) if f == p.field else f
    return Problem(p.message, p.hint, file=p.file, line=p.line, field=f)


def _sorted(problems: Iterable[Problem]) -> list[Problem]:
    seen: set[str] = set()
    out: list[Problem] = []
    for p in sorted(problems, key=lambda p: (p.line is None, p.line or 0)):
        key = str(p)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def infer_salience_max(
    col: Collector, saliences: Sequence[tuple[int | None, str, float]], how_to_state: str
) -> float:
    """The salience scale of a file that does not state it: 1 when every salience is at
    most 1, 100 when they are on 0-100. A mix -- fractions below 1 beside values above
    1, as when one salience of 1.5 slips into a 0-1 table -- is ambiguous: each value
    above 1 is reported at its line (rather than the whole table silently read on 0-100),
    and ``how_to_state`` says how to settle it. ``saliences`` are (line, field, value)."""
    above = [(ln, f, v) for ln, f, v in saliences if v > 1]
    if not above:
        return 1.0
    fractions = [v for _, _, v in saliences if 0 < v < 1]
    if fractions and len(fractions) >= len(above):
        for ln, field, v in above:
            col.add(
                ln,
                field,
                f"salience {fmt_number(v)} is above 1 while {len(fractions)} other saliences "
                "are fractions of 1, so the table's scale (0-1 or 0-100) is ambiguous",
                f"fix the value, or {how_to_state}",
            )
    return 100.0


def check_limits(col: Collector, n_actors: int, n_issues: int) -> None:
    if n_actors > MAX_ACTORS:
        raise col.fatal(
            None,
            f"{n_actors} actors is more than the {MAX_ACTORS} a scenario may have",
            "check that this is the right file",
        )
    if n_issues > MAX_ISSUES:
        raise col.fatal(
            None,
            f"{n_issues} issues is more than the {MAX_ISSUES} a scenario may have",
            "check that this is the right file",
        )


def meta_from_filename(filename: str, title: str | None, fmt_label: str) -> dict[str, Any]:
    stem = Path(filename).stem or "imported"
    return {
        "id": make_id(stem.lower(), prefix="s"),
        "title": title or f"{stem} (imported {fmt_label})",
    }


class CannotWrite(ScenarioError):
    """A scenario that a format cannot represent faithfully."""


def cannot_write(fmt: str, problems: list[tuple[str | None, str, str]]) -> CannotWrite:
    """The error a writer raises: one problem per thing the format cannot hold."""
    return CannotWrite(
        [Problem(f"cannot write {fmt}: {msg}", hint, field=field) for field, msg, hint in problems]
    )


def csv_rows(text: str, col: Collector) -> list[tuple[int, list[str]]]:
    """CSV records (cells stripped, trailing empty cells dropped) with their first line.

    A quote left open swallows the following lines into one cell; that is reported at
    the line where the quote opens, since no cell of these formats spans lines. A BOM is
    dropped and CR and CRLF line ends are read as LF.
    """
    out: list[tuple[int, list[str]]] = []
    # a byte-order mark, and CR or CRLF line ends (old Mac and Windows spreadsheets), read
    # as plain LF text: line numbers stay those an editor shows
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            raise col.fatal(
                reader.line_num or start,
                f"CSV syntax error: {err}",
                'check the quotes on that line (a cell with a comma needs "double quotes")',
            ) from None
        if any("\n" in c or "\r" in c for c in row):
            col.add(
                start,
                None,
                f"a quote opened on line {start} is not closed (the cell runs on to line {reader.line_num})",
                'close the quote: a cell in "double quotes" ends with another double quote',
            )
        cells = [c.strip() for c in row]
        while cells and cells[-1] == "":
            cells.pop()
        if cells:
            out.append((start, cells))
        start = reader.line_num + 1
    return out
