"""The claim language: a scenario's own claims, validated against it and evaluated from the
model's outputs, with evidence kinds, robustness, precision and what they hinge on."""

from __future__ import annotations

import copy

import pytest
import yaml

from detente.analysis.claims import evaluate_claims
from detente.analysis.quantities import Evaluator
from detente.errors import ScenarioError
from detente.scenario import load, read_yaml

STEEL = "examples/steel-dispute.yaml"


@pytest.fixture(scope="module")
def steel_data():
    with open(STEEL, encoding="utf-8") as f:
        return yaml.safe_load(f)


@pytest.fixture(scope="module")
def steel():
    return load(STEEL)


@pytest.fixture(scope="module")
def steel_report(steel):
    return evaluate_claims(steel, draws=300, runs=400, seed=3)


def _with_claim(data, claim):
    d = copy.deepcopy(data)
    d["claims"] = [claim]
    return read_yaml(yaml.safe_dump(d, allow_unicode=True), "case.yaml")


BASE = {"id": "X1", "text": "a claim", "evidence": "derived"}


@pytest.mark.parametrize(
    ("check", "message"),
    [
        (
            {"quantity": "p_tlaks", "args": {"month": 12}, "compare": "<", "threshold": 0.5},
            "did you mean p_talks",
        ),
        (
            {"quantity": "p_talks", "args": {}, "compare": "<", "threshold": 0.5},
            "p_talks needs month",
        ),
        (
            {"quantity": "p_talks", "args": {"month": 0}, "compare": "<", "threshold": 0.5},
            "whole number of months",
        ),
        (
            {
                "quantity": "zone_open",
                "args": {"actor": "importer"},
                "compare": "==",
                "threshold": 0,
            },
            "takes no arguments",
        ),
        (
            {
                "quantity": "in_win_set",
                "args": {"actor": "importr", "package": {"tariff": 30}},
                "compare": "==",
                "threshold": 1,
            },
            "unknown actor 'importr'; did you mean importer",
        ),
        (
            {
                "quantity": "in_win_set",
                "args": {"actor": "importer", "package": {"tarif": 30}},
                "compare": "==",
                "threshold": 1,
            },
            "unknown issue 'tarif'",
        ),
        (
            {
                "quantity": "effect",
                "args": {"of": "p_talks", "args": {"month": 12}, "what_if": "nope"},
                "compare": ">",
                "threshold": 0,
            },
            "unknown what-if 'nope'",
        ),
        (
            {
                "quantity": "effect",
                "args": {"of": "p_talks", "args": {"month": 12}},
                "compare": ">",
                "threshold": 0,
            },
            "exactly one of 'change', 'changes' or 'what_if'",
        ),
        (
            {
                "quantity": "effect",
                "args": {
                    "of": "p_talks",
                    "args": {"month": 12},
                    "change": {"set": "drivers.overcapacty", "by": 0.1},
                },
                "compare": ">",
                "threshold": 0,
            },
            "unknown path 'drivers.overcapacty'",
        ),
        (
            {
                "quantity": "choice_share",
                "args": {"role": "spoiler", "kind": "pressure"},
                "compare": ">",
                "threshold": 0,
            },
            "role must be one of",
        ),
    ],
)
def test_a_bad_claim_is_a_located_validation_error(steel_data, check, message):
    with pytest.raises(ScenarioError) as info:
        _with_claim(steel_data, {**BASE, "check": check})
    text = "\n".join(info.value.lines())
    assert message in text, text
    assert "claims" in text and "case.yaml" in text  # located: the file and the claim


def test_a_claim_that_only_reads_inputs_must_say_it_is_an_encoding(steel_data):
    check = {
        "quantity": "position",
        "args": {"actor": "importer", "issue": "tariff"},
        "compare": ">",
        "threshold": 50,
    }
    with pytest.raises(ScenarioError, match="declare evidence: encoding"):
        _with_claim(steel_data, {**BASE, "check": check})
    s = _with_claim(steel_data, {**BASE, "evidence": "encoding", "check": check})
    c = evaluate_claims(s, draws=50, runs=20)["X1"]
    assert c.evidence == "encoding" and not c.is_finding
    assert c.explanation.startswith("encoded in the scenario")


def test_unknown_rests_on_paths_are_refused(steel_data):
    check = {"quantity": "zone_open", "compare": "==", "threshold": 0}
    with pytest.raises(ScenarioError, match=r"unknown path 'importer\.tarif\.position'"):
        _with_claim(steel_data, {**BASE, "check": check, "rests_on": ["importer.tarif.position"]})


