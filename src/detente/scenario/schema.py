"""The scenario: issues, actors, stances, status quo, drivers, with provenance for every number.

A :class:`Scenario` is frozen. Every number in it is a :class:`Quantity`: a value, a
plausible range ``[low, high]`` used by the uncertainty analyses, and a
:class:`Provenance` (a quote and where it stands, a cited fact, a stated judgement,
an import from a file, or a calibration). ``to_arrays()`` gives the NumPy view the
models use; ``sample()`` draws many perturbed copies at once; ``with_value()``
applies a what-if.

Salience is stored on the scenario's own scale ``[0, salience_max]`` (1 for detente's
own files, 100 for KTAB and exchange-model files) so that imported numbers survive a
round trip unchanged; ``to_arrays()`` divides by ``salience_max``.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_serializer, model_validator

from ..errors import Problem, ScenarioError, UnknownPathError
from .case import DRIVER_ROLES, Claim, Roles, WhatIf, case_problems

__all__ = [
    "DRIVER_ROLES",
    "ID_PATTERN",
    "RESERVED_ACTOR_IDS",
    "Actor",
    "Claim",
    "Event",
    "Issue",
    "NamedQuantity",
    "Provenance",
    "Quantity",
    "RedLine",
    "Roles",
    "Scenario",
    "Source",
    "Stance",
    "Tool",
]

ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_\-]*$"
#: Ids an actor may not have: they name the other parts of a ``--set`` path.
RESERVED_ACTOR_IDS = frozenset({"status_quo", "drivers", "parameters", "meta"})
Finite = Annotated[float, Field(allow_inf_nan=False)]
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]

_PROVENANCE_KEYS = ("quote", "fact", "judgement", "imported", "calibrated")
ProvenanceKind = Literal["quote", "fact", "judgement", "imported", "calibrated"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Provenance(_Frozen):
    """Where a number comes from.

    kind:
        ``quote`` (``text`` is the sentence, ``locator`` where it stands in ``source``),
        ``fact`` (``text`` states the fact, ``locator`` cites it),
        ``judgement`` (``text`` is the analyst's reason),
        ``imported`` (``text`` names the file and line it was read from),
        ``calibrated`` (``text`` names the data and fit).
    """

    kind: ProvenanceKind
    text: Annotated[str, Field(min_length=1)]
    locator: str | None = None
    source: str | None = None

    def describe(self) -> str:
        if self.kind == "quote":
            where = ", ".join(x for x in (self.source, self.locator) if x)
            return f'"{self.text}"' + (f" ({where})" if where else "")
        if self.kind == "fact":
            return self.text + (f" [{self.locator}]" if self.locator else "")
        return f"{self.kind}: {self.text}" + (f" [{self.locator}]" if self.locator else "")


def _provenance_from_mapping(data: dict[str, Any]) -> Provenance | None:
    present = [k for k in _PROVENANCE_KEYS if k in data]
    if not present:
        return None
    if len(present) > 1:
        raise ValueError(
            f"give one kind of provenance, not {' and '.join(present)}; "
            "use quote (with at), fact (with cite), judgement, imported or calibrated"
        )
    kind = present[0]
    text = data.pop(kind)
    locator = data.pop("at", None) if kind == "quote" else None
    if kind == "fact" or kind in ("judgement", "imported", "calibrated"):
        locator = data.pop("cite", None)
    source = data.pop("source", None)
    return Provenance(kind=kind, text=text, locator=locator, source=source)


class Quantity(_Frozen):
    """A number with its plausible range and its provenance.

    In YAML a quantity is either a bare number (its range is then the number itself and
    it has no provenance) or a mapping::

        {value: 95, range: [85, 100], quote: "...", at: "para 2, sentence 1"}
        {value: 0.7, range: [0.5, 0.9], judgement: "the essay implies ..."}
        {value: 4, fact: "six nuclear tests 2006-2017", cite: "Yao et al. 2018"}
    """

    value: Finite
    low: Finite
    high: Finite
    provenance: Provenance | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_friendly(cls, data: Any) -> Any:
        if isinstance(data, bool):
            raise ValueError("expected a number, got a boolean")
        if isinstance(data, int | float):
            if not math.isfinite(data):
                # one message, not one each for value, low and high
                raise ValueError(
                    f"expected a finite number, got {data}; NaN and infinity are not allowed"
                )
            return {"value": data, "low": data, "high": data}
        if isinstance(data, Quantity):
            return data
        if not isinstance(data, Mapping):
            raise ValueError(
                f"expected a number or a mapping with 'value', got {type(data).__name__}"
            )
        data = dict(data)
        if "provenance" in data or "low" in data or "high" in data:
            return data
        if "value" not in data:
            raise ValueError("a quantity needs 'value'")
        value = data.pop("value")
        rng = data.pop("range", None)
        if rng is None:
            low = high = value
        elif isinstance(rng, list | tuple) and len(rng) == 2:
            low, high = rng
        else:
            raise ValueError("'range' must be a list of two numbers [low, high]")
        prov = _provenance_from_mapping(data)
        out: dict[str, Any] = {"value": value, "low": low, "high": high, "provenance": prov}
        out.update(data)  # leftovers are rejected by extra="forbid" with their names
        return out

    @model_validator(mode="after")
    def _range_holds_value(self) -> Quantity:
        if not (self.low <= self.value <= self.high):
            raise ValueError(
                f"range [{_fmt(self.low)}, {_fmt(self.high)}] must contain the value {_fmt(self.value)}"
            )
        return self

    @model_serializer(mode="plain")
    def _to_friendly(self) -> Any:
        if self.provenance is None and self.low == self.value == self.high:
            return _num(self.value)
        out: dict[str, Any] = {"value": _num(self.value)}
        if not (self.low == self.value == self.high):
            out["range"] = [_num(self.low), _num(self.high)]
        p = self.provenance
        if p is not None:
            out[p.kind] = p.text
            if p.locator is not None:
                out["at" if p.kind == "quote" else "cite"] = p.locator
            if p.source is not None:
                out["source"] = p.source
        return out

    @property
    def is_certain(self) -> bool:
        return self.low == self.high

    def shifted_to(
        self, value: float, *, bounds: tuple[float, float] | None = None, why: str
    ) -> Quantity:
        """A copy with a new value; the range keeps its width around it (clipped to ``bounds``)."""
        low, high = self.low - self.value + value, self.high - self.value + value
        if bounds is not None:
            low, high = max(bounds[0], low), min(bounds[1], high)
        low, high = min(low, value), max(high, value)
        return Quantity(
            value=value, low=low, high=high, provenance=Provenance(kind="judgement", text=why)
        )


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else float(x)


def _fmt(x: float) -> str:
    return f"{_num(x)}"


class Source(_Frozen):
    """A document numbers are quoted from or facts cited to."""

    title: str
    author: str | None = None
    date: str | None = None
    note: str | None = None


class Anchor(_Frozen):
    at: Finite
    label: str


class _Sourced(_Frozen):
    """An element with its own provenance, which YAML may give inline (``quote:``/``at:``,
    ``fact:``/``cite:``, ``judgement:``) instead of under ``provenance:``."""

    provenance: Provenance | None = None

    @model_validator(mode="before")
    @classmethod
    def _friendly_provenance(cls, data: Any) -> Any:
        return _pop_inline_provenance(data)

    @model_serializer(mode="wrap")
    def _ser(self, handler: Any) -> Any:
        return _inline_provenance(handler(self), self.provenance)


class Issue(_Sourced):
    """An issue on the table: a scale with named anchor points.

    ``anchors`` maps scale points to what they mean, e.g. ``{0: "accepted nuclear state",
    100: "complete disarmament"}``; ``direction`` says what a higher value means.
    ``controlled_by`` names the actors who alone implement the issue: they are veto players
    for this issue only (see ``docs/models/contract.md``, "Veto and control").
    """

    id: Id
    label: str
    description: str = ""
    low: Finite = 0.0
    high: Finite = 100.0
    direction: str = ""
    anchors: dict[float, str] = Field(default_factory=dict)
    controlled_by: tuple[Id, ...] = ()

    @model_validator(mode="after")
    def _scale(self) -> Issue:
        if not self.low < self.high:
            raise ValueError(f"scale low ({_fmt(self.low)}) must be below high ({_fmt(self.high)})")
        bad = [a for a in self.anchors if not self.low <= a <= self.high]
        if bad:
            raise ValueError(
                f"anchor points {', '.join(_fmt(b) for b in bad)} lie outside the scale "
                f"[{_fmt(self.low)}, {_fmt(self.high)}]"
            )
        return self

    def anchor_for(self, value: float) -> str:
        """The label of the nearest anchor point (empty when there are none)."""
        if not self.anchors:
            return ""
        at = min(self.anchors, key=lambda a: abs(a - value))
        return self.anchors[at]


def _pop_inline_provenance(data: Any) -> Any:
    """Let YAML give ``quote:``/``at:`` etc. directly on an object instead of ``provenance:``."""
    if isinstance(data, Mapping) and "provenance" not in data:
        data = dict(data)
        keys = [k for k in _PROVENANCE_KEYS if k in data]
        if keys:
            sub = {k: data.pop(k) for k in (*_PROVENANCE_KEYS, "at", "cite", "source") if k in data}
            data["provenance"] = _provenance_from_mapping(sub)
    return data


def _inline_provenance(out: Any, prov: Provenance | None) -> Any:
    if isinstance(out, dict):
        out.pop("provenance", None)
        if prov is not None:
            out[prov.kind] = prov.text
            if prov.locator is not None:
                out["at" if prov.kind == "quote" else "cite"] = prov.locator
            if prov.source is not None:
                out["source"] = prov.source
    return out


class Stance(_Frozen):
    """An actor's position on an issue (on the issue's scale) and its salience.

    A level past which the actor accepts nothing is a red line (``Actor.red_lines``), the one
    hard limit the bargaining core applies; a stance has no second kind of limit.
    """

    position: Quantity
    salience: Quantity

    @model_validator(mode="before")
    @classmethod
    def _no_priority(cls, data: Any) -> Any:
        if isinstance(data, dict) and "priority" in data:
            raise ValueError(
                "'priority' is not a stance field (a level past which the actor accepts "
                "nothing is a red line): remove it and write it under the actor's red_lines, "
                "e.g. red_lines: {ISSUE: '<= 45'} for an actor at the low end of the scale"
            )
        return data


class RedLine(_Frozen):
    """A hard limit: the actor accepts no package with ``issue op bound``."""

    op: Literal[">=", "<="]
    bound: Quantity

    @model_validator(mode="before")
    @classmethod
    def _friendly(cls, data: Any) -> Any:
        if isinstance(data, str):
            m = re.fullmatch(r"\s*(>=|<=)\s*(-?[0-9.eE+]+)\s*", data)
            if not m:
                raise ValueError(f"a red line reads like '>= 75' or '<= 20'; got {data!r}")
            return {"op": m.group(1), "bound": float(m.group(2))}
        return data

    def allows(self, value: float) -> bool:
        return value >= self.bound.value if self.op == ">=" else value <= self.bound.value


ToolKind = Literal["pressure", "engagement", "concession", "delay"]


class Tool(_Sourced):
    """An instrument an actor can use: pressure, engagement, concession or delay."""

    id: Id
    label: str
    kind: ToolKind
    description: str = ""


class Actor(_Sourced):
    """A party: capability (relative power), whether it can veto a deal, its red lines,
    its tools, and its stances keyed by issue id."""

    id: Id
    label: str
    description: str = ""
    capability: Quantity
    veto: bool = False
    red_lines: dict[str, RedLine] = Field(default_factory=dict)
    tools: tuple[Tool, ...] = ()
    stances: dict[str, Stance] = Field(default_factory=dict)


class NamedQuantity(_Frozen):
    """A driver or model parameter: a labelled quantity, optionally bounded."""

    label: str
    description: str = ""
    value: Quantity
    bounds: tuple[Finite, Finite] | None = None


class Event(_Sourced):
    """A scheduled or recurring event. ``dates`` are ``YYYY-MM`` or ``*-MM`` (every year)."""

    id: Id
    label: str
    kind: str = "event"
    dates: tuple[str, ...]
    actor: Id | None = None  # whose event (an election's country), if any

    @model_validator(mode="after")
    def _dates(self) -> Event:
        for d in self.dates:
            if not re.fullmatch(r"(\d{4}|\*)-(0[1-9]|1[0-2])", d):
                raise ValueError(f"dates read 'YYYY-MM' or '*-MM'; got {d!r}")
        return self


class Meta(_Frozen):
    id: Id
    title: str
    question: str = ""
    description: str = ""
    start: str | None = Field(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    sources: dict[str, Source] = Field(default_factory=dict)
    attribution: str = ""


class Scenario(_Frozen):
    """A negotiation: actors, issues, stances, status quo, drivers and parameters.

    Build one with :func:`detente.load` or from a mapping with ``Scenario.model_validate``.
    All checks run at once and report every problem with its field path.
    """

    meta: Meta
    salience_max: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1.0
    issues: tuple[Issue, ...]
    actors: tuple[Actor, ...]
    status_quo: dict[str, Quantity] = Field(default_factory=dict)
    drivers: dict[str, NamedQuantity] = Field(default_factory=dict)
    parameters: dict[str, NamedQuantity] = Field(default_factory=dict)
    events: tuple[Event, ...] = ()
    roles: Roles | None = None
    what_ifs: tuple[WhatIf, ...] = ()
    claims: tuple[Claim, ...] = ()

    @model_validator(mode="after")
    def _semantics(self, info: ValidationInfo) -> Scenario:
        problems = semantic_problems(self)
        if problems:
            sink = info.context.get("problems") if isinstance(info.context, dict) else None
            if isinstance(sink, list):
                sink.extend(problems)
            else:
                raise ScenarioError(
                    Problem(msg, hint, field=_dotted(loc)) for loc, msg, hint in problems
                )
        return self

    # ----- lookups -------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def actor_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.actors)

    @property
    def issue_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.issues)

    @property
    def n_actors(self) -> int:
        return len(self.actors)

    @property
    def n_issues(self) -> int:
        return len(self.issues)

    def actor(self, actor_id: str) -> Actor:
        for a in self.actors:
            if a.id == actor_id:
                return a
        raise UnknownPathError([_unknown("actor", actor_id, self.actor_ids)])

    def issue(self, issue_id: str) -> Issue:
        for i in self.issues:
            if i.id == issue_id:
                return i
        raise UnknownPathError([_unknown("issue", issue_id, self.issue_ids)])

    @property
    def veto_players(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.actors if a.veto)

    def status_quo_is_given(self, issue_id: str) -> bool:
        """Whether the scenario gives the issue's status quo (an importer's "not in file"
        placeholder, written by an older detente, does not count)."""
        q = self.status_quo.get(issue_id)
        return q is not None and not (
            q.provenance is not None and "not in file" in q.provenance.text
        )

    def status_quo_value(self, issue_id: str) -> float:
        """The status quo on an issue, the one every view and model uses.

        The scenario's own where it gives one; else the models' documented reference point
        (``docs/models/contract.md``, "No status quo"): the capability x salience weighted
        mean of the stances, their plain mean when every weight is zero, the scale's
        midpoint when nobody takes a stance. ``status_quo_is_given`` tells which.
        """
        if self.status_quo_is_given(issue_id):
            return self.status_quo[issue_id].value
        issue = self.issue(issue_id)
        stances = [
            (a.capability.value, a.stances[issue_id]) for a in self.actors if issue_id in a.stances
        ]
        if not stances:
            return (issue.low + issue.high) / 2
        weights = [max(c, 0.0) * st.salience.value for c, st in stances]
        total = math.fsum(weights)
        if total > 0:
            return (
                math.fsum(
                    w * st.position.value for w, (_, st) in zip(weights, stances, strict=True)
                )
                / total
            )
        return math.fsum(st.position.value for _, st in stances) / len(stances)

    def quantities(self) -> Iterator[tuple[str, Quantity]]:
        """Every number in the scenario with its dotted path (the ``--set`` path)."""
        for a in self.actors:
            yield f"{a.id}.capability", a.capability
            for iid, st in a.stances.items():
                yield f"{a.id}.{iid}.position", st.position
                yield f"{a.id}.{iid}.salience", st.salience
            for iid, rl in a.red_lines.items():
                yield f"{a.id}.red_lines.{iid}", rl.bound
        for iid, q in self.status_quo.items():
            yield f"status_quo.{iid}", q
        for did, d in self.drivers.items():
            yield f"drivers.{did}", d.value
        for pid, p in self.parameters.items():
            yield f"parameters.{pid}", p.value

    def unsourced(self) -> list[str]:
        """Paths of the numbers (and actors, issues, tools, events) that carry no provenance."""
        out = [path for path, q in self.quantities() if q.provenance is None]
        out += [f"issues.{i.id}" for i in self.issues if i.provenance is None]
        out += [f"{a.id}" for a in self.actors if a.provenance is None]
        out += [
            f"{a.id}.tools.{t.id}" for a in self.actors for t in a.tools if t.provenance is None
        ]
        out += [f"events.{e.id}" for e in self.events if e.provenance is None]
        return out

    # ----- arrays --------------------------------------------------------------------
    def to_arrays(self) -> ScenarioArrays:
        """The scenario's point values as arrays of shape (n_actors, n_issues) etc."""
        from .arrays import ScenarioArrays

        return ScenarioArrays.from_scenario(self)

    def sample(
        self,
        n_draws: int,
        seed: int | np.random.Generator | None = None,
        *,
        paired_with: Scenario | None = None,
    ) -> ScenarioArrays:
        """``n_draws`` perturbed copies as arrays with a leading draw axis.

        Each uncertain quantity is drawn from a triangular distribution on its range with
        its value as the mode; certain quantities stay fixed. With ``paired_with`` (the
        scenario a what-if started from) every quantity at a path the other scenario also has
        reuses that path's uniforms, so the two batches are paired draw by draw.
        """
        from .arrays import ScenarioArrays

        return ScenarioArrays.sample(self, n_draws, seed, paired_with=paired_with)

    # ----- what-ifs ------------------------------------------------------------------
    def with_value(self, path: str, value: Any, *, why: str | None = None) -> Scenario:
        """A copy with one number (or red line, or veto flag) changed; see :mod:`.whatif`."""
        from .whatif import apply_set

        return apply_set(self, path, value, why=why)

    def without_issue(self, issue_id: str) -> Scenario:
        """A copy with an issue removed from the table (stances, red lines, status quo)."""
        self.issue(issue_id)
        data = self.model_dump()
        data["issues"] = [i for i in data["issues"] if i["id"] != issue_id]
        for a in data["actors"]:
            a["stances"].pop(issue_id, None)
            a["red_lines"].pop(issue_id, None)
        data["status_quo"].pop(issue_id, None)
        # claims and what-ifs that name the issue no longer apply
        data["claims"] = [c for c in data["claims"] if not _names(c, issue_id)]
        data["what_ifs"] = [w for w in data["what_ifs"] if not _names(w, issue_id)]
        return Scenario.model_validate(data)

    def replace(self, **changes: Any) -> Scenario:
        """A validated copy with top-level fields replaced."""
        data = self.model_dump()
        for k, v in changes.items():
            data[k] = v.model_dump() if isinstance(v, BaseModel) else v
        return Scenario.model_validate(data)

    def __repr__(self) -> str:
        return f"<Scenario {self.meta.id!r}: {self.n_actors} actors, {self.n_issues} issues>"

    def __str__(self) -> str:
        return repr(self)


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


from .arrays import ScenarioArrays  # noqa: E402  (for type annotations above)
