"""A case's what-ifs: one change to a scenario (:class:`Change`) and a named list of them
(:class:`WhatIf`).

Private to :mod:`detente.scenario`; :mod:`.case` re-exports every public name.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ._yaml_guards import MAX_ABS

ID = r"^[A-Za-z][A-Za-z0-9_\-]*$"
Id = Annotated[str, Field(pattern=ID, max_length=64)]


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


def effect_changes(args: dict[str, Any]) -> tuple[Change, ...]:
    """The changes of an ``effect`` quantity (empty when it names a what-if)."""
    if "change" in args:
        return (Change.model_validate(args["change"]),)
    if "changes" in args:
        return tuple(Change.model_validate(c) for c in args["changes"])
    return ()