def test_a_scenario_is_scored_on_exactly_its_own_claims(steel, steel_report):
    assert [c.id for c in steel_report.claims] == [c.id for c in steel.claims]
    text = steel_report.summary() + str(steel_report.to_dict())
    for word in ("usa", "dprk", "denuclearization", "North Korea"):
        assert word not in text


def test_every_claim_has_evidence_robustness_precision_and_hinges(steel_report):
    for c in steel_report.to_dict()["claims"]:
        assert c["evidence"] in ("encoding", "derived", "record")
        assert {"robustness", "precision", "hinges_on", "conditions"} <= set(c)
        assert c["verdict"] in ("holds", "fails", "too-close-to-call", "not-applicable")


def test_encoded_claims_are_not_counted_as_findings(steel_report):
    counts = steel_report.counts()
    # T2 restates the two red lines (declared); T1 (without the red lines a zone exists) and
    # T3 (dropping the importer's floor opens it) cannot fail within the stated ranges, so
    # they are computed encodings of the ranges (structural), not findings
    assert counts.get("encoded") == 3
    for cid in ("T1", "T3"):
        c = steel_report[cid]
        assert c.declared == "derived" and c.evidence == "encoding" and not c.is_finding
        assert all(x.structural for x in c.conditions)
        assert "cannot fail within the stated ranges" in c.explanation
    assert sum(counts.values()) == len(steel_report.claims)


def test_verdicts_follow_the_numbers_and_flip_inside_the_stated_ranges(steel):
    base = evaluate_claims(steel, draws=300, runs=200, seed=3, ids=["T1", "T2"])
    assert base["T1"].verdict == "holds" and base["T2"].verdict == "holds"
    # both red lines inside their own ranges ([30, 50] and [20, 40]) so that they overlap
    s = steel.with_value("importer.red_lines.tariff", 32).with_value(
        "exporter.red_lines.tariff", 38
    )
    flipped = evaluate_claims(s, draws=300, runs=200, seed=3, ids=["T2"])
    assert flipped["T2"].verdict == "fails"
    # T1 reads the interests the red lines hide: when neither bloc wants a quota there is
    # nothing to trade for the tariff, and no zone even without the red lines
    s = steel.with_value("importer.quota.position", 0).with_value("exporter.quota.position", 0)
    assert evaluate_claims(s, draws=300, runs=50, seed=3, ids=["T1"])["T1"].verdict == "fails"


def test_robustness_is_over_the_inputs_not_monte_carlo_precision(steel):
    r = evaluate_claims(steel, draws=400, runs=50, seed=1, ids=["T2"])["T2"]
    # the two red lines overlap in some draws of their own ranges: robustness shows it
    assert 0.5 < r.robustness < 1
    assert "over the ranges of every uncertain input" in r.robustness_definition
    # the verdict hinges on the red lines and on nothing else
    assert set(r.hinges_on) <= {"importer.red_lines.tariff", "exporter.red_lines.tariff"}
    assert r.hinges_on


def test_a_quantity_has_one_value_per_run(steel):
    ev = Evaluator(steel, draws=200, runs=300, months=24, seed=4)
    rep = evaluate_claims(steel, evaluator=ev, ids=["T4", "T5"])
    p12 = ev.baseline.simulation.at(12)["talks"]
    assert rep["T4"].conditions[0].value == pytest.approx(p12)
    n = ev.n_simulations
    evaluate_claims(steel, evaluator=ev, ids=["T4", "T5"])  # cached: no new simulation
    assert ev.n_simulations == n == 2  # the baseline and the steel-glut variant


def test_dynamics_claims_are_not_applicable_without_roles(steel_data):
    d = copy.deepcopy(steel_data)
    d.pop("roles")
    s = read_yaml(yaml.safe_dump(d, allow_unicode=True), "case.yaml")
    r = evaluate_claims(s, draws=50, runs=20, ids=["T4", "T1"])
    assert r["T4"].verdict == "not-applicable" and "declares no roles" in r["T4"].explanation
    assert r["T1"].verdict in ("holds", "fails")


def test_unknown_claim_ids_are_refused(steel):
    from detente.errors import ModelError

    with pytest.raises(ModelError, match="this scenario's claims: T1"):
        evaluate_claims(steel, ids=["C1"])


def test_report_face(steel_report):
    assert "T1" in steel_report.summary()
    assert "| T1 |" in steel_report.summary("markdown")
    frame = steel_report.to_frame()
    assert list(frame["id"]) == ["T1", "T2", "T3", "T4", "T5"]
    assert repr(steel_report).startswith("<ClaimsReport 'steel-dispute'")
