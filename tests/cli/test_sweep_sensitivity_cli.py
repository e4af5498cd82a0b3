"""`detente sweep` and `detente sensitivity` from the command line: the issue's examples, the
store (runs list, one table per sweep, rerun), JSON on stdout, -o, and exit 2 on bad input."""

import json

import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.store import RunStore

runner = CliRunner()
SMALL = ["--draws", "30", "--runs", "30", "--months", "4", "--executor", "inline", "--quiet"]


@pytest.mark.slow
def test_sweep_stores_six_runs_and_one_table(tmp_path):
    store = str(tmp_path / "runs.duckdb")
    res = runner.invoke(
        app,
        ["sweep", "us-dprk-2021", "--grid", "usa.red_lines.denuclearization=50,60,70",
         "--grid", "drivers.economic_distress=0.6,0.9", "--store", store, "--json",
         "--plot", str(tmp_path / "sweep.png"), *SMALL],
    )  # fmt: skip
    assert res.exit_code == 0, (res.output, repr(res.exception))
    d = json.loads(res.stdout)
    assert d["store"]["table"] == "sweep_1"
    assert [v["values"] for v in d["variants"]][:2] == [
        {"usa.red_lines.denuclearization": 50, "drivers.economic_distress": 0.6},
        {"usa.red_lines.denuclearization": 50, "drivers.economic_distress": 0.9},
    ]
    # a softer US red line can only widen the zone: P(zone) falls as the line rises
    pz = [v["p_zone"] for v in d["variants"] if v["values"]["drivers.economic_distress"] == 0.6]
    assert pz[0] >= pz[1] >= pz[2] and pz[0] > pz[2]
    assert (tmp_path / "sweep.png").stat().st_size > 0
    listed = runner.invoke(app, ["runs", "list", "--store", store, "--json"])
    runs = json.loads(listed.stdout)
    assert len(runs) == 6 and {r["command"] for r in runs} == {"sweep"}
    rows = RunStore(store).sweep_table("sweep_1")
    assert [r["run_id"] for r in rows] == sorted(r["id"] for r in runs)
    assert rows[0]["usa.red_lines.denuclearization"] == 50
    shown = runner.invoke(app, ["runs", "sweep", "1", "--store", store, "--json"])
    assert json.loads(shown.stdout) == json.loads(json.dumps(rows, default=str))
    again = runner.invoke(app, ["runs", "rerun", str(rows[3]["run_id"]), "--store", store])
    assert again.exit_code == 0 and "reproduced exactly" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--grid", "usa.nosuch.position=1,2"], "nosuch"),
        (["--grid", "usa.red_lines.denuclearization"], "PATH=V1,V2"),
        (["--grid", "usa.red_lines.denuclearization=50,,70"], "empty value"),
        (["--grid", "usa.red_lines.denuclearization=50", "--executor", "threads"], "--executor"),
    ],
)
def test_sweep_bad_input_exits_2(tmp_path, args, message):
    store = tmp_path / "runs.duckdb"
    res = runner.invoke(app, ["sweep", "us-dprk-2021", *SMALL, *args, "--store", str(store)])
    assert res.exit_code == 2, res.output
    assert message in res.output and "Traceback" not in res.output
    assert not store.exists()


def test_sensitivity_table_json_and_output(tmp_path):
    out = tmp_path / "s.json"
    res = runner.invoke(
        app,
        ["sensitivity", "iran-jcpoa-2021", "--quantity", "zone.p_open", "--n", "32",
         "--executor", "inline", "--json", "-o", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d == json.loads(out.read_text())
    assert {"first", "first_interval", "total", "total_interval"} <= set(d["inputs"][0])
    bars = tmp_path / "bars.png"
    text = runner.invoke(
        app,
        ["sensitivity", "iran-jcpoa-2021", "--n", "32", "--executor", "inline", "--quiet",
         "--plot", str(bars)],
    )  # fmt: skip
    assert text.exit_code == 0 and "is driven by" in text.output and "total" in text.output
    # the chart (drawn without pyplot, as the HTML report draws it) is a PNG
    assert bars.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--quantity", "zone.width"], "unknown quantity"),
        (["--n", "100"], "power of two"),
        (["--method", "fast"], "sobol, morris"),
        (["--workers", "0"], "--workers"),
    ],
)
def test_sensitivity_bad_input_exits_2(args, message):
    res = runner.invoke(app, ["sensitivity", "us-dprk-2021", "--executor", "inline", *args])
    assert res.exit_code == 2, res.output
    assert message in res.output and "Traceback" not in res.output
