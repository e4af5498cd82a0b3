"""Analyses whose cost explodes with the number of actors say so instead of running away."""

from __future__ import annotations

import pytest

from detente.analysis.diagnosis import MAX_UNANIMITY_ACTORS, diagnose
from detente.errors import ModelError
from detente.models import get_model
from detente.models.smp import MAX_ACTORS

from .builders import make


def _crowd(n: int, veto: bool) -> object:
    actors = {
        f"a{k}": {"veto": veto, "stances": {"x": (100 * k / max(1, n - 1), 0.5)}} for k in range(n)
    }
    # a status quo no actor holds, so every actor can gain from some package
    return make(["x"], actors, {"x": 50.25})


def test_unanimity_over_a_crowd_is_refused_with_the_reason():
    with pytest.raises(ModelError, match="mark the actors whose consent a deal needs"):
        diagnose(_crowd(MAX_UNANIMITY_ACTORS + 1, veto=False), draws=4)
    # just under the limit it runs
    d = diagnose(_crowd(30, veto=False), draws=4, levers=False)
    assert d.veto_ids


def test_the_spatial_model_refuses_more_actors_than_it_can_play():
    with pytest.raises(ModelError, match=f"runs up to {MAX_ACTORS} actors"):
        get_model("smp").forecast(_crowd(MAX_ACTORS + 1, veto=False))


def test_the_bargaining_solutions_refuse_a_crowd_of_players():
    from detente.models.nash import MAX_PLAYERS

    for name in ("nash", "kalai_smorodinsky", "egalitarian"):
        with pytest.raises(ModelError, match="mark the veto players"):
            get_model(name, respect_veto=False).forecast(_crowd(MAX_PLAYERS + 1, veto=False))
