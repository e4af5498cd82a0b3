"""``detente diagnose`` and ``detente claims`` end to end through the typer app."""

import json

from typer.testing import CliRunner

from detente.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_diagnose_json_has_the_documented_keys():
    r = run("diagnose", "us-dprk-2021", "--draws", "200", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["zone_nonempty"] is False
    assert isinstance(data["p_zone_nonempty"], float)
    assert isinstance(data["gap"]["point"], float) and data["gap"]["point"] > 0
    assert set(data["gap"]["quantiles"]) == {"0.05", "0.25", "0.5", "0.75", "0.95"}
    assert data["blockers"][0]["kind"] == "red-line-conflict"
    names = [lv["name"] for lv in data["levers"]]
    assert names[:3] == ["us-waters-down", "reframe-without-denuclearization", "partial-for-relief"]
    for lv in data["levers"]:
        assert {"name", "change", "p_zone_nonempty"} <= set(lv)


def test_diagnose_with_a_lever_and_a_what_if_opens_the_zone(tmp_path):
    out = tmp_path / "w.png"
    r = run(
        "diagnose",
        "us-dprk-2021",
        "--draws",
        "100",
        "--lever",
        "us-waters-down",
        "--set",
        "usa.denuclearization.position=25",
        "--set",
        "usa.red_lines.denuclearization=none",
        "--plot",
        str(out),
        "--json",
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["zone_nonempty"] is True and data["gap"]["point"] == 0
    assert [lv["name"] for lv in data["levers"]] == ["us-waters-down"]
    assert out.exists() and out.stat().st_size > 1000


def test_diagnose_text_report():
    r = run("diagnose", "us-dprk-2021", "--draws", "100", "--no-levers")
    assert r.exit_code == 0, r.output
    assert "Zone of agreement: EMPTY" in r.stdout
    assert "red lines on denuclearization do not overlap" in r.stdout


def test_diagnose_bad_input_exits_2_with_one_message():
    r = run("diagnose", "us-dprk-2021", "--lever", "bogus")
    assert r.exit_code == 2
    assert "unknown lever 'bogus'" in r.output and "Traceback" not in r.output
    r = run("diagnose", "us-dprk-2021", "--set", "usa.nope.position=3")
    assert r.exit_code == 2 and "unknown what-if path" in r.output
    r = run("diagnose", "us-dprk-2021", "--plot", "x.png", "--plot-issues", "denuclearization")
    assert r.exit_code == 2 and "two issues" in r.output


def test_claims_json_has_the_documented_keys():
    r = run("claims", "us-dprk-2021", "--draws", "100", "--runs", "200", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    ids = [c["id"] for c in data["claims"]]
    assert ids == [f"C{k}" for k in range(1, 15)]
    for c in data["claims"]:
        assert {"id", "verdict", "evidence", "robustness", "precision", "hinges_on"} <= set(c)
        assert c["verdict"] in ("holds", "fails", "too-close-to-call", "not-applicable")
        assert c["evidence"] in ("encoding", "derived", "record")


def test_claims_flip_from_the_command_line():
    args = ["claims", "us-dprk-2021", "--draws", "100", "--runs", "100", "--json"]
    base = {c["id"]: c["verdict"] for c in json.loads(run(*args).stdout)["claims"]}
    assert base["C8"] == "holds"
    r = run(*args, "--set", "usa.red_lines.denuclearization=none")
    assert r.exit_code == 0, r.output
    v = {c["id"]: c["verdict"] for c in json.loads(r.stdout)["claims"]}
    assert v["C8"] == "fails"


def test_claims_take_what_ifs_and_pins():
    args = ["claims", "us-dprk-2021", "--draws", "60", "--runs", "60", "--json"]
    r = run(*args, "--what-if", "us-waters-down")
    assert r.exit_code == 0, r.output
    v = {c["id"]: c for c in json.loads(r.stdout)["claims"]}
    assert v["C8"]["verdict"] == "fails"  # the US red line is gone under the lever
    r = run(*args, "--pin", "dprk.red_lines.denuclearization=40")
    assert r.exit_code == 0, r.output
    v = {c["id"]: c for c in json.loads(r.stdout)["claims"]}
    # pinned: the DPRK line no longer varies, so no claim hinges on it
    assert all("dprk.red_lines.denuclearization" not in c["hinges_on"] for c in v.values())


def test_claims_table():
    r = run("claims", "us-dprk-2021", "--draws", "50", "--runs", "50")
    assert r.exit_code == 0, r.output
    assert "C4" in r.stdout and "encoded" in r.stdout and "Findings" in r.stdout


def test_claims_on_a_case_without_claims_say_not_applicable():
    r = run("claims", "ec-emissions-1994")
    assert r.exit_code == 2
    assert "records no claims" in r.output and "not applicable" in r.output


def test_curvature_and_agreement_cost_options():
    r = run(
        "diagnose", "us-dprk-2021", "--draws", "60", "--curvature", "2", "--no-levers", "--json"
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["settings"]["curvature"] == 2.0 and data["method"] == "search"
    r = run(
        "diagnose",
        "us-dprk-2021",
        "--draws",
        "60",
        "--agreement-cost",
        "0.05",
        "--json",
        "--no-levers",
        "--set",
        "usa.red_lines.denuclearization=none",
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["settings"]["agreement_cost"] == 0.05
    r = run("diagnose", "us-dprk-2021", "--curvature", "0")
    assert r.exit_code == 2
