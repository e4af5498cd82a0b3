"""A case's historical record: a manifest (``record.yaml``) and dated events (``events.csv``).

The record is what the dynamics are fitted to and backtested on (``detente backtest
dynamics``). Its manifest::

    id: some-case
    title: ...
    start: 1990-01            # first and last month covered
    end: 2021-06
    files: {events: events.csv}
    observed:                 # optional: the span each source covers (else start..end)
      some_source: [1990-01, 2021-06]
    series:                   # optional: monthly count series by source (else per kind)
      provocations: {sources: [some_source]}
    sources: {some_source: "attribution ..."}

``events.csv`` has the columns ``date`` (``YYYY-MM-DD`` or ``YYYY-MM``), ``actor`` (an actor
id or a role: challenger, defender, patron, third_party), ``kind`` (one of :data:`KINDS`),
``label``, ``source`` (a key of ``sources``) and ``cite`` (a URL-free citation).

:meth:`Record.panel` turns the events into one row per month: the count of each kind, the
count of each declared series, ``talks`` (any talks, limited talks or agreement),
``strategic`` (a strategic provocation), ``exercise`` (an exercise month). Bundled records
live in ``detente/data/records/<id>/``; :func:`load_record` takes an id, a folder, or a
user's own CSV file of dated events.

A record is read and counted with NumPy (:meth:`Record.columns`: the panel as arrays, what
the simulation reads); the pandas views (:attr:`Record.events`, :meth:`Record.panel`,
``start`` and ``end`` as ``pd.Period``) are built where they are asked for, so a simulation
does not import pandas.

A user's record is one CSV file with the columns ``date`` (``YYYY-MM`` or ``YYYY-MM-DD``),
``kind`` (one of :data:`KINDS`) and ``actor`` (an actor id of the case or a role), and
optionally ``label``, ``source`` and ``cite``; it covers the months from its first to its
last event (a month without events counts zero). Every problem of the file is reported at
once with its line (:func:`read_events_csv`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import DataError, DetenteError
from ..scenario.case import EVENT_KINDS
from ..scenario.io import guarded_yaml, read_text
from .months import month_index, month_label

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COLUMNS",
    "KINDS",
    "REQUIRED_COLUMNS",
    "Record",
    "RecordFileError",
    "bundled_records",
    "load_record",
    "read_events_csv",
    "record_key",
]

#: The event kinds of a record (docs/scenario-format.md); claims' record_rate reads the same.
KINDS = EVENT_KINDS
COLUMNS = ("date", "actor", "kind", "label", "source", "cite")
#: The columns a user's CSV record must have (the others default to empty).
REQUIRED_COLUMNS = ("date", "kind", "actor")
#: What an empty record file should hold.
_EMPTY_RECORD_HINT = (
    "a record is a CSV file with a header line naming the columns date,kind,actor "
    "(optionally label,source,cite) and one dated event per line"
)
#: Most problems listed for one bad file.
MAX_PROBLEMS = 20
ROLES = ("challenger", "defender", "patron", "third_party")
TALKS_KINDS = ("talks", "limited_talks", "agreement")


class RecordFileError(DataError):
    """A user's record file is malformed; ``problems`` lists each with its line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))

    def lines(self) -> list[str]:
        return list(self.problems)


def _span_month(record: str, text: Any) -> int:
    k = month_index(str(text)[:7])
    if k is None:
        raise DataError(f"record {record}: {text!r} is not a month; write YYYY-MM")
    return k


