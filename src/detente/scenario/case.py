"""A case's own content: its named what-ifs and its claims, written in the claim language.

The engine knows no case. Everything a case says about itself beyond numbers lives in its
scenario file:

``what_ifs``
    Named levers (a party's policy choice) and shocks (external events), each a list of
    changes to the scenario (:class:`Change`). The diagnosis evaluates every one for the
    zone of agreement, the dynamics for the outlook.
``claims``
    The source's claims as checks (:class:`Claim`): one or more conditions, each a quantity
    from :data:`QUANTITIES` (a fixed catalogue of model outputs), its arguments, a comparison
    and a threshold; and an evidence kind (:data:`EVIDENCE`).

This module only declares and validates; :mod:`detente.analysis.claims` computes.
``docs/claims.md`` documents the language and every quantity.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ._yaml_guards import MAX_ABS
from .whatif import _bounds

__all__ = [
    "COMPARISONS",
    "EVIDENCE",
    "QUANTITIES",
    "Change",
    "Claim",
    "Condition",
    "QuantitySpec",
    "WhatIf",
]

ID = r"^[A-Za-z][A-Za-z0-9_\-]*$"
Id = Annotated[str, Field(pattern=ID, max_length=64)]

#: ``encoding``: the verdict restates inputs (shown as "encoded in the scenario", never counted
#: as a finding); ``derived``: computed from model outputs; ``record``: checked against data.
EVIDENCE = ("encoding", "derived", "record")
COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")
TOOL_KINDS = ("delay", "engagement", "concession", "pressure")
ROLE_NAMES = ("challenger", "defender")
EVENT_KINDS = (
    "talks",
    "limited_talks",
    "agreement",
    "provocation",
    "strategic_provocation",
    "pressure",
    "concession",
    "exercise",
    "change",
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Change(_Frozen):
    """One change to a scenario; exactly one of ``set``, ``drop_issue``, ``shift`` or ``idle``.

    ``set: PATH`` with ``to: VALUE`` (absolute; ``none`` removes a red line) or ``by: DELTA``
    (relative, clipped to the quantity's bounds); ``drop_issue: ISSUE``; ``shift: ACTOR`` with
    ``toward: ACTOR`` and ``share`` (a number in [-1, 1], negative = away, or the path of a
    parameter whose value is used) moves the actor's positions and red lines toward the other's
    positions; ``idle: ACTOR`` sets the actor's tools aside (each becomes a ``delay`` tool, so
    in the dynamics it only waits: e.g. a third party that stops pushing for talks).
    """

    set: str | None = None
    to: Any = None
    by: float | None = None
    drop_issue: str | None = None
    shift: str | None = None
    toward: str | None = None
    share: float | str | None = None
    idle: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Change:
        kinds = [k for k in ("set", "drop_issue", "shift", "idle") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(
                "a change has exactly one of set, drop_issue, shift or idle"
                + (f"; got {' and '.join(kinds)}" if kinds else "")
            )
        if self.set is not None and (self.to is None) == (self.by is None):
            raise ValueError("'set' needs exactly one of 'to' (a value) or 'by' (a change)")
        if self.shift is not None and (self.toward is None or self.share is None):
            raise ValueError("'shift' needs 'toward' (an actor) and 'share'")
        if isinstance(self.share, float | int) and not -1 <= self.share <= 1:
            raise ValueError(f"'share' must be in [-1, 1]; got {self.share}")
        if self.by is not None and not (math.isfinite(self.by) and abs(self.by) <= MAX_ABS):
            raise ValueError(f"'by' must be a finite number within ±{MAX_ABS:g}; got {self.by}")
        if self.set is not None and self.to is not None:
            problem = _to_problem(self.set, self.to)
            if problem:
                raise ValueError(problem)
        return self

    def describe(self) -> str:
        if self.set is not None:
            return f"{self.set} = {self.to}" if self.to is not None else f"{self.set} {self.by:+g}"
        if self.drop_issue is not None:
            return f"drop issue {self.drop_issue}"
        if self.idle is not None:
            return f"{self.idle}'s tools set aside"
        return f"{self.shift} moves {self.share} of the way toward {self.toward}"


_RED_LINE_TO = re.compile(r"\s*(<=|>=|<|>|==)?\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*")


def _to_problem(path: str, to: Any) -> str | None:
    """Why ``set: PATH, to: VALUE`` can never apply (None when it can): the value must be a
    finite number (a red line also takes ``none`` or an operator and a number, ``<=40``)."""
    red_line = ".red_lines." in path
    if isinstance(to, bool) or not isinstance(to, int | float | str):
        shown = type(to).__name__ if isinstance(to, list | dict) else repr(to)
        return f"'to' must be a number; got {shown}"
    if isinstance(to, str):
        if red_line and (to.strip().lower() == "none" or _RED_LINE_TO.fullmatch(to)):
            return None
        try:
            to = float(to)
        except ValueError:
            what = (
                "a number, none, or an operator and a number like '<=40'"
                if red_line
                else "a number"
            )
            return f"'to' of {path} must be {what}; got {to!r}, so this change could never apply"
    if not (math.isfinite(to) and abs(to) <= MAX_ABS):
        return f"'to' must be a finite number within ±{MAX_ABS:g}; got {to}"
    return None


def _to_number(to: Any) -> float | None:
    """The number a valid ``to`` sets (None for a red line's ``none``)."""
    if isinstance(to, int | float):
        return float(to)
    text = str(to).strip()
    if text.lower() == "none":
        return None
    return float(text.lstrip("<>=").strip())


class WhatIf(_Frozen):
    """A named lever or shock: a list of changes with the directions it is expected to move."""

    id: Id
    kind: Literal["lever", "shock"] = "lever"
    label: str
    description: str = ""
    by: str | None = None
    quote: str | None = None
    at: str | None = None
    source: str | None = None
    judgement: str | None = None
    fact: str | None = None
    cite: str | None = None
    changes: tuple[Change, ...] = Field(min_length=1)
    expects: dict[Literal["talks", "agreement", "crisis", "zone"], Literal[-1, 0, 1]] = Field(
        default_factory=dict
    )


class QuantitySpec(BaseModel):
    """A catalogue entry: what a quantity needs, what its arguments are, what it reads."""

    model_config = ConfigDict(frozen=True)
    name: str
    needs: Literal["input", "bargaining", "dynamics", "record", "effect"]
    args: dict[str, str]
    text: str
    optional: tuple[str, ...] = ()


def _q(
    name: str, needs: str, args: dict[str, str], text: str, optional: tuple[str, ...] = ()
) -> QuantitySpec:
    return QuantitySpec(name=name, needs=needs, args=args, text=text, optional=optional)


#: The catalogue of quantities a claim may use. Argument kinds: actor, issue, driver, month,
#: role, kind (a tool kind), package (issue -> value), quantity (a catalogue name), args
#: (that quantity's arguments), change (one change), what_if (a what-if id).
QUANTITIES: dict[str, QuantitySpec] = {
    q.name: q
    for q in (
        _q(
            "position",
            "input",
            {"actor": "actor", "issue": "issue"},
            "the actor's position on the issue",
        ),
        _q(
            "salience",
            "input",
            {"actor": "actor", "issue": "issue"},
            "the actor's salience on the issue (0-1)",
        ),
        _q("capability", "input", {"actor": "actor"}, "the actor's capability"),
        _q("driver", "input", {"driver": "driver"}, "a driver's value"),
        _q(
            "red_line_overlap",
            "input",
            {"issue": "issue"},
            "width of the interval every veto player's red lines allow on the issue (negative: the gap between them)",
        ),
        _q(
            "zone_open",
            "bargaining",
            {},
            "1 if some package lies in every veto player's win-set, else 0",
        ),
        _q(
            "gap",
            "bargaining",
            {},
            "utility every veto player would have to give up for a zone to open (0 when open)",
        ),
        _q(
            "p_zone",
            "bargaining",
            {},
            "share of Monte Carlo draws with a non-empty zone of agreement",
        ),
        _q(
            "in_win_set",
            "bargaining",
            {"actor": "actor", "package": "package"},
            "1 if the package (other issues at the status quo) is in the actor's win-set, else 0",
        ),
        _q(
            "ideal_package",
            "bargaining",
            {"actor": "actor", "issue": "issue"},
            "the issue's value in the actor's favourite package within every veto player's win-set "
            "(its ideal when the zone is empty)",
        ),
        _q("p_talks", "dynamics", {"month": "month"}, "P(talks of any scope by the month)"),
        _q(
            "p_substantive",
            "dynamics",
            {"month": "month"},
            "P(substantive talks or agreement by the month)",
        ),
        _q("p_agreement", "dynamics", {"month": "month"}, "P(agreement by the month)"),
        _q("p_crisis", "dynamics", {"month": "month"}, "P(a crisis by the month)"),
        _q(
            "p_instigation",
            "dynamics",
            {"month": "month"},
            "P(the challenger manufactures a crisis at least once by the month)",
        ),
        _q(
            "p_substantive_given_talks",
            "dynamics",
            {"month": "month"},
            "P(talks become substantive by the month | talks by the month)",
        ),
        _q(
            "p_limited_only",
            "dynamics",
            {"month": "month"},
            "P(limited talks by the month that never become substantive)",
        ),
        _q(
            "p_impasse",
            "dynamics",
            {"month": "month"},
            "P(no substantive talks and no agreement up to the month)",
        ),
        _q(
            "choice_share",
            "dynamics",
            {"role": "role", "kind": "kind"},
            "share of run-months in which the role's actor picks a tool of the kind",
        ),
        _q("provocations_per_year", "dynamics", {}, "mean provocation events per year"),
        _q(
            "record_rate",
            "record",
            {"kind": "event_kind", "since": "yearmonth", "until": "yearmonth"},
            "events of the kind per year in the case's record, from the first month to the last "
            "(inclusive); optionally only one actor's (an actor id or a role), further kinds "
            "(kinds: a list) and only events from some of the record's sources (sources: a list)",
            optional=("actor", "kinds", "sources"),
        ),
        _q(
            "effect",
            "effect",
            {"of": "quantity"},
            "the quantity after a change minus before it, from the same random numbers",
            optional=("args", "change", "changes", "what_if"),
        ),
    )
}


class Condition(_Frozen):
    """``quantity(args)`` compared with ``threshold``, optionally after changes or what-ifs."""

    quantity: str
    args: dict[str, Any] = Field(default_factory=dict)
    compare: Literal["<", "<=", ">", ">=", "==", "!="]
    threshold: float
    under: tuple[str, ...] = ()
    changes: tuple[Change, ...] = ()

    @model_validator(mode="after")
    def _known(self) -> Condition:
        spec = QUANTITIES.get(self.quantity)
        if spec is None:
            import difflib

            close = difflib.get_close_matches(self.quantity, list(QUANTITIES), n=3)
            hint = f"did you mean {', '.join(close)}?" if close else "see docs/claims.md"
            raise ValueError(f"unknown quantity {self.quantity!r}; {hint}")
        _check_args(spec, self.args)
        if not math.isfinite(self.threshold) or abs(self.threshold) > MAX_ABS:
            # a NaN threshold makes every comparison false ('!=' true): a verdict from nothing
            raise ValueError(
                f"threshold must be a finite number within ±{MAX_ABS:g}; got {self.threshold}"
            )
        return self

    @property
    def needs(self) -> str:
        spec = QUANTITIES[self.quantity]
        if spec.needs == "effect":
            return QUANTITIES[str(self.args["of"])].needs
        return spec.needs

    def describe(self) -> str:
        args = ", ".join(f"{k}={_short(v)}" for k, v in self.args.items())
        pre = ""
        if self.under:
            pre += f"under {', '.join(self.under)}: "
        if self.changes:
            pre += "with " + "; ".join(c.describe() for c in self.changes) + ": "
        return f"{pre}{self.quantity}({args}) {self.compare} {self.threshold:g}"


def _short(v: Any) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_short(x)}" for k, x in v.items()) + "}"
    return str(v)


