"""The scenario's cross-field checks (unknown ids, scales, roles, sources).

Private to :mod:`detente.scenario`; :mod:`.schema` re-exports ``semantic_problems``.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import Problem
from ._elements import ID_PATTERN, RESERVED_ACTOR_IDS, Issue, Provenance, Quantity, _fmt
from .case import DRIVER_ROLES, case_problems

if TYPE_CHECKING:
    from .schema import Scenario


def _names(obj: Any, ident: str) -> bool:
    """Whether any string (or mapping key) inside ``obj`` names ``ident`` as a dotted part."""
    if isinstance(obj, str):
        return ident in obj.split(".")
    if isinstance(obj, Mapping):
        return any(_names(k, ident) or _names(v, ident) for k, v in obj.items())
    if isinstance(obj, list | tuple):
        return any(_names(x, ident) for x in obj)
    return False


def _unknown(kind: str, name: str, known: tuple[str, ...] | list[str]) -> Problem:
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}?" if close else f"known {kind}s: {', '.join(known)}"
    return Problem(f"unknown {kind} {name!r}", hint)


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


Loc = tuple[Any, ...]


def semantic_problems(s: Scenario) -> list[tuple[Loc, str, str]]:
    """Every cross-field problem, as (location, what is wrong, what to do)."""
    out: list[tuple[Loc, str, str]] = []
    issues = {i.id: i for i in s.issues}

    def dup(kind: str, ids: list[str], base: str) -> None:
        seen: set[str] = set()
        for k, x in enumerate(ids):
            if x in seen:
                out.append(
                    ((base, k, "id"), f"duplicate {kind} id {x!r}", "give every one a distinct id")
                )
            seen.add(x)

    dup("issue", [i.id for i in s.issues], "issues")
    dup("actor", [a.id for a in s.actors], "actors")
    clash = set(issues) & {a.id for a in s.actors}
    for c in sorted(clash):
        out.append((("actors",), f"{c!r} is both an actor and an issue id", "rename one of them"))
    for k, a in enumerate(s.actors):
        if a.id in RESERVED_ACTOR_IDS:
            out.append(
                ((("actors", k, "id")), f"actor id {a.id!r} is reserved", "choose another id")
            )
    if not s.issues:
        out.append((("issues",), "a scenario needs at least one issue", "add an issue"))
    if not s.actors:
        out.append((("actors",), "a scenario needs at least one actor", "add an actor"))

    def in_scale(loc: Loc, q: Quantity, issue: Issue, what: str) -> None:
        for name, v in (("value", q.value), ("range low", q.low), ("range high", q.high)):
            if not issue.low <= v <= issue.high:
                out.append(
                    (
                        loc,
                        f"{what} {name} must be within the scale of {issue.id} "
                        f"[{_fmt(issue.low)}, {_fmt(issue.high)}]; got {_fmt(v)}",
                        "put it on the issue's scale or widen the scale",
                    )
                )
                return

    for k, a in enumerate(s.actors):
        base: Loc = ("actors", k)
        cap = a.capability
        if cap.low < 0:
            out.append(
                (
                    (*base, "capability"),
                    f"capability must be >= 0; got {_fmt(cap.low if cap.value >= 0 else cap.value)}",
                    "give a non-negative capability",
                )
            )
        for iid, st in a.stances.items():
            loc = (*base, "stances", iid)
            if iid not in issues:
                p = _unknown("issue", iid, list(issues))
                out.append((loc, f"stance for {p.message}", p.hint))
                continue
            in_scale((*loc, "position"), st.position, issues[iid], "position")
            sal = st.salience
            for name, v in (("value", sal.value), ("range low", sal.low), ("range high", sal.high)):
                if not 0 <= v <= s.salience_max:
                    out.append(
                        (
                            (*loc, "salience"),
                            f"salience {name} must be in [0, {_fmt(s.salience_max)}]; got {_fmt(v)}",
                            "use a salience on the scenario's salience scale (salience_max)",
                        )
                    )
                    break
        for iid, rl in a.red_lines.items():
            loc = (*base, "red_lines", iid)
            if iid not in issues:
                p = _unknown("issue", iid, list(issues))
                out.append((loc, f"red line on {p.message}", p.hint))
                continue
            in_scale(loc, rl.bound, issues[iid], "red line bound")
        dup("tool", [t.id for t in a.tools], f"actors.{k}.tools")
    actor_ids = [a.id for a in s.actors]
    for k, issue in enumerate(s.issues):
        for m, who in enumerate(issue.controlled_by):
            if who not in actor_ids:
                p = _unknown("actor", who, actor_ids)
                out.append(((("issues", k, "controlled_by", m)), f"controller {p.message}", p.hint))
    for iid, q in s.status_quo.items():
        if iid not in issues:
            p = _unknown("issue", iid, list(issues))
            out.append((("status_quo", iid), f"status quo for {p.message}", p.hint))
            continue
        in_scale(("status_quo", iid), q, issues[iid], "status quo")
    for group in ("drivers", "parameters"):
        for did, d in getattr(s, group).items():
            if not re.fullmatch(ID_PATTERN, did):
                out.append(
                    ((group, did), f"{did!r} is not a valid id", "use letters, digits, _ and -")
                )
            if d.bounds is not None:
                lo, hi = d.bounds
                for name, v in (
                    ("value", d.value.value),
                    ("range low", d.value.low),
                    ("range high", d.value.high),
                ):
                    if not lo <= v <= hi:
                        out.append(
                            (
                                (group, did, "value"),
                                f"{name} must be within [{_fmt(lo)}, {_fmt(hi)}]; got {_fmt(v)}",
                                "keep it within its bounds",
                            )
                        )
                        break
    dup("event", [e.id for e in s.events], "events")
    dup("claim", [c.id for c in s.claims], "claims")
    out.extend(case_problems(s))
    for src_loc, prov in _provenances(s):
        if prov.source is not None and prov.source not in s.meta.sources:
            p = _unknown("source", prov.source, list(s.meta.sources))
            out.append(
                (
                    src_loc,
                    f"provenance cites {p.message}",
                    p.hint + " (declare it under meta.sources)",
                )
            )
    for k, e in enumerate(s.events):
        if e.actor is not None and e.actor not in s.actor_ids:
            p = _unknown("actor", e.actor, list(s.actor_ids))
            out.append((("events", k, "actor"), f"event {e.id} names {p.message}", p.hint))
        if e.effect is not None and "deadline" not in e.kind.lower():
            out.append(
                (
                    ("events", k, "effect"),
                    f"event {e.id}: effect is read only for events of kind deadline; "
                    f"got kind {e.kind!r}",
                    "write kind: deadline, or remove the effect",
                )
            )
    out += _role_problems(s)
    if not math.isfinite(s.salience_max):
        out.append((("salience_max",), "salience_max must be finite", "use 1 or 100"))
    return out


def _role_problems(s: Scenario) -> list[tuple[Loc, str, str]]:
    """Unknown actors or drivers named in ``roles:``; challenger equal to defender."""
    r = s.roles
    if r is None:
        return []
    out: list[tuple[Loc, str, str]] = []
    actors = list(s.actor_ids)
    named: list[tuple[Loc, str]] = [(("roles", "challenger"), r.challenger)]
    named.append((("roles", "defender"), r.defender))
    named += [(("roles", "patrons", k), a) for k, a in enumerate(r.patrons)]
    named += [(("roles", "third_parties", k), a) for k, a in enumerate(r.third_parties or ())]
    for loc, a in named:
        if a not in actors:
            p = _unknown("actor", a, actors)
            out.append((loc, f"role names {p.message}", p.hint))
    if r.challenger == r.defender:
        out.append(
            (
                ("roles", "defender"),
                f"challenger and defender must differ; both are {r.challenger!r}",
                "name two different actors",
            )
        )
    for role, did in r.drivers.items():
        if role not in DRIVER_ROLES:
            p = _unknown("driver role", role, list(DRIVER_ROLES))
            out.append((("roles", "drivers", role), p.message, p.hint))
        if did not in s.drivers:
            p = _unknown("driver", did, list(s.drivers))
            out.append((("roles", "drivers", role), f"role {role} names {p.message}", p.hint))
    return out


def _provenances(s: Scenario) -> Iterator[tuple[Loc, Provenance]]:
    for k, i in enumerate(s.issues):
        if i.provenance:
            yield ("issues", k), i.provenance
    for k, a in enumerate(s.actors):
        if a.provenance:
            yield ("actors", k), a.provenance
        if a.capability.provenance:
            yield ("actors", k, "capability"), a.capability.provenance
        for iid, st in a.stances.items():
            for f in ("position", "salience"):
                q = getattr(st, f)
                if q is not None and q.provenance:
                    yield ("actors", k, "stances", iid, f), q.provenance
        for iid, rl in a.red_lines.items():
            if rl.bound.provenance:
                yield ("actors", k, "red_lines", iid), rl.bound.provenance
        for j, t in enumerate(a.tools):
            if t.provenance:
                yield ("actors", k, "tools", j), t.provenance
    for iid, q in s.status_quo.items():
        if q.provenance:
            yield ("status_quo", iid), q.provenance
    for group in ("drivers", "parameters"):
        for did, d in getattr(s, group).items():
            if d.value.provenance:
                yield (group, did, "value"), d.value.provenance
    for k, e in enumerate(s.events):
        if e.provenance:
            yield ("events", k), e.provenance
        if e.effect is not None and e.effect.by is not None and e.effect.by.provenance:
            yield ("events", k, "effect", "by"), e.effect.by.provenance
