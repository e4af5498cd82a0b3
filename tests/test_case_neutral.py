"""The engine names no case: a scenario gets only its own claims, what-ifs and roles, and
renaming every id of a case changes no number of the run."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.scenario import load_bundled, save
from detente.scenario.rename import all_ids, rename_ids

ROOT = Path(__file__).parents[1]
FLAGSHIP_WORDS = re.compile(
    r"\b(usa|dprk|denucleari[sz]ation|pyongyang|washington|north korea)\b", re.I
)
FAST = ["--draws", "120", "--runs", "200", "--seed", "5"]


def _run_json(target: str, tmp_path: Path, *extra: str) -> tuple[dict[str, Any], str]:
    out = tmp_path / "r.json"
    res = CliRunner().invoke(
        app, ["run", target, "--json", str(out), *FAST, *extra], env={"COLUMNS": "100"}
    )
    assert res.exit_code == 0, res.output
    return json.loads(out.read_text(encoding="utf-8")), res.output


@pytest.mark.parametrize("target", ["examples/two-actors.tsv", "ec-emissions-1994"])
def test_other_cases_receive_nothing_of_the_flagship(target, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    data, text = _run_json(target, tmp_path)
    blob = json.dumps(data) + text
    assert not FLAGSHIP_WORDS.search(blob), FLAGSHIP_WORDS.search(blob)
    for section in ("outlook", "claims"):
        assert data[section] is None
        assert data["missing"][section].startswith("not applicable: ")
    assert "declares no roles" in data["missing"]["outlook"]


def test_a_case_whose_actor_is_called_usa_gets_nothing_of_the_flagship(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    steel = tmp_path / "steel.yaml"
    src = (ROOT / "examples" / "steel-dispute.yaml").read_text(encoding="utf-8")
    steel.write_text(re.sub(r"\bimporter\b", "usa", src), encoding="utf-8")
    data, _ = _run_json(str(steel), tmp_path)
    assert [c["id"] for c in data["claims"]["claims"]] == ["T1", "T2", "T3", "T4", "T5"]
    named = {lv["name"] for lv in data["diagnosis"]["levers"] if lv.get("named")}
    assert named == {"usa-cuts-tariff-demand", "quota-for-tariff", "steel-glut"}
    assert {w["name"] for w in data["outlook"]["what_ifs"]} == named


def _numbers(obj: Any, back: dict[str, str], path: str = "") -> dict[str, float]:
    """Every number in a JSON tree by its path, with renamed ids mapped back."""

    def unname(x: str) -> str:
        return re.sub(r"[A-Za-z0-9_\-]+", lambda m: back.get(m.group(0), m.group(0)), x)

    out: dict[str, float] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "timings":
                continue
            out.update(_numbers(v, back, f"{path}/{unname(str(k))}"))
    elif isinstance(obj, list):
        # lists of records are keyed by their name/id when they have one (order may follow names)
        for i, v in enumerate(obj):
            key = str(i)
            if isinstance(v, dict):
                for name_key in ("id", "name", "model", "path", "actor", "issue"):
                    if isinstance(v.get(name_key), str):
                        key = unname(v[name_key])
                        break
            out.update(_numbers(v, back, f"{path}[{key}]"))
    elif isinstance(obj, bool | int | float):
        out[path] = float(obj)
    return out


def test_renaming_every_id_changes_no_number(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    s = load_bundled("us-dprk-2021")
    ids = [i for i in all_ids(s) if i not in s.parameters]
    mapping = {old: f"n{k:03d}x" for k, old in enumerate(ids)}
    renamed = rename_ids(s, mapping)
    path = tmp_path / "renamed.yaml"
    save(renamed, path)
    a, _ = _run_json("us-dprk-2021", tmp_path)
    b, _ = _run_json(str(path), tmp_path)
    back = {v: k for k, v in mapping.items()}
    na, nb = _numbers(a, {}), _numbers(b, back)
    assert set(na) == set(nb)
    diff = {k: (na[k], nb[k]) for k in na if na[k] != pytest.approx(nb[k], rel=1e-9, abs=1e-12)}
    assert diff == {}


@pytest.mark.parametrize("case", ["us-dprk-2021", "iran-jcpoa-2021"])
def test_renaming_in_alphabetical_order_keeps_the_outlook_and_claims(case, tmp_path, monkeypatch):
    """Ids renamed so that their alphabetical order is kept (roles and the record's name kept,
    the case's record in use): random streams, the record's actors and every ordering follow
    the case's structure, so the outlook, the claims and every other number are unchanged."""
    monkeypatch.chdir(ROOT)
    s = load_bundled(case)
    assert s.roles is not None and s.roles.record is not None
    ids = sorted(i for i in all_ids(s) if i not in s.parameters)
    mapping = {old: f"q{k:03d}" for k, old in enumerate(ids)}
    renamed = rename_ids(s, mapping)
    assert renamed.roles is not None and renamed.roles.record == s.roles.record
    path = tmp_path / "renamed.yaml"
    save(renamed, path)
    a, _ = _run_json(case, tmp_path)
    b, _ = _run_json(str(path), tmp_path)
    assert a["outlook"] and a["claims"]
    back = {v: k for k, v in mapping.items()}
    na, nb = _numbers(a, {}), _numbers(b, back)
    assert set(na) == set(nb)
    assert any(k.startswith("/outlook/") for k in na) and any(k.startswith("/claims/") for k in na)
    diff = {k: (na[k], nb[k]) for k in na if na[k] != pytest.approx(nb[k], rel=1e-9, abs=1e-12)}
    assert diff == {}
    verdicts = {c["id"]: c["verdict"] for c in a["claims"]["claims"]}
    assert {back.get(c["id"], c["id"]): c["verdict"] for c in b["claims"]["claims"]} == verdicts


def test_one_quantity_has_one_value_in_one_run(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    data, _ = _run_json("us-dprk-2021", tmp_path)
    p12 = next(h for h in data["outlook"]["horizons"] if h["month"] == 12)["talks"]
    claims = {c["id"]: c for c in data["claims"]["claims"]}
    c1 = claims["C1"]["conditions"][0]
    assert c1["quantity"] == "p_talks" and c1["value"] == pytest.approx(p12, abs=1e-12)
    # the what-if table and the claims share one simulation per scenario variant
    wd = next(w for w in data["outlook"]["what_ifs"] if w["name"] == "us-waters-down")
    c11 = next(c for c in claims["C11"]["conditions"] if "p_talks" in c["condition"])
    assert c11["value"] == pytest.approx(wd["talks"], abs=1e-12)
    assert data["diagnosis"]["p_zone_nonempty"] == pytest.approx(
        next(c for c in claims["C4"]["conditions"] if c["quantity"] == "p_zone")["value"], abs=1e-12
    )


def test_every_command_uses_the_same_defaults():
    from detente import defaults

    res = CliRunner().invoke(app, ["claims", "--help"], env={"COLUMNS": "200"})
    assert f"default: {defaults.SEED}" in res.output.replace("[", "").replace("]", "")
    for cmd in ("run", "diagnose", "simulate", "forecast"):
        res = CliRunner().invoke(app, [cmd, "--help"], env={"COLUMNS": "200"})
        assert str(defaults.SEED) in res.output, cmd


def test_grep_for_case_names_in_the_engine_is_empty():
    res = subprocess.run(
        [
            "grep",
            "-rniE",
            r"\b(usa|dprk|denucleari[sz]ation|pyongyang|washington)\b",
            "src/detente",
            "--include=*.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.stdout == ""
