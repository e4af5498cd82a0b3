"""``validate`` reports every problem of a file in one pass and counts what lacks provenance."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from detente.cli import app

ROOT = Path(__file__).resolve().parents[1]
STEEL = ROOT / "examples" / "steel-dispute.yaml"
runner = CliRunner()


def _steel() -> dict:
    return yaml.safe_load(STEEL.read_text())


def _write(tmp_path: Path, data: dict, name: str = "case.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return p


def test_broken_claims_do_not_hide_a_red_line_off_the_scale(tmp_path: Path) -> None:
    d = _steel()
    bound = d["actors"][0]["red_lines"]["tariff"]["bound"]
    bound.update(value=500, range=[450, 550])  # the tariff runs 0-100
    d["claims"][0]["check"][0]["quantity"] = "zone_opn"  # a typo in the claim language
    d["claims"][1]["evidence"] = "derived-ish"  # not a kind
    r = runner.invoke(app, ["validate", str(_write(tmp_path, d))])
    assert r.exit_code == 2
    out = r.output
    assert "unknown quantity 'zone_opn'" in out
    assert "claims.T2.evidence" in out
    assert "red line bound value must be within the scale of tariff [0, 100]; got 500" in out
    assert "actors.importer.red_lines.tariff" in out


def test_a_left_out_claim_keeps_its_own_line_and_the_next_claims_theirs(tmp_path: Path) -> None:
    d = _steel()
    d["claims"][0]["evidence"] = "nope"  # claims[0] is left out of the scratch copy
    d["claims"][2]["check"][0]["args"]["what_if"] = "no-such-what-if"  # found in a later pass
    path = _write(tmp_path, d)
    r = runner.invoke(app, ["validate", str(path), "--json"])
    assert r.exit_code == 2
    details = json.loads(r.stdout)["results"][0]["details"]
    fields = [p["field"] for p in details]
    assert any(f.startswith("claims.T1") for f in fields), fields
    later = [p for p in details if "no-such-what-if" in p["message"]]
    assert later and later[0]["field"].startswith("claims.T3"), details
    lines = path.read_text().splitlines()
    t3, t4 = (lines.index(f"- id: {c}") + 1 for c in ("T3", "T4"))
    assert t3 <= later[0]["line"] < t4


def test_a_what_if_left_out_is_not_reported_again_by_the_claims_naming_it(tmp_path: Path) -> None:
    d = _steel()
    name = d["claims"][2]["check"][0]["args"]["what_if"]
    w = next(w for w in d["what_ifs"] if w["id"] == name)
    w["changes"] = "not a list"
    r = runner.invoke(app, ["validate", str(_write(tmp_path, d))])
    assert r.exit_code == 2
    assert f"unknown what-if {name!r}" not in r.output
    assert "what_ifs" in r.output


def test_unsourced_numbers_are_counted_apart_from_actors(tmp_path: Path) -> None:
    d = _steel()
    for a in d["actors"]:
        for k in ("quote", "fact", "judgement", "at", "cite", "source"):
            a.pop(k, None)
    d["actors"][0]["capability"] = 0.5  # a bare number: no provenance
    path = _write(tmp_path, d)
    r = runner.invoke(app, ["validate", str(path)])
    assert r.exit_code == 0, r.output
    n_actors = len(d["actors"])
    assert f"(1 number and {n_actors} actors without provenance" in r.output
    r = runner.invoke(app, ["validate", str(path), "--json"])
    result = json.loads(r.stdout)["results"][0]
    assert result["unsourced_numbers"] == [f"{d['actors'][0]['id']}.capability"]
    assert sorted(result["unsourced_elements"]) == sorted(a["id"] for a in d["actors"])
