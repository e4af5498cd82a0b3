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


def test_at_least_eight_claims_are_derived_or_record(flagship):
    kinds = [c.evidence for c in flagship.claims]
    assert sum(k in ("derived", "record") for k in kinds) >= 8
    assert {c.id for c in flagship.claims if c.evidence == "encoding"} == {"C7", "C8"}


def test_without_the_dprk_red_line_the_zone_opens():
    """Nothing but a red line keeps a zone shut (issue 19 removed the stance-level priority
    that used to), so pinning the North's red line to none opens the zone in every draw."""
    res = CliRunner().invoke(
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
    assert d["p_zone_nonempty"] == 1.0


def test_c5_fails_without_a_second_kind_of_limit(flagship):
    """C5 asks that the zone stay shut with the North's red line removed. Only the stance-level
    ``priority`` (removed in issue 19: a red line under another name) did that; now the
    claim's own check opens the zone, in every draw, and the verdict says so."""
    c = _verdicts(flagship, ["C5"])["C5"]
    assert c.evidence == "derived" and c.verdict == "fails"
    assert c.robustness == 0.0
    assert "Fails: a red line is the one hard limit" in DOC


def test_c6_holds_in_every_draw_and_says_why(flagship):
    c = _verdicts(flagship, ["C6"])["C6"]
    assert c.verdict == "holds" and c.robustness == 1.0
    assert "C6 cannot fail inside the ranges" in DOC


def test_c8_is_an_encoding_that_hinges_on_the_two_stated_red_lines(flagship):
    c = _verdicts(flagship, ["C8"], draws=1000)["C8"]
    assert c.evidence == "encoding" and not c.is_finding
    # only the two stated red lines are read; the US one, with the wider range, moves it most
    assert "usa.red_lines.denuclearization" in c.hinges_on
    assert set(c.hinges_on) <= {"usa.red_lines.denuclearization", "dprk.red_lines.denuclearization"}
    assert c.robustness < 1


#: Each derived claim of the dynamics with two values inside one input's own stated range
#: that give opposite verdicts (1,000 runs, seed 2021); docs/claims.md lists them.
DYNAMIC_FLIPS = {
    "C1": ("usa.red_lines.denuclearization", 45, "fails", 80, "holds"),
    "C2": ("parameters.logit_noise", 0.7, "holds", 1.5, "fails"),
    "C3": ("usa.red_lines.denuclearization", 45, "fails", 80, "holds"),
    "C4": ("dprk.red_lines.denuclearization", 40, "holds", 60, "fails"),
    "C11": ("usa.red_lines.denuclearization", 45, "fails", 60, "holds"),
    "C12": ("parameters.defender_wait", 0, "holds", 2, "fails"),
    "C14": ("dprk.red_lines.denuclearization", 60, "fails", 40, "holds"),
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