def _check_args(spec: QuantitySpec, args: dict[str, Any]) -> None:
    extra = set(args) - set(spec.args) - set(spec.optional)
    if extra:
        raise ValueError(
            f"{spec.name} takes {', '.join(spec.args) or 'no arguments'}"
            + (f" (and optionally {', '.join(spec.optional)})" if spec.optional else "")
            + f"; got unknown {', '.join(sorted(extra))}"
        )
    missing = [a for a in spec.args if a not in args]
    if missing:
        raise ValueError(f"{spec.name} needs {', '.join(missing)}")
    for name, kind in spec.args.items():
        v = args[name]
        if kind in ("actor", "issue", "driver", "quantity") and not isinstance(v, str):
            shown = type(v).__name__ if isinstance(v, list | dict) else repr(v)
            raise ValueError(f"{name} must be one {kind} id (a name); got {shown}")
        if kind == "month" and not (
            isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 600
        ):
            raise ValueError(f"{name} must be a whole number of months in 1..600; got {v!r}")
        if kind == "kind" and v not in TOOL_KINDS:
            raise ValueError(f"{name} must be one of {', '.join(TOOL_KINDS)}; got {v!r}")
        if kind == "role" and v not in ROLE_NAMES:
            raise ValueError(f"{name} must be one of {', '.join(ROLE_NAMES)}; got {v!r}")
        if kind == "event_kind" and v not in EVENT_KINDS:
            raise ValueError(f"{name} must be one of {', '.join(EVENT_KINDS)}; got {v!r}")
        if kind == "yearmonth" and not (
            isinstance(v, str) and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", v)
        ):
            raise ValueError(f"{name} must be a month YYYY-MM (quote it in YAML); got {v!r}")
        if kind == "package" and not (isinstance(v, dict) and v):
            raise ValueError(f"{name} must map issues to values")
        if kind == "package":
            for iid, x in v.items():
                if isinstance(x, bool) or not isinstance(x, int | float):
                    raise ValueError(f"{name}.{iid} must be a number; got {x!r}")
                if not (math.isfinite(x) and abs(x) <= MAX_ABS):
                    raise ValueError(f"{name}.{iid} must be a finite number; got {x}")
    if spec.name == "effect":
        of = QUANTITIES.get(str(args["of"]))
        if of is None or of.needs == "effect":
            raise ValueError(
                f"effect 'of' must name a catalogue quantity other than effect; got {args['of']!r}"
            )
        inner = args.get("args", {})
        if not isinstance(inner, dict):
            raise ValueError("effect 'args' must be a mapping of the quantity's arguments")
        _check_args(of, inner)
        given = [k for k in ("change", "changes", "what_if") if k in args]
        if len(given) != 1:
            raise ValueError("effect needs exactly one of 'change', 'changes' or 'what_if'")
        if "what_if" in args and not isinstance(args["what_if"], str):
            raise ValueError(f"effect 'what_if' must be a what-if id; got {args['what_if']!r}")
        if "changes" in args and not (isinstance(args["changes"], list) and args["changes"]):
            raise ValueError(f"effect 'changes' must be a list of changes; got {args['changes']!r}")
        raw = [args["change"]] if "change" in args else args.get("changes", [])
        for k, c in enumerate(raw):
            if not isinstance(c, dict):
                raise ValueError(f"effect change {k + 1} must be a mapping (set/to ...); got {c!r}")
            try:
                Change.model_validate(c)
            except ValidationError as err:
                first = err.errors()[0]
                raise ValueError(f"effect change {k + 1}: {first['msg']}") from None


