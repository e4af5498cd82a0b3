"""Consistency by construction: every part of detente asks the bargaining core, so they agree.

On generated scenarios (``tests/strategies.py``, with red lines so that zones both open and
shut), the rules of issue 19:

- the Nash family reports a deal only where the core's zone of agreement is open;
- every model's forecast, on the issues the veto players hold, lies in the zone when it is
  open (or stays at the status quo: no veto player can be made to agree) and equals the status
  quo when it is shut;
- the diagnosis, the claims' ``zone_open`` quantity, the fast zone test and the simulation's
  closed-form zone give the same verdict as the core's solver;
- with controllers (``controlled_by``), the simulation's zone in its first month is the
  core's ``zone_open`` on the veto players and each issue's controllers, draw by draw.

``CI=1`` runs the Hypothesis "ci" profile (derandomised); each property runs at least 200
examples there.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings

from detente.analysis.diagnosis import diagnose
from detente.analysis.quantities import Evaluator
from detente.core import (
    agreement_arrays,
    bargaining_inputs,
    veto_matrix,
    win_set_gap,
    zone_open,
)
from detente.dynamics import simulate
from detente.dynamics.zone import closed_form_zone
from detente.models import MODELS, get_model
from detente.scenario import Scenario, load_bundled
from detente.scenario.whatif import apply_sets
from strategies import scenarios

NASH_FAMILY = ("nash", "kalai_smorodinsky", "egalitarian")

generated = scenarios(
    min_actors=2, max_actors=4, max_issues=3, red_lines=True, word_labels=True, status_quo=True
)

EXAMPLES = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _held_outcome_agrees_with_zone(s: Scenario, outcome: np.ndarray, where: str) -> None:
    """The veto rule on one forecast, judged by the core's one win-set test."""
    m = veto_matrix(s)
    if not m.any():
        return
    a = s.to_arrays()
    held = m.any(axis=0)
    width = a.scale_high - a.scale_low
    at_sq = np.all(np.abs(outcome[held] - a.status_quo[held]) <= 1e-9 * width[held])
    zone = win_set_gap(agreement_arrays(s, a))
    if not bool(zone.zone_nonempty):
        assert at_sq, f"{where}: the zone is shut but the outcome leaves the status quo"
        return
    if at_sq:
        return
    inp = bargaining_inputs(agreement_arrays(s, a))
    y = (np.where(held, outcome, a.status_quo) - a.scale_low) / width
    inside = inp.in_win_sets(y[None])[0]
    assert inside.all(), (
        f"{where}: the zone is open but the outcome {outcome.tolist()} is outside the win-set "
        f"of {[v for v, ok in zip(inp.veto_ids, inside, strict=True) if not ok]}"
    )


@EXAMPLES
@given(generated)
def test_every_part_gives_the_cores_zone_verdict(s: Scenario) -> None:
    point = win_set_gap(s.to_arrays())
    is_open = bool(point.zone_nonempty)
    # the fast test, exact and with certificates
    assert bool(zone_open(s.to_arrays())[0]) == is_open
    # the diagnosis' point verdict (no levers: the verdict is what is compared)
    d = diagnose(s, draws=8, seed=3, levers=False)
    assert bool(d.point.zone_nonempty) == is_open
    # the claims' quantity zone_open at the point and over the same draws
    ev = Evaluator(s, draws=8, seed=3)
    v = ev.variant()
    assert bool(v.point.zone_nonempty) == is_open
    np.testing.assert_array_equal(v.open_, win_set_gap(v.batch).zone_nonempty)
    # the simulation's zone (closed form for two veto players; certificates and the LP for
    # more)
    sim_open, sim_gap = closed_form_zone(s.to_arrays())
    assert bool(sim_open[0]) == is_open
    assert (float(sim_gap[0]) == 0.0) == is_open


#: Found by Hypothesis: an actor whose ideal point is 1e-308 from the status quo has a best
#: gain within the core's strict margin; the Nash family divided by it and overflowed.
_TINY_GAIN = Scenario.model_validate(
    {
        "meta": {"id": "generated", "title": "0"},
        "salience_max": 1.0,
        "issues": [{"id": "aa", "label": "aa", "low": 0.0, "high": 3.0}],
        "actors": [
            {
                "id": "a",
                "label": "0",
                "capability": 0.0,
                "veto": False,
                "stances": {"aa": {"position": 1.0, "salience": 1.0}},
            },
            {
                "id": "b",
                "label": "0",
                "capability": 0.0,
                "veto": False,
                "stances": {"aa": {"position": 1.1125369292536007e-308, "salience": 1.0}},
            },
        ],
        "status_quo": {"aa": 0.0},
    }
)


@EXAMPLES
@given(generated)
@example(s=_TINY_GAIN)
def test_the_nash_family_reports_a_deal_only_where_the_zone_is_open(s: Scenario) -> None:
    is_open = bool(win_set_gap(agreement_arrays(s)).zone_nonempty)
    for name in NASH_FAMILY:
        f = get_model(name).forecast(s)
        if f.extra["agreement"]:
            assert is_open, f"{name} reports a deal where the zone is shut"
        assert f.extra["zone_open"] == is_open
        _held_outcome_agrees_with_zone(s, np.asarray(f.outcome, float), name)


