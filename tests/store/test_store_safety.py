"""The run store under faults: paths checked before the work, no extension loaded, concurrent
writers losing nothing, reruns compared canonically, the store never overwritten by an output."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import duckdb
import pytest

from detente.store import (
    DUCKDB_CONFIG,
    RunRecord,
    RunStore,
    StoreError,
    canonical,
    check_store_path,
    diff_runs,
    same_results,
    value_differences,
)

ROOT = Path(__file__).parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def _cli(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "detente", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=ENV,
        timeout=timeout,
    )


def _small_run(store: RunStore, n: int) -> int:
    return store.record("forecast", source=None, result={"scenario": "s", "n": n})


# ----- the path, before any work ------------------------------------------------------------


def test_a_folder_fifo_device_or_missing_folder_is_refused_with_its_option(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    cases = {
        tmp_path: "is a folder",
        fifo: "is not a regular file",
        Path("/dev/null"): "is not a regular file",
        tmp_path / "missing" / "runs.duckdb": "does not exist",
    }
    for path, words in cases.items():
        with pytest.raises(StoreError, match=words) as info:
            RunStore(path)
        assert str(info.value).startswith(f"--store {path}: ")


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        (b"SQLite format 3\x00" + b"\x00" * 200, "a SQLite database"),
        (b'{"id": 1, "result": {}}', "a JSON file"),
        (b"", "an empty file"),
    ],
)
def test_a_file_of_another_kind_is_refused_before_duckdb_sees_it(
    tmp_path: Path, header: bytes, kind: str
) -> None:
    path = tmp_path / "runs.duckdb"
    path.write_bytes(header)
    with pytest.raises(StoreError, match=kind):
        RunStore(path, create=False).list()
    assert path.read_bytes() == header  # untouched


def test_connections_never_load_or_install_extensions(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.duckdb")
    _small_run(store, 1)
    with store._connect() as con:
        settings = dict(
            con.execute(
                "SELECT name, value FROM duckdb_settings() WHERE name IN "
                "('autoload_known_extensions', 'autoinstall_known_extensions')"
            ).fetchall()
        )
    assert settings == {
        "autoload_known_extensions": "false",
        "autoinstall_known_extensions": "false",
    }
    assert DUCKDB_CONFIG["autoinstall_known_extensions"] is False


def test_sqlite_magic_bytes_reach_no_network(tmp_path: Path) -> None:
    """Before: DuckDB read the SQLite header and tried to download its sqlite extension."""
    path = tmp_path / "s.duckdb"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 500)
    result = _cli("runs", "list", "--store", str(path), cwd=tmp_path)
    assert result.returncode == 2
    assert "is a SQLite database, not a DuckDB run store" in result.stderr
    assert "INSTALL" not in result.stderr and "Traceback" not in result.stderr


def test_read_only_commands_never_create_a_store(tmp_path: Path) -> None:
    missing = tmp_path / "mistyped.duckdb"
    for args in (["list"], ["show", "1"], ["diff", "1", "2"], ["export", "1"], ["rerun", "1"]):
        result = _cli("runs", *args, "--store", str(missing), cwd=tmp_path)
        assert result.returncode == 2, args
        assert f"--store {missing}: there is no run store here" in result.stderr
        assert not missing.exists()


def test_a_fifo_as_store_is_refused_at_once_instead_of_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = _cli("runs", "list", "--store", str(fifo), cwd=tmp_path, timeout=60)
    assert result.returncode == 2 and "is not a regular file" in result.stderr


def test_a_store_that_is_a_folder_is_refused_before_the_work(tmp_path: Path) -> None:
    """Before: the report was computed and its JSON written, then the run was not recorded."""
    out = tmp_path / "st.json"
    result = _cli(
        "run", "ec-emissions-1994", "--json", str(out), "--store", str(tmp_path), cwd=tmp_path
    )
    assert result.returncode == 2 and f"--store {tmp_path}: is a folder" in result.stderr
    assert not out.exists()


def test_exporting_onto_the_store_itself_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    _small_run(RunStore(db), 1)
    before = db.read_bytes()
    result = _cli("runs", "export", "1", "--store", str(db), "-o", str(db), cwd=tmp_path)
    assert result.returncode == 2
    assert f"--output {db}: is the input {db}; writing would overwrite it" in result.stderr
    assert db.read_bytes() == before
    assert [r.id for r in RunStore(db, create=False).list()] == [1]


def test_a_json_output_onto_the_store_is_refused_before_the_work(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    _small_run(RunStore(db), 1)
    result = _cli(
        "run", "ec-emissions-1994", "--json", str(db), "--store", str(db), "-q", cwd=tmp_path
    )
    assert result.returncode == 2
    assert "is also the file of --json" in result.stderr
    assert [r.id for r in RunStore(db, create=False).list()] == [1]


def test_a_held_lock_is_waited_for_then_refused_loudly(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    _small_run(RunStore(db), 1)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys, time\ncon = duckdb.connect({str(db)!r})\n"
            "print('holding', flush=True)\ntime.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        with pytest.raises(StoreError, match=r"still in use by another program after 0.5 s"):
            _small_run(RunStore(db, lock_timeout=0.5), 2)
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    assert [r.id for r in RunStore(db).list()] == [1]


_WRITER = textwrap.dedent(
    """
    import sys
    from detente.store import RunStore
    store = RunStore(sys.argv[1], lock_timeout=120)
    for i in range(int(sys.argv[3])):
        store.record("forecast", source=None, result={"scenario": "s", "writer": sys.argv[2], "i": i})
    """
)


def test_two_processes_writing_30_runs_each_lose_none(tmp_path: Path) -> None:
    """Before: DuckDB's lock conflict was not retried; 39 of 60 runs were lost."""
    db = tmp_path / "s.duckdb"
    RunStore(db).list()  # create it, so both writers open an existing store
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(db), name, "30"], env=ENV)
        for name in ("a", "b")
    ]
    assert [w.wait(timeout=600) for w in writers] == [0, 0]
    runs = RunStore(db, create=False).list(limit=1000)
    assert len(runs) == 60
    con = duckdb.connect(str(db), read_only=True, config=DUCKDB_CONFIG)
    results = [json.loads(r[0]) for r in con.execute("SELECT result_json FROM runs").fetchall()]
    con.close()
    assert sorted((r["writer"], r["i"]) for r in results) == sorted(
        (w, i) for w in "ab" for i in range(30)
    )


