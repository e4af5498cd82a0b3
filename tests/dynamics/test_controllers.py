"""An issue's controllers decide in the simulation as they do in the diagnosis.

``controlled-case.yaml``: Northland and Southland, the veto players who have roles, could
agree, but Eastland, who holds no veto, controls relief (``controlled_by``) and accepts at
most 30 of it where Northland needs at least 50. The simulation's monthly zone must be the
bargaining core's (:func:`detente.core.agreement_arrays`): shut, so no agreement, until
Eastland relents. Before the simulation asked the core it saw only the veto players and
agreed in about 92% of runs by month 36 (the test below that drops ``controlled_by`` shows
the same).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from detente.analysis.diagnosis import diagnose
from detente.core import agreement_arrays, agreement_matrix, win_set_gap, zone_open
from detente.dynamics import simulate, simulate_reference
from detente.dynamics.batch import simulate_batch
from detente.dynamics.whatifs import apply_what_if
from detente.dynamics.zone import holders, zone_and_gap
from detente.scenario import Scenario, load

CASE = Path(__file__).with_name("controlled-case.yaml")
HORIZONS = (6, 12, 24, 36)


@pytest.fixture(scope="module")
def case() -> Scenario:
    return load(CASE)


def _without_controllers(s: Scenario) -> Scenario:
    data = s.model_dump(mode="json", exclude_none=True)
    for issue in data["issues"]:
        issue["controlled_by"] = []
    return Scenario.model_validate(data)


def test_a_controllers_red_line_keeps_every_run_from_agreeing(case: Scenario) -> None:
    assert not bool(win_set_gap(agreement_arrays(case)).zone_nonempty)
    shut = simulate(case, runs=2000, months=36, seed=3)
    assert not shut.zone.any()
    for h in HORIZONS:
        assert shut.at(h)["agreement"] < 0.05, h
    assert any(
        n.startswith("controllers (a veto on their issue): east on relief") for n in shut.notes
    )
    # the same actors with Eastland as a bystander (the veto players alone, the reading
    # before the simulation asked the core): the zone is open and most runs agree, so the
    # test above can fail
    bystander = simulate(_without_controllers(case), runs=2000, months=36, seed=3)
    assert bystander.zone[0].mean() > 0.9
    assert bystander.at(36)["agreement"] > 0.5


def test_the_controller_relenting_by_a_what_if_raises_agreement(case: Scenario) -> None:
    shut = simulate(case, runs=2000, months=36, seed=3)
    relents = apply_what_if(case, "east-relents")
    assert bool(win_set_gap(agreement_arrays(relents)).zone_nonempty)
    opened = simulate(relents, runs=2000, months=36, seed=3)
    # Eastland's red line on arms (<= 20, where Southland needs >= 40) is on an issue it
    # does not control: it binds nobody, so the zone opens in every run
    assert opened.zone[0].all()
    for h in (12, 24, 36):
        assert opened.at(h)["agreement"] > shut.at(h)["agreement"] + 0.1, h


def test_the_simulations_zone_is_the_diagnosis_zone(case: Scenario) -> None:
    relents = apply_what_if(case, "east-relents")
    for s in (case, relents):
        sim = simulate(s, runs=400, months=1, seed=7)
        core, _ = zone_open(agreement_arrays(s, sim.draws))
        np.testing.assert_array_equal(sim.zone[0], np.asarray(core)[sim.group])
        d = diagnose(s, draws=200, seed=7, levers=False)
        assert float(sim.zone[0].mean()) == pytest.approx(d.p_zone_nonempty, abs=0.05)


def test_the_monthly_zone_reads_the_cores_veto_matrix(case: Scenario) -> None:
    arrays = case.sample(50, np.random.default_rng(1))
    m = agreement_matrix(case, arrays)
    assert m.tolist() == [[True, True], [True, True], [False, True]]
    assert np.array_equal(np.array(holders(case, arrays)), m)
    # no controllers: the arrays' veto players, at no cost in the loop
    assert holders(_without_controllers(case), arrays) == ()
    for kernel in ("auto", "red_lines"):
        with_controller, _ = zone_and_gap(arrays, kernel=kernel, holders=m)
        assert not with_controller.any(), kernel
        veto_only, _ = zone_and_gap(arrays, kernel=kernel)
        assert veto_only.all(), kernel


def test_the_per_run_loop_and_a_batch_read_the_controllers_too(case: Scenario) -> None:
    relents = apply_what_if(case, "east-relents")
    vec = simulate(relents, runs=200, months=12, seed=9)
    ref = simulate_reference(relents, runs=200, months=12, seed=9, subset_runs=10)
    for key in ("modes", "zone", "gap", "choices"):
        assert np.array_equal(ref[key], getattr(vec, key)[:, :10]), key
    shut, opened = simulate_batch([case, relents], months=12, runs=200, seed=9)
    assert not shut.zone.any()
    assert np.array_equal(opened.modes, vec.modes)
