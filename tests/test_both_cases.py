"""Every command runs on both bundled real cases through the same code path, and neither
case's report names the other's actors, issues or claims."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.scenario import load_bundled

CASES = ("us-dprk-2021", "iran-jcpoa-2021")
#: Words only one of the two cases uses (the US is an actor of both).
ONLY = {
    "us-dprk-2021": re.compile(
        r"\b(dprk|denucleari[sz]ation|pyongyang|north korea|rok|unsc)\b", re.I
    ),
    "iran-jcpoa-2021": re.compile(r"\b(iran|jcpoa|tehran|enrichment|iaea|israel)\b", re.I),
}
SMALL = {
    "forecast": ["--model", "all"],
    "diagnose": ["--draws", "60"],
    "claims": ["--draws", "60", "--runs", "60", "--months", "12"],
    "simulate": ["--runs", "100", "--months", "12"],
}


#: A case may name another case's record as the declared reference of its pooling
#: (roles.pooling); that is provenance, not leakage, and is removed before the check.
DECLARED_REFERENCE = re.compile(r"(pooled )?toward record \w+|record dprk's|fitted on record dprk")


def _cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, list(args), env={"COLUMNS": "120"})
    return res.exit_code, res.output


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("command", ["forecast", "diagnose", "claims", "simulate"])
def test_every_command_runs_on_both_cases(case, command):
    code, out = _cli(command, case, *SMALL[command], "--json")
    assert code == 0, out
    json.loads(out)
    other = next(c for c in CASES if c != case)
    text = DECLARED_REFERENCE.sub("", out)
    assert not ONLY[other].search(text), ONLY[other].search(text)


@pytest.mark.parametrize("case", CASES)
def test_show_sources_lists_every_number_of_both_cases(case):
    code, out = _cli("show", case, "--sources", "--json")
    assert code == 0, out
    data = json.loads(out)
    s = load_bundled(case)
    assert len(data["numbers"]) == sum(1 for _ in s.quantities())
    assert data["unsourced"] == []


@pytest.mark.parametrize("case", CASES)
def test_the_report_of_each_case_is_its_own(case, tmp_path: Path):
    html, js = tmp_path / "r.html", tmp_path / "r.json"
    code, out = _cli(
        "run",
        case,
        "--draws",
        "60",
        "--runs",
        "100",
        "--months",
        "12",
        "--html",
        str(html),
        "--json",
        str(js),
    )
    assert code == 0, out
    data = json.loads(js.read_text(encoding="utf-8"))
    other = next(c for c in CASES if c != case)
    for text in (out, js.read_text(encoding="utf-8"), html.read_text(encoding="utf-8")):
        text = DECLARED_REFERENCE.sub("", text)
        assert not ONLY[other].search(text), ONLY[other].search(text)
    assert [c["id"] for c in data["claims"]["claims"]] == [c.id for c in load_bundled(case).claims]
    assert data["outlook"] is not None and data["diagnosis"] is not None


@pytest.mark.parametrize("case", CASES)
def test_the_dynamics_backtest_runs_on_both_records(case):
    code, out = _cli("backtest", "dynamics", case, "--runs", "40", "--test-only", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data
