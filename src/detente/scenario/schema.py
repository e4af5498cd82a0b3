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

import math
from collections.abc import Iterator
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, Field, ValidationInfo, model_validator

from ..errors import Problem, ScenarioError, UnknownPathError
from . import _revalidate
from ._elements import (
    DEADLINE_HAZARDS,
    ID_PATTERN,
    RESERVED_ACTOR_IDS,
    Actor,
    DeadlineEffect,
    Event,
    Issue,
    NamedQuantity,
    Provenance,
    Quantity,
    RedLine,
    Shift,
    Source,
    Stance,
    Tool,
    _Frozen,
)
from ._elements import Anchor as Anchor
from ._elements import Finite as Finite
from ._elements import Id as Id
from ._elements import Meta as Meta
from ._elements import ProvenanceKind as ProvenanceKind
from ._elements import ToolKind as ToolKind
from ._semantics import Loc as Loc
from ._semantics import _dotted, _names, _unknown, semantic_problems
from .case import DRIVER_ROLES, Claim, Roles, WhatIf

__all__ = [
    "DEADLINE_HAZARDS",
    "DRIVER_ROLES",
    "ID_PATTERN",
    "RESERVED_ACTOR_IDS",
    "Actor",
    "Claim",
    "DeadlineEffect",
    "Event",
    "Issue",
    "NamedQuantity",
    "Provenance",
    "Quantity",
    "RedLine",
    "Roles",
    "Scenario",
    "Shift",
    "Source",
    "Stance",
    "Tool",
]


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
        for e in self.events:
            if e.effect is not None and e.effect.by is not None:
                yield f"events.{e.id}.effect.by", e.effect.by

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
        touched = [("status_quo", issue_id)]
        for a in data["actors"]:
            if issue_id in a["stances"] or issue_id in a["red_lines"]:
                touched.append(("actors", a["id"]))
            a["stances"].pop(issue_id, None)
            a["red_lines"].pop(issue_id, None)
        data["status_quo"].pop(issue_id, None)
        # claims and what-ifs that name the issue no longer apply
        kept_claims = [k for k, c in enumerate(data["claims"]) if not _names(c, issue_id)]
        kept_what_ifs = [k for k, w in enumerate(data["what_ifs"]) if not _names(w, issue_id)]
        data["claims"] = [data["claims"][k] for k in kept_claims]
        data["what_ifs"] = [data["what_ifs"][k] for k in kept_what_ifs]
        kept = {
            "issues": tuple(i for i in self.issues if i.id != issue_id),
            "claims": tuple(self.claims[k] for k in kept_claims),
            "what_ifs": tuple(self.what_ifs[k] for k in kept_what_ifs),
        }
        # only the actors with a stance or red line on the issue are validated again
        fast = _revalidate.revalidated(self, data, touched, kept)
        return fast if fast is not None else Scenario.model_validate(data)

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


from .arrays import ScenarioArrays  # noqa: E402  (for type annotations above)