# ----- reruns and byte-identical outputs ----------------------------------------------------


def test_rerun_compares_canonically_typed_values() -> None:
    stored = json.loads(json.dumps({"change_vs_baseline": {6: {"talks": 0.01}}, "x": (1, 2)}))
    rerun = {"change_vs_baseline": {6: {"talks": 0.01}}, "x": (1, 2), "timings": {"all": 3.0}}
    assert same_results(stored, rerun)
    assert value_differences(stored, rerun) == []
    assert value_differences(stored, {**rerun, "x": (1, 3)}) == ["x[1]: 2 -> 3"]
    assert canonical({1: float("nan")}) == {"1": None}


def test_simulate_with_a_what_if_reruns_exactly(tmp_path: Path) -> None:
    """Before: 'NOT reproduced' with identical values (stored keys strings, rerun's integers)."""
    db = tmp_path / "x.duckdb"
    args = ["--what-if", "china-cuts-support", "--runs", "100", "--months", "12"]
    first = _cli("simulate", "us-dprk-2021", *args, "--store", str(db), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    again = _cli("runs", "rerun", "1", "--store", str(db), cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reproduced exactly" in again.stdout


def test_run_json_is_byte_identical_between_identical_runs(tmp_path: Path) -> None:
    args = ["ec-emissions-1994", "--draws", "20", "--runs", "50", "-q"]
    for name in ("a.json", "b.json"):
        assert _cli("run", *args, "--json", name, cwd=tmp_path).returncode == 0
    a, b = (tmp_path / "a.json").read_bytes(), (tmp_path / "b.json").read_bytes()
    assert a == b and b'"timings"' not in a


def test_run_html_dash_writes_the_report_to_stdout(tmp_path: Path) -> None:
    result = _cli(
        "run", "ec-emissions-1994", "--draws", "20", "--runs", "50", "--html", "-", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.lstrip().lower().startswith("<!doctype html")
    assert not (tmp_path / "-").exists()
    both = _cli("run", "ec-emissions-1994", "--html", "-", "--json", "-", cwd=tmp_path)
    assert both.returncode == 2 and "would both write to standard output" in both.stderr


def test_check_store_path_accepts_a_new_file_and_an_existing_store(tmp_path: Path) -> None:
    new = tmp_path / "runs.duckdb"
    assert check_store_path(new, create=True) == new
    _small_run(RunStore(new), 1)
    assert check_store_path(new, create=False) == new


# ----- runs diff: the summary and Monte Carlo noise ------------------------------------------


def _rec(run_id: int, **kw: Any) -> RunRecord:
    base: dict[str, Any] = {
        "id": run_id,
        "command": "run",
        "created": datetime.datetime(2026, 1, 1),
        "detente_version": "test",
        "label": None,
        "scenario_id": "steel-dispute",
        "source": None,
        "sizes": {"draws": 100, "runs": 200},
    }
    return RunRecord(**{**base, **kw})


def _tables(zone: bool, p_zone: float, verdict: str, robustness: float, agreement: float,
            outcome: float) -> dict[str, list[dict[str, Any]]]:  # fmt: skip
    return {
        "diagnosis": [
            {
                "zone_nonempty": zone,
                "p_zone_nonempty": p_zone,
                "gap": 0.0 if zone else 0.1,
                "blockers": "[]",
            }
        ],
        "levers": [],
        "forecasts": [{"model": "nash", "issue": "tariff", "outcome": outcome}],
        "traces": [],
        "outlook": [
            {"month_index": 5, "month": "2025-07", "mode": "agreement", "probability": agreement}
        ],
        "claims": [{"claim": "T1", "verdict": verdict, "robustness": robustness}],
    }


def test_diff_leads_with_a_summary_and_hides_changes_within_noise() -> None:
    a = _tables(False, 0.02, "holds", 0.90, 0.01, 40.0)
    b = _tables(True, 1.0, "fails", 0.88, 0.24, 35.0)
    ra, rb = _rec(1), _rec(2, what_ifs=["importer-cuts-tariff-demand"])
    d = diff_runs(ra, rb, {k: (a[k], b[k]) for k in a})
    s = d["summary"]
    assert s["inputs_changed"] == ["--what-if"]
    assert s["zone"]["flipped"] and s["zone"]["p_b"] == 1.0
    assert s["verdicts_flipped"] == [{"claim": "T1", "a": "holds", "b": "fails"}]
    # 0.01 -> 0.24 over 200 runs each: far beyond the 95% interval (about ±0.06)
    (move,) = s["outlook_moves"]
    assert move["what"] == "2025-07.agreement.probability" and 0.05 < move["interval"] < 0.07
    assert s["forecasts_changed"] == 1
    # robustness 0.90 -> 0.88 over 100 draws is noise: hidden unless asked
    assert "claim.T1.robustness" not in [r["what"] for r in d["results"]]
    assert d["hidden_as_noise"] == 1 and s["within_noise"] == 1
    shown = diff_runs(ra, rb, {k: (a[k], b[k]) for k in a}, show_noise=True)
    (rob,) = [r for r in shown["results"] if r["what"] == "claim.T1.robustness"]
    assert rob["noise"] is True and rob["interval"] > 0.02


def test_the_same_change_is_noise_with_few_draws_and_real_with_many() -> None:
    a = _tables(False, 0.40, "holds", 0.9, 0.3, 40.0)
    b = _tables(False, 0.50, "holds", 0.9, 0.3, 40.0)
    pairs = {k: (a[k], b[k]) for k in a}
    few = diff_runs(_rec(1, sizes={"draws": 50}), _rec(2, sizes={"draws": 50}), pairs)
    many = diff_runs(_rec(1, sizes={"draws": 5000}), _rec(2, sizes={"draws": 5000}), pairs)
    assert few["results"] == [] and few["hidden_as_noise"] == 1
    assert [r["what"] for r in many["results"]] == ["zone.p_zone_nonempty"]


def test_runs_diff_and_html_export_commands(tmp_path: Path) -> None:
    db = tmp_path / "d.duckdb"
    steel = str(ROOT / "examples" / "steel-dispute.yaml")
    sizes = ["--draws", "40", "--runs", "60", "--months", "12", "-q"]
    for extra in ([], ["--what-if", "importer-cuts-tariff-demand"]):
        done = _cli("run", steel, *sizes, *extra, "--store", str(db), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    out = _cli("runs", "diff", "1", "2", "--store", str(db), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    head = out.stdout.splitlines()[:4]
    assert head[0] == "Run 1 -> run 2" and "inputs changed: --what-if" in head[1]
    assert "zone of agreement: closed -> open" in head[2]
    page = tmp_path / "r2.html"
    exp = _cli(
        "runs", "export", "2", "--format", "html", "-o", str(page), "--store", str(db), cwd=tmp_path
    )
    assert exp.returncode == 0, exp.stderr
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<script" not in text
    assert "importer-cuts-tariff-demand" in text and "Zone of agreement" in text
