"""Every ``detente ...`` command shown in the README works.

Commands are taken from the README's ``sh`` code blocks and run in a scratch folder (with the
repository's ``examples/`` beside them) through typer's CliRunner. ``detente run`` commands
get smaller Monte Carlo sizes (``--draws 300 --runs 300``) so the test stays quick; the
command line is otherwise the README's own.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    return [
        ln.strip() for b in blocks for ln in b.splitlines() if ln.strip().startswith("detente ")
    ]


COMMANDS = _commands()


def test_readme_gives_the_two_setup_commands() -> None:
    setup = README.split("## Set up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^    (make \w+)$", setup, flags=re.M) == ["make demo", "make test"]


def test_readme_shows_commands() -> None:
    assert len(COMMANDS) >= 15
    for verb in (
        "run",
        "show",
        "convert",
        "validate",
        "forecast",
        "diagnose",
        "claims",
        "simulate",
        "backtest",
    ):
        assert any(c.split()[1] == verb for c in COMMANDS), verb


#: README commands that run the whole analysis or a backtest: marked slow (10-40 s each).
_SLOW_WORDS = ("detente run", "detente backtest", "detente claims")


@pytest.mark.parametrize(
    "command",
    [pytest.param(c, marks=pytest.mark.slow) if c.startswith(_SLOW_WORDS) else c for c in COMMANDS],
)
def test_readme_command_works(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    (tmp_path / "src").symlink_to(ROOT / "src", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    args = shlex.split(command)[1:]
    if args[0] == "run":
        args += ["--draws", "300", "--runs", "300"]
    # commands that read a file another README command writes: make it first
    if "my-case.yaml" in args and args[0] != "convert":
        assert (
            CliRunner().invoke(app, ["convert", "ec-emissions-1994", "my-case.yaml"]).exit_code == 0
        )
    res = CliRunner().invoke(app, args, env={"COLUMNS": "120"})
    assert res.exit_code == 0, f"{command}\n{res.output}"
    assert res.output.strip() or any(tmp_path.iterdir())
    assert "Traceback" not in res.output


@pytest.mark.slow
def test_python_example_prints_the_numbers_it_promises(capsys: pytest.CaptureFixture[str]) -> None:
    code = README.split("```python\n", 1)[1].split("```", 1)[0]
    code = code.replace("draws=1000, runs=1000", "draws=200, runs=200")
    env: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), env)
    printed = capsys.readouterr().out
    report, table, s = env["report"], env["table"], env["what_if"]
    # the summary states the run's own zone verdict and P(zone)
    d = report.diagnosis
    assert f"P(zone non-empty) = {d['p_zone_nonempty']:.3f}" in printed
    assert (
        "Zone of agreement: open" if d["zone_nonempty"] else "Zone of agreement: empty"
    ) in printed
    # one row per issue, in the scenario's order; the status quo is the scenario's
    assert list(table.index) == list(s.issue_ids)
    for iid in s.issue_ids:
        assert table.loc[iid, "status_quo"] == pytest.approx(s.status_quo_value(iid))
        # the unconstrained compromise is the c x s weighted mean of the stances, by hand
        w = [
            (a.capability.value * a.stances[iid].salience.value, a.stances[iid].position.value)
            for a in s.actors
            if iid in a.stances
        ]
        mean = sum(wi * x for wi, x in w) / sum(wi for wi, _ in w)
        assert table.loc[iid, "compromise unconstrained"] == pytest.approx(mean, abs=1e-9)
        issue = s.issue(iid)
        assert issue.low <= table.loc[iid, "compromise"] <= issue.high
    # what was printed is that table's columns
    for col in ("status_quo", "compromise", "compromise unconstrained", "nash"):
        assert col in printed