def effect_changes(args: dict[str, Any]) -> tuple[Change, ...]:
    """The changes of an ``effect`` quantity (empty when it names a what-if)."""
    if "change" in args:
        return (Change.model_validate(args["change"]),)
    if "changes" in args:
        return tuple(Change.model_validate(c) for c in args["changes"])
    return ()


class Claim(_Frozen):
    """A claim of the source, as a check the model evaluates.

    No verdict is stored here: verdicts are computed by :mod:`detente.analysis.claims`.
    """

    id: Id
    text: str
    quote: str = ""
    at: str = ""
    source: str | None = None
    evidence: Literal["encoding", "derived", "record"] = "derived"
    check: tuple[Condition, ...] = ()
    under: tuple[str, ...] = ()
    rests_on: tuple[str, ...] = ()
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _one_or_many(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("check"), dict):
            data = {**data, "check": [data["check"]]}
        return data

    @model_validator(mode="after")
    def _evidence_fits(self) -> Claim:
        if (
            self.check
            and self.evidence != "encoding"
            and all(c.needs == "input" for c in self.check)
        ):
            raise ValueError(
                f"claim {self.id}: every condition reads an input ({', '.join(c.quantity for c in self.check)}), "
                "so its verdict restates the scenario; declare evidence: encoding"
            )
        return self

    @property
    def needs(self) -> str:
        kinds = {c.needs for c in self.check}
        for k in ("dynamics", "bargaining", "record", "input"):
            if k in kinds:
                return k
        return "input"


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


