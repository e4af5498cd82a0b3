"""Rename ids throughout a scenario: actors, issues, drivers, parameters, tools, events,
what-ifs and claims, and every reference to them (paths, claim arguments, roles).

Used by the contract tests (a model's outcome must not depend on names) and by the
invariance test of the whole pipeline (renaming every id changes no number).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .schema import Scenario

__all__ = ["all_ids", "rename_ids"]

#: Keys whose values are prose (never references), left untouched.
_PROSE = frozenset(
    {
        "text",
        "label",
        "description",
        "quote",
        "judgement",
        "fact",
        "cite",
        "imported",
        "calibrated",
        "note",
        "title",
        "question",
        "attribution",
        "at",
        "author",
        "date",
        "direction",
        "anchors",
        "source",
        "sources",
        "start",
        "kind",
        "op",
        "compare",
        "quantity",
        "of",
        "record",  # a bundled dataset's id, not one of the scenario's
    }
)


def all_ids(s: Scenario) -> list[str]:
    """Every id a scenario defines (actors, issues, drivers, parameters, tools, events,
    what-ifs, claims)."""
    ids = [*s.actor_ids, *s.issue_ids, *s.drivers, *s.parameters]
    ids += [t.id for a in s.actors for t in a.tools]
    ids += [e.id for e in s.events] + [w.id for w in s.what_ifs] + [c.id for c in s.claims]
    return list(dict.fromkeys(ids))


def _ref(x: str, m: Mapping[str, str]) -> str:
    if x in m:
        return m[x]
    if "." in x:
        return ".".join(m.get(p, p) for p in x.split("."))
    return x


def _walk(obj: Any, m: Mapping[str, str], key: str | None = None, parent: str | None = None) -> Any:
    if key in _PROSE:
        return obj
    if isinstance(obj, str):
        return _ref(obj, m)
    if isinstance(obj, Mapping):
        # roles.drivers maps role names (not ids) to driver ids: keep its keys
        keep_keys = parent == "roles" and key == "drivers"
        return {
            (k if keep_keys or not isinstance(k, str) else _ref(k, m)): _walk(v, m, k, key)
            for k, v in obj.items()
        }
    if isinstance(obj, list | tuple):
        return [_walk(v, m, key, parent) for v in obj]
    return obj


def rename_ids(s: Scenario, mapping: Mapping[str, str]) -> Scenario:
    """A copy of ``s`` with every id in ``mapping`` renamed, references included.

    Parameters keep their names when the simulation reads them by name; rename them only
    together with the code's defaults (the invariance test renames the case's own ids).
    """
    from .schema import Scenario

    data = s.model_dump()
    meta = data.pop("meta")
    out = _walk(data, mapping)
    out["meta"] = meta
    return Scenario.model_validate(out)
