"""Each case its own record: a user's CSV of dated events, fitted with declared pooling;
located errors and exit 2 for a bad file; every dynamics parameter with its provenance."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.data.records import RecordFileError, load_record, record_key
from detente.dynamics import simulate
from detente.dynamics.casefit import FITTED_NAMES, case_parameters
from detente.dynamics.parameters import DEFAULTS
from detente.errors import DataError
from detente.scenario import resolve

ROOT = Path(__file__).parents[2]
STEEL = ROOT / "examples" / "steel-dispute.yaml"
EVENTS = ROOT / "tests" / "data" / "records" / "steel-events.csv"
BAD = ROOT / "tests" / "data" / "records" / "bad-events.csv"


def _with_record(s, record):
    return s.model_copy(update={"roles": s.roles.model_copy(update={"record": record})})


def test_a_users_csv_is_a_record():
    rec = load_record(EVENTS)
    panel = rec.panel()
    assert str(rec.start) == "2016-03" and str(rec.end) == "2021-05"
    assert len(panel) == 63
    assert int(panel["provocations"].sum()) == 12  # provocation + strategic rows
    assert int(panel["talks"].sum()) == 7


def test_a_bad_record_lists_every_problem_with_its_line(tmp_path):
    with pytest.raises(RecordFileError) as err:
        load_record(BAD)
    lines = err.value.lines()
    assert len(lines) == 3
    assert "line 2, column date" in lines[0] and "2019-13" in lines[0]
    assert "line 3, column kind" in lines[1] and "summit" in lines[1]
    assert "line 4, column actor" in lines[2]
    missing = tmp_path / "no-kind.csv"
    missing.write_text("date,actor\n2020-01,x\n")
    with pytest.raises(DataError, match="line 1: missing column kind"):
        load_record(missing)


def test_a_bad_record_exits_2_with_located_messages():
    out = CliRunner().invoke(app, ["simulate", str(STEEL), "--record", str(BAD), "--runs", "10"])
    assert out.exit_code == 2
    assert "line 3, column kind" in out.output
    assert "Traceback" not in out.output


@pytest.mark.parametrize("text", ["", "  \n\n"])
def test_an_empty_record_says_what_a_record_holds_not_a_scenario(tmp_path, text):
    empty = tmp_path / "empty-events.csv"
    empty.write_text(text)
    out = CliRunner().invoke(app, ["simulate", str(STEEL), "--record", str(empty), "--runs", "10"])
    assert out.exit_code == 2
    assert "Traceback" not in out.output
    assert "file is empty" in out.output
    assert "scenario into it" not in out.output
    assert "date,kind,actor" in " ".join(out.output.split())


def test_the_dynamics_are_fitted_on_the_case_record():
    steel = resolve(str(STEEL))
    before, _ = case_parameters(steel)
    assert all(p.source == "prior" for p in before.values())
    params, notes = case_parameters(_with_record(steel, str(EVENTS)))
    for name in FITTED_NAMES:
        p = params[name]
        if name.startswith("missile"):
            assert p.source == "prior"  # the file has no missile series
            continue
        assert p.source == "pooled", name
        assert "steel-events" in p.provenance and "pooled toward record dprk" in p.provenance
    # the fit moves the count process toward the file's own rate (12 events in 63 months)
    assert params["provocation_rate_no_talks"].value != DEFAULTS["provocation_rate_no_talks"].value
    assert any("pooled toward record dprk" in n for n in notes)
    base = simulate(steel, runs=400, months=24, seed=1)
    own = simulate(_with_record(steel, str(EVENTS)), runs=400, months=24, seed=1)
    assert base.provocations.mean() != own.provocations.mean()


def test_run_fits_on_the_record_given_on_the_command_line():
    out = CliRunner().invoke(
        app,
        ["simulate", str(STEEL), "--record", str(EVENTS), "--runs", "200", "--json"],
    )
    assert out.exit_code == 0, out.output
    notes = json.loads(out.stdout)["notes"]
    assert any("steel-events" in n and "pooled" in n for n in notes)


def test_every_iran_parameter_names_the_iran_record_or_a_prior():
    params, _ = case_parameters(resolve("iran-jcpoa-2021"))
    assert set(params) == set(DEFAULTS)
    for name, p in params.items():
        assert p.source in ("pooled", "prior", "scenario"), name
        if p.source == "pooled":
            assert p.provenance.startswith("fitted on record iran"), name
        elif p.source == "prior":
            assert p.provenance.startswith("prior"), name
    assert sum(p.source == "pooled" for p in params.values()) >= 15


def test_show_sources_lists_every_dynamics_parameter():
    out = CliRunner().invoke(app, ["show", "iran-jcpoa-2021", "--sources"])
    assert out.exit_code == 0, out.output
    for name in DEFAULTS:
        assert f"parameters.{name} =" in out.output, name
    assert "fitted on record iran" in out.output


def _outlook(s, record) -> dict[str, np.ndarray]:
    r = simulate(_with_record(s, record), runs=200, months=12, seed=3)
    return {"modes": r.modes, "provocations": r.provocations}


def _same_outlook(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return all(np.array_equal(a[k], b[k]) for k in a)


def test_an_edited_record_is_read_again_in_the_same_process(tmp_path, monkeypatch):
    """Regression: the record's panel, the start state filtered from it and the case's fit
    were cached on the record's path alone, so a user's CSV edited in one process (a
    notebook, the workbench) gave the old results, and the same relative path in another
    folder gave the first folder's. They are keyed on the file's resolved path, modification
    time and size now: each result equals a fresh read of the same file."""
    steel = resolve(str(STEEL))
    # the steel record carried on to the case's start month (2025-01), so the start state
    # is read from it too
    base = EVENTS.read_text() + "".join(
        f"{y}-{m:02d},provocation,exporter,tariff round\n"
        for y in (2022, 2023, 2024)
        for m in (3, 9)
    )
    base += "2025-01,limited_talks,importer,talks resume\n"
    edited = base + "".join(f"2024-{m:02d},provocation,exporter,surge\n" for m in range(6, 13))
    for folder, text in (("a", base), ("b", edited), ("fresh", edited)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "events.csv").write_text(text)
    path = tmp_path / "a" / "events.csv"
    first = _outlook(steel, str(path))
    path.write_text(edited)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    again = _outlook(steel, str(path))
    fresh = _outlook(steel, str(tmp_path / "fresh" / "events.csv"))
    assert not _same_outlook(first, fresh)  # the edit moves the outlook
    assert _same_outlook(again, fresh)
    # one relative path, two folders: each folder's own file
    path.write_text(base)
    monkeypatch.chdir(tmp_path / "a")
    assert _same_outlook(_outlook(steel, "events.csv"), first)
    monkeypatch.chdir(tmp_path / "b")
    assert _same_outlook(_outlook(steel, "events.csv"), fresh)


def test_the_record_key_follows_the_file():
    """record_key: a user's CSV by resolved path, modification time and size; a bundled
    record by its folder, whatever the spelling."""
    folder = load_record("dprk").folder
    assert folder is not None
    assert record_key("dprk") == record_key(folder) == (str(folder.resolve()), 0, 0)
    key = record_key(EVENTS)
    assert key[0] == str(EVENTS.resolve()) and key[2] == EVENTS.stat().st_size


def test_the_backtest_fit_reads_an_edited_record_again(tmp_path):
    """Regression: the backtest's fit at an origin (posterior.fit_record) was cached on the
    record's path alone; an edited CSV now gives the fit of a fresh copy of the file."""
    from detente.dynamics.posterior import fit_record

    edited = EVENTS.read_text() + "".join(
        f"2021-{m:02d},provocation,exporter,surge\n" for m in range(1, 6)
    )
    path, copy = tmp_path / "events.csv", tmp_path / "copy.csv"
    path.write_text(EVENTS.read_text())
    copy.write_text(edited)
    first = fit_record(str(path), "2021-05")
    path.write_text(edited)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    again, fresh = fit_record(str(path), "2021-05"), fit_record(str(copy), "2021-05")
    assert first != fresh and again == fresh


