"""The dynamics claims are computed, carry a robustness share, and can each come out the other way."""

from __future__ import annotations

import pytest

from detente.analysis.claims import evaluate_claims
from detente.dynamics.whatifs import apply_what_if
from detente.scenario import apply_sets, load_bundled

DYNAMIC = ("C1", "C2", "C3", "C9", "C10", "C12", "C13", "C14")
FLIPPED = ("C1", "C2", "C3", "C9", "C10", "C12", "C13")
DRAWS = 400


@pytest.fixture(scope="module")
def flagship():
    return load_bundled("us-dprk-2021")


def verdicts(s, ids=DYNAMIC):
    rep = evaluate_claims(s, draws=DRAWS, seed=1, ids=list(ids))
    return {c.id: c for c in rep.claims}


@pytest.fixture(scope="module")
def baseline(flagship):
    return verdicts(flagship)


def test_every_dynamics_claim_is_evaluated_with_a_robustness_share(baseline):
    for cid in DYNAMIC:
        c = baseline[cid]
        assert c.needs == "dynamics"
        assert c.verdict in ("holds", "fails"), (cid, c.verdict, c.explanation)
        assert c.robustness is not None and 0.0 <= c.robustness <= 1.0
        assert c.quantity and c.rule


FLIPS = {
    # claim: (--set assignments or a what-if, expected verdict under the change)
    "C1": ("what-if:us-waters-down", "fails"),
    "C2": (["parameters.crisis_base=1.5", "parameters.defender_escalation=3"], "fails"),
    "C3": (["parameters.obduracy=0", "parameters.challenger_engagement_base=3"], "fails"),
    "C9": (
        [
            "parameters.obduracy=0",
            "parameters.challenger_engagement_base=3",
            "parameters.defender_engagement_base=3",
        ],
        "fails",
    ),
    "C10": (["parameters.inhibit_distress=-2", "parameters.inhibit_dependency=-2"], "fails"),
    # distress that lowers engagement: desperation no longer brings talks
    "C12": (["parameters.desperation=-3"], "fails"),
    # a Washington that never engages or concedes, and no leadership change: limited
    # talks become rare
    "C13": (
        [
            "parameters.crisis_channel=0",
            "parameters.defender_engagement_base=-6",
            "parameters.defender_concession_base=-6",
            "drivers.political_change_washington=0",
            "drivers.political_change_pyongyang=0",
        ],
        "fails",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("cid", FLIPPED)
def test_each_claim_comes_out_the_other_way_under_a_suitable_change(flagship, baseline, cid):
    change, expected = FLIPS[cid]
    if isinstance(change, str):
        s = apply_what_if(flagship, change.split(":", 1)[1])
    else:
        s = apply_sets(flagship, change)
    got = verdicts(s, [cid])[cid]
    assert got.verdict == expected, (cid, got.value)
    assert baseline[cid].verdict != expected


def test_c14_goes_both_ways(flagship):
    # the impasse persists in the baseline and a leadership change ends it; once Washington
    # drops its red line and softens its demand (and Pyongyang its obduracy) it no longer persists
    got = verdicts(flagship, ["C14"])["C14"]
    assert got.verdict == "holds"
    assert got.value["baseline"] - got.value["leadership_change"] >= 0.1
    soft = apply_sets(
        flagship,
        [
            "usa.red_lines.denuclearization=none",
            "usa.denuclearization.position=25",
            "parameters.obduracy=0",
        ],
    )
    got = verdicts(soft, ["C14"])["C14"]
    assert got.verdict == "fails" and got.value["baseline"] < 0.2
