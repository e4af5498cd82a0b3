"""Checks of a scenario's raw data that go beyond one pass of the schema.

- :func:`size_problems`: counts and texts over the limits, found before validation.
- :func:`validate_all`: validation that reports every problem of a file at once. Pydantic
  stops before the cross-field checks when a field is wrong; here an unknown key that is
  a misspelling of a missing one (``capabilty`` for ``capability``) is reported once with
  "did you mean", renamed in a scratch copy, other unknown keys are dropped from it, and
  the copy is validated again so the cross-field problems (a status quo off the scale, a
  salience above its maximum) come in the same report.
"""

from __future__ import annotations

import copy
import difflib
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import ScenarioError

__all__ = ["Found", "size_problems", "validate_all"]

Loc = tuple[Any, ...]
#: (location, what is wrong, what to do)
Found = tuple[Loc, str, str]


def size_problems(
    data: dict[Any, Any], *, max_actors: int, max_issues: int, max_label: int, max_text: int
) -> list[Found]:
    """Counts over ``max_actors``/``max_issues`` and texts over their length limits."""
    out: list[Found] = []
    for key, limit in (("actors", max_actors), ("issues", max_issues)):
        items = data.get(key)
        if isinstance(items, list) and len(items) > limit:
            out.append(
                (
                    (key,),
                    f"{len(items):,} {key} is more than the {limit:,} a scenario may have",
                    "is this the right file? split the scenario",
                )
            )
    if out:
        return out
    stack: list[tuple[Any, Loc]] = [(data, ())]
    while stack and len(out) < 20:
        node, loc = stack.pop()
        if isinstance(node, dict):
            stack.extend((v, (*loc, k)) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, (*loc, i)) for i, v in enumerate(node))
        elif isinstance(node, str):
            limit = max_label if loc and loc[-1] in ("label", "id") else max_text
            if len(node) > limit:
                what = "a label" if limit == max_label else "a text"
                out.append(
                    (
                        loc,
                        f"{what} of {len(node):,} characters; at most {limit:,} are allowed",
                        "shorten it",
                    )
                )
    return sorted(out, key=lambda f: [str(x) for x in f[0]])


def _field_names(model: type[BaseModel]) -> set[str]:
    """Every field name (and alias) of ``model`` and of the models it contains."""
    names: set[str] = set()
    seen: set[type[BaseModel]] = set()
    todo: list[type[BaseModel]] = [model]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        for name, f in m.model_fields.items():
            names.add(f.alias or name)
            for t in _types_in(f.annotation):
                if isinstance(t, type) and issubclass(t, BaseModel):
                    todo.append(t)
    return names


def _types_in(annotation: Any) -> list[Any]:
    from typing import get_args

    out = [annotation]
    for arg in get_args(annotation):
        out.extend(_types_in(arg))
    return out


def _container(data: Any, loc: Loc) -> Any:
    cur = data
    for part in loc:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return None
    return cur


def _hint_for(kind: str) -> str:
    if kind.startswith("finite_number"):
        return "NaN and infinity are not allowed; give a finite number"
    if kind.startswith(("float", "int")):
        return "give a number"
    if kind.startswith("string"):
        return "give text"
    if kind.startswith("bool"):
        return "write true or false"
    if kind.startswith(("dict", "model")):
        return "give a mapping (key: value lines)"
    if kind.startswith(("tuple", "list")):
        return "give a list"
    return "see docs/scenario-format.md"


def _one_pass(model: type[BaseModel], data: Any) -> tuple[Any, list[Found], Any]:
    """Validate once: (scenario or None, problems, the repaired copy or None)."""
    semantic: list[Found] = []
    try:
        scn = model.model_validate(data, context={"problems": semantic})
    except ValidationError as err:
        errors = err.errors(include_url=False)
    except ScenarioError as err:  # raised outside the context sink
        return None, [((), p.message, p.hint) for p in err.problems], None
    else:
        return (scn if not semantic else None), semantic, None
    vocabulary = _field_names(model)
    missing: dict[Loc, list[str]] = {}
    for e in errors:
        if e["type"] == "missing":
            missing.setdefault(tuple(e["loc"][:-1]), []).append(str(e["loc"][-1]))
    # a misspelling of a missing key is renamed (and reported once, with "did you mean")
    renames: dict[Loc, str] = {}
    for e in errors:
        loc = tuple(e["loc"])
        if e["type"] == "extra_forbidden":
            near = difflib.get_close_matches(
                str(loc[-1]), missing.get(loc[:-1], []), n=1, cutoff=0.7
            )
            if near and near[0] not in renames.values():
                renames[loc] = near[0]
    renamed = {(loc[:-1], new) for loc, new in renames.items()}
    repaired = copy.deepcopy(data)
    repairable = True
    out: list[Found] = []
    for e in errors:
        loc = tuple(e["loc"])
        if e["type"] == "extra_forbidden":
            key = str(loc[-1])
            parent = _container(repaired, loc[:-1])
            if loc in renames:
                out.append((loc, f"unknown field {key!r}", f"did you mean {renames[loc]!r}?"))
                if isinstance(parent, dict):
                    parent[renames[loc]] = parent.pop(loc[-1])
                continue
            close = difflib.get_close_matches(key, sorted(vocabulary), n=1, cutoff=0.75)
            hint = f"did you mean {close[0]!r}?" if close else "remove it or check its spelling"
            out.append((loc, f"unknown field {key!r}", hint))
            if isinstance(parent, dict):
                parent.pop(loc[-1], None)
        elif e["type"] == "missing":
            if (loc[:-1], str(loc[-1])) in renamed:
                continue  # reported as the misspelt key
            out.append((loc, f"missing field {loc[-1]!r}", "add it"))
            if _drop_point(loc) is None:
                repairable = False
        else:
            msg = str(e["msg"]).removeprefix("Value error, ")
            out.append((loc, msg, _hint_for(str(e["type"]))))
            if _drop_point(loc) is None:
                repairable = False
    return None, out, (repaired if repairable else None)


