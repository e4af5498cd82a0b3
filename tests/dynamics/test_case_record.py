"""Each case its own record: a user's CSV of dated events, fitted with declared pooling;
located errors and exit 2 for a bad file; every dynamics parameter with its provenance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.data.records import RecordFileError, load_record
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
