"""The one CLI convention of docs/cli.md, checked on every command and on the documented lines.

Every command: ``-h`` and ``--help``; usage lines in capitals without braces; ``--json`` on
standard output and ``-o/--output FILE`` for the same JSON in a file; exit statuses 0 / 1 / 2 /
130; a closed pipe ends with 0. The subprocess tests run the installed entry point the way a
shell does (``detente show us-dprk-2021 | head -1``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from detente.cli import app
from detente.cli._conventions import option_names

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
STEEL = ROOT / "examples" / "steel-dispute.yaml"
SMALL = ["--draws", "20", "--runs", "20", "--months", "6"]


def _all_commands() -> list[tuple[list[str], Any]]:
    """Every leaf command of the app as (its words, the click command)."""
    out: list[tuple[list[str], Any]] = []

    def walk(cmd: Any, words: list[str]) -> None:
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(sub, [*words, name])
        else:
            out.append((words, cmd))

    walk(typer.main.get_command(app), [])
    return out


COMMANDS = _all_commands()


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "detente", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        input=stdin,
    )


@pytest.mark.parametrize("words", [w for w, _ in COMMANDS], ids=" ".join)
def test_every_command_answers_dash_h_like_dash_dash_help(words: list[str]) -> None:
    short = runner.invoke(app, [*words, "-h"], env={"COLUMNS": "100"})
    long = runner.invoke(app, [*words, "--help"], env={"COLUMNS": "100"})
    assert short.exit_code == 0 and long.exit_code == 0, short.output
    assert short.output == long.output
    usage = next(line for line in short.output.splitlines() if "Usage:" in line)
    assert "{" not in usage and "}" not in usage, usage
    assert "]>" not in short.output and "STR]" not in short.output


@pytest.mark.parametrize("words", [w for w, _ in COMMANDS], ids=" ".join)
def test_every_command_with_json_also_writes_it_with_dash_o(words: list[str]) -> None:
    cmd = dict((tuple(w), c) for w, c in COMMANDS)[tuple(words)]
    opts = {o for p in cmd.params for o in getattr(p, "opts", [])}
    if "--json" not in opts:
        # serve prints no result; runs export writes any of its formats with its own -o
        assert words in (["serve"], ["runs", "export"]), f"{words} has no --json"
        return
    assert {"-o", "--output"} <= opts


def test_option_names_reads_annotated_options() -> None:
    import inspect

    from detente.cli.scenario_cmds import show

    params = inspect.signature(show, eval_str=True).parameters
    assert option_names(params["json_out"]) == ("--json",)
    assert option_names(params["scenario"]) == ()


def test_validate_help_has_a_clean_usage_and_argument_column() -> None:
    r = runner.invoke(app, ["validate", "-h"], env={"COLUMNS": "100"})
    assert "Usage: detente validate [OPTIONS] FILES..." in r.output
    assert "FILES..." in r.output.split("Arguments")[1]


def test_forecast_dash_h_after_the_scenario_prints_help() -> None:
    r = runner.invoke(app, ["forecast", "us-dprk-2021", "-h"], env={"COLUMNS": "100"})
    assert r.exit_code == 0
    assert "Usage: detente forecast [OPTIONS] SCENARIO" in r.output


def test_json_goes_to_stdout_and_dash_o_writes_the_same(tmp_path: Path) -> None:
    r = runner.invoke(app, ["show", str(STEEL), "--json"])
    assert r.exit_code == 0, r.output
    on_stdout = json.loads(r.output)
    target = tmp_path / "steel.json"
    r = runner.invoke(app, ["show", str(STEEL), "-o", str(target)])
    assert r.exit_code == 0, r.output
    assert json.loads(target.read_text()) == on_stdout
    assert "{" not in r.stdout  # the JSON went to the file, not the screen


def test_dash_o_is_checked_before_the_work(tmp_path: Path) -> None:
    r = runner.invoke(app, ["forecast", str(STEEL), "-o", str(tmp_path / "missing" / "x.json")])
    assert r.exit_code == 2
    assert "--output" in r.output and "Traceback" not in r.output
    before = STEEL.read_bytes()
    r = runner.invoke(app, ["show", str(STEEL), "-o", str(STEEL)])
    assert r.exit_code == 2 and "input" in r.output
    assert STEEL.read_bytes() == before


def test_run_json_is_a_flag_and_the_old_file_form_still_works(tmp_path: Path) -> None:
    r = runner.invoke(app, ["run", str(STEEL), *SMALL, "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["scenario"] == "steel-dispute"
    old = tmp_path / "old.json"
    r = runner.invoke(app, ["run", str(STEEL), *SMALL, "--json", str(old)])
    assert r.exit_code == 0, r.output
    assert "deprecated" in r.stderr and "-o" in r.stderr
    assert json.loads(old.read_text())["scenario"] == "steel-dispute"
    assert "steel" in r.stdout.lower()  # the old form still prints the report
    new = tmp_path / "new.json"
    r = runner.invoke(app, ["run", str(STEEL), *SMALL, "-o", str(new)])
    assert r.exit_code == 0, r.output
    assert json.loads(new.read_text())["scenario"] == "steel-dispute"


def test_claims_fail_on_sets_the_exit_status(tmp_path: Path) -> None:
    # steel-dispute with its one encoded claim T2 (the tariff red lines do not overlap): it holds
    # as written and fails once the importer's red line goes.
    import yaml

    data = yaml.safe_load(STEEL.read_text())
    data["claims"] = [c for c in data["claims"] if c["id"] == "T2"]
    case = tmp_path / "steel-t2.yaml"
    case.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    args = ["claims", str(case), "--draws", "20"]
    r = runner.invoke(app, [*args, "--fail-on", "failed"])
    assert r.exit_code == 0, r.output
    broken = [*args, "--set", "importer.red_lines.tariff=none"]
    r = runner.invoke(app, [*broken, "--json"])
    assert [c["verdict"] for c in json.loads(r.stdout)["claims"]] == ["fails"]
    r = runner.invoke(app, [*broken, "--fail-on", "failed"])
    assert r.exit_code == 1 and "T2 fails" in r.stderr
    assert "Claims" in r.stdout  # the table is printed before the status is set
    r = runner.invoke(app, [*args, "--fail-on", "nope"])
    assert r.exit_code == 2 and "--fail-on" in r.output


def test_bad_input_is_status_2_and_unknown_options_too() -> None:
    assert runner.invoke(app, ["show", "no-such-case"]).exit_code == 2
    assert runner.invoke(app, ["show", str(STEEL), "--no-such-option"]).exit_code == 2


@pytest.mark.slow
def test_documented_lines_behave_as_documented() -> None:
    """The four lines of issue 24 and docs/cli.md, run as a shell runs them."""
    r = _cli("forecast", "us-dprk-2021", "-h")
    assert r.returncode == 0 and "Usage: detente forecast [OPTIONS] SCENARIO" in r.stdout
    r = _cli("claims", "us-dprk-2021", "--json", *SMALL)
    assert r.returncode == 0, r.stderr
    claims = json.loads(r.stdout)["claims"]
    r = _cli("claims", "us-dprk-2021", "--fail-on", "failed", *SMALL)
    failed = [c["id"] for c in claims if c["verdict"] == "fails"]
    assert r.returncode == (1 if failed else 0), r.stderr
    for cid in failed:
        assert cid in r.stderr
    shell = subprocess.run(
        f'{sys.executable} -m detente show us-dprk-2021 | head -1; echo "${{PIPESTATUS[0]}}"',
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        timeout=120,
    )
    first, status = shell.stdout.splitlines()
    assert "us-dprk-2021" in first
    assert status == "0" and shell.stderr == "", shell.stderr


def test_a_closed_pipe_on_json_output_ends_with_0() -> None:
    shell = subprocess.run(
        f"{sys.executable} -m detente show us-dprk-2021 --json | head -c 1; "
        'echo " ${PIPESTATUS[0]}"',
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        timeout=120,
    )
    assert shell.stdout == "{ 0\n" and shell.stderr == "", (shell.stdout, shell.stderr)