#: Collections whose items can be left out of the scratch copy when one of them is wrong, so
#: that the checks across the rest of the file still run (a broken claim must not hide a red
#: line off the scale): (depth of the item's location, pattern of the leading keys).
_DROPPABLE: tuple[tuple[int, tuple[str | None, ...]], ...] = (
    (2, ("claims",)),
    (2, ("what_ifs",)),
    (2, ("events",)),
    (1, ("roles",)),
    (2, ("drivers",)),
    (2, ("parameters",)),
    (2, ("status_quo",)),
    (4, ("actors", None, "tools")),
    (4, ("actors", None, "stances")),
    (4, ("actors", None, "red_lines")),
    (3, ("issues", None, "anchors")),
)


def _drop_point(loc: Loc) -> Loc | None:
    """The item to leave out of the scratch copy for a problem at ``loc`` (None: none)."""
    for depth, keys in _DROPPABLE:
        if len(loc) >= depth and all(k is None or loc[i] == k for i, k in enumerate(keys)):
            return tuple(loc[:depth])
    return None


def _without(data: Any, drops: set[Loc]) -> tuple[Any, Any, set[str]]:
    """A copy of ``data`` without the items at ``drops``; a function mapping the copy's
    locations back to ``data``'s (list items shift); the ids of the items left out."""
    copy_ = copy.deepcopy(data)
    shifts: dict[Loc, list[int]] = {}
    ids: set[str] = set()
    for loc in sorted(drops, key=lambda x: [str(p).zfill(9) for p in x], reverse=True):
        parent = _container(copy_, loc[:-1])
        key = loc[-1]
        if isinstance(parent, list) and isinstance(key, int) and 0 <= key < len(parent):
            item = parent.pop(key)
            shifts.setdefault(loc[:-1], []).append(key)
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                ids.add(item["id"])
        elif isinstance(parent, dict) and key in parent:
            parent.pop(key)
            owner = _container(copy_, loc[:2]) if loc[:1] == ("actors",) else None
            if isinstance(owner, dict) and isinstance(owner.get("id"), str):
                ids.add(f"{owner['id']}.{key}")  # a stance or red line: actor.issue
            elif loc[:1] != ("roles",):
                ids.add(str(key))

    def back(loc: Loc) -> Loc:
        for prefix, removed in shifts.items():
            n = len(prefix)
            if tuple(loc[:n]) == prefix and len(loc) > n and isinstance(loc[n], int):
                j = loc[n]
                for r in sorted(removed):
                    if r <= j:
                        j += 1
                loc = (*loc[:n], j, *loc[n + 1 :])
        return loc

    return copy_, back, ids


def validate_all(
    model: type[BaseModel], data: Any, *, max_passes: int = 4
) -> tuple[Any, list[Found]]:
    """Validate ``data`` as ``model``; return (instance, []) or (None, every problem found).

    Each pass repairs a scratch copy (misspelt keys renamed, unknown keys dropped, wrong
    claims, what-ifs, stances, red lines ... left out) and validates it again, so that one
    report holds the problems of every stage: a broken claim does not hide a red line off the
    scale. Problems a left-out item causes elsewhere (a claim naming a what-if that was left
    out) are not reported: the item's own problem is.
    """
    found: list[Found] = []
    seen: set[tuple[str, str]] = set()
    current = data
    back: Any = lambda loc: loc  # noqa: E731 - locations of the scratch copy -> of data
    left_out: set[str] = set()
    for _ in range(max_passes):
        scn, problems, repaired = _one_pass(model, current)
        for loc, msg, hint in problems:
            loc = back(tuple(loc))
            if any(f"'{x}'" in msg or f"'{x}." in msg for x in left_out):
                continue  # caused by an item left out, whose own problem is reported
            key = (".".join(map(str, loc)), msg)
            if key not in seen:
                seen.add(key)
                found.append((loc, msg, hint))
        if scn is not None and not found:
            return scn, []
        if repaired is None:
            break
        drops = {d for loc, _, _ in problems if (d := _drop_point(tuple(loc))) is not None}
        if drops:
            repaired, shift, ids = _without(repaired, drops)
            back = _compose(back, shift)
            left_out |= ids
        current = repaired
    return None, found


def _compose(outer: Any, inner: Any) -> Any:
    return lambda loc: outer(inner(loc))
