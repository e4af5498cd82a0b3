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
            repairable = False
        else:
            msg = str(e["msg"]).removeprefix("Value error, ")
            out.append((loc, msg, _hint_for(str(e["type"]))))
            repairable = False
    return None, out, (repaired if repairable else None)


def validate_all(
    model: type[BaseModel], data: Any, *, max_passes: int = 3
) -> tuple[Any, list[Found]]:
    """Validate ``data`` as ``model``; return (instance, []) or (None, every problem found)."""
    found: list[Found] = []
    seen: set[tuple[str, str]] = set()
    current = data
    for _ in range(max_passes):
        scn, problems, repaired = _one_pass(model, current)
        for loc, msg, hint in problems:
            key = (".".join(map(str, loc)), msg)
            if key not in seen:
                seen.add(key)
                found.append((loc, msg, hint))
        if scn is not None and not found:
            return scn, []
        if repaired is None:
            break
        current = repaired
    return None, found
