"""Hypothesis strategies for scenarios, shared by the test modules.

``scenario_data()`` draws the plain mapping a YAML file would hold; ``scenarios()``
validates it into a :class:`~detente.scenario.Scenario`. Options narrow the draw to what
a format can hold: ``scale=(0, 100)`` and ``salience_max=100`` with
``salience_sum_max=100`` for KTAB; ``full_stances=True`` when every actor must have a
stance on every issue; ``one_issue=True`` for Bueno de Mesquita tables.
"""

from __future__ import annotations

import math
import string
from typing import Any

from hypothesis import strategies as st

from detente.scenario import Actor, Issue, Scenario

__all__ = ["actor_ids", "actors", "finite", "issues", "labels", "scenario_data", "scenarios"]

_FIRST = string.ascii_letters
_REST = string.ascii_letters + string.digits + "_-"

#: Ids matching detente's ID_PATTERN.
actor_ids = st.builds(
    lambda a, b: a + b, st.sampled_from(_FIRST), st.text(alphabet=_REST, max_size=12)
)

#: Human labels: letters, digits and punctuation analysts use (commas, quotes, ;),
#: no tabs or newlines, no leading or trailing space.
labels = (
    st.text(
        alphabet=string.ascii_letters + string.digits + " ,;'\"()&-./",
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)

_WORD = st.text(alphabet=string.ascii_lowercase, min_size=2, max_size=10)


def finite(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Finite floats in [lo, hi], with round numbers (the usual case) drawn often."""
    floats = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    ilo, ihi = math.ceil(lo), math.floor(hi)
    if ilo > ihi:
        return floats
    return st.one_of(st.integers(ilo, ihi).map(float), floats)


@st.composite
def scenario_data(
    draw: st.DrawFn,
    *,
    min_actors: int = 1,
    max_actors: int = 6,
    min_issues: int = 1,
    max_issues: int = 4,
    scale: tuple[float, float] | None = None,
    salience_max: float | None = None,
    salience_sum_max: float | None = None,
    full_stances: bool = False,
    one_issue: bool = False,
    word_labels: bool = False,
    status_quo: bool = True,
    veto: bool = True,
    red_lines: bool = False,
    controlled_by: bool = False,
) -> dict[str, Any]:
    """A scenario as the mapping a YAML file holds (valid by construction).

    Every actor has a stance on at least one issue; ``status_quo`` draws a status quo
    point on every issue, ``veto`` draws veto flags, ``red_lines`` draws a red line on some
    of each actor's issues (on the side away from its position, so zones open and shut),
    ``controlled_by`` names, on some issues, a few actors who control it (a veto on that
    issue only).
    """
    n_issues = 1 if one_issue else draw(st.integers(min_issues, max_issues))
    n_actors = draw(st.integers(min_actors, max_actors))
    sal_max = salience_max if salience_max is not None else draw(st.sampled_from([1.0, 100.0]))
    issue_labels = draw(
        st.lists(_WORD, min_size=n_issues, max_size=n_issues, unique=True)
        if word_labels
        else st.lists(labels, min_size=n_issues, max_size=n_issues)
    )
    issue_ids = draw(st.lists(actor_ids, min_size=n_issues, max_size=n_issues, unique_by=str.lower))
    if word_labels:
        issue_ids = list(issue_labels)
    issues = []
    for iid, label in zip(issue_ids, issue_labels, strict=True):
        if scale is not None:
            lo, hi = scale
        else:
            lo = draw(finite(-1000, 1000))
            hi = lo + draw(finite(0.5, 1000))
        issues.append({"id": iid, "label": label, "low": lo, "high": hi})
    ids = draw(
        st.lists(actor_ids, min_size=n_actors, max_size=n_actors, unique=True).filter(
            lambda xs: (
                not set(xs) & set(issue_ids)
                and not set(xs) & {"status_quo", "drivers", "parameters", "meta"}
            )
        )
    )
    actors = []
    for aid in ids:
        stances = {}
        held = (
            set(range(len(issues)))
            if full_stances
            else set(draw(st.sets(st.integers(0, len(issues) - 1), min_size=1)))
        )
        for k, issue in enumerate(issues):
            if k not in held:
                continue
            stances[issue["id"]] = {
                "position": draw(finite(issue["low"], issue["high"])),
                "salience": draw(finite(0, sal_max)),
            }
        if salience_sum_max is not None:
            total = sum(s["salience"] for s in stances.values())
            if total > salience_sum_max:
                for s in stances.values():
                    s["salience"] = float(int(s["salience"] * salience_sum_max / total))
        actor: dict[str, Any] = {
            "id": aid,
            "label": draw(labels),
            "capability": draw(finite(0, 1e6)),
            "veto": draw(st.booleans()) if veto else False,
            "stances": stances,
        }
        if red_lines:
            lines = {}
            for issue in issues:
                st_ = stances.get(issue["id"])
                if st_ is None or not draw(st.booleans()):
                    continue
                p, lo, hi = st_["position"], issue["low"], issue["high"]
                if p >= (lo + hi) / 2:
                    lines[issue["id"]] = {"op": ">=", "bound": draw(finite(lo, p))}
                else:
                    lines[issue["id"]] = {"op": "<=", "bound": draw(finite(p, hi))}
            if lines:
                actor["red_lines"] = lines
        actors.append(actor)
    data: dict[str, Any] = {
        "meta": {"id": "generated", "title": draw(labels)},
        "salience_max": sal_max,
        "issues": issues,
        "actors": actors,
    }
    if controlled_by:
        for issue in issues:
            who = draw(st.lists(st.sampled_from(ids), max_size=2, unique=True))
            if who:
                issue["controlled_by"] = who
    if status_quo:
        data["status_quo"] = {i["id"]: draw(finite(i["low"], i["high"])) for i in issues}
    return data


def scenarios(**kwargs: Any) -> st.SearchStrategy[Scenario]:
    """Valid scenarios; keyword arguments as for :func:`scenario_data`."""
    return scenario_data(**kwargs).map(Scenario.model_validate)


def issues(**kwargs: Any) -> st.SearchStrategy[list[Issue]]:
    """Lists of valid issues (distinct ids); keyword arguments as for :func:`scenario_data`."""
    return scenarios(**kwargs).map(lambda s: list(s.issues))


def actors(**kwargs: Any) -> st.SearchStrategy[list[Actor]]:
    """Lists of valid actors (distinct ids) with stances on the drawn issues."""
    return scenarios(**kwargs).map(lambda s: list(s.actors))
