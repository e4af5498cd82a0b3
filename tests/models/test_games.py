"""Closed-form game results against tests/oracles/closed_form_games.json."""

import doctest
import json
from pathlib import Path

import pytest

from detente.models import games
from detente.models.games import (
    attrition_expected_time,
    attrition_hazard,
    chicken_mixed,
    egalitarian_point,
    fearon_range,
    fearon_screening,
    kalai_smorodinsky_point,
    nash_frontier_point,
    rubinstein_share,
)

ORACLE = json.loads((Path(__file__).parents[1] / "oracles" / "closed_form_games.json").read_text())


def frontier(u):
    return (1 - u) ** 0.5


def test_rubinstein_first_proposer_share():
    o = ORACLE["rubinstein"]
    assert rubinstein_share(o["d1"], o["d2"]) == pytest.approx(o["share"], abs=1e-7)


def test_fearon_screening_demand_and_war_probability():
    o = ORACLE["fearon_screening"]
    r = fearon_screening(o["p"], o["c_a"], o["cbar"])
    assert r.demand == pytest.approx(o["demand"], abs=1e-12)
    assert r.war_probability == pytest.approx(o["war_probability"], abs=1e-12)


def test_fearon_range_contains_p_and_is_clipped():
    assert fearon_range(0.5, 0.1, 0.2) == pytest.approx((0.4, 0.7))
    assert fearon_range(0.95, 0.1, 0.2) == pytest.approx((0.85, 1.0))


def test_nash_ks_and_egalitarian_on_sqrt_frontier():
    o = ORACLE["frontier_sqrt"]
    assert nash_frontier_point(frontier)[0] == pytest.approx(o["nash_u1"], abs=1e-9)
    assert kalai_smorodinsky_point(frontier)[0] == pytest.approx(
        o["kalai_smorodinsky_u1"], abs=1e-7
    )
    assert egalitarian_point(frontier)[0] == pytest.approx(o["egalitarian_u1"], abs=1e-7)


def test_attrition_and_chicken():
    for V, c in ((10.0, 2.0), (3.0, 0.5)):
        assert attrition_hazard(V, c) == pytest.approx(c / V)
        assert attrition_expected_time(V, c) == pytest.approx(V / (2 * c))
    for c in (1.5, 4.0, 10.0):
        eq = chicken_mixed(c)
        assert eq.p_firm == pytest.approx(1 / c)
        assert eq.p_crash == pytest.approx(1 / c**2)
        # indifference: yielding (-q) equals standing firm ((1 - q) - c q)
        q = eq.p_firm
        assert -q == pytest.approx((1 - q) - c * q)


@pytest.mark.parametrize(
    "call",
    [
        lambda: rubinstein_share(1.0, 1.0),
        lambda: rubinstein_share(1.2, 0.5),
        lambda: chicken_mixed(0.5),
        lambda: fearon_screening(0.5, 0.1, 0.0),
        lambda: attrition_hazard(0.0, 1.0),
    ],
)
def test_bad_parameters_raise_value_error(call):
    with pytest.raises(ValueError, match=r"Got|cannot"):
        call()


def test_docstring_examples_hold():
    result = doctest.testmod(games)
    assert result.attempted >= 8 and result.failed == 0
