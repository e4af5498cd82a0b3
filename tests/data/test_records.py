"""The record format (manifest + events.csv) and the bundled record built from the packaged facts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from detente.data import load_provocations
from detente.data.build_record import packaged_events
from detente.data.months import month_index, month_label
from detente.data.records import COLUMNS, KINDS, bundled_records, load_record
from detente.errors import DataError

ROOT = Path(__file__).resolve().parents[2]
RECORDS = Path(__file__).resolve().parent / "records"


@pytest.fixture(scope="module")
def record():
    return load_record("dprk")


def test_the_bundled_record_is_rebuilt_byte_for_byte(record):
    assert "dprk" in bundled_records()
    rebuilt = packaged_events()
    on_disk = record.events[list(COLUMNS)].reset_index(drop=True)
    pd.testing.assert_frame_equal(rebuilt.reset_index(drop=True), on_disk)


def test_every_event_is_cited_and_its_source_attributed(record):
    ev = record.events
    assert ev["kind"].isin(KINDS).all()
    assert (ev["cite"].str.len() > 10).all()
    assert not ev["cite"].str.contains("http", case=False).any()  # URL-free citations
    assert set(ev["source"]) <= set(record.sources)
    assert ev["month"].max() <= pd.Period("2021-06", freq="M")


def test_talks_extend_to_the_essay_date(record):
    p = record.panel().set_index("month")
    talks = p["talks"]
    for m in (
        "2018-10",
        "2019-02",
        "2019-06",
        "2019-10",
    ):  # Pyongyang visit, Hanoi, Panmunjom, Stockholm
        assert talks[pd.Period(m, freq="M")], m
    assert not talks[pd.Period("2020-01", freq="M") : pd.Period("2021-06", freq="M")].any()
    assert p.loc[pd.Period("1994-10", freq="M"), "n_agreement"] == 1  # Agreed Framework


def test_series_counts_match_the_packaged_datasets(record):
    p = record.panel()
    year = p["month"].dt.year
    csis = load_provocations()
    for y in (2016, 2017, 2019):
        assert p.loc[year == y, "provocations"].sum() == (csis["month"].dt.year == y).sum()
    # heavy years of the record: 20+ missiles in 2016, 2017 and 2019
    missiles = p.groupby(year)["missiles"].sum()
    assert (missiles.loc[[2016, 2017, 2019]] >= 20).all()


def _write(tmp_path, events: str, manifest: str | None = None):
    (tmp_path / "record.yaml").write_text(
        manifest
        or "id: t\nstart: 2000-01\nend: 2000-12\nfiles: {events: events.csv}\nsources: {s: a source}\n",
        encoding="utf-8",
    )
    (tmp_path / "events.csv").write_text(events, encoding="utf-8")
    return tmp_path


def test_malformed_records_are_located_errors(tmp_path):
    head = "date,actor,kind,label,source,cite\n"
    for sub in "abc":
        (tmp_path / sub).mkdir()
    with pytest.raises(DataError, match="row 3: kind 'war'"):
        load_record(
            _write(
                tmp_path / "a",
                head + "2000-01,challenger,talks,x,s,c\n2000-02,challenger,war,x,s,c\n",
            )
        )
    with pytest.raises(DataError, match="missing columns cite"):
        load_record(_write(tmp_path / "b", "date,actor,kind,label,source\n2000-01,a,talks,x,s\n"))
    with pytest.raises(DataError, match="sources other"):
        load_record(_write(tmp_path / "c", head + "2000-01,challenger,talks,x,other,c\n"))
    with pytest.raises(DataError, match=r"bundled records: .*dprk"):
        load_record("no-such-record")


def test_a_small_record_gives_its_panel(tmp_path):
    head = "date,actor,kind,label,source,cite\n"
    rows = (
        "2000-03-05,challenger,provocation,x,s,c\n2000-03-09,challenger,provocation,y,s,c\n"
        "2000-04,challenger,limited_talks,z,s,c\n2000-08-01,defender,exercise,e,s,c\n"
    )
    folder = tmp_path / "d"
    folder.mkdir()
    rec = load_record(_write(folder, head + rows))
    p = rec.panel().set_index("month")
    assert p.loc[pd.Period("2000-03", freq="M"), "n_provocation"] == 2
    assert p["talks"].sum() == 1 and p.loc[pd.Period("2000-04", freq="M"), "talks"]
    assert p["exercise"].sum() == 1 and len(p) == 12


@pytest.mark.parametrize("name", ["dprk", "iran", "steel-events.csv"])
def test_the_panel_arrays_are_the_panel_table(name):
    """Record.columns (what the simulation reads, without pandas) holds the numbers of the
    table Record.panel, column by column and type by type, over the whole record and a span."""
    rec = load_record(RECORDS / name if name.endswith(".csv") else name)
    first, last = str(rec.start), str(rec.end)
    middle = str(rec.start + (rec.end - rec.start).n // 2)
    for span in ((None, None), (first, middle), (middle, last)):
        cols, table = rec.columns(*span), rec.panel(*span)
        assert list(cols) == list(table.columns)
        assert cols["month"].tolist() == table["month"].astype(str).tolist()
        for c in list(cols)[1:]:
            assert cols[c].dtype == table[c].dtype, c
            assert np.array_equal(cols[c], table[c].to_numpy()), c
    # the arrays are shared (read-only); a table is the caller's own copy
    cols = rec.columns()
    with pytest.raises(ValueError):
        cols["provocations"][0] = 99
    table = rec.panel()
    table.loc[0, "provocations"] = 99
    assert rec.panel().loc[0, "provocations"] == cols["provocations"][0] != 99


def test_months_are_counted_without_pandas():
    assert month_label(month_index("2021-06")) == "2021-06"
    assert month_index("2021-06") - month_index("2020-07") == 11
    assert month_index("2021-02-28") == month_index("2021-02")
    for bad in ("2021-13", "2021-00", "2021-02-30", "21-06", "2021/06", "June 2021", ""):
        assert month_index(bad) is None, bad
    rec = load_record("dprk")
    assert month_label(rec.first) == str(rec.start) and month_label(rec.last) == str(rec.end)
    with pytest.raises(DataError, match="'2021-13' is not a month"):
        rec.columns(end="2021-13")
    with pytest.raises(DataError, match=r"must lie within 1990-01\.\.2021-06"):
        rec.columns(end="2021-07")


def test_a_folder_record_with_a_bad_line_says_where(tmp_path):
    head = "date,actor,kind,label,source,cite\n"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with pytest.raises(DataError, match="line 3: 5 fields; the header has 6"):
        load_record(_write(tmp_path / "a", head + "2000-01,a,talks,x,s,c\n2000-02,a,talks,x,s\n"))
    # blank and whitespace-only lines are skipped, and a later problem names its own line
    (tmp_path / "c").mkdir()
    (tmp_path / "d").mkdir()
    body = "2000-01,a,talks,x,s,c\n  \n\n2000-02,a,talks,x,s,c\n"
    assert len(load_record(_write(tmp_path / "c", head + body)).columns_of_events["kind"]) == 2
    with pytest.raises(DataError, match="line 5: 1 field; the header has 6"):
        load_record(_write(tmp_path / "d", head + "2000-01,a,talks,x,s,c\n\n \nbroken\n"))
    with pytest.raises(DataError, match="dates read YYYY-MM-DD or YYYY-MM; got '2000-14'"):
        load_record(_write(tmp_path / "b", head + "2000-14,a,talks,x,s,c\n"))


def test_a_simulation_reads_its_record_without_pandas(tmp_path):
    """The record's panel, the start state and a simulation import no pandas (0.15 s of a
    run's start-up); the tables are built only where asked for."""
    code = (
        "import sys\n"
        "from detente.data.records import load_record, panel_until\n"
        "from detente.dynamics import simulate\n"
        "from detente.scenario import load_bundled\n"
        "load_record('dprk').columns(); panel_until('dprk', '2021-06')\n"
        "simulate(load_bundled('us-dprk-2021'), runs=20, months=3)\n"
        "assert 'pandas' not in sys.modules, 'pandas imported'\n"
        "load_record('dprk').panel()\n"
        "assert 'pandas' in sys.modules\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600
    )
    assert done.returncode == 0, done.stderr
