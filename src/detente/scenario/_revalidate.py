"""A changed scenario validated by its changed parts only.

Private to :mod:`detente.scenario`: :mod:`.whatif` and :meth:`.schema.Scenario.without_issue`
change a scenario as a dump (``s.model_dump()``, a mapping) and validate it again. Validating
a whole scenario re-reads every number and its provenance (some 1.5 ms for the flagship, and
a run applies some thirty what-ifs); the parts a change leaves alone were validated with
``s`` and read back the same (a frozen model's dump validates to an equal model), so
:func:`revalidated` validates only the parts named as touched (one actor, one status quo,
one driver, one event), takes every other part from ``s`` and runs the scenario's own
cross-field checks (:func:`~._semantics.semantic_problems`) on the result: the same checks
``Scenario.model_validate`` runs, so the copy equals the fully validated one (tested on
every kind of change of every bundled scenario).

When a part or the cross-field checks refuse the change, :func:`revalidated` returns None
and the caller validates the whole dump: its messages, not these, are the ones the user
sees.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from ..errors import ScenarioError

# modules, not their names: _semantics imports .case, which imports .whatif, which imports this
from . import _semantics
from ._elements import Actor, Event, NamedQuantity, Quantity

if TYPE_CHECKING:
    from .schema import Scenario

__all__ = ["revalidated"]

#: The scenario's fields a change can touch, each a tuple of elements keyed by id or a
#: mapping of name to element, with the element's model.
_BY_ID: dict[str, type[BaseModel]] = {"actors": Actor, "events": Event}
_BY_NAME: dict[str, type[BaseModel]] = {
    "status_quo": Quantity,
    "drivers": NamedQuantity,
    "parameters": NamedQuantity,
}


def revalidated(
    s: Scenario,
    data: Mapping[str, Any],
    touched: Iterable[tuple[str, str]],
    kept: Mapping[str, Any] | None = None,
) -> Scenario | None:
    """The scenario ``data`` (a dump of ``s`` with the parts ``touched`` changed), or None.

    Parameters
    ----------
    s : Scenario
        The validated scenario ``data`` was dumped from.
    data : mapping
        ``s.model_dump()`` with changes in the parts ``touched`` only: an element of
        ``actors`` or ``events`` (by id), an entry of ``status_quo``, ``drivers`` or
        ``parameters`` (by name, added or changed).
    touched : iterable of (field, key)
        The changed parts, e.g. ``("actors", ACTOR_ID)``, ``("status_quo", ISSUE_ID)``.
        An element of a listed field that ``data`` no longer holds is dropped.
    kept : mapping, optional
        Fields given whole, made of ``s``'s own validated elements (e.g. its claims less
        those that name a dropped issue): ``data`` holds their dumps.

    Returns
    -------
    Scenario or None
        Equal to ``Scenario.model_validate(data)`` (``==`` and ``model_dump()``); None
        when a part or the cross-field checks refuse it, or when a field outside those
        listed changed (the caller then validates the whole dump, with its messages).
    """
    keys: dict[str, set[str]] = {}
    for field, key in touched:
        if field not in _BY_ID and field not in _BY_NAME:
            return None
        keys.setdefault(field, set()).add(key)
    update: dict[str, Any] = dict(kept or {})
    try:
        for field, changed in keys.items():
            if field in _BY_ID:
                model = _BY_ID[field]
                old = {x.id: x for x in getattr(s, field)}
                update[field] = tuple(
                    old[d["id"]]
                    if d["id"] not in changed and d["id"] in old
                    else model.model_validate(d)
                    for d in data[field]
                )
            else:
                model = _BY_NAME[field]
                table = getattr(s, field)
                update[field] = {
                    k: table[k] if k not in changed and k in table else model.model_validate(v)
                    for k, v in data[field].items()
                }
    except (ValidationError, ScenarioError, ValueError):
        return None
    out = s.model_copy(update=update)
    if _semantics.semantic_problems(out):
        return None
    return out
