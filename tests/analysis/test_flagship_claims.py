"""The flagship's claims: what they hinge on, and changes inside the stated ranges that flip
them (kept in step with the table in docs/claims.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.analysis.claims import evaluate_claims
from detente.cli import app
from detente.scenario import load_bundled

DOC = (Path(__file__).parents[2] / "docs" / "claims.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def flagship():
    return load_bundled("us-dprk-2021")


def _verdicts(s, ids, **kw):
    r = evaluate_claims(s, draws=kw.get("draws", 300), runs=kw.get("runs", 300), seed=7, ids=ids)
    return {c.id: c for c in r.claims}


def test_at_least_eight_claims_are_declared_derived_or_record(flagship):
    kinds = [c.evidence for c in flagship.claims]
    assert sum(k in ("derived", "record") for k in kinds) >= 8
    assert {c.id for c in flagship.claims if c.evidence == "encoding"} == {"C5", "C7", "C8"}


def test_the_zone_follows_the_dprk_red_line_pin():
    """With the North's red line pinned to none (no priority stands behind it any more), the
    zone opens: the diagnosis and C5's verdict both follow the pin."""
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "diagnose",
            "us-dprk-2021",
            "--json",
            "--draws",
            "300",
            "--no-levers",
            "--pin",
            "dprk.red_lines.denuclearization=none",
        ],
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["zone_nonempty"] is True
    assert d["p_zone_nonempty"] > 0.9
    res = runner.invoke(
        app,
        [
            "claims",
            "us-dprk-2021",
            "--json",
            "--draws",
            "200",
            "--runs",
            "200",
            "--pin",
            "dprk.red_lines.denuclearization=none",
        ],
    )
    assert res.exit_code == 0, res.output
    by_id = {c["id"]: c for c in json.loads(res.stdout)["claims"]}
    assert by_id["C5"]["verdict"] == "fails"
    assert by_id["C4"]["conditions"][0]["value"] == 1.0  # zone_open at the point values


def test_c5_is_an_encoding_resting_on_the_named_red_line(flagship):
    c = _verdicts(flagship, ["C5"])["C5"]
    assert c.evidence == "encoding" and not c.is_finding and c.verdict == "holds"
    claim = next(x for x in flagship.claims if x.id == "C5")
    assert "dprk.red_lines.denuclearization" in claim.rests_on
    # no second, hidden limit: without the red line the zone opens in nearly every draw
    assert c.conditions[1].value > 0.9
    s = flagship.with_value("dprk.red_lines.denuclearization", 55).with_value(
        "usa.red_lines.denuclearization", 50
    )
    assert _verdicts(s, ["C5"])["C5"].verdict == "fails"


def test_c6_is_computed_an_encoding_of_the_two_red_lines(flagship):
    c = _verdicts(flagship, ["C6"])["C6"]
    assert c.declared == "derived" and c.evidence == "encoding" and not c.is_finding
    read = {p for r in c.restates for p in r.inputs}
    assert {"dprk.red_lines.denuclearization", "usa.red_lines.denuclearization"} <= read
    assert all(r.agreement >= 0.95 for r in c.restates)
    assert "C6 restates the two red lines" in DOC


def test_c8_is_an_encoding_that_reads_only_the_stated_red_lines(flagship):
    c = _verdicts(flagship, ["C8"], draws=1000)["C8"]
    assert c.evidence == "encoding" and not c.is_finding
    assert set(c.hinges_on) <= {"usa.red_lines.denuclearization", "dprk.red_lines.denuclearization"}
    assert c.robustness is not None and 0.9 < c.robustness <= 1


#: Each derived claim of the dynamics with two values inside one input's own stated range
#: that give opposite verdicts (1,000 runs, seed 2021); docs/claims.md lists them.
DYNAMIC_FLIPS = {
    "C1": ("dprk.red_lines.denuclearization", 20, "holds", 55, "fails"),
    "C2": ("parameters.logit_noise", 0.7, "holds", 1.5, "fails"),
    "C3": ("dprk.red_lines.denuclearization", 20, "holds", 55, "fails"),
    "C4": ("dprk.red_lines.denuclearization", 20, "holds", 55, "fails"),
    "C9": ("dprk.red_lines.denuclearization", 20, "holds", 55, "fails"),
}


@pytest.mark.parametrize("cid", sorted(DYNAMIC_FLIPS))
def test_each_dynamics_claim_flips_inside_an_inputs_own_range(flagship, cid):
    path, a, va, b, vb = DYNAMIC_FLIPS[cid]
    q = dict(flagship.quantities())[path]
    assert q.low <= a <= q.high and q.low <= b <= q.high, (path, q.low, q.high)
    got = {}
    for v in (a, b):
        r = evaluate_claims(
            flagship.with_value(path, v), draws=200, runs=1000, seed=2021, ids=[cid]
        )
        got[v] = r[cid].verdict
    assert got == {a: va, b: vb}
    assert f"`{path}={a}`" in DOC and f"`{path}={b}`" in DOC