@EXAMPLES
@given(generated)
def test_every_models_veto_held_forecast_lies_in_the_zone_or_at_the_status_quo(
    s: Scenario,
) -> None:
    for name in MODELS:
        if name in NASH_FAMILY:
            continue  # checked above
        f = get_model(name).forecast(s, seed=1)
        _held_outcome_agrees_with_zone(s, np.asarray(f.outcome, float), name)


@pytest.fixture(scope="module")
def flagship_without_dprk_red_line() -> Scenario:
    return apply_sets(load_bundled("us-dprk-2021"), ["dprk.red_lines.denuclearization=none"])


def test_nash_and_diagnosis_agree_on_the_flagship_without_the_dprk_red_line(
    flagship_without_dprk_red_line: Scenario,
) -> None:
    """Regression (issue 19): with the North's typed red line removed, the Nash model
    reported an agreement while the diagnosis found the zone empty (gap 0.15), because the
    veto projection applied the North's stance-level ``priority`` as a red line and Nash did
    not. The priority construct is gone and Nash asks the core, so they agree."""
    s = flagship_without_dprk_red_line
    d = diagnose(s, draws=20, seed=5, levers=False)
    for name in NASH_FAMILY:
        f = get_model(name).forecast(s)
        assert f.extra["agreement"] == bool(d.point.zone_nonempty), name
        assert f.extra["zone_open"] == bool(d.point.zone_nonempty), name
        _held_outcome_agrees_with_zone(s, np.asarray(f.outcome, float), name)


def test_nash_says_no_deal_where_the_core_finds_the_zone_shut() -> None:
    """The flagship as bundled: the red lines on denuclearization do not overlap."""
    s = load_bundled("us-dprk-2021")
    assert not bool(win_set_gap(s.to_arrays()).zone_nonempty)
    for name in NASH_FAMILY:
        f = get_model(name).forecast(s)
        assert f.extra["agreement"] is False
        assert "do not overlap" in f.extra["reason"] or "conflict" in f.extra["reason"]


controlled = scenarios(
    min_actors=2,
    max_actors=4,
    max_issues=3,
    red_lines=True,
    word_labels=True,
    status_quo=True,
    controlled_by=True,
)


@EXAMPLES
@given(controlled)
def test_an_issues_controllers_hold_a_veto_on_it_in_every_part(s: Scenario) -> None:
    """``controlled_by`` gives a veto on that issue only, and the diagnosis, the claims'
    zone quantities and the Nash family read it as the veto projection does: through the
    core's ``agreement_arrays``."""
    agreed = agreement_arrays(s)
    is_open = bool(win_set_gap(agreed).zone_nonempty)
    assert bool(zone_open(agreed)[0]) == is_open
    d = diagnose(s, draws=8, seed=3, levers=False)
    assert bool(d.point.zone_nonempty) == is_open
    holders = [a for a, h in zip(s.actor_ids, veto_matrix(s).any(axis=1), strict=True) if h]
    assert list(d.veto_ids) == (holders or list(s.actor_ids))
    ev = Evaluator(s, draws=8, seed=3)
    v = ev.variant()
    assert bool(v.point.zone_nonempty) == is_open
    shut_per_draw = win_set_gap(agreement_arrays(s, v.batch)).zone_nonempty
    np.testing.assert_array_equal(v.open_, shut_per_draw)
    np.testing.assert_array_equal(d.batch.zone_nonempty, shut_per_draw)
    for name in NASH_FAMILY:
        f = get_model(name).forecast(s)
        assert f.extra["zone_open"] == is_open, name
        _held_outcome_agrees_with_zone(s, np.asarray(f.outcome, float), name)


def _with_roles(s: Scenario) -> Scenario:
    """``s`` with the roles and start the simulation needs: the first two actors are the
    challenger and the defender, no drivers (so no stance moves in the first month)."""
    data = s.model_dump(mode="json", exclude_none=True)
    data["meta"]["start"] = "2021-06"
    data["roles"] = {"challenger": s.actor_ids[0], "defender": s.actor_ids[1]}
    return Scenario.model_validate(data)


@EXAMPLES
@given(controlled)
def test_the_simulations_zone_at_month_0_is_the_cores(s: Scenario) -> None:
    """The simulation asks the core who must agree: its first month's zone, run by run,
    is ``zone_open`` on ``agreement_arrays`` of the run's draw (controllers included)."""
    s = _with_roles(s)
    sim = simulate(s, runs=8, months=1, seed=0)
    core, _ = zone_open(agreement_arrays(s, sim.draws))
    np.testing.assert_array_equal(sim.zone[0], np.asarray(core, bool)[sim.group])
    np.testing.assert_array_equal(sim.gap[0] == 0.0, sim.zone[0])
