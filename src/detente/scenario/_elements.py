"""The scenario's parts: provenance, quantities, issues, stances, red lines, tools, actors.

Private to :mod:`detente.scenario`; :mod:`.schema` re-exports every public name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_serializer,
    model_validator,
)

from ._yaml_guards import plain_number

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
    #: How a what-if's shift made this number (:class:`Shift`): its draws then follow the
    #: shift draw by draw, and ``low``/``high`` are only the envelope they can reach.
    shift: Shift | None = None

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
        value = plain_number(data.pop("value"), "value")
        rng = data.pop("range", None)
        if rng is None:
            low = high = value
        elif isinstance(rng, list | tuple) and len(rng) == 2:
            low, high = plain_number(rng[0], "range low"), plain_number(rng[1], "range high")
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
        if self.shift is not None:
            out["shift"] = self.shift.model_dump()
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


class Shift(_Frozen):
    """How a what-if's ``shift`` change made a number, so that each draw repeats it.

    In every draw of the inputs the number is ``origin + share * (goal - origin)``, clipped to
    ``within``: ``origin`` is the number before the shift (drawn with the uniforms of the
    number's own path, so a variant stays paired with the baseline), ``goal`` the number it
    moves toward as it stood then (drawn with the uniforms of its path ``toward``) and
    ``share`` the shift's size (drawn with the uniforms of ``share_path``, a parameter; None
    for a fixed share). Every number one shift moves therefore moves by the *same* share in a
    draw, the share drawn from its parameter's range.
    """

    origin: Quantity
    toward: str
    goal: Quantity
    share: Quantity
    share_path: str | None = None
    within: tuple[Finite, Finite]


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


#: The hazards a deadline can raise in the crisis dynamics.
DEADLINE_HAZARDS = ("talks", "agreement", "crisis")
#: Furthest a deadline's window may reach from its date, in months.
MAX_DEADLINE_WINDOW = 60
#: The largest size ``by`` of a deadline, in utility units (those of the crisis logit; the
#: choice noise ``logit_noise`` is 1, 0.7 to 1.5 in its range): a utility 20 above another
#: already makes the choice certain (odds e^20, about 5e8 to 1), so a larger size changes
#: nothing and only risks overflow in the choice probabilities.
MAX_DEADLINE_BY = 20.0


class DeadlineEffect(_Frozen):
    """What a deadline does in the crisis dynamics (an event of kind ``deadline``).

    Either ``raises`` (``talks``, ``agreement`` or ``crisis``), ``by`` (a quantity in
    utility units, the crisis logit's, with its range and provenance like every number) and
    ``window`` (``[months before, months after]`` the date: the months it acts in), or
    ``inert`` (the reason it does nothing)::

        effect: {raises: agreement, window: [-3, 0], by: {value: 1, range: [0, 2], judgement: ...}}
        effect: {inert: "the restrictions end whether or not the deal is restored"}
    """

    raises: Literal["talks", "agreement", "crisis"] | None = None
    by: Quantity | None = None
    window: tuple[int, int] = (0, 0)
    inert: Annotated[str, Field(min_length=1)] | None = None

    @field_validator("by")
    @classmethod
    def _raises_not_lowers(cls, q: Quantity | None) -> Quantity | None:
        if q is not None and q.low < 0:
            raise ValueError(
                f"by must be >= 0 across its range (a deadline raises a hazard); got range "
                f"[{_fmt(q.low)}, {_fmt(q.high)}]"
            )
        if q is not None and q.high > MAX_DEADLINE_BY:
            raise ValueError(
                f"by must be <= {_fmt(MAX_DEADLINE_BY)} across its range (utility units: a "
                f"utility {_fmt(MAX_DEADLINE_BY)} above the others already makes a choice "
                f"certain); got range [{_fmt(q.low)}, {_fmt(q.high)}]"
            )
        return q

    @field_validator("window")
    @classmethod
    def _window_around_date(cls, w: tuple[int, int]) -> tuple[int, int]:
        before, after = w
        if not -MAX_DEADLINE_WINDOW <= before <= 0 <= after <= MAX_DEADLINE_WINDOW:
            raise ValueError(
                f"window reads [months before, months after] the date, before <= 0 <= after, "
                f"within {MAX_DEADLINE_WINDOW} months; got [{before}, {after}]"
            )
        return w

    @model_validator(mode="after")
    def _either_effect_or_inert(self) -> DeadlineEffect:
        if self.inert is not None:
            if self.raises is not None or self.by is not None:
                raise ValueError(
                    "an inert deadline declares no raises or by; give either inert: REASON "
                    "or raises, by and window"
                )
            return self
        missing = [k for k in ("raises", "by") if getattr(self, k) is None]
        if missing:
            raise ValueError(
                f"a deadline's effect needs {' and '.join(missing)} (raises: talks, agreement "
                "or crisis; by: a number with its range and provenance), or inert: REASON"
            )
        return self

    @property
    def acts(self) -> bool:
        """Whether the effect can move anything (declared, and not inert)."""
        return self.inert is None and self.by is not None


class Event(_Sourced):
    """A scheduled or recurring event. ``dates`` are ``YYYY-MM`` or ``*-MM`` (every year).

    The crisis dynamics read events of kind ``exercise`` (exercise months), ``election``
    (with an ``actor``: its elections) and ``deadline`` (with an ``effect``:
    :class:`DeadlineEffect`); other kinds are context.
    """

    id: Id
    label: str
    kind: str = "event"
    dates: tuple[str, ...]
    actor: Id | None = None  # whose event (an election's country), if any
    effect: DeadlineEffect | None = None

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


Quantity.model_rebuild()
