"""Deadlines act as the case declares: the hazard they raise, by how much, in the months
around their dates; a size of 0 moves nothing; a malformed declaration is one located error
with exit status 2; ``show --sources`` lists the effect; the inert check measures it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from detente.cli import app
from detente.dynamics import simulate
from detente.dynamics.effects import element_effects, structural_reason
from detente.dynamics.roles import deadline_windows
from detente.scenario import apply_sets, load, load_bundled
from detente.scenario.schema import Scenario

CASE = Path(__file__).with_name("deadline-case.yaml")
STEEL = Path(__file__).parents[2] / "examples" / "steel-dispute.yaml"
ARRAYS = ("modes", "provocations", "choices", "instigated")


@pytest.fixture(scope="module")
def case() -> Scenario:
    return load(CASE)


def _edited(case: Scenario, **effect: object) -> Scenario:
    data = case.model_dump()
    data["events"] = list(data["events"])
    data["events"][0]["effect"] = {**data["events"][0]["effect"], **effect}
    return Scenario.model_validate(data)


def _without_deadline(case: Scenario) -> Scenario:
    return case.model_copy(update={"events": case.events[1:]})


def test_a_deadline_raising_agreement_raises_it_around_its_date(case):
    # the deadline is 2022-06 (month 12 from 2021-06) and acts from 3 months before it
    on = simulate(case, runs=1000, months=24, seed=5)
    off = simulate(apply_sets(case, ["events.quota-expiry.effect.by=0"], pin=True), **_kw())
    # before the window (months 1-8) every path is the same: the same random numbers
    assert np.array_equal(on.modes[:8], off.modes[:8])
    assert on.at(8)["agreement"] == off.at(8)["agreement"]
    # in the window P(agreement) rises, by far more than the Monte Carlo error
    assert on.at(12)["agreement"] - off.at(12)["agreement"] > 0.3
    assert on.at(24)["agreement"] > off.at(24)["agreement"]
    # the effect is on concessions (agreement), so talks move much less than agreement
    assert abs(on.at(12)["talks"] - off.at(12)["talks"]) < 0.05


def _kw() -> dict[str, int]:
    return {"runs": 1000, "months": 24, "seed": 5}


def test_a_deadline_whose_range_is_zero_moves_nothing(case):
    zero = _edited(case, by={"value": 0, "range": [0, 0], "judgement": "no effect"})
    base = simulate(_without_deadline(case), runs=400, months=24, seed=9)
    got = simulate(zero, runs=400, months=24, seed=9)
    for name in ARRAYS:
        assert np.array_equal(getattr(base, name), getattr(got, name)), name


def test_a_deadline_raising_crisis_raises_crisis_only_in_its_window(case):
    crisis = _edited(case, raises="crisis", window=[0, 2])
    on = simulate(crisis, runs=1000, months=24, seed=3)
    off = simulate(
        apply_sets(crisis, ["events.quota-expiry.effect.by=0"], pin=True),
        runs=1000,
        months=24,
        seed=3,
    )
    assert np.array_equal(on.instigated[:11], off.instigated[:11])
    window = on.instigated[11:14].mean() - off.instigated[11:14].mean()
    assert window > 0.05


def test_the_window_covers_the_months_around_every_date(case):
    yearly = _edited(case, window=[-1, 1])
    data = yearly.model_dump()
    data["events"] = list(data["events"])
    data["events"][0]["dates"] = ["*-06"]
    yearly = Scenario.model_validate(data)
    labels = [f"2021-{m:02d}" for m in range(7, 13)] + [f"2022-{m:02d}" for m in range(1, 13)]
    [(eid, hazard, acts)] = deadline_windows(yearly, labels)
    assert (eid, hazard) == ("quota-expiry", "agreement")
    assert [lab for lab, a in zip(labels, acts, strict=True) if a] == [
        "2021-07",  # one month after the 2021-06 date, before the simulation's first month
        "2022-05",
        "2022-06",
        "2022-07",
    ]


def test_the_inert_check_measures_deadlines_and_flags_the_ones_that_do_nothing(case):
    data = case.model_dump()
    data["events"] = list(data["events"])
    data["events"].append(
        {
            "id": "review",
            "label": "A review clause",
            "kind": "deadline",
            "dates": ["2021-12"],
            "effect": {"inert": "the review changes nothing either side can do"},
        }
    )
    data["events"].append(
        {
            "id": "old-deadline",
            "label": "An undeclared date",
            "kind": "deadline",
            "dates": ["2021-09"],
        }
    )
    s = Scenario.model_validate(data)
    effects = {
        e.name: e for e in element_effects(s, month=12, runs=300, seed=2) if e.kind == "event"
    }
    assert set(effects) == {e.id for e in s.events}
    # the change is the variant's minus the case's: at 0 the deadline's P(agreement) falls
    assert not effects["quota-expiry"].inert and effects["quota-expiry"].change["agreement"] < -0.1
    assert effects["review"].inert and "declared inert" in effects["review"].reason
    assert effects["old-deadline"].inert and "declares no effect" in effects["old-deadline"].reason
    assert effects["trade-fair"].inert and "context" in effects["trade-fair"].reason
    # the structural shortcut holds: simulated, the inert ones change no run
    verified = {
        e.name: e
        for e in element_effects(s, month=12, runs=300, seed=2, verify=True)
        if e.kind == "event"
    }
    for name in ("review", "old-deadline", "trade-fair"):
        assert verified[name].change == dict.fromkeys(verified[name].change, 0.0), name
    # a deadline whose effect is at 0 across its range is measured inert
    zero = _edited(case, by={"value": 0, "range": [0, 0], "judgement": "no effect"})
    [flat] = [
        e for e in element_effects(zero, month=12, runs=300, seed=2) if e.name == "quota-expiry"
    ]
    assert flat.inert and "changes no probability" in flat.reason
    assert structural_reason(zero, "event", "quota-expiry") == ""


def test_show_sources_lists_the_deadline_and_its_provenance():
    out = CliRunner().invoke(app, ["show", str(CASE), "--sources"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "events.quota-expiry.effect.by = 3  [2, 4]" in out.stdout
    assert "judgement: for testing only" in out.stdout
    assert (
        "raises the hazard of agreement by 3 [2, 4] (utility) from 3 months before to 0 after"
        in out.stdout
    )


def test_the_iran_deadline_is_declared_inert_with_its_reason():
    s = load_bundled("iran-jcpoa-2021")
    [e] = [e for e in s.events if e.kind == "deadline"]
    assert e.effect is not None and e.effect.inert and "resolution 2231" in e.effect.inert
    assert structural_reason(s, "event", e.id).startswith("declared inert: ")
    out = CliRunner().invoke(app, ["show", "iran-jcpoa-2021", "--sources"])
    assert f"events.{e.id}.effect" in out.stdout


@pytest.mark.parametrize(
    ("edit", "where", "what"),
    [
        (
            ("raises", "deal"),
            "events.quota-expiry.effect.raises",
            "'talks', 'agreement' or 'crisis'",
        ),
        (("window", [2, 1]), "events.quota-expiry.effect.window", "before <= 0 <= after"),
        (("window", [-90, 0]), "events.quota-expiry.effect.window", "within 60 months"),
        (
            ("by", {"value": 1, "range": [-1, 2], "judgement": "x"}),
            "events.quota-expiry.effect.by",
            "by must be >= 0 across its range",
        ),
        (("raises", None), "events.quota-expiry.effect", "needs raises"),
        (("inert", "nothing"), "events.quota-expiry.effect", "declares no raises or by"),
        (("kind", "calendar"), "events.quota-expiry.effect", "only for events of kind deadline"),
    ],
)
def test_a_malformed_deadline_is_one_located_error_with_exit_2(tmp_path, edit, where, what):
    data = yaml.safe_load(CASE.read_text(encoding="utf-8"))
    event = data["events"][0]
    key, value = edit
    if key == "kind":
        event["kind"] = value
    elif value is None:
        del event["effect"][key]
    else:
        event["effect"][key] = value
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out = CliRunner().invoke(app, ["simulate", str(bad), "--runs", "10"])
    assert out.exit_code == 2, out.output
    lines = [x for x in out.output.splitlines() if x.startswith("error:")]
    assert len(lines) == 1, out.output
    assert f"{bad}:" in lines[0] and where in lines[0] and what in out.output, out.output
    assert "Traceback" not in out.output


BY_LINE = "    by: {value: 3, range: [2, 4], judgement: for testing only - a strong pull to settle before the expiry}"


@pytest.mark.parametrize(
    ("by", "what"),
    [
        # YAML 1.1 reads an exponent without a dot and a sign as text; pydantic would turn
        # the text into a float and skip the guard on numbers beyond 1e12 (overflow, NaN)
        ("{value: 5, range: [0, 1e300]}", "range high: expected a number, got str '1e300'"),
        ("{value: 5, range: [0, 1e300]}", "write 1.0e+300"),
        ("{value: 5, range: [-1e5, 6]}", "write -100000"),
        ("{value: 1e1, range: [0, 12]}", "value: expected a number, got str '1e1'"),
        ("{value: 5, range: [0, '7']}", "write 7 without quotes"),
        # written as numbers YAML reads: the number guard, then the bound on the size
        ("{value: 1.0e+308, range: [0, 1.0e+308]}", "beyond"),
        ("{value: 5, range: [0, 30]}", "by must be <= 20 across its range"),
        ("{value: 25, range: [20, 30]}", "by must be <= 20 across its range"),
    ],
)
def test_a_deadline_size_beyond_its_bound_or_written_as_text_is_one_located_error(
    tmp_path, by, what
):
    text = CASE.read_text(encoding="utf-8")
    assert text.count(BY_LINE) == 1
    line = text[: text.index(BY_LINE)].count("\n") + 1
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace(BY_LINE, f"    by: {by}"), encoding="utf-8")
    for command in (["validate", str(bad)], ["run", str(bad), "--runs", "10", "--draws", "4"]):
        out = CliRunner().invoke(app, command)
        assert out.exit_code == 2, out.output
        errors = [x for x in out.output.splitlines() if x.startswith("error:")]
        assert len(errors) == 1, out.output
        assert f"{bad}:{line} events.quota-expiry.effect.by" in errors[0], out.output
        assert what in " ".join(out.output.split()), out.output
        assert "Traceback" not in out.output and "Warning" not in out.output


def test_a_deadline_size_at_its_bound_is_accepted(tmp_path):
    text = CASE.read_text(encoding="utf-8")
    ok = tmp_path / "ok.yaml"
    ok.write_text(
        text.replace(BY_LINE, "    by: {value: 20, range: [1.5e+1, 20.0], judgement: test}"),
        encoding="utf-8",
    )
    assert load(ok).events[0].effect.by.high == 20


def test_renaming_every_id_of_a_case_with_deadlines_changes_no_number(case):
    from detente.scenario.rename import all_ids, rename_ids

    # keep the ids' alphabetical order (and the parameters the engine reads by name)
    ids = sorted(i for i in all_ids(case) if i not in case.parameters)
    renamed = rename_ids(case, {old: f"q{k:03d}-{old[::-1]}" for k, old in enumerate(ids)})
    a = simulate(case, runs=300, months=24, seed=6)
    b = simulate(renamed, runs=300, months=24, seed=6)
    for name in ARRAYS:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_a_ranged_deadline_size_is_a_sampled_input_the_analyses_read(case):
    """``events.ID.effect.by`` with a range is an uncertain input like any other: the
    screening of inputs (hinges, drivers, the structural check) reads its draws back from the
    arrays (it raised ValueError in ``sampled_quantities`` before, and ``run`` crashed)."""
    from detente.analysis.drivers import sampled_quantities

    batch = case.sample(50, 3)
    got = sampled_quantities(case, batch)
    by = got["events.quota-expiry.effect.by"]
    assert np.array_equal(by, batch.events["quota-expiry"]) and np.ptp(by) > 0
    assert by.min() >= 2 and by.max() <= 4


@pytest.mark.parametrize("command", ["run", "diagnose", "claims"])
def test_every_analysis_runs_on_a_case_with_a_ranged_deadline(tmp_path, command):
    """The steel example (which has claims) with a deadline whose size has a range."""
    data = yaml.safe_load(STEEL.read_text(encoding="utf-8"))
    data.setdefault("events", []).append(
        {
            "id": "tariff-deadline",
            "label": "A tariff truce expires",
            "kind": "deadline",
            "dates": ["2025-09"],
            "effect": {
                "raises": "agreement",
                "window": [-2, 0],
                "by": {"value": 1, "range": [0.5, 1.5], "judgement": "for testing only"},
            },
        }
    )
    path = tmp_path / "steel-deadline.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    extra = ["--runs", "40"] if command in ("run", "claims") else []
    out = CliRunner().invoke(app, [command, str(path), "--draws", "40", *extra, "--json"])
    assert out.exit_code == 0, out.output
    assert "Traceback" not in out.output and '"' in out.output
