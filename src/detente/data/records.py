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
live in ``detente/data/records/<id>/``; :func:`load_record` takes an id or a folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..errors import DataError
from ..scenario.case import EVENT_KINDS

__all__ = ["COLUMNS", "KINDS", "Record", "bundled_records", "load_record"]

#: The event kinds of a record (docs/scenario-format.md); claims' record_rate reads the same.
KINDS = EVENT_KINDS
COLUMNS = ("date", "actor", "kind", "label", "source", "cite")
ROLES = ("challenger", "defender", "patron", "third_party")
TALKS_KINDS = ("talks", "limited_talks", "agreement")


@dataclass(frozen=True, eq=False)
class Record:
    """A loaded record: manifest fields and the events table (``month`` column added)."""

    id: str
    title: str
    start: pd.Period
    end: pd.Period
    events: pd.DataFrame
    sources: dict[str, str]
    series: dict[str, tuple[str, ...]] = field(default_factory=dict)
    observed: dict[str, tuple[pd.Period, pd.Period]] = field(default_factory=dict)
    folder: Path | None = None
    #: The backtest's origins: ``first_origin``, ``train_last_origin``, ``test_first_origin``
    #: (the manifest's ``backtest:``; see :meth:`backtest_split` for the defaults).
    split: dict[str, str] = field(default_factory=dict)
    #: Panels already built, by span (a record is loaded once and read many times a run).
    _panels: dict[tuple[pd.Period, pd.Period], pd.DataFrame] = field(
        default_factory=dict, repr=False
    )

    def backtest_split(self) -> tuple[pd.Period, pd.Period, pd.Period]:
        """(first origin, last training origin, first test origin) of the rolling backtest.

        The manifest may declare them under ``backtest:``; otherwise the first origin is the
        first June or December with a third of the record (at most five years) before it, and
        the origins after it are split by date: the first half trains, the second half tests,
        one origin apart.
        """

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

    def panel(self, start: str | None = None, end: str | None = None) -> pd.DataFrame:
        """One row per month (``month`` as ``period[M]``): counts per kind (``n_<kind>``), the
        declared series (counts by source; ``provocations`` defaults to the provocation and
        strategic-provocation events), ``talks``, ``strategic`` and ``exercise``."""
        first = self.start if start is None else pd.Period(start, freq="M")
        last = self.end if end is None else pd.Period(end, freq="M")
        if first < self.start or last > self.end or first > last:
            raise DataError(
                f"record {self.id}: span {first}..{last} must lie within {self.start}..{self.end}"
            )
        if (first, last) not in self._panels:
            self._panels[(first, last)] = self._build_panel(first, last)
        return self._panels[(first, last)].copy()

    def _build_panel(self, first: pd.Period, last: pd.Period) -> pd.DataFrame:
        months = pd.period_range(first, last, freq="M")
        out = pd.DataFrame({"month": months})
        ev = self.events
        for kind in KINDS:
            n = ev[ev["kind"] == kind].groupby("month").size()
            out[f"n_{kind}"] = out["month"].map(n).fillna(0).astype("int64")
        for name, srcs in self.series.items():
            n = ev[ev["source"].isin(srcs)].groupby("month").size()
            out[name] = out["month"].map(n).fillna(0).astype("int64")
        if "provocations" not in out:
            # a record that declares no provocation series counts its provocation events
            out["provocations"] = out["n_provocation"] + out["n_strategic_provocation"]
        out["talks"] = (out[[f"n_{k}" for k in TALKS_KINDS]].sum(axis=1) > 0).to_numpy()
        out["strategic"] = (out["n_strategic_provocation"] > 0).to_numpy()
        out["exercise"] = (out["n_exercise"] > 0).to_numpy()
        return out

    def __repr__(self) -> str:
        return f"<Record {self.id!r}: {len(self.events)} events, {self.start}..{self.end}>"


def _records_root() -> Path:
    return Path(str(resources.files("detente.data") / "records"))


def bundled_records() -> tuple[str, ...]:
    """Ids of the bundled records."""
    root = _records_root()
    return tuple(sorted(p.name for p in root.iterdir() if (p / "record.yaml").exists()))


@cache
def _load(folder: str) -> Record:
    path = Path(folder)
    manifest = path / "record.yaml"
    try:
        meta: dict[str, Any] = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        raise DataError(f"{manifest}: cannot read the record manifest ({err})") from err
    for key in ("id", "start", "end", "files"):
        if key not in meta:
            raise DataError(f"{manifest}: the manifest needs '{key}'")
    events_file = path / str(meta["files"].get("events", "events.csv"))
    try:
        ev = pd.read_csv(events_file, dtype=str, keep_default_na=False)
    except OSError as err:
        raise DataError(f"{events_file}: cannot read the events ({err})") from err
    missing = [c for c in COLUMNS if c not in ev.columns]
    if missing:
        raise DataError(f"{events_file}: missing columns {', '.join(missing)}")
    bad_kind = ev.index[~ev["kind"].isin(KINDS)]
    if len(bad_kind):
        k = int(bad_kind[0])
        raise DataError(
            f"{events_file}, row {k + 2}: kind {ev.at[k, 'kind']!r} is not one of {', '.join(KINDS)}"
        )
    sources = {str(k): str(v) for k, v in (meta.get("sources") or {}).items()}
    unknown = sorted(set(ev["source"]) - set(sources))
    if unknown:
        raise DataError(f"{events_file}: sources {', '.join(unknown)} are not in the manifest")
    try:
        ev["month"] = pd.PeriodIndex([d[:7] for d in ev["date"]], freq="M")
    except ValueError as err:
        raise DataError(f"{events_file}: dates read YYYY-MM-DD or YYYY-MM ({err})") from err
    series = {
        str(name): tuple(str(s) for s in spec.get("sources", ()))
        for name, spec in (meta.get("series") or {}).items()
    }
    observed = {
        str(src): (pd.Period(str(a), freq="M"), pd.Period(str(b), freq="M"))
        for src, (a, b) in (meta.get("observed") or {}).items()
    }
    return Record(
        id=str(meta["id"]),
        title=str(meta.get("title", meta["id"])),
        start=pd.Period(str(meta["start"]), freq="M"),
        end=pd.Period(str(meta["end"]), freq="M"),
        events=ev,
        sources=sources,
        series=series,
        observed=observed,
        folder=path,
        split={str(k): str(v) for k, v in (meta.get("backtest") or {}).items()},
    )


def load_record(name_or_path: str | Path) -> Record:
    """A record by bundled id (``detente/data/records/<id>``) or by folder path."""
    p = Path(name_or_path)
    if not (p / "record.yaml").exists():
        p = _records_root() / str(name_or_path)
    if not (p / "record.yaml").exists():
        known = ", ".join(bundled_records()) or "none"
        raise DataError(
            f"record {str(name_or_path)!r}: no record.yaml there; bundled records: {known}"
        )
    return _load(str(p.resolve()))
