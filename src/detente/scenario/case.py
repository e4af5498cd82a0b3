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

from pydantic import Field, ValidationError, model_validator

from ._case_checks import case_problems as case_problems
from ._case_checks import known_paths as known_paths
from ._catalogue import QUANTITIES, QuantitySpec
from ._changes import ID as ID
from ._changes import Change, Id, WhatIf, _Frozen
from ._changes import effect_changes as effect_changes
from ._yaml_guards import MAX_ABS

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