#: The dynamics' driver roles (``roles.drivers`` keys).
DRIVER_ROLES = (
    "distress",
    "dependency",
    "fatigue",
    "crisis_communication",
    "change_challenger",
    "change_defender",
)


#: A record: a bundled record's id, or the path of a user's CSV file of dated events.
RECORD = r"^([A-Za-z][A-Za-z0-9_\-]*|[^\n]+\.[Cc][Ss][Vv])$"


class Pooling(_Frozen):
    """How the dynamics' parameters are set where the case's record is thin: fitted on it
    with a prior centred on the fit of the reference record ``toward`` (partial pooling),
    ``sd`` wide on each parameter's unconstrained scale (log for rates, logit for shares,
    the logit's own units for crisis utilities); ``reason`` says why that record is a fair
    reference."""

    toward: Id
    sd: float = Field(1.0, gt=0.0, le=10.0)
    reason: str = ""


class Roles(_Frozen):
    """The crisis dynamics' roles: which actors and drivers play which part.

    ``challenger`` may manufacture crises; ``defender`` is the veto player it bargains
    with; ``patrons`` and ``third_parties`` (default: every other actor) are optional;
    ``drivers`` maps a driver role (:data:`DRIVER_ROLES`) to a driver id (a role left out
    is absent, not 0); ``record`` names the case's historical record (a bundled record's
    id or a CSV file of dated events), on which its dynamics are fitted and without which
    they run on priors ("uncalibrated"); ``pooling`` declares how a thin record is pooled
    toward a reference record (:class:`Pooling`). Cross-references are checked by
    ``schema.semantic_problems`` (located, with did-you-mean).
    """

    challenger: Id
    defender: Id
    patrons: tuple[Id, ...] = ()
    third_parties: tuple[Id, ...] | None = None
    drivers: dict[str, Id] = Field(default_factory=dict)
    record: Annotated[str, Field(pattern=RECORD, max_length=500)] | None = None
    pooling: Pooling | None = None
