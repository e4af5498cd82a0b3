"""The run store: round trip, tables, rerun exactness, diff, export, schema versions."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from detente.analysis.diagnosis import diagnose
from detente.cli import app
from detente.scenario import apply_sets, resolve
from detente.store import RunStore, ScenarioSource, StoreError, _schema

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.output


def _diagnosis_run(store: RunStore, name: str, sets: list[str]) -> int:
    s = apply_sets(resolve(name), sets)
    d = diagnose(s, draws=20, seed=4).to_dict()
    return store.record(
        "diagnose",
        source=ScenarioSource.resolve(name),
        result=d,
        sets=sets,
        seed=4,
        sizes={"draws": 20},
        options={"lever": None, "no_levers": False, "curvature": None, "agreement_cost": None},
    )


def test_record_and_get_round_trip_on_a_non_flagship_case(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.duckdb")
    run_id = _diagnosis_run(store, "ec-emissions-1994", [])
    rec = store.get(run_id)
    assert rec.command == "diagnose" and rec.scenario_id == "ec-emissions-1994"
    assert rec.seed == 4 and rec.sizes == {"draws": 20}
    assert rec.source is not None
    text = (
        Path(__file__).resolve().parents[2] / "src/detente/scenario/bundled/ec-emissions-1994.yaml"
    ).read_text()
    assert rec.source.text == text and rec.source.hash.startswith("sha256:")
    expected = diagnose(resolve("ec-emissions-1994"), draws=20, seed=4).to_dict()
    assert rec.result == json.loads(json.dumps(expected))
    levers = store.table("levers", run_id)
    assert [r["name"] for r in levers] == [lv["name"] for lv in expected["levers"]]
    (zone,) = store.table("diagnosis", run_id)
    assert zone["zone_nonempty"] == expected["zone_nonempty"]
    assert [r.id for r in store.list()] == [run_id]


def test_an_unknown_run_id_is_a_clear_error(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.duckdb")
    with pytest.raises(StoreError, match="no run 7; the store has no runs yet"):
        store.get(7)


def test_tables_of_a_forecast_run_hold_outcomes_and_traces(tmp_path: Path) -> None:
    db = tmp_path / "runs.duckdb"
    tsv = str(EXAMPLES / "two-actors.tsv")
    code, out = _cli("forecast", tsv, "--model", "eum,compromise", "--store", str(db), "--json")
    assert code == 0, out
    store = RunStore(db)
    (rec,) = store.list()
    outcomes = store.table("forecasts", rec.id)
    assert {r["model"] for r in outcomes} == {"eum", "compromise"}
    traces = store.table("traces", rec.id)
    assert traces and {r["model"] for r in traces} == {"eum", "compromise"}
    assert max(r["round"] for r in traces if r["model"] == "eum") >= 1


def test_rerun_reproduces_a_flagship_run_exactly_and_says_so(tmp_path: Path) -> None:
    db = str(tmp_path / "runs.duckdb")
    code, out = _cli("run", "--store", db, "--draws", "20", "--runs", "30", "--months", "6", "-q")
    assert code == 0, out
    code, out = _cli("runs", "rerun", "1", "--store", db)
    assert code == 0, out
    assert "run 1 reproduced exactly" in out


def test_rerun_of_a_file_scenario_reads_the_stored_text(tmp_path: Path) -> None:
    db = str(tmp_path / "runs.duckdb")
    src = tmp_path / "two-actors.tsv"
    src.write_text((EXAMPLES / "two-actors.tsv").read_text())
    code, out = _cli("diagnose", str(src), "--draws", "20", "--store", db, "--json")
    assert code == 0, out
    src.write_text("not a scenario any more\n")  # the rerun must not read the file again
    code, out = _cli("runs", "rerun", "1", "--store", db)
    assert code == 0, out
    assert "reproduced exactly" in out


def test_rerun_fails_loudly_when_the_stored_result_differs(tmp_path: Path) -> None:
    db = tmp_path / "runs.duckdb"
    code, out = _cli("diagnose", "ec-emissions-1994", "--draws", "20", "--store", str(db), "--json")
    assert code == 0, out
    con = duckdb.connect(str(db))
    (text,) = con.execute("SELECT result_json FROM runs WHERE id = 1").fetchone()
    tampered = json.loads(text)
    tampered["p_zone_nonempty"] = 0.123
    con.execute("UPDATE runs SET result_json = ? WHERE id = 1", [json.dumps(tampered)])
    con.close()
    code, out = _cli("runs", "rerun", "1", "--store", str(db))
    assert code == 1
    assert "NOT reproduced" in out and "p_zone_nonempty: 0.123" in out


def test_diff_lists_the_input_change_and_the_zone_opening(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.duckdb")
    a = _diagnosis_run(store, "us-dprk-2021", [])
    b = _diagnosis_run(store, "us-dprk-2021", ["usa.red_lines.denuclearization=none"])
    d = store.diff(a, b)
    assert {"what": "--set", "a": None, "b": "usa.red_lines.denuclearization=none"} in d["inputs"]
    rows = {r["what"]: (r["a"], r["b"]) for r in d["results"]}
    assert rows["zone.zone_nonempty"] == (False, True)
    assert rows["zone.p_zone_nonempty"][1] > rows["zone.p_zone_nonempty"][0]
    assert any(w.startswith("lever.") for w in rows), "the levers' change is listed"
    assert not d["identical_results"]
    same = store.diff(a, a)
    assert same["inputs"] == [] and same["results"] == [] and same["identical_results"]


def test_runs_diff_command_prints_both_sides(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.duckdb")
    a = _diagnosis_run(store, "us-dprk-2021", [])
    b = _diagnosis_run(store, "us-dprk-2021", ["usa.red_lines.denuclearization=none"])
    code, out = _cli("runs", "diff", str(a), str(b), "--store", str(store.path))
    assert code == 0, out
    assert "usa.red_lines.denuclearization=none" in out and "zone.zone_nonempty" in out
    code, out = _cli("runs", "list", "--store", str(store.path), "--json")
    assert code == 0 and [r["id"] for r in json.loads(out)] == [b, a]


def test_export_formats(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.duckdb")
    run_id = _diagnosis_run(store, "ec-emissions-1994", [])
    data = json.loads(store.export(run_id, "json"))
    assert data["id"] == run_id and data["result"]["scenario"] == "ec-emissions-1994"
    assert store.export(run_id, "scenario") == ScenarioSource.resolve("ec-emissions-1994").text
    csv = store.export(run_id, "csv-levers").splitlines()
    assert csv[0].startswith("run_id,name,change") and len(csv) == 1 + len(data["result"]["levers"])
    with pytest.raises(StoreError, match="unknown export format 'pdf'"):
        store.export(run_id, "pdf")


def test_a_store_of_a_newer_schema_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    db = tmp_path / "runs.duckdb"
    _diagnosis_run(RunStore(db), "ec-emissions-1994", [])
    con = duckdb.connect(str(db))
    con.execute("UPDATE store_info SET schema_version = 99, written_by = '9.9'")
    con.close()
    with pytest.raises(StoreError, match=r"schema 99 \(written by detente 9.9\) is newer"):
        RunStore(db).list()
    code, out = _cli("runs", "list", "--store", str(db))
    assert code == 2 and "upgrade detente" in out and "Traceback" not in out


def test_an_older_schema_is_migrated_or_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "runs.duckdb"
    run_id = _diagnosis_run(RunStore(db), "ec-emissions-1994", [])
    con = duckdb.connect(str(db))
    con.execute("UPDATE store_info SET schema_version = 0")
    con.close()
    with pytest.raises(StoreError, match=r"schema 0 .* cannot be migrated to schema 1"):
        RunStore(db).list()
    seen = []
    monkeypatch.setitem(_schema.MIGRATIONS, 0, lambda con: seen.append(0))
    assert [r.id for r in RunStore(db).list()] == [run_id]
    assert seen == [0]
    con = duckdb.connect(str(db))
    assert con.execute("SELECT schema_version FROM store_info").fetchone() == (1,)
    con.close()


def test_a_duckdb_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not a detente run store"):
        RunStore(db).list()
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="is a file of another kind, not a DuckDB run store"):
        RunStore(junk).list()


STEEL = str(Path(__file__).parents[2] / "examples" / "steel-dispute.yaml")


@pytest.mark.parametrize(
    "args",
    [
        ["forecast", "ec-emissions-1994", "--model", "eum,nash", "--rounds", "3", "--seed", "2"],
        ["diagnose", STEEL, "--draws", "10", "--lever", "importer-cuts-tariff-demand"],
        ["claims", STEEL, "--draws", "10", "--runs", "20", "--months", "12", "--seed", "3"],
        [
            "simulate",
            "--runs",
            "20",
            "--months",
            "4",
            "--what-if",
            "economic-collapse",
            "--seed",
            "5",
        ],
        ["run", "ec-emissions-1994", "--draws", "10", "--runs", "10", "--months", "3", "-q"],
    ],
    ids=lambda a: a[0],
)
def test_every_recording_command_is_rerun_exactly(tmp_path: Path, args: list[str]) -> None:
    db = str(tmp_path / "runs.duckdb")
    code, out = _cli(*args, "--store", db, *(["--json"] if args[0] != "run" else []))
    assert code == 0, out
    (rec,) = RunStore(db).list()
    assert rec.command == args[0]
    assert "json_out" not in rec.options and "json_" not in rec.options
    code, out = _cli("runs", "rerun", str(rec.id), "--store", db)
    assert code == 0, out
    assert f"run {rec.id} reproduced exactly" in out


def test_runs_show_and_export_commands(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.duckdb")
    run_id = _diagnosis_run(store, "ec-emissions-1994", [])
    code, out = _cli("runs", "show", str(run_id), "--store", str(store.path))
    assert code == 0, out
    shown = json.loads(out)
    assert shown["id"] == run_id and shown["scenario"] == "ec-emissions-1994"
    assert "levers" in shown["result_keys"]
    target = tmp_path / "scenario.yaml"
    code, out = _cli(
        "runs",
        "export",
        str(run_id),
        "--store",
        str(store.path),
        "--format",
        "scenario",
        "-o",
        str(target),
    )
    assert code == 0, out
    assert resolve(str(target)) == resolve("ec-emissions-1994")
    code, out = _cli("runs", "show", "42", "--store", str(store.path))
    assert code == 2 and "no run 42; ids go up to 1" in out
