"""What each named driver, tool and event does to the outlook, measured, and which ones do
nothing.

A driver is moved to the low and to the high end of its range (pinned there, every run);
a tool is taken from its actor; an event is taken from the calendar (and a deadline's
effect size, when it has a range, moved to its ends). Each variant is simulated with the baseline's seed, so the
variants share their random numbers with the baseline (common random numbers) and an
element the simulation never reads changes no run at all. The effect is the largest change
of P(talks), P(agreement) or P(crisis) by the month asked for; an element whose effect is
below :data:`INERT` is *inert*, with the reason where the structure gives one (a driver no
role names; a tool whose kind its actor has from another tool; a third party's pressure or
an actor with a role engaging or conceding, which is always open to it; an event of a kind
the dynamics do not read; a deadline that declares no effect, or declares itself inert).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import DetenteError
from ..scenario.whatif import apply_sets
from .batch import simulate_many

if TYPE_CHECKING:
    from ..scenario.schema import Scenario

__all__ = ["INERT", "Effect", "element_effects", "structural_reason"]

#: Effects below this (a probability) count as inert.
INERT = 0.005
KEYS = ("talks", "agreement", "crisis")


@dataclass(frozen=True)
class Effect:
    """``kind`` (driver, tool or event), ``name`` (driver id, ``actor/tool`` or event id), the change of each
    probability (largest in size over the variants), and the reason when inert."""

    kind: str
    name: str
    change: dict[str, float]
    inert: bool
    reason: str

    @property
    def size(self) -> float:
        return max(abs(v) for v in self.change.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            **self.change,
            "inert": self.inert,
            "reason": self.reason,
        }


def _largest(base: dict[str, float], others: list[dict[str, float]]) -> dict[str, float]:
    out = {}
    for k in KEYS:
        d = [o[k] - base[k] for o in others]
        out[k] = max(d, key=abs) if d else 0.0
    return out


def _without_tool(s: Scenario, actor: str, tool: str) -> Scenario:
    actors = [
        a.model_copy(update={"tools": tuple(t for t in a.tools if t.id != tool)})
        if a.id == actor
        else a
        for a in s.actors
    ]
    return s.model_copy(update={"actors": tuple(actors)})


def _without_event(s: Scenario, event: str) -> Scenario:
    return s.model_copy(update={"events": tuple(e for e in s.events if e.id != event)})


def _event_reason(s: Scenario, name: str) -> str:
    """Why the simulation cannot read an event ("" when it can)."""
    e = next(x for x in s.events if x.id == name)
    kind = e.kind.lower()
    if "exercise" in kind:
        return ""
    if "election" in kind:
        return "" if e.actor is not None else "an election with no actor marks nobody's election"
    if "deadline" in kind:
        if e.effect is None:
            return "a deadline that declares no effect (events.ID.effect: raises, by, window)"
        if e.effect.inert is not None:
            # its first sentence; the whole reason is in `detente show CASE --sources`
            first = e.effect.inert.split(". ")[0].rstrip(".")
            return f"declared inert: {first} (events.{e.id}.effect.inert)"
        return ""
    return (
        f"the dynamics read events of kind exercise, election and deadline only; "
        f"kind {e.kind!r} is context"
    )


def structural_reason(s: Scenario, kind: str, name: str) -> str:
    """Why the simulation cannot read a driver, tool or event at all ("" when it can): no
    role names the driver; its actor has the tool's kind from another tool; an actor with a
    role engaging or conceding, or anyone delaying (always open to them); an event of a kind
    the dynamics do not read, or a deadline with no effect or declared inert. A third
    party's pressure is read only through its share of the third party's choices (what it
    takes from engagement), so it is measured, not ruled out."""
    roles = s.roles
    if kind == "event":
        return _event_reason(s, name)
    if kind == "driver":
        named = set() if roles is None else set(roles.drivers.values())
        return "" if name in named else "no role of the dynamics names it (roles.drivers)"
    actor_id, tool_id = name.split("/", 1)
    a = next(x for x in s.actors if x.id == actor_id)
    t = next(x for x in a.tools if x.id == tool_id)
    twin = [u.id for u in a.tools if u.id != t.id and u.kind == t.kind]
    if twin:
        return f"its kind ({t.kind}) is also given by {', '.join(twin)}"
    played = set() if roles is None else {roles.challenger, roles.defender}
    if a.id in played and t.kind in ("engagement", "concession"):
        return f"an actor with a role can always choose {t.kind}"
    if t.kind == "delay":
        return "doing nothing new is always open to every actor"
    return ""


def _variants(s: Scenario, kind: str, name: str) -> list[Scenario]:
    """The scenarios an element's effect is measured on: a driver at each end of its range
    (ends a pin refuses are left out), the case without the tool or the event, a deadline's
    effect size at 0 and at the ends of its range."""
    variants = []
    if kind == "driver":
        q = s.drivers[name].value
        for end in (q.low, q.high):
            if end == q.value:
                continue
            try:
                variants.append(apply_sets(s, [f"drivers.{name}={end}"], pin=True))
            except DetenteError:
                continue
    elif kind == "event":
        effect = next(e for e in s.events if e.id == name).effect
        if effect is None or effect.by is None:
            variants.append(_without_event(s, name))
        else:
            # a deadline: its effect at 0 (as if it were not there, every other draw kept)
            # and at the ends of its range
            by = effect.by
            for size in sorted({0.0, by.low, by.high}):
                variants.append(apply_sets(s, [f"events.{name}.effect.by={size}"], pin=True))
    else:
        actor_id, tool_id = name.split("/", 1)
        variants.append(_without_tool(s, actor_id, tool_id))
    return variants


def element_effects(
    s: Scenario, *, month: int, runs: int, seed: int, verify: bool = False
) -> list[Effect]:
    """Every driver's, tool's and event's effect on the outlook by ``month`` (module doc).

    Elements the simulation cannot read (:func:`structural_reason`) change no run under
    common random numbers, so they are reported inert without a simulation unless
    ``verify`` (which simulates them too, to check that rule).
    """
    elements = [("driver", n) for n in s.drivers]
    elements += [("tool", f"{a.id}/{t.id}") for a in s.actors for t in a.tools]
    elements += [("event", e.id) for e in s.events]
    # every variant first, then all simulated together (batched where they can share the
    # monthly loop; each result is simulate's own)
    reasons = {el: structural_reason(s, *el) for el in elements}
    changed = {el: [] if reasons[el] and not verify else _variants(s, *el) for el in elements}
    flat = [v for el in elements for v in changed[el]]
    sims = simulate_many([s, *flat], months=month, runs=runs, seed=seed)
    base = sims[0].at(month)
    at = iter(r.at(month) for r in sims[1:])
    zero = dict.fromkeys(KEYS, 0.0)
    out: list[Effect] = []
    for kind, name in elements:
        reason = reasons[(kind, name)]
        if reason and not verify:
            out.append(Effect(kind, name, zero, True, reason))
            continue
        variants = [next(at) for _ in changed[(kind, name)]]
        change = _largest(base, variants)
        inert = max(abs(x) for x in change.values()) < INERT
        if inert and not reason:
            deadline = kind == "event" and any(
                e.id == name and e.effect is not None and e.effect.by is not None for e in s.events
            )
            reason = (
                "its effect at 0 or across its range changes no probability by half a point"
                if deadline
                else "removing it changes no probability by half a point"
                if kind == "event"
                else "taking it from its actor changes no probability by half a point"
                if kind == "tool"
                else "moving it across its range changes no probability by half a point"
                if variants
                else "it has no range to move"
            )
        out.append(Effect(kind, name, change, inert, reason if inert else ""))
    return out
