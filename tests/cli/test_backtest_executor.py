"""The backtests accept the executor options and give the same JSON wherever they run."""

import json

import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.data.loaders import data_path

runner = CliRunner()


@pytest.mark.slow
def test_outcomes_backtest_same_json_on_local_processes(tmp_path):
    lines = data_path("deu3_dev.tsv").read_text().splitlines()
    subset = tmp_path / "deu_subset.tsv"
    subset.write_text("\n".join(lines[:21]) + "\n")
    args = ["backtest", "outcomes", str(subset), "--model", "compromise,median",
            "--bootstrap", "100", "--folds", "2", "--no-ensemble", "--json"]  # fmt: skip
    here = runner.invoke(app, args)
    there = runner.invoke(app, [*args, "--workers", "2"])
    assert here.exit_code == 0 and there.exit_code == 0, here.output + there.output
    assert json.loads(here.stdout)["scores"] and here.stdout == there.stdout


@pytest.mark.slow
def test_dynamics_backtest_same_json_on_local_processes():
    args = ["backtest", "dynamics", "us-dprk-2021", "--runs", "20", "--test-only", "--json"]
    here = runner.invoke(app, args)
    there = runner.invoke(app, [*args, "--executor", "processes", "--workers", "2"])
    assert here.exit_code == 0 and there.exit_code == 0, here.output + there.output
    assert here.stdout == there.stdout


def test_backtest_bad_executor_exits_2():
    res = runner.invoke(app, ["backtest", "dynamics", "us-dprk-2021", "--executor", "gpu"])
    assert res.exit_code == 2 and "--executor must be one of" in res.output
