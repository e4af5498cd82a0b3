"""A number pinned inside its stated range, without validating the whole scenario again.

Private to :mod:`detente.scenario`: :func:`~.whatif.apply_sets` with ``pin=True`` takes this
path when it can. A pinned number is ``Quantity(value=v, low=v, high=v)`` with the pin's
provenance, exactly what :func:`~.whatif.apply_set` builds; a value inside the number's
stated range breaks none of the scenario's rules (the range was validated with the
scenario), so the copy, which shares every other part with ``s`` (its models are frozen),
equals the validated one (tested on every path kind of several cases). Validating a
scenario costs some 3 ms; a run pins a dozen numbers (the drivers' and the structural
check's ends).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._elements import Provenance, Quantity

if TYPE_CHECKING:
    from .schema import Scenario

__all__ = ["pinned_in_range"]


def pinned_in_range(s: Scenario, path: str, value: float, why: str) -> Scenario | None:
    """``s`` with the number at ``path`` pinned at ``value`` (provenance: the judgement
    ``why``), or None when this cannot tell the copy is valid: ``value`` outside the number's
    stated range, a number a what-if's shift made, a red line, a path that is not a number of
    ``s``. The caller then validates (:func:`~.whatif.apply_set`)."""
    q = dict(s.quantities()).get(path)
    if q is None or q.shift is not None or not q.low <= value <= q.high:
        return None
    x = Quantity(
        value=value, low=value, high=value, provenance=Provenance(kind="judgement", text=why)
    )
    parts = path.split(".")
    if parts[0] == "status_quo" and len(parts) == 2:
        return s.model_copy(update={"status_quo": {**s.status_quo, parts[1]: x}})
    if parts[0] in ("drivers", "parameters") and len(parts) == 2:
        table = dict(getattr(s, parts[0]))
        table[parts[1]] = table[parts[1]].model_copy(update={"value": x})
        return s.model_copy(update={parts[0]: table})
    if parts[0] == "events" and parts[2:] == ["effect", "by"]:
        events = list(s.events)
        k = next(i for i, e in enumerate(events) if e.id == parts[1])
        effect = events[k].effect
        if effect is None:
            return None
        events[k] = events[k].model_copy(update={"effect": effect.model_copy(update={"by": x})})
        return s.model_copy(update={"events": tuple(events)})
    actors = list(s.actors)
    j = next((i for i, a in enumerate(actors) if a.id == parts[0]), None)
    if j is None:
        return None
    a = actors[j]
    if parts[1:] == ["capability"]:
        actors[j] = a.model_copy(update={"capability": x})
    elif len(parts) == 3 and parts[2] in ("position", "salience") and parts[1] in a.stances:
        stances = dict(a.stances)
        stances[parts[1]] = stances[parts[1]].model_copy(update={parts[2]: x})
        actors[j] = a.model_copy(update={"stances": stances})
    else:  # a red line: its direction and bound are set through apply_set
        return None
    return s.model_copy(update={"actors": tuple(actors)})
