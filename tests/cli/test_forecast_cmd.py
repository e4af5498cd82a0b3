"""`detente forecast`: table, trace, JSON contract and error exits."""

import json

import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.scenario import save
from detente.testing import make_scenario

runner = CliRunner()


@pytest.fixture
def four(tmp_path):
    s = make_scenario(
        {
            "north": {
                "capability": 0.5,
                "veto": True,
                "stances": {"arms": (20, 0.9), "aid": (90, 0.6)},
            },
            "south": {
                "capability": 0.3,
                "veto": True,
                "stances": {"arms": (85, 0.7), "aid": (30, 0.4)},
            },
            "patron": {"capability": 0.4, "stances": {"arms": (50, 0.3), "aid": (70, 0.8)}},
        },
        ["arms", "aid"],
        status_quo={"arms": 40, "aid": 10},
        scenario_id="four",
    )
    path = tmp_path / "four.yaml"
    save(s, path)
    return path


def test_json_has_outcome_and_trace_per_model(four):
    r = runner.invoke(app, ["forecast", str(four), "--model", "all", "--rounds", "3", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert set(data) == {"scenario", "status_quo", "models"}
    assert data["scenario"] == "four"
    assert {"compromise", "median", "condorcet", "nash", "exchange"} <= set(data["models"])
    for name, d in data["models"].items():
        assert set(d["outcome"]) == {"arms", "aid"}, name
        assert d["trace"][0]["round"] == 0
        assert d["trace"][0]["positions"]["north"]["arms"] == 20
    assert len(data["models"]["exchange"]["trace"]) <= 4
    comp = data["models"]["compromise"]
    # the weighted mean is the model's own outcome; north and south (veto players) do not
    # both accept it, so the forecast is the nearest package they do accept
    assert comp["unconstrained_outcome"]["arms"] == pytest.approx(
        (0.45 * 20 + 0.21 * 85 + 0.12 * 50) / 0.78
    )
    assert comp["veto"]["status"] == "projected"
    assert "nearest package" in comp["veto_note"]["arms"] + comp["veto_note"]["aid"]


def test_table_and_nash_verdict(four):
    r = runner.invoke(app, ["forecast", str(four)])
    assert r.exit_code == 0, r.output
    assert "arms" in r.stdout and "mean" in r.stdout
    assert (
        "some package beats the status quo for every bargaining player (north, south)" in r.stdout
    )


def test_trace_prints_explained_moves(four):
    r = runner.invoke(app, ["forecast", str(four), "-m", "exchange", "--trace", "--rounds", "2"])
    assert r.exit_code == 0, r.output
    assert "supplies" in r.stdout and "in exchange for" in r.stdout and "→" in r.stdout


def test_set_what_if_applies(four):
    base = json.loads(
        runner.invoke(app, ["forecast", str(four), "-m", "compromise", "--json"]).stdout
    )
    moved = json.loads(
        runner.invoke(
            app,
            [
                "forecast",
                str(four),
                "-m",
                "compromise",
                "--json",
                "--set",
                "north.arms.position=60",
            ],
        ).stdout
    )
    assert (
        moved["models"]["compromise"]["outcome"]["arms"]
        > base["models"]["compromise"]["outcome"]["arms"]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-m", "nsh"], "did you mean nash"),
        (["--rounds", "0"], "greater than or equal to 1"),
    ],
)
def test_errors_exit_2_with_one_clear_line(four, args, message):
    r = runner.invoke(app, ["forecast", str(four), *args])
    assert r.exit_code == 2
    assert message in r.output
    assert "Traceback" not in r.output


def test_missing_file_exits_2():
    r = runner.invoke(app, ["forecast", "no-such-scenario.yaml"])
    assert r.exit_code == 2


def test_flagship_table_reports_the_veto_players_verdict():
    r = runner.invoke(app, ["forecast", "us-dprk-2021", "--model", "all"])
    assert r.exit_code == 0, r.output
    assert "denuclearization" in r.stdout
    assert "no package beats the status quo for every bargaining player (usa, dprk)" in r.stdout
    assert "red lines conflict on denuclearization" in r.stdout


def test_flagship_json_nash_says_no_agreement():
    r = runner.invoke(app, ["forecast", "us-dprk-2021", "-m", "all", "--json"])
    data = json.loads(r.stdout)
    nash = data["models"]["nash"]
    assert nash["extra"]["agreement"] is False
    # the disagreement point, never None
    assert nash["outcome"]["denuclearization"] == 5.0
    for name, d in data["models"].items():
        # every model: the status quo, with the veto reason, its own value kept beside it
        assert d["outcome"]["denuclearization"] == 5.0, name
        assert "do not overlap" in d["veto_note"]["denuclearization"], name
        assert d["unconstrained_outcome"]["denuclearization"] is not None, name
    assert data["models"]["compromise"]["unconstrained_outcome"]["denuclearization"] > 60
    table = runner.invoke(app, ["forecast", "us-dprk-2021"]).stdout
    assert "Before the veto constraint" in table and "do not overlap" in table


def test_ignore_veto_gives_the_raw_models(four):
    r = runner.invoke(app, ["forecast", str(four), "-m", "compromise", "--ignore-veto", "--json"])
    assert r.exit_code == 0, r.output
    comp = json.loads(r.stdout)["models"]["compromise"]
    assert comp["veto"]["status"] == "off"
    assert comp["outcome"] == comp["unconstrained_outcome"]
    assert comp["outcome"]["arms"] == pytest.approx((0.45 * 20 + 0.21 * 85 + 0.12 * 50) / 0.78)
