"""The contract every registered model must pass, and a quick way to build test scenarios.

:func:`check_model` runs a model on a few scenarios and checks that

- it is deterministic for a seed;
- it leaves the scenario unchanged;
- the forecast has consistent shapes and ids, and ``to_dict()`` is JSON (no NaN) with
  ``outcome`` (issue -> value) and ``trace`` (round 0 first, each with ``positions``
  actor -> issue -> value);
- outcomes lie within each issue's scale, or are NaN only where the model says there is no
  agreement (``extra["agreement"] is False``);
- the outcome does not depend on the order of the actors, nor on their names;
- actors who all hold the same position get that position as the outcome;
- the outcome respects the veto players (:mod:`detente.models.veto`): on the issues they hold
  a veto on it is the status quo, or every veto player accepts it (utility at least that of
  the status quo, within its red lines); a scenario without veto players is left unconstrained
  and says so; the model's own outcome is kept beside it (``unconstrained``).

:func:`make_scenario` builds a valid :class:`~detente.scenario.Scenario` from plain numbers.

Examples
--------
>>> from detente.models import get_model
>>> check_model(get_model("compromise"))  # doctest: +ELLIPSIS
[...]
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .models.base import Forecast, Model
    from .scenario import Scenario

__all__ = ["check_model", "default_check_scenarios", "make_scenario"]


def make_scenario(
    actors: Mapping[str, Mapping[str, Any]],
    issues: Sequence[str] | Mapping[str, tuple[float, float]],
    *,
    status_quo: Mapping[str, float] | None = None,
    salience_max: float = 1.0,
    scenario_id: str = "constructed",
    parameters: Mapping[str, float] | None = None,
    controlled_by: Mapping[str, Sequence[str]] | None = None,
) -> Scenario:
    """A scenario from plain numbers, for tests and examples.

    Parameters
    ----------
    actors : mapping
        ``{actor_id: {"capability": c, "veto": bool, "stances": {issue: (position, salience)},
        "red_lines": {issue: ">= 40"}}}``; ``veto`` and ``red_lines`` are optional.
    issues : sequence of ids (scale 0-100) or mapping ``{issue_id: (low, high)}``
    status_quo : mapping issue -> value, optional (issues left out have none: the models then
        use the documented reference point, see ``docs/models/contract.md``)
    salience_max : the salience scale (1, or 100 for exchange-model files)
    controlled_by : mapping issue -> actor ids who alone implement it, optional

    Examples
    --------
    >>> s = make_scenario({"a": {"capability": 1, "stances": {"x": (0, 1)}}}, ["x"])
    >>> s.n_actors, s.n_issues
    (1, 1)
    """
    from .scenario import Scenario

    scales = dict(issues) if isinstance(issues, Mapping) else {i: (0.0, 100.0) for i in issues}
    data: dict[str, Any] = {
        "meta": {"id": scenario_id, "title": f"Constructed scenario {scenario_id}"},
        "salience_max": salience_max,
        "issues": [
            {
                "id": i,
                "label": i,
                "low": lo,
                "high": hi,
                "controlled_by": list((controlled_by or {}).get(i, ())),
            }
            for i, (lo, hi) in scales.items()
        ],
        "actors": [
            {
                "id": aid,
                "label": aid,
                "capability": spec.get("capability", 1.0),
                "veto": bool(spec.get("veto", False)),
                "stances": {
                    iid: {"position": float(p), "salience": float(sal)}
                    for iid, (p, sal) in spec.get("stances", {}).items()
                },
                "red_lines": dict(spec.get("red_lines", {})),
            }
            for aid, spec in actors.items()
        ],
        "status_quo": dict(status_quo or {}),
        "parameters": {k: {"label": k, "value": float(v)} for k, v in (parameters or {}).items()},
    }
    return Scenario.model_validate(data)


def default_check_scenarios() -> list[Scenario]:
    """The scenarios :func:`check_model` uses by default: the bundled ones plus two built here."""
    from .scenario import bundled_names, load_bundled

    out = [load_bundled(n) for n in bundled_names()]
    out.append(
        make_scenario(
            {
                "Actor-1": {"capability": 1, "stances": {"issue1": (0, 10), "issue2": (0, 90)}},
                "Actor-2": {"capability": 1, "stances": {"issue1": (100, 60), "issue2": (100, 50)}},
            },
            ["issue1", "issue2"],
            salience_max=100,
            scenario_id="exchange-oracle",
        )
    )
    out.append(
        make_scenario(
            {
                "north": {
                    "capability": 0.5,
                    "veto": True,
                    "stances": {"arms": (20, 0.9), "aid": (90, 0.6), "talks": (60, 0.3)},
                    "red_lines": {"arms": "<= 70"},
                },
                "south": {
                    "capability": 0.3,
                    "veto": True,
                    "stances": {"arms": (85, 0.7), "aid": (30, 0.4), "talks": (70, 0.5)},
                },
                "patron": {
                    "capability": 0.4,
                    "stances": {"arms": (50, 0.3), "aid": (70, 0.8)},
                },
                "broker": {"capability": 0.1, "stances": {"talks": (80, 0.9), "aid": (55, 0.2)}},
            },
            ["arms", "aid", "talks"],
            status_quo={"arms": 40, "aid": 10, "talks": 20},
            scenario_id="four-actors",
        )
    )
    out.append(
        make_scenario(
            {
                "owner": {"capability": 0.2, "stances": {"stock": (10, 0.9), "aid": (80, 0.5)}},
                "buyer": {"capability": 0.6, "stances": {"stock": (90, 0.6), "aid": (20, 0.4)}},
                "donor": {"capability": 0.4, "stances": {"stock": (70, 0.4), "aid": (60, 0.7)}},
            },
            ["stock", "aid"],
            status_quo={"stock": 30, "aid": 40},
            controlled_by={"stock": ["owner"]},
            scenario_id="controlled-issue",
        )
    )
    return out


def check_model(
    model: Model, scenarios: Iterable[Scenario] | None = None, *, seed: int = 0
) -> list[str]:
    """Run the model contract on ``scenarios``; raise AssertionError naming the first failure.

    Returns the list of checks that passed, ``"<scenario>: <check>"``.
    """
    from .scenario import Scenario

    done: list[str] = []
    for s in default_check_scenarios() if scenarios is None else scenarios:
        assert isinstance(s, Scenario), f"check_model needs Scenario objects; got {type(s)}"

        def ok(what: str, s: Scenario = s) -> None:
            done.append(f"{s.id}: {what}")

        before = s.model_dump()
        f1 = model.forecast(s, seed=seed)
        assert s.model_dump() == before, f"{model.name} on {s.id}: the scenario was modified"
        ok("scenario unchanged")
        f2 = model.forecast(s, seed=seed)
        _same(f1, f2, f"{model.name} on {s.id}: two runs with seed {seed} differ")
        ok("deterministic for a seed")
        _shapes(model.name, s, f1)
        ok("shapes and ids")
        _json(model.name, s, f1)
        ok("to_dict is JSON with outcome and trace")
        _in_scale(model.name, s, f1)
        ok("outcome within scale or no agreement")

        rev = _reorder(s)
        fr = model.forecast(rev, seed=seed)
        _close(
            f1.outcome,
            fr.outcome,
            s,
            f"{model.name} on {s.id}: the outcome changes when the actors are listed in reverse",
        )
        ok("invariant to actor order")

        ren = _rename(s)
        fn = model.forecast(ren, seed=seed)
        _close(
            f1.outcome,
            fn.outcome,
            s,
            f"{model.name} on {s.id}: the outcome changes when the actors are renamed",
        )
        ok("invariant to renaming")

        una, shared = _unanimous(s)
        fu = model.forecast(una, seed=seed)
        _close(
            shared,
            fu.outcome,
            s,
            f"{model.name} on {s.id}: unanimous actors at {shared.tolist()} get {fu.outcome.tolist()}",
        )
        ok("unanimous actors give their shared position")

        _veto_respected(model, s, f1)
        ok("outcome within the veto players' win-set or the status quo")
    return done


def _veto_respected(model: Model, s: Scenario, f: Forecast) -> None:
    """The veto property: on issues a veto player holds, the outcome is the status quo or
    accepted by every veto player; without veto players the forecast says it is unconstrained."""
    from .core import bargaining_inputs
    from .models import veto as _veto

    where = f"{model.name} on {s.id}"
    status = f.veto.get("status")
    m = _veto.veto_matrix(s)
    if not getattr(model, "respect_veto", True):
        assert status == "off", f"{where}: respect_veto=False but the veto status is {status!r}"
        return
    assert f.unconstrained is not None and f.unconstrained.shape == f.outcome.shape, (
        f"{where}: the unconstrained outcome is not kept beside the constrained one"
    )
    if not m.any():
        assert status == "none", f"{where}: no veto player, but the veto status is {status!r}"
        assert any("not constrained by veto players" in n for n in f.notes), (
            f"{where}: the notes do not say the forecast is unconstrained"
        )
        return
    run_on = s
    missing = _veto.status_quo_assumed(s)
    if missing:
        run_on, _ = _veto.with_reference_point(s, missing)
    a = run_on.to_arrays()
    held = m.any(axis=0)
    x = np.asarray(f.outcome, dtype=float)
    width = a.scale_high - a.scale_low
    assert np.isfinite(x[held]).all(), f"{where}: no outcome on an issue a veto player holds"
    if np.all(np.abs(x[held] - a.status_quo[held]) <= 1e-9 * width[held]):
        return
    inp = bargaining_inputs(_veto.restricted_arrays(a, m))
    y = (x - a.scale_low) / width
    # the bargaining core's one win-set test (strict preference, red lines)
    surplus = inp.surplus(y[None])[0]
    within = inp.within_red_lines(y[None])[0]
    inside = inp.in_win_sets(y[None])[0]
    for v, who in enumerate(inp.veto_ids):
        assert within[v], (
            f"{where}: the outcome {x.tolist()} crosses a red line of veto player {who}"
        )
        assert inside[v], (
            f"{where}: the outcome {x.tolist()} is not in veto player {who}'s win-set "
            f"(surplus over the status quo {surplus[v]:.6g})"
        )


def _nan_equal(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))


def _same(a: Forecast, b: Forecast, msg: str) -> None:
    assert _nan_equal(a.positions, b.positions), msg + " (positions)"
    assert _nan_equal(a.outcome, b.outcome), msg + " (outcome)"
    assert [m.to_dict() for m in a.moves] == [m.to_dict() for m in b.moves], msg + " (moves)"


def _shapes(name: str, s: Scenario, f: Forecast) -> None:
    A, I = s.n_actors, s.n_issues
    where = f"{name} on {s.id}"
    assert f.actor_ids == s.actor_ids, f"{where}: actor_ids {f.actor_ids} != {s.actor_ids}"
    assert f.issue_ids == s.issue_ids, f"{where}: issue_ids {f.issue_ids} != {s.issue_ids}"
    assert f.positions.ndim == 3 and f.positions.shape[1:] == (A, I), (
        f"{where}: positions shape {f.positions.shape}, expected (rounds+1, {A}, {I})"
    )
    assert f.outcome.shape == (I,), f"{where}: outcome shape {f.outcome.shape}, expected ({I},)"
    assert np.isfinite(f.positions).all(), f"{where}: positions contain NaN or inf"
    for m in f.moves:
        assert 0 <= m.round <= f.n_rounds, f"{where}: move in round {m.round} of {f.n_rounds}"
        assert m.actor in s.actor_ids and m.issue in s.issue_ids, f"{where}: move {m} names"


def _json(name: str, s: Scenario, f: Forecast) -> None:
    d = f.to_dict()
    text = json.dumps(d, allow_nan=False)
    back = json.loads(text)
    where = f"{name} on {s.id}"
    assert set(back["outcome"]) == set(s.issue_ids), f"{where}: outcome keys"
    trace = back["trace"]
    assert isinstance(trace, list) and len(trace) == f.n_rounds + 1, f"{where}: trace length"
    assert trace[0]["round"] == 0, f"{where}: trace must start with round 0"
    for r, entry in enumerate(trace):
        assert entry["round"] == r, f"{where}: trace rounds out of order"
        pos = entry["positions"]
        assert set(pos) == set(s.actor_ids), f"{where}: trace actors in round {r}"
        for a in s.actor_ids:
            assert set(pos[a]) == set(s.issue_ids), f"{where}: trace issues for {a} in round {r}"


def _in_scale(name: str, s: Scenario, f: Forecast) -> None:
    no_agreement = f.extra.get("agreement") is False
    for j, issue in enumerate(s.issues):
        v = float(f.outcome[j])
        if math.isnan(v):
            assert no_agreement, (
                f"{name} on {s.id}: outcome on {issue.id} is NaN but the model does not say "
                "there is no agreement (extra['agreement'] is False)"
            )
            continue
        tol = 1e-9 * (issue.high - issue.low)
        assert issue.low - tol <= v <= issue.high + tol, (
            f"{name} on {s.id}: outcome {v} on {issue.id} outside [{issue.low}, {issue.high}]"
        )


def _close(expected: np.ndarray, got: np.ndarray, s: Scenario, msg: str) -> None:
    widths = np.array([i.high - i.low for i in s.issues])
    e, g = np.asarray(expected, float), np.asarray(got, float)
    nan_ok = np.isnan(e) == np.isnan(g)
    diff = np.where(np.isnan(e) | np.isnan(g), 0.0, np.abs(e - g))
    assert nan_ok.all() and (diff <= 1e-6 * widths).all(), msg + f": {e.tolist()} vs {g.tolist()}"


def _reorder(s: Scenario) -> Scenario:
    from .scenario import Scenario

    data = s.model_dump()
    data["actors"] = list(reversed(data["actors"]))
    return Scenario.model_validate(data)


def _rename(s: Scenario) -> Scenario:
    from .scenario.rename import rename_ids

    # Names that sort in the opposite order to the originals, so name-based tie-breaking shows.
    ids = sorted(s.actor_ids)
    n = len(ids)
    return rename_ids(s, {a: f"renamed_{n - rank:04d}" for rank, a in enumerate(ids)})


def _unanimous(s: Scenario) -> tuple[Scenario, np.ndarray]:
    """Every actor holds the same position on every issue, away from the status quo."""
    from .scenario import Scenario

    data = s.model_dump()
    shared = []
    for issue in s.issues:
        sq = s.status_quo_value(issue.id)
        p = issue.low + 0.3 * (issue.high - issue.low)
        if abs(p - sq) < 1e-9 * (issue.high - issue.low):
            p = issue.low + 0.7 * (issue.high - issue.low)
        shared.append(p)
    for a in data["actors"]:
        a["red_lines"] = {}
        old = a["stances"]
        new = {}
        for issue, p in zip(s.issues, shared, strict=True):
            sal = s.salience_max / 2
            if issue.id in old:
                sal_q = old[issue.id]["salience"]
                v = sal_q["value"] if isinstance(sal_q, dict) else sal_q
                # a salience that vanishes on the [0, 1] scale says the actor wants nothing
                sal = v if v >= 1e-3 * s.salience_max else sal
            new[issue.id] = {"position": p, "salience": sal}
        a["stances"] = new
    data["claims"] = []
    data["what_ifs"] = []
    return Scenario.model_validate(data), np.array(shared)
