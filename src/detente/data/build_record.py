"""Build the bundled record ``records/<id>/events.csv`` from the packaged datasets.

``python -m detente.data.build_record [ID]`` rewrites the events file of the record built
from the packaged facts (``data/files``, see ``files/SOURCES.md``): the CSIS provocation
events, the CNS missile tests (one row per missile, Korean local date), the seismic record
of nuclear tests, the CSIS negotiation events (1990-01..2018-08) and the cited negotiation
events and agreements of ``files/negotiations_2018_2021.csv`` (which extends the talks to
2021-06 and adds the signed agreements), and the exercise calendar (March and August). The
manifest ``record.yaml`` is written by hand. Deterministic: the same files give the same
bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd

from .loaders import (
    data_path,
    load_missile_tests,
    load_negotiation_events,
    load_nuclear_tests,
    load_provocations,
)
from .panel import EXERCISE_MONTHS, STRATEGIC_MISSILE_TYPES
from .records import COLUMNS, _records_root

__all__ = ["packaged_events", "write_record"]

START, END = "1990-01", "2021-06"


def packaged_events(start: str = START, end: str = END) -> pd.DataFrame:
    """The record's events (columns :data:`detente.data.records.COLUMNS`), sorted."""
    first, last = pd.Period(start, freq="M"), pd.Period(end, freq="M")
    rows: list[dict[str, str]] = []
    r: Any  # a row of itertuples()
    csis_cite = "CSIS Beyond Parallel, Database of North Korean Provocations"
    for r in load_provocations().itertuples():
        kind = "strategic_provocation" if r.type == "nuclear" else "provocation"
        rows.append(
            dict(date=f"{r.date_kst:%Y-%m-%d}", actor="challenger", kind=kind,
                 label=str(r.event), source="csis_provocations", cite=csis_cite)
        )  # fmt: skip
    cns_cite = "CNS/NTI, The CNS North Korea Missile Test Database, row {}"
    for r in load_missile_tests().itertuples():
        strategic = r.missile_type in STRATEGIC_MISSILE_TYPES
        date = f"{r.date_kst:%Y-%m-%d}" if pd.notna(r.date_kst) else str(r.month)
        rows.append(
            dict(date=date, actor="challenger",
                 kind="strategic_provocation" if strategic else "provocation",
                 label=f"{r.missile_name} ({r.missile_type})", source="cns_missiles",
                 cite=cns_cite.format(r.cns_id))
        )  # fmt: skip
    yao = "Yao, Tian, Sun & Wen (2018), Seismological Research Letters 89(6), test {}"
    for r in load_nuclear_tests().itertuples():
        rows.append(
            dict(date=f"{r.date_kst:%Y-%m-%d}", actor="challenger",
                 kind="strategic_provocation", label=f"nuclear test {r.test}",
                 source="nuclear_tests", cite=yao.format(r.test))
        )  # fmt: skip
    neg_cite = "CSIS Beyond Parallel, Negotiations and provocations (Cha & Collins), {}"
    for r in load_negotiation_events().itertuples():
        parties = ", ".join(r.parties)
        rows.append(
            dict(date=str(r.month), actor="challenger", kind="talks",
                 label=f"{r.event_type} ({parties})", source="csis_negotiations",
                 cite=neg_cite.format(r.month))
        )  # fmt: skip
    ext = pd.read_csv(data_path("negotiations_2018_2021.csv"), dtype=str, keep_default_na=False)
    for r in ext.itertuples():
        rows.append(
            dict(date=r.date, actor=r.actor, kind=r.kind, label=r.label,
                 source="cited_negotiations", cite=r.cite)
        )  # fmt: skip
    for m in pd.period_range(first, last, freq="M"):
        if m.month in EXERCISE_MONTHS:
            rows.append(
                dict(date=str(m), actor="defender", kind="exercise",
                     label="large combined exercise month", source="exercise_calendar",
                     cite="USFK / ROK JCS exercise announcements (March and August)")
            )  # fmt: skip
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    month = pd.PeriodIndex([d[:7] for d in out["date"]], freq="M")
    out = out[(month >= first) & (month <= last)]
    return out.sort_values(["date", "source", "kind", "label"], kind="stable").reset_index(
        drop=True
    )


def write_record(record_id: str, folder: Path | None = None) -> Path:
    """Write ``events.csv`` of the record built from the packaged facts; returns its path."""
    folder = folder or _records_root() / record_id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "events.csv"
    packaged_events().to_csv(path, index=False, lineterminator="\n")
    return path


if __name__ == "__main__":  # pragma: no cover
    print(write_record(sys.argv[1]))