@dataclass(frozen=True, eq=False)
class Record:
    """A loaded record: manifest fields and the events' columns (:attr:`columns_of_events`,
    strings, with ``month`` a count of months); ``start``, ``end`` and :attr:`events` are
    their pandas views."""

    id: str
    title: str
    #: The first and last months covered, as counts of months (:func:`month_index`).
    first: int
    last: int
    #: The events' columns (:data:`COLUMNS`, in file order; ``month``: counts of months).
    columns_of_events: dict[str, np.ndarray]
    sources: dict[str, str]
    series: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The span each source covers, ``YYYY-MM`` to ``YYYY-MM``.
    observed: dict[str, tuple[str, str]] = field(default_factory=dict)
    folder: Path | None = None
    #: The record's actors by role (the manifest's ``roles:``, actor -> challenger, defender,
    #: patron or third_party), so a case reads the record by its roles, not by its ids.
    roles: dict[str, str] = field(default_factory=dict)
    #: The backtest's origins: ``first_origin``, ``train_last_origin``, ``test_first_origin``
    #: (the manifest's ``backtest:``; see :meth:`backtest_split` for the defaults).
    split: dict[str, str] = field(default_factory=dict)
    #: Panels (and the events' table) already built (a record is loaded once and read many
    #: times a run).
    _built: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def start(self) -> pd.Period:
        """The first month covered (``pd.Period``)."""
        import pandas as pd  # the pandas views only where they are asked for

        return pd.Period(month_label(self.first), freq="M")

    @property
    def end(self) -> pd.Period:
        """The last month covered (``pd.Period``)."""
        import pandas as pd

        return pd.Period(month_label(self.last), freq="M")

    @property
    def events(self) -> pd.DataFrame:
        """The events as a table: the columns of :data:`COLUMNS` (strings) and ``month``
        (``period[M]``), built once."""
        if "events" not in self._built:
            import pandas as pd

            cols = self.columns_of_events
            ev = pd.DataFrame({c: cols[c].astype(object) for c in COLUMNS})
            ev["month"] = pd.PeriodIndex([month_label(int(k)) for k in cols["month"]], freq="M")
            self._built["events"] = ev
        return self._built["events"]

    def actors_in_role(self, role: str) -> set[str]:
        """The names the record gives the actor(s) in ``role``: the role itself and the
        actors its manifest maps to it."""
        return {role} | {a for a, r in self.roles.items() if r == role}

    def backtest_split(self) -> tuple[pd.Period, pd.Period, pd.Period]:
        """(first origin, last training origin, first test origin) of the rolling backtest.

        The manifest may declare them under ``backtest:``; otherwise the first origin is the
        first June or December with a third of the record (at most five years) before it, and
        the origins after it are split by date: the first half trains, the second half tests,
        one origin apart.
        """
        import pandas as pd

        def jd(p: pd.Period) -> pd.Period:  # the next June or December
            while p.month not in (6, 12):
                p += 1
            return p

        span = (self.end - self.start).n
        first = jd(self.start + min(60, max(6, span // 3)))
        if "first_origin" in self.split:
            first = pd.Period(self.split["first_origin"], freq="M")
        n = max(0, (self.end - first).n // 6)
        train_last = first + 6 * max(0, n // 2 - 1)
        test_first = train_last + 12 if n >= 4 else train_last + 6
        if "train_last_origin" in self.split:
            train_last = pd.Period(self.split["train_last_origin"], freq="M")
        if "test_first_origin" in self.split:
            test_first = pd.Period(self.split["test_first_origin"], freq="M")
        return first, train_last, test_first

    def columns(self, start: str | None = None, end: str | None = None) -> dict[str, np.ndarray]:
        """The monthly panel as arrays, one entry per month (read-only, built once per
        span): ``month`` (``YYYY-MM`` strings), counts per kind (``n_<kind>``), the declared
        series (counts by source; ``provocations`` defaults to the provocation and
        strategic-provocation events), ``talks``, ``strategic`` and ``exercise`` (bool)."""
        first = self.first if start is None else _span_month(self.id, start)
        last = self.last if end is None else _span_month(self.id, end)
        if first < self.first or last > self.last or first > last:
            raise DataError(
                f"record {self.id}: span {month_label(first)}..{month_label(last)} must lie "
                f"within {month_label(self.first)}..{month_label(self.last)}"
            )
        if (first, last) not in self._built:
            self._built[(first, last)] = self._build_columns(first, last)
        return dict(self._built[(first, last)])

    def panel(self, start: str | None = None, end: str | None = None) -> pd.DataFrame:
        """:meth:`columns` as a table, one row per month (``month`` as ``period[M]``, the
        counts ``int64``); a new table each call, so callers may change it."""
        import pandas as pd

        cols = self.columns(start, end)
        months = pd.period_range(cols["month"][0], cols["month"][-1], freq="M")
        out = pd.DataFrame({"month": months})
        for name, values in cols.items():
            if name != "month":
                out[name] = values.copy()
        return out

    def _build_columns(self, first: int, last: int) -> dict[str, np.ndarray]:
        n = last - first + 1
        ev = self.columns_of_events
        at = ev["month"] - first
        inside = (at >= 0) & (at < n)
        out: dict[str, np.ndarray] = {"month": np.array([month_label(first + k) for k in range(n)])}

        def count(mask: np.ndarray) -> np.ndarray:
            return np.bincount(at[mask & inside], minlength=n).astype(np.int64)

        for kind in KINDS:
            out[f"n_{kind}"] = count(ev["kind"] == kind)
        for name, srcs in self.series.items():
            out[name] = count(np.isin(ev["source"], list(srcs)))
        if "provocations" not in out:
            # a record that declares no provocation series counts its provocation events
            out["provocations"] = out["n_provocation"] + out["n_strategic_provocation"]
        out["talks"] = np.sum([out[f"n_{k}"] for k in TALKS_KINDS], axis=0) > 0
        out["strategic"] = out["n_strategic_provocation"] > 0
        out["exercise"] = out["n_exercise"] > 0
        for values in out.values():
            values.flags.writeable = False
        return out

    def __repr__(self) -> str:
        return (
            f"<Record {self.id!r}: {len(self.columns_of_events['month'])} events, "
            f"{month_label(self.first)}..{month_label(self.last)}>"
        )


def _events_columns(rows: list[dict[str, str]], months: list[int]) -> dict[str, np.ndarray]:
    """The events' columns: each of :data:`COLUMNS` as strings, ``month`` as counts."""
    out = {c: np.array([r[c] for r in rows], dtype=str) for c in COLUMNS}
    out["month"] = np.array(months, dtype=np.int64)
    for values in out.values():
        values.flags.writeable = False
    return out


@cache
def _records_root() -> Path:
    """The bundled records' folder (looked up once: a run asks for it some 140 times)."""
    return Path(str(resources.files("detente.data") / "records"))


def bundled_records() -> tuple[str, ...]:
    """Ids of the bundled records."""
    root = _records_root()
    return tuple(sorted(p.name for p in root.iterdir() if (p / "record.yaml").exists()))


@cache
def _load(folder: str) -> Record:
    path = Path(folder)
    manifest = path / "record.yaml"
    # a user's record goes through the scenario files' guards: size, aliases, depth, numbers
    loaded, _lines = guarded_yaml(read_text(manifest), str(manifest))
    if loaded is not None and not isinstance(loaded, dict):
        raise DataError(f"{manifest}: a record manifest is a mapping (id, start, end, files)")
    meta: dict[str, Any] = loaded or {}
    for key in ("id", "start", "end", "files"):
        if key not in meta:
            raise DataError(f"{manifest}: the manifest needs '{key}'")
    events_file = path / str(meta["files"].get("events", "events.csv"))
    header, rows = _read_table(events_file)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise DataError(f"{events_file}: missing columns {', '.join(missing)}")
    for k, row in enumerate(rows):
        if row["kind"] not in KINDS:
            raise DataError(
                f"{events_file}, row {k + 2}: kind {row['kind']!r} is not one of {', '.join(KINDS)}"
            )
    sources = {str(k): str(v) for k, v in (meta.get("sources") or {}).items()}
    unknown = sorted({row["source"] for row in rows} - set(sources))
    if unknown:
        raise DataError(f"{events_file}: sources {', '.join(unknown)} are not in the manifest")
    months = [month_index(row["date"][:7]) for row in rows]
    if None in months:
        bad = rows[months.index(None)]["date"]
        raise DataError(f"{events_file}: dates read YYYY-MM-DD or YYYY-MM; got {bad!r}")
    series = {
        str(name): tuple(str(s) for s in spec.get("sources", ()))
        for name, spec in (meta.get("series") or {}).items()
    }
    observed = {
        str(src): (
            month_label(_span_month(str(meta["id"]), a)),
            month_label(_span_month(str(meta["id"]), b)),
        )
        for src, (a, b) in (meta.get("observed") or {}).items()
    }
    return Record(
        id=str(meta["id"]),
        title=str(meta.get("title", meta["id"])),
        first=_span_month(str(meta["id"]), meta["start"]),
        last=_span_month(str(meta["id"]), meta["end"]),
        columns_of_events=_events_columns(rows, [int(m) for m in months if m is not None]),
        sources=sources,
        series=series,
        observed=observed,
        folder=path,
        split={str(k): str(v) for k, v in (meta.get("backtest") or {}).items()},
        roles=_manifest_roles(meta.get("roles"), manifest),
    )


def _read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """A record's CSV file as its header and one ``{column: text}`` per line (blank lines
    skipped, every field kept as text, as ``pandas.read_csv(dtype=str,
    keep_default_na=False)`` reads it)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: cannot read the events ({err})") from err
    reader = csv.reader(io.StringIO(text))
    # blank and whitespace-only lines are skipped; a problem names the file's own line
    lines = [(reader.line_num, r) for r in reader if r and any(f.strip() for f in r)]
    if not lines:
        raise DataError(f"{path}: no header; the first line names the columns {','.join(COLUMNS)}")
    header = lines[0][1]
    rows = []
    for k, r in lines[1:]:
        if len(r) != len(header):
            raise DataError(
                f"{path}, line {k}: {len(r)} field{'s' if len(r) != 1 else ''}; the header "
                f"has {len(header)} ({','.join(header)})"
            )
        rows.append(dict(zip(header, r, strict=True)))
    return header, rows


def _manifest_roles(raw: Any, manifest: Path) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or any(str(r) not in ROLES for r in raw.values()):
        raise DataError(
            f"{manifest}: roles maps each actor of the record to one of {', '.join(ROLES)}"
        )
    return {str(k): str(v) for k, v in raw.items()}


def read_events_csv(path: str | Path) -> Record:
    """A user's record: one CSV file of dated events (``date``, ``kind``, ``actor``, and
    optionally ``label``, ``source``, ``cite``).

    Raises
    ------
    DataError
        Listing every problem with its line: a missing column, a date that is not
        ``YYYY-MM`` or ``YYYY-MM-DD``, an unknown kind, an empty actor; or a file that
        cannot be read as a CSV record.
    """
    name = str(path)
    try:
        text = read_text(path, empty_hint=_EMPTY_RECORD_HINT)
    except DetenteError as err:
        raise DataError(f"record {name}: " + "; ".join(err.lines())) from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(c.strip() for c in rows[0]):
        raise DataError(
            f"{name}, line 1: no header; the first line names the columns date,kind,actor"
        )
    header = [c.strip().lower() for c in rows[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise DataError(
            f"{name}, line 1: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; a record has the columns date,kind,actor "
            "(and optionally label,source,cite)"
        )
    col = {c: header.index(c) for c in COLUMNS if c in header}
    problems: list[str] = []
    records: list[dict[str, str]] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            problems.append(f"{name}, line {line}: {len(row)} fields; the header has {len(header)}")
            continue
        rec = {c: (row[col[c]].strip() if c in col else "") for c in COLUMNS}
        if month_index(rec["date"]) is None:
            problems.append(
                f"{name}, line {line}, column date: {rec['date']!r} is not a date; "
                "write YYYY-MM or YYYY-MM-DD"
            )
        if rec["kind"] not in KINDS:
            problems.append(
                f"{name}, line {line}, column kind: {rec['kind']!r} is not one of {', '.join(KINDS)}"
            )
        if not rec["actor"]:
            problems.append(
                f"{name}, line {line}, column actor: empty; name the actor id or its role "
                f"({', '.join(ROLES)})"
            )
        records.append(rec)
    if problems:
        more = len(problems) - MAX_PROBLEMS
        shown = problems[:MAX_PROBLEMS] + ([f"... and {more} more problems"] if more > 0 else [])
        raise RecordFileError(shown)
    if not records:
        raise DataError(f"{name}: no events after the header; add one line per dated event")
    at = [month_index(rec["date"]) or 0 for rec in records]  # every date is valid here
    order = sorted(range(len(records)), key=lambda k: at[k])  # stable: file order kept
    events, months = [records[k] for k in order], [at[k] for k in order]
    sources = {
        src: f"{Path(name).name} (the user's record)" for src in {r["source"] for r in events}
    }
    return Record(
        id=Path(name).stem,
        title=f"{Path(name).name}: {len(events)} events",
        first=months[0],
        last=months[-1],
        columns_of_events=_events_columns(events, months),
        sources=sources,
        folder=None,
    )


@cache
def _load_csv(path: str, resolved: str, mtime: int, size: int) -> Record:
    return read_events_csv(path)


def record_key(name_or_path: str | Path) -> tuple[str, int, int]:
    """The record's identity as :func:`load_record` sees it, for a cache of anything read
    from a record: a user's CSV file by its resolved path, modification time (ns) and size
    (an edited file is a new record; the same relative path in another folder is another
    file); a folder record by its resolved folder (a bundled record by its id's folder).
    A record that cannot be found keys on its name (:func:`load_record` then says why)."""
    p = Path(name_or_path)
    if p.suffix.lower() == ".csv":
        try:
            st = p.stat()
        except OSError:
            return str(p.resolve()), -1, -1
        return str(p.resolve()), st.st_mtime_ns, st.st_size
    if not (p / "record.yaml").exists():
        p = _records_root() / str(name_or_path)
    if not (p / "record.yaml").exists():
        return str(name_or_path), -1, -1
    return str(p.resolve()), 0, 0


def load_record(name_or_path: str | Path) -> Record:
    """A record by bundled id (``detente/data/records/<id>``), by folder path, or a user's
    CSV file of dated events (:func:`read_events_csv`); read once per
    :func:`record_key` (a CSV file again when it changes)."""
    p = Path(name_or_path)
    if p.suffix.lower() == ".csv":
        return _load_csv(str(p), *record_key(p))
    if not (p / "record.yaml").exists():
        p = _records_root() / str(name_or_path)
    if not (p / "record.yaml").exists():
        known = ", ".join(bundled_records()) or "none"
        raise DataError(
            f"record {str(name_or_path)!r}: no record.yaml there; bundled records: {known}"
        )
    return _load(str(p.resolve()))


def panel_until(name_or_path: str | Path, start: str) -> dict[str, np.ndarray] | None:
    """The record's monthly panel as arrays (:meth:`Record.columns`) up to ``start``
    (``YYYY-MM``), or None when the record does not cover ``start``. Cached per
    :func:`record_key` and start month (read-only: a sensitivity analysis prepares hundreds
    of simulations of one case)."""
    return _panel_until(record_key(name_or_path), str(name_or_path), start)


@lru_cache(maxsize=32)
def _panel_until(key: tuple[str, int, int], name: str, start: str) -> dict[str, np.ndarray] | None:
    full = load_record(name).columns()
    months = full["month"]
    if not months[0] <= start <= months[-1]:
        return None
    upto = months <= start
    out = {k: v[upto] for k, v in full.items()}
    for values in out.values():
        values.flags.writeable = False
    return out
