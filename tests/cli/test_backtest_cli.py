"""``detente backtest outcomes`` end to end through the typer app, on a subset of the dev file."""

import json

import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.cli.backtest_cmd import backtest_app
from detente.data.loaders import data_path

runner = CliRunner()


@pytest.fixture(scope="module")
def subset(tmp_path_factory):
    lines = data_path("deu3_dev.tsv").read_text().splitlines()
    p = tmp_path_factory.mktemp("deu") / "deu_subset.tsv"
    p.write_text("\n".join(lines[:31]) + "\n")
    return str(p)


def run(*args):
    return runner.invoke(app, list(args))


def test_json_reports_every_requested_model_baselines_and_the_ensemble(subset):
    r = run(
        "backtest", "outcomes", subset, "--model", "compromise,median,eum",
        "--bootstrap", "200", "--folds", "3", "--json",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    scores = {s["forecaster"]: s for s in data["scores"]}
    assert {"compromise", "median", "eum", "midpoint", "status_quo"} <= set(scores)
    assert {"weighted_mean", "weighted_median", "ensemble (cv)"} <= set(scores)
    assert scores["compromise"]["mae"] == pytest.approx(scores["weighted_mean"]["mae"])
    assert data["reference"] == "compromise"
    assert data["dataset"]["n_issues"] == 30 and len(data["issues"]) == 30
    for s in data["scores"]:
        assert s["ci_low"] <= s["mae_minus_reference"] <= s["ci_high"]
    assert "interval" in data["ensemble"]["verdict"]


def test_table_plot_and_capabilities(subset, tmp_path):
    caps = tmp_path / "caps.csv"
    actors = ["com", "ep", "at", "be", "bu", "cr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "el"]
    actors += ["hu", "ie", "it", "lv", "lt", "lu", "mt", "nl", "pl", "pt", "ro", "si", "sk", "es"]
    actors += ["se", "uk"]
    caps.write_text(
        "actor,capability\n" + "".join(f"{a},{1 + k % 3}\n" for k, a in enumerate(actors))
    )
    png = tmp_path / "bt.png"
    args = [
        "backtest",
        "outcomes",
        subset,
        "-m",
        "compromise",
        "--no-ensemble",
        "--bootstrap",
        "100",
    ]
    r = run(*args, "--plot", str(png), "--capabilities", str(caps))
    assert r.exit_code == 0, r.output
    assert "MAE" in r.stdout and "weighted_median" in r.stdout
    assert "capabilities from the table caps.csv" in r.stdout
    assert png.read_bytes()[:4] == b"\x89PNG"
    equal = json.loads(run(*args, "--json").stdout)
    weighted = json.loads(run(*args, "--json", "--capabilities", str(caps)).stdout)
    mae = [
        {s["forecaster"]: s["mae"] for s in d["scores"]}["compromise"] for d in (equal, weighted)
    ]
    assert mae[0] != mae[1]


def test_bad_files_exit_2_with_a_located_message(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("prnr\tisnr\tpa\tsa\tout\nP1\tI1\tzz\t50\t10\n")
    r = run("backtest", "outcomes", str(bad), "--no-ensemble")
    assert r.exit_code == 2
    assert "bad.tsv:2 pa: expected a position, got 'zz'" in r.output
    assert "Traceback" not in r.output
    r = run("backtest", "outcomes", str(tmp_path / "none.tsv"))
    assert r.exit_code == 2 and "no such file" in r.output
    r = run("backtest", "outcomes", str(bad), "--model", "nosuch")
    assert r.exit_code == 2 and "unknown model 'nosuch'" in r.output


def test_the_backtest_group_is_exported_for_more_subcommands():
    names = [c.name for c in backtest_app.registered_commands]
    assert "outcomes" in names
    r = run("backtest", "--help")
    assert r.exit_code == 0 and "outcomes" in r.output


def test_a_yaml_wrapper_of_bundled_and_inline_scenarios(tmp_path):
    inline = """
      meta: {id: tiny, title: Tiny}
      issues: [{id: x, label: X, low: 0, high: 10}]
      actors:
        - {id: p, label: P, capability: 2, stances: {x: {position: 2, salience: 1}}}
        - {id: q, label: Q, capability: 1, stances: {x: {position: 8, salience: 1}}}
"""
    wrapper = tmp_path / "cases.yaml"
    wrapper.write_text(
        "outcomes:\n"
        "  - scenario: ec-emissions-1994\n    outcome: {emission_standards: 8.5}\n"
        "  - scenario: china-soe-reform\n    outcome: {policy: 60, competitive: null}\n"
        f"  - scenario:{inline}    outcome: {{x: 3}}\n"
    )
    r = run(
        "backtest", "outcomes", str(wrapper), "-m", "compromise,exchange",
        "--bootstrap", "100", "--folds", "3", "--json",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["dataset"]["layout"] == "yaml" and data["dataset"]["n_observed"] == 3
    tiny = next(i for i in data["issues"] if i["scenario"] == "tiny")
    # the scenario's own capabilities (2 and 1): (2*2 + 1*8) / 3 = 4
    assert tiny["predictions"]["compromise"] == pytest.approx(4.0)
    assert tiny["observed"] == 3
    unobserved = next(i for i in data["issues"] if i["issue"] == "competitive")
    assert unobserved["observed"] is None


@pytest.fixture(scope="module")
def two_halves(tmp_path_factory):
    """The bundled half split in two by proposal (alternate proposals), as DEU files."""
    lines = data_path("deu3_dev.tsv").read_text().splitlines()
    head, rows = lines[0], lines[1:]
    col = head.split("\t").index("prnr")
    props = sorted({r.split("\t")[col] for r in rows})
    first = set(props[::2])
    d = tmp_path_factory.mktemp("halves")
    a, b = d / "a.tsv", d / "b.tsv"
    a.write_text("\n".join([head, *[r for r in rows if r.split("\t")[col] in first]]) + "\n")
    b.write_text("\n".join([head, *[r for r in rows if r.split("\t")[col] not in first]]) + "\n")
    return str(a), str(b)


def test_train_on_one_half_score_on_the_other_and_forecast_with_the_capabilities(
    two_halves, tmp_path
):
    train, test = two_halves
    caps = tmp_path / "caps.json"
    r = run(
        "backtest", "outcomes", test, "--train", train, "-m", "compromise",
        "--bootstrap", "200", "--json", "--save-capabilities", str(caps),
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["protocol"] == "train/test" and data["train"]["name"] == "a.tsv"
    scores = {s["forecaster"]: s for s in data["scores"]}
    assert {"council_weights", "commission", "ensemble (train)", "capabilities (train)"} <= set(
        scores
    )
    assert "ensemble (cv)" not in scores
    saved = json.loads(caps.read_text())
    assert saved["fitted_on"]["file"] == "a.tsv" and len(saved["fitted_on"]["sha256"]) == 64
    assert saved["actors"] == data["learned"]["capabilities (train)"]["actors"]
    # the file moves a forecast: a scenario with two of its actors
    m = {a["id"]: a["multiplier"] for a in saved["actors"]}
    scn = tmp_path / "two.yaml"
    scn.write_text(
        "meta: {id: two, title: Two}\nissues: [{id: x, label: X, low: 0, high: 100}]\n"
        "actors:\n"
        "  - {id: uk, label: UK, capability: 1, stances: {x: {position: 100, salience: 0.5}}}\n"
        "  - {id: at, label: AT, capability: 1, stances: {x: {position: 0, salience: 0.5}}}\n"
        "status_quo: {x: 50}\n"
    )
    f = run("forecast", str(scn), "-m", "compromise", "--capabilities", str(caps), "--json")
    assert f.exit_code == 0, f.output
    out = json.loads(f.stdout)["models"]["compromise"]["outcome"]["x"]
    assert out == pytest.approx(100 * m["uk"] / (m["uk"] + m["at"]), abs=1e-6)


def test_bad_train_and_capability_files_exit_2(two_halves, tmp_path):
    train, test = two_halves
    bad = tmp_path / "bad.tsv"
    bad.write_text("prnr\tout\n1\t5\n")
    r = run("backtest", "outcomes", test, "--train", str(bad), "-m", "compromise")
    assert r.exit_code == 2 and "bad.tsv" in r.output
    r = run("backtest", "outcomes", test, "--train", train, "--save-capabilities", str(tmp_path))
    assert r.exit_code == 2 and "--save-capabilities" in r.output
    caps = tmp_path / "caps.json"
    caps.write_text('{"format": "detente-capabilities", "version": 1, "actors": [\n{"id": "uk"}]}')
    f = run("forecast", "ec-emissions-1994", "--capabilities", str(caps))
    assert f.exit_code == 2 and f"{caps}:2 actors[0].multiplier" in f.output
