"""The essay's claims: computed verdicts that flip when the scenario changes.

Each claim that needs no dynamics gets one test showing it can come out false under a
``--set`` change to the flagship; the flagship's own verdicts are what the model computes
from the scenario's numbers (pinned here so a change to either shows up).
"""

import pytest

from detente.analysis.claims import (
    CLAIMS,
    ClaimContext,
    ClaimOutcome,
    evaluate_claims,
    register_claim,
    register_provider,
)
from detente.scenario import apply_sets, load_bundled

from .builders import make

BARGAINING = ("C4", "C5", "C6", "C7", "C8", "C11")
DYNAMICS = ("C1", "C2", "C3", "C9", "C10", "C12", "C13", "C14")
DRAWS = 200


@pytest.fixture(scope="module")
def flagship():
    return load_bundled("us-dprk-2021")


@pytest.fixture(scope="module")
def baseline_report(flagship):
    return evaluate_claims(flagship, draws=DRAWS, seed=0)


def verdicts(scenario, *sets, ids=BARGAINING):
    s = apply_sets(scenario, list(sets))
    rep = evaluate_claims(s, draws=DRAWS, seed=0, ids=ids)
    return {c.id: c.verdict for c in rep.claims}


def test_every_claim_is_evaluated_with_its_words_and_quantity(baseline_report):
    ids = [c.id for c in baseline_report.claims]
    assert ids == [f"C{k}" for k in range(1, 15)]
    for c in baseline_report.claims:
        assert c.words and c.text and c.quantity
        if c.id in DYNAMICS:
            # pending until a dynamics module registers its evaluator
            assert c.needs == "dynamics"
            if c.verdict == "pending":
                assert c.robustness is None
        else:
            assert c.verdict in ("holds", "fails")
            assert 0.0 <= c.robustness <= 1.0


def test_dynamics_claims_are_pending_without_the_dynamics(flagship):
    from detente.analysis.claims import _pending

    ctx = ClaimContext(flagship, draws=10, seed=0)
    for cid in DYNAMICS:
        out = _pending(cid)(ctx)
        assert out.verdict == "pending" and out.robustness is None and out.quantity


def test_flagship_verdicts_follow_from_its_numbers(baseline_report):
    got = {c.id: c.verdict for c in baseline_report.claims if c.id in BARGAINING}
    assert got == dict.fromkeys(BARGAINING, "holds")
    c8 = baseline_report["C8"]
    assert c8.value["overlap"] == pytest.approx(-20.0)  # usa >= 60 against dprk <= 40


def test_us_softening_opens_the_zone_and_flips_c4_c8_c11(flagship):
    v = verdicts(
        flagship,
        "usa.denuclearization.position=25",
        "usa.red_lines.denuclearization=none",
    )
    assert v["C4"] == "fails"
    assert v["C8"] == "fails"
    assert v["C11"] == "fails"


def test_c4_fails_when_the_red_lines_overlap(flagship):
    # the red lines alone: US accepts >= 30, DPRK <= 50 -> a zone opens by trade
    v = verdicts(
        flagship,
        "usa.red_lines.denuclearization=30",
        "dprk.red_lines.denuclearization=50",
        ids=("C4", "C8"),
    )
    assert v == {"C4": "fails", "C8": "fails"}


def test_c5_fails_when_the_dprk_treats_denuclearization_as_negotiable(flagship):
    v = verdicts(
        flagship,
        "dprk.red_lines.denuclearization=none",
        "dprk.denuclearization.salience=0.3",
        "dprk.denuclearization.position=45",
        ids=("C5",),
    )
    assert v["C5"] == "fails"


def test_c6_fails_when_the_us_would_take_the_hanoi_package(flagship):
    v = verdicts(flagship, "usa.red_lines.denuclearization=30", ids=("C6",))
    assert v["C6"] == "fails"


def test_c6_fails_when_the_dprk_would_refuse_it(flagship):
    v = verdicts(flagship, "dprk.red_lines.denuclearization=20", ids=("C6",))
    assert v["C6"] == "fails"


def test_c7_fails_when_the_dprk_wants_denuclearization(flagship):
    v = verdicts(flagship, "dprk.denuclearization.position=80", ids=("C7",))
    assert v["C7"] == "fails"


def test_c8_fails_without_the_us_red_line(flagship):
    v = verdicts(flagship, "usa.red_lines.denuclearization=none", ids=("C8",))
    assert v["C8"] == "fails"


def test_c11_fails_when_another_conflict_keeps_the_zone_shut(flagship):
    # a second red-line conflict (on security guarantees) survives both levers
    v = verdicts(
        flagship,
        "usa.red_lines.security_guarantees=<=20",
        "dprk.red_lines.security_guarantees=>=80",
        ids=("C11",),
    )
    assert v["C11"] == "fails"


def test_claims_are_not_applicable_without_their_actors():
    s = make(
        ["x", "y"],
        {
            "a": {"stances": {"x": (80, 1.0), "y": (20, 0.5)}},
            "b": {"stances": {"x": (20, 1.0), "y": (80, 0.5)}},
        },
        {"x": 50, "y": 50},
    )
    rep = evaluate_claims(s, draws=50, seed=0)
    for cid in ("C5", "C6", "C7", "C8", "C11"):
        assert rep[cid].verdict == "not-applicable", cid
        assert "no actor" in rep[cid].explanation
    assert rep["C4"].verdict in ("holds", "fails")  # generic: any two veto players


def test_an_evaluator_that_cannot_run_makes_its_claim_not_applicable(flagship):
    from detente.analysis.claims import _load_plugins
    from detente.errors import ModelError

    _load_plugins()
    saved = CLAIMS["C13"]

    @register_claim("C13", needs="dynamics")
    def _broken(ctx: ClaimContext) -> ClaimOutcome:
        raise ModelError("the simulation needs meta.start")

    try:
        c = evaluate_claims(flagship, draws=20, seed=0, ids=["C13"])["C13"]
        assert c.verdict == "not-applicable" and "meta.start" in c.explanation
        assert c.quantity  # still says what it would rest on
    finally:
        CLAIMS["C13"] = saved


def test_report_face(baseline_report):
    d = baseline_report.to_dict()
    assert {"id", "verdict", "robustness", "quantity"} <= set(d["claims"][0])
    assert "C4" in baseline_report.summary()
    assert baseline_report.summary("markdown").startswith("### Claims")
    assert "<table>" in baseline_report.summary("html")
    assert len(baseline_report.to_frame()) == 14
    ax = baseline_report.plot()
    assert ax.get_title().startswith("Claims")
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


def test_other_modules_can_register_evaluators_and_providers(flagship):
    from detente.analysis.claims import _load_plugins

    _load_plugins()  # so no plugin imported later replaces the evaluator registered here
    saved = CLAIMS["C1"]
    calls = []

    @register_provider("fake-simulation")
    def _sim(ctx: ClaimContext) -> float:
        calls.append(1)
        return 0.1

    @register_claim("C1", needs="dynamics")
    def _c1(ctx: ClaimContext) -> ClaimOutcome:
        p = ctx.get("fake-simulation")
        ctx.get("fake-simulation")  # cached: computed once
        return ClaimOutcome("holds" if p < 0.5 else "fails", "P(talks)", p, 0.9, "p < 0.5")

    try:
        rep = evaluate_claims(flagship, draws=20, seed=0, ids=["C1"])
        assert rep["C1"].verdict == "holds" and rep["C1"].value == 0.1
        assert calls == [1]
    finally:
        CLAIMS["C1"] = saved
