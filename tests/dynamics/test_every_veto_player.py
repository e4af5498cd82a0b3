"""Every veto player decides in the simulation: an agreement needs the zone of agreement
among all veto players, not only the two actors the roles name."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from detente.analysis.bargaining import win_set_gap
from detente.dynamics import simulate
from detente.dynamics.whatifs import apply_what_if
from detente.dynamics.zone import zone_and_gap
from detente.scenario import apply_sets, load

FOUR = Path(__file__).with_name("four-veto.yaml")
HORIZONS = (6, 12, 24, 36)


@pytest.fixture(scope="module")
def four():
    return load(FOUR)


def test_four_veto_players_without_a_zone_never_agree(four):
    shut = simulate(four, runs=2000, months=36, seed=3)
    assert not shut.zone.any()
    for h in HORIZONS:
        assert shut.at(h)["agreement"] < 0.05
    # the two-player reading the simulation used before: challenger and defender alone
    # have a zone in every draw, so the test above can fail
    arrays = four.sample(200, np.random.default_rng(0))
    pair_zone, _ = zone_and_gap(arrays, pair=(1, 0))
    assert pair_zone.all()


def test_opening_the_zone_by_a_what_if_raises_agreement(four):
    shut = simulate(four, runs=2000, months=36, seed=3)
    opened = simulate(apply_what_if(four, "east-relents"), runs=2000, months=36, seed=3)
    assert opened.zone[0].mean() > 0.9
    for h in (12, 24, 36):
        assert opened.at(h)["agreement"] > shut.at(h)["agreement"] + 0.1


def test_veto_players_without_a_role_are_named_in_a_warning(four):
    notes = simulate(four, runs=50, months=6, seed=0).notes
    warning = [n for n in notes if n.startswith("warning:")]
    assert len(warning) == 1
    assert "east, west" in warning[0] and "4 veto players" in warning[0]


def test_the_zone_among_many_veto_players_agrees_with_the_lp(four):
    s = apply_sets(four, ["east.red_lines.relief=<= 55", "north.red_lines.relief=>= 45"])
    rng = np.random.default_rng(4)
    arrays = s.sample(300, rng)
    # positions and status quo anywhere on the scales, so both verdicts occur
    arrays = replace(
        arrays,
        positions=rng.uniform(0, 100, arrays.positions.shape),
        status_quo=rng.uniform(0, 60, arrays.status_quo.shape),
    )
    zone, gap = zone_and_gap(arrays)
    lp = win_set_gap(replace(arrays, veto=np.asarray(arrays.veto, bool)))
    assert np.array_equal(zone, np.asarray(lp.zone_nonempty, bool))
    assert 0 < zone.mean() < 1  # both verdicts occur
    assert np.all(gap[zone] == 0)
    assert (gap[~zone] > 0).mean() > 0.9  # zero only within the margin of the zone test
