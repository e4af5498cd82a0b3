"""A case's cross-references (what-ifs and claims), checked against its scenario.

Private to :mod:`detente.scenario`; :mod:`.case` re-exports every public name.
"""

from __future__ import annotations

from typing import Any

from ._catalogue import QUANTITIES, QuantitySpec
from ._changes import Change, _to_number, effect_changes
from .whatif import _bounds


# --------------------------------------------------------------------------------------
# cross-references, checked against the scenario (called by schema.semantic_problems)
# --------------------------------------------------------------------------------------
def known_paths(s: Any) -> set[str]:
    """Every path a change or ``rests_on`` may name."""
    paths = {p for p, _ in s.quantities()}
    for a in s.actors:
        paths.add(f"{a.id}.veto")
        paths.add(a.id)
        paths.update(f"{a.id}.red_lines.{i.id}" for i in s.issues)
        paths.update(f"{a.id}.tools.{t.id}" for t in a.tools)
    paths.update(f"issues.{i.id}" for i in s.issues)
    paths.update(f"status_quo.{i.id}" for i in s.issues)
    paths.update(f"events.{e.id}" for e in s.events)
    return paths


def case_problems(s: Any) -> list[tuple[tuple[Any, ...], str, str]]:
    """Unknown actors, issues, drivers, paths and what-ifs named by what-ifs and claims."""
    import difflib

    out: list[tuple[tuple[Any, ...], str, str]] = []
    paths = known_paths(s)
    actors, issues, drivers = set(s.actor_ids), set(s.issue_ids), set(s.drivers)
    what_ifs = {w.id for w in s.what_ifs}

    def unknown(loc: tuple[Any, ...], kind: str, name: Any, known: set[str]) -> None:
        close = difflib.get_close_matches(str(name), sorted(known), n=3, cutoff=0.5)
        hint = (
            f"did you mean {', '.join(close)}?"
            if close
            else (
                f"known {kind}s: {', '.join(sorted(known))}"
                if known and len(known) < 30
                else f"no such {kind}"
            )
        )
        out.append((loc, f"unknown {kind} {name!r}", hint))

    def change(loc: tuple[Any, ...], c: Change) -> None:
        if c.set is not None and c.set not in paths:
            unknown((*loc, "set"), "path", c.set, paths)
        elif c.set is not None and c.to is not None:
            value = _to_number(c.to)
            bounds = _bounds(s, c.set)
            if value is not None and bounds is not None and not bounds[0] <= value <= bounds[1]:
                out.append(
                    (
                        (*loc, "to"),
                        f"'to' {value:g} is outside the range of {c.set} [{bounds[0]:g}, "
                        f"{bounds[1]:g}], so this change could never apply",
                        "give a value within the range",
                    )
                )
        if c.drop_issue is not None and c.drop_issue not in issues:
            unknown((*loc, "drop_issue"), "issue", c.drop_issue, issues)
        if c.shift is not None:
            for key in ("shift", "toward"):
                if getattr(c, key) not in actors:
                    unknown((*loc, key), "actor", getattr(c, key), actors)
            if isinstance(c.share, str) and c.share not in paths:
                unknown((*loc, "share"), "path", c.share, paths)

    def args(loc: tuple[Any, ...], spec: QuantitySpec, a: dict[str, Any]) -> None:
        for name, kind in spec.args.items():
            v = a.get(name)
            if kind == "actor" and v not in actors:
                unknown((*loc, name), "actor", v, actors)
            if kind == "issue" and v not in issues:
                unknown((*loc, name), "issue", v, issues)
            if kind == "driver" and v not in drivers:
                unknown((*loc, name), "driver", v, drivers)
            if kind == "package" and isinstance(v, dict):
                for iid in v:
                    if iid not in issues:
                        unknown((*loc, name, iid), "issue", iid, issues)
        if spec.name == "effect":
            args((*loc, "args"), QUANTITIES[str(a["of"])], a.get("args", {}))
            if "what_if" in a and a["what_if"] not in what_ifs:
                unknown((*loc, "what_if"), "what-if", a["what_if"], what_ifs)
            for k, c in enumerate(effect_changes(a)):
                change((*loc, "change", k), c)

    for k, w in enumerate(s.what_ifs):
        if w.by is not None and w.by not in actors:
            unknown(("what_ifs", k, "by"), "actor", w.by, actors)
        for j, c in enumerate(w.changes):
            change(("what_ifs", k, "changes", j), c)
    seen: set[str] = set()
    for k, w in enumerate(s.what_ifs):
        if w.id in seen:
            out.append(
                (
                    ("what_ifs", k, "id"),
                    f"duplicate what-if id {w.id!r}",
                    "give every one a distinct id",
                )
            )
        seen.add(w.id)
    for k, c in enumerate(s.claims):
        for u in c.under:
            if u not in what_ifs:
                unknown(("claims", k, "under"), "what-if", u, what_ifs)
        for r in c.rests_on:
            if r not in paths:
                unknown(("claims", k, "rests_on"), "path", r, paths)
        for j, cond in enumerate(c.check):
            loc = ("claims", k, "check", j)
            args((*loc, "args"), QUANTITIES[cond.quantity], cond.args)
            for u in cond.under:
                if u not in what_ifs:
                    unknown((*loc, "under"), "what-if", u, what_ifs)
            for m, ch in enumerate(cond.changes):
                change((*loc, "changes", m), ch)
    return out