def test_run_reports_on_a_users_csv_record_and_names_the_backtest_to_run(tmp_path):
    record = tmp_path / "events.csv"
    record.write_bytes(EVENTS.read_bytes())
    out = CliRunner().invoke(
        app,
        ["run", str(STEEL), "--record", str(record), "--runs", "100", "--draws", "50", "--json"],
    )
    assert out.exit_code == 0, out.output
    calibration = json.loads(out.stdout)["calibration"]
    assert calibration["record"] == "events" and calibration["backtest"] is None
    assert f"--record {record} --save" in calibration["note"]


def test_a_record_too_short_for_any_origin_is_refused_with_exit_2(tmp_path):
    short = tmp_path / "short.csv"
    short.write_text(
        "date,kind,actor\n2019-01-15,provocation,exporter\n2019-03,limited_talks,importer\n"
        "2020-02,provocation,exporter\n"
    )
    out = CliRunner().invoke(
        app,
        ["backtest", "dynamics", str(STEEL), "--record", str(short), "--runs", "20", "--save"],
    )
    assert out.exit_code == 2
    assert "too short for a rolling-origin backtest" in out.output
    assert "Traceback" not in out.output
    assert not (tmp_path / "short.backtest.json").exists()


def _long_record(path: Path) -> None:
    """Twenty-five years of monthly events, drawn once with a fixed seed."""
    rng = np.random.default_rng(3)
    rows = ["date,kind,actor,label"]
    for year in range(1996, 2021):
        for month in range(1, 13):
            if rng.random() < 0.35:
                rows.append(f"{year}-{month:02d},provocation,exporter,duties")
            if rng.random() < 0.08:
                rows.append(f"{year}-{month:02d},limited_talks,importer,talks")
    path.write_text("\n".join(rows) + "\n")


@pytest.mark.slow
def test_a_backtest_on_a_users_csv_is_saved_beside_it_and_read_by_the_report(tmp_path):
    record = tmp_path / "long.csv"
    _long_record(record)
    runner = CliRunner()
    saved = runner.invoke(
        app,
        ["backtest", "dynamics", str(STEEL), "--record", str(record), "--runs", "40",
         "--test-only", "--save", "--executor", "inline"],
    )  # fmt: skip
    assert saved.exit_code == 0, saved.output
    stored = tmp_path / "long.backtest.json"
    assert json.loads(stored.read_text())["settings"]["runs"] == 40
    out = runner.invoke(
        app,
        ["run", str(STEEL), "--record", str(record), "--runs", "100", "--draws", "50", "--json"],
    )
    assert out.exit_code == 0, out.output
    calibration = json.loads(out.stdout)["calibration"]
    assert calibration["backtest"] is not None and calibration["note"] is None
    assert calibration["verdicts"]
    # the record edited: the stored verdicts no longer match it and are not quoted
    record.write_text(record.read_text() + "2020-12,provocation,exporter,more duties\n")
    again = runner.invoke(
        app,
        ["run", str(STEEL), "--record", str(record), "--runs", "100", "--draws", "50", "--json"],
    )
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["calibration"]["backtest"] is None
