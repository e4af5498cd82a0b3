"""Train/test outcome backtests: fit on one set of decisions, score on another, leak nothing."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from detente.analysis.capfile import (
    CapabilityFit,
    apply_capabilities,
    capability_sets,
    format_capability_file,
    read_capability_file,
)
from detente.analysis.council import council_capabilities, decision_year, eu_forecasts
from detente.analysis.outcomes import Decision, OutcomeDataset, read_outcomes
from detente.analysis.transfer import (
    CAPABILITIES_TRAIN,
    COUNCIL_CAPABILITIES_TRAIN,
    ENSEMBLE_TRAIN,
    PROCEDURE_TRAIN,
    run_train_test,
    split_by_proposal,
)
from detente.data.eu import council_regime, council_weights, load_council_weights, procedure_roles
from detente.data.loaders import data_path
from detente.errors import ScenarioError
from detente.scenario import resolve
from detente.scenario.formats.deu import read_deu
from detente.web.compute import Inputs, apply_inputs

DEV = str(data_path("deu3_dev.tsv"))
LEARNED = (ENSEMBLE_TRAIN, PROCEDURE_TRAIN, CAPABILITIES_TRAIN, COUNCIL_CAPABILITIES_TRAIN)


@pytest.fixture(scope="module")
def halves():
    return split_by_proposal(read_outcomes(DEV), seed=0)


@pytest.fixture(scope="module")
def result(halves):
    train, test = halves
    return run_train_test(test, train, models=["compromise"], n_boot=300, seed=0)


def _with_outcomes(ds: OutcomeDataset, rng: np.random.Generator) -> OutcomeDataset:
    """The same decisions with every observed outcome replaced by a random one."""
    out = []
    for d in ds.decisions:
        obs = {
            i: (v if math.isnan(v) else float(rng.uniform(0, 100))) for i, v in d.observed.items()
        }
        out.append(dataclasses.replace(d, observed=obs))
    return dataclasses.replace(ds, decisions=tuple(out))


def _fits(r):
    return {
        k: {kk: vv for kk, vv in v.items() if kk != "verdict"}
        for k, v in r.to_dict()["learned"].items()
    }


def test_split_by_proposal_partitions_the_proposals(halves):
    a, b = halves
    ga, gb = {d.group for d in a.decisions}, {d.group for d in b.decisions}
    assert not ga & gb
    assert len(ga) + len(gb) == 70 and abs(len(ga) - len(gb)) <= 1


def test_every_learned_forecaster_is_fitted_and_scored_on_the_test_half(result, halves):
    _, test = halves
    scores = {s["forecaster"]: s for s in result.scores}
    assert result.protocol == "train/test"
    assert result.train["n_decisions"] == 35 and result.dataset["n_decisions"] == 35
    for name in LEARNED:
        s = scores[name]
        assert s["kind"] == "ensemble" and s["n"] == test.n_observed
        assert s["ci_low"] <= s["mae_minus_reference"] <= s["ci_high"]
        assert name in result.to_dict()["learned"]
    # the compromise row is the plain weighted mean of the test half
    y, p = result.observed, result.predictions[result.forecasters.index("compromise")]
    ok = np.isfinite(y)
    assert scores["compromise"]["mae"] == pytest.approx(np.abs(p[ok] - y[ok]).mean())
    assert len(result.verdicts()) == len(LEARNED)


def test_nothing_of_the_test_outcomes_reaches_the_fit(halves, result):
    train, test = halves
    shuffled = _with_outcomes(test, np.random.default_rng(7))
    other = run_train_test(shuffled, train, models=["compromise"], n_boot=300, seed=0)
    assert _fits(other) == _fits(result)
    assert other.capability_fit == result.capability_fit
    for name in LEARNED:
        k = result.forecasters.index(name)
        np.testing.assert_array_equal(other.predictions[k], result.predictions[k])
    # ... while the scores, which do read them, change
    assert other.score(ENSEMBLE_TRAIN)["mae"] != pytest.approx(result.score(ENSEMBLE_TRAIN)["mae"])


def test_the_train_outcomes_do_reach_the_fit(halves, result):
    train, test = halves
    shuffled = _with_outcomes(train, np.random.default_rng(7))
    other = run_train_test(test, shuffled, models=["compromise"], n_boot=300, seed=0)
    assert other.capability_fit.multipliers != result.capability_fit.multipliers


def test_capability_file_round_trip_and_application(result, tmp_path):
    fit = result.capability_fit
    assert fit.fitted_on["file"] == "deu3_dev.tsv" and fit.fitted_on["part"] == "split0a"
    assert len(fit.fitted_on["sha256"]) == 64
    path = tmp_path / "caps.json"
    path.write_text(format_capability_file(fit))
    back = read_capability_file(str(path))
    assert back.actors == fit.actors
    np.testing.assert_allclose(back.multipliers, fit.multipliers, rtol=1e-5)
    assert back.base == "dataset" and back.n_proposals == fit.n_proposals
    # applied to a scenario with two of its actors and one stranger
    scn = resolve("ec-emissions-1994")
    ids = scn.actor_ids
    made = CapabilityFit(actors=(ids[0], ids[1]), multipliers=(2.0, 0.5))
    out, unlisted = apply_capabilities(scn, made)
    cap = {a: scn.actor(a).capability.value for a in ids}
    assert out.actor(ids[0]).capability.value == pytest.approx(2 * cap[ids[0]])
    assert out.actor(ids[1]).capability.value == pytest.approx(0.5 * cap[ids[1]])
    assert "multiplier" in out.actor(ids[0]).capability.provenance.text
    assert unlisted == list(ids[2:])
    # the same as --set assignments, which the workbench's inputs take
    sets = capability_sets(scn, made)
    assert sets == (
        f"{ids[0]}.capability={2 * cap[ids[0]]:.6g}",
        f"{ids[1]}.capability={0.5 * cap[ids[1]]:.6g}",
    )
    via = apply_inputs(scn, Inputs(sets=sets))
    assert via.actor(ids[0]).capability.value == pytest.approx(2 * cap[ids[0]])
    with pytest.raises(ScenarioError, match="lists none of the scenario's actors"):
        apply_capabilities(scn, CapabilityFit(actors=("nobody",), multipliers=(2.0,)))


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("{oops", ":1", "not valid JSON"),
        ('{"format": "other", "version": 1, "actors": []}', ":1 format", "not a capability file"),
        (
            '{"format": "detente-capabilities", "version": 1, "actors": [\n'
            ' {"id": "de", "multiplier": 0},\n {"id": "de", "multiplier": 1}]}',
            ":2 actors[0].multiplier",
            "must be a number > 0",
        ),
        (
            '{"format": "detente-capabilities", "version": 2, "actors": []}',
            ":1 version",
            "must be 1",
        ),
    ],
)
def test_bad_capability_files_are_located(tmp_path, text, where, what):
    p = tmp_path / "caps.json"
    p.write_text(text)
    with pytest.raises(ScenarioError) as err:
        read_capability_file(str(p))
    first = str(err.value.problems[0])
    assert first.startswith(f"{p}{where}") and what in first


def test_council_facts_add_up_and_carry_sources():
    df = load_council_weights()
    assert (df["source"].str.len() > 20).all()
    assert sum(council_weights("eu15_1995").values()) == 87
    assert sum(council_weights("nice_2004").values()) == 352
    assert sum(council_weights("lisbon_2014").values()) == pytest.approx(100, abs=0.02)
    assert council_weights("nice_2004")["cr"] == 7 and council_weights("eu15_1995")["lu"] == 2
    assert [council_regime(y) for y in (1996, 2003, 2004, 2013, 2014, 2016)] == [
        "eu15_1995", "eu15_1995", "nice_2004", "nice_2004", "lisbon_2014", "lisbon_2014",
    ]  # fmt: skip
    assert procedure_roles("COD")["ep"]["can_block"] == "yes"
    assert procedure_roles("CNS")["ep"]["can_block"] == "no"


def test_council_weights_forecast_by_hand():
    """Germany (10 votes) at 100, Luxembourg (2) at 0, the Commission at 40, in 1999."""
    head = "prnr\tisnr\tcounvte\tintro\tpde\tsde\tplu\tslu\tpcom\tscom\trp\tout"
    rows = [
        "d99001\ti1\tQMV\t17-05-99\t100\t50\t0\t50\t40\t50\t\t60",
        "d99001\ti2\tUnan\t17-05-99\t100\t50\t0\t50\t40\t50\t\t60",
    ]
    (d,) = [
        Decision(x.group, x.scenario, x.outcomes, frozenset(), None, x.attributes)
        for x in read_deu("\n".join([head, *rows]) + "\n", "tiny.tsv")
    ]
    assert decision_year(d) == 1999
    f, why = eu_forecasts(d)
    assert why is None
    de, lu = 10 / (87 / 15), 2 / (87 / 15)
    assert f["council_weights"][0] == pytest.approx((de * 100 + 1 * 40) / (de + lu + 1))
    # unanimity: every member state counts alike
    assert f["council_weights"][1] == pytest.approx(140 / 3)
    assert f["commission"].tolist() == [40, 40]
    caps, unknown = council_capabilities(("de", "xx"), "nice_2004", "QMV")
    assert unknown == ["xx"] and caps[1] == 1


def test_the_dev_file_gives_every_proposal_a_year_and_a_regime():
    ds = read_outcomes(DEV)
    years = {d.group: decision_year(d) for d in ds.decisions}
    assert None not in years.values()
    assert years["d99083"] == 1999 and years["a04163"] == 2004 and years["d150307"] == 2015
    assert all(eu_forecasts(d)[1] is None for d in ds.decisions)


def test_to_dict_is_json(result):
    data = json.loads(json.dumps(result.to_dict(issues=False)))
    assert data["protocol"] == "train/test" and data["train"]["name"] == "deu3_dev.tsv#split0a"
