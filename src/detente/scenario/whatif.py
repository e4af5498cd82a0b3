"""What-ifs: change one number of a scenario by its dotted path.

Paths (the same as ``detente show --sources`` lists):

- ``ACTOR.ISSUE.position`` / ``ACTOR.ISSUE.salience``
- ``ACTOR.capability``, ``ACTOR.veto`` (true/false)
- ``ACTOR.red_lines.ISSUE``: a bound (keeps the direction), ``">= 60"``, or ``none`` to remove it.
  A bare ``60`` moves the existing bound like any number (its range keeps its width);
  ``">= 60"`` writes the red line anew as a decision, a point bound with no range, whether
  or not one existed (so ``60`` and ``">= 60"`` differ in the draws: use the form you mean)
- ``status_quo.ISSUE``, ``drivers.NAME``, ``parameters.NAME``
- ``events.EVENT.effect.by``: the size of a deadline's effect

A changed number keeps the width of its plausible range, moved to the new value and clipped
to the scale; its provenance becomes a judgement naming the change.

The changed scenario is validated by the parts the change made (the actor, status quo,
driver, parameter or event) and the scenario's cross-field checks, the rest taken from the
scenario as it was (:mod:`._revalidate`: the same scenario as validating it whole, tested);
a change either refuses is validated whole, so its message is the schema's.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from ..errors import Problem, ScenarioError, UnknownPathError
from . import _revalidate
from ._pin import pinned_in_range
from ._yaml_guards import MAX_ABS, number_problem

if TYPE_CHECKING:
    from .case import Change
    from .schema import Scenario

__all__ = [
    "apply_change",
    "apply_changes",
    "apply_named",
    "apply_set",
    "apply_sets",
    "apply_what_if",
    "parse_assignment",
    "what_ifs_of",
]


def parse_assignment(text: str, option: str = "--set") -> tuple[str, str]:
    """Split ``PATH=VALUE`` (``option`` names the command-line option in the message)."""
    if "=" not in text:
        raise ScenarioError(
            [
                Problem(
                    f"{text!r} has no '='",
                    "write PATH=VALUE, e.g. ACTOR.ISSUE.position=40",
                    field=option,
                )
            ]
        )
    path, value = text.split("=", 1)
    return path.strip(), value.strip()


def apply_sets(
    s: Scenario, assignments: list[str] | tuple[str, ...], *, pin: bool = False
) -> Scenario:
    """Apply ``PATH=VALUE`` assignments in order (``pin=True``: fix each number; see
    :func:`apply_set`). A number pinned inside its stated range is not validated again with
    the whole scenario (:func:`~._pin.pinned_in_range`: the same scenario)."""
    for text in assignments:
        path, value = parse_assignment(text, "--pin" if pin else "--set")
        why = f"{'pinned' if pin else 'what-if'}: {path} = {value}"
        fast = None
        if pin:
            try:
                fast = pinned_in_range(s, path, _number(path, value), why)
            except ScenarioError:  # apply_set says what is wrong, where it says it
                fast = None
        s = fast if fast is not None else apply_set(s, path, value, pin=pin, why=why)
    return s


def _number(path: str, value: Any) -> float:
    if isinstance(value, str):
        why = number_problem(value)
        if why is not None:
            shown = value if len(value) <= 40 else value[:37] + "..."
            raise ScenarioError(
                [
                    Problem(
                        f"{shown!r}: {why}",
                        "give a number the models can compute with",
                        field=path,
                    )
                ]
            )
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ScenarioError(
            [Problem(f"expected a number; got {value!r}", "give a finite number", field=path)]
        ) from None
    if x != x or x in (float("inf"), float("-inf")):
        raise ScenarioError(
            [
                Problem(
                    f"expected a finite number; got {value!r}", "give a finite number", field=path
                )
            ]
        )
    if abs(x) > MAX_ABS:
        raise ScenarioError(
            [
                Problem(
                    f"{value!r} is beyond ±{MAX_ABS:.0e}, more than any model can compute with",
                    "give a number the models can compute with",
                    field=path,
                )
            ]
        )
    return x


def _bool(path: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    v = str(value).strip().lower()
    if v in ("true", "yes", "1", "on"):
        return True
    if v in ("false", "no", "0", "off"):
        return False
    raise ScenarioError(
        [Problem(f"expected true or false; got {value!r}", "write true or false", field=path)]
    )


def _bad_path(s: Scenario, path: str, detail: str) -> UnknownPathError:
    import difflib

    known = [p for p, _ in s.quantities()]
    known += [f"{a.id}.veto" for a in s.actors]
    known += [f"{a.id}.red_lines.{i.id}" for a in s.actors for i in s.issues]
    close = difflib.get_close_matches(path, known, n=3, cutoff=0.6)
    hint = (
        f"did you mean {', '.join(close)}?"
        if close
        else "paths look like ACTOR.ISSUE.position, ACTOR.capability, status_quo.ISSUE, drivers.NAME; "
        "'detente show SCENARIO --sources' lists them"
    )
    return UnknownPathError([Problem(f"unknown what-if path: {detail}", hint, field=path)])


def apply_set(
    s: Scenario, path: str, value: Any, *, why: str | None = None, pin: bool = False
) -> Scenario:
    """A validated copy of ``s`` with the quantity at ``path`` set to ``value``.

    ``pin=True`` fixes the number (its range collapses to the value, so the Monte Carlo no
    longer varies it); otherwise its range keeps its width around the new value. A value the
    schema refuses is reported at the path the user typed.
    """
    from .schema import Quantity

    why = why or f"what-if: {path} = {value}"
    parts = path.split(".")
    data = s.model_dump()
    actors = {a["id"]: a for a in data["actors"]}
    issues = {i.id: i for i in s.issues}

    def shifted(old: Any, new: float, bounds: tuple[float, float] | None) -> Any:
        q = Quantity.model_validate(old)
        moved = q.shifted_to(new, bounds=bounds, why=why)
        if pin:
            moved = Quantity(value=new, low=new, high=new, provenance=moved.provenance)
        return moved.model_dump()

    if parts[0] in ("status_quo", "drivers", "parameters"):
        if len(parts) != 2:
            raise _bad_path(s, path, f"{parts[0]} takes one name after it")
        group, name = parts
        if group == "status_quo":
            if name not in issues:
                raise _bad_path(s, path, f"no issue {name!r}")
            iss = issues[name]
            old = data["status_quo"].get(name, iss.low)
            data["status_quo"][name] = shifted(old, _number(path, value), (iss.low, iss.high))
        else:
            if name not in data[group]:
                raise _bad_path(s, path, f"no {group[:-1]} {name!r}")
            entry = data[group][name]
            entry["value"] = shifted(entry["value"], _number(path, value), entry.get("bounds"))
        return _validated(data, path, s, [(group, name)])

    if parts[0] == "events":
        if len(parts) != 4 or parts[2:] != ["effect", "by"]:
            raise _bad_path(s, path, "events take EVENT.effect.by (a deadline's effect size)")
        entry = next((e for e in data["events"] if e["id"] == parts[1]), None)
        if entry is None or not isinstance(entry.get("effect"), dict):
            raise _bad_path(s, path, f"no event {parts[1]!r} with an effect")
        if "by" not in entry["effect"]:
            raise _bad_path(s, path, f"event {parts[1]!r} is declared inert: it has no size")
        entry["effect"]["by"] = shifted(
            entry["effect"]["by"], _number(path, value), (0.0, math.inf)
        )
        return _validated(data, path, s, [("events", parts[1])])

    actor = actors.get(parts[0])
    if actor is None:
        raise _bad_path(s, path, f"no actor or section {parts[0]!r}")
    if len(parts) == 2 and parts[1] == "capability":
        actor["capability"] = shifted(
            actor["capability"], _number(path, value), (0.0, float("inf"))
        )
    elif len(parts) == 2 and parts[1] == "veto":
        actor["veto"] = _bool(path, value)
    elif len(parts) == 3 and parts[1] == "red_lines":
        iid = parts[2]
        if iid not in issues:
            raise _bad_path(s, path, f"no issue {iid!r}")
        text = str(value).strip()
        if not text:  # an empty value is a slip, not a removal
            raise ScenarioError(
                [
                    Problem(
                        "no value given",
                        "write 'none' to remove the red line, or '<= N' / '>= N'",
                        field=path,
                    )
                ]
            )
        if text.lower() in ("none", "null", "off"):
            actor["red_lines"].pop(iid, None)
        elif text[:2] in (">=", "<="):
            bound = _number(path, text[2:])
            actor["red_lines"][iid] = {
                "op": text[:2],
                "bound": {"value": bound, "judgement": why},
            }
        else:
            old = actor["red_lines"].get(iid)
            if old is None:
                raise ScenarioError(
                    [
                        Problem(
                            f"{parts[0]} has no red line on {iid}",
                            "give its direction too, e.g. '>=60'",
                            field=path,
                        )
                    ]
                )
            iss = issues[iid]
            old["bound"] = shifted(old["bound"], _number(path, value), (iss.low, iss.high))
    elif len(parts) == 3 and parts[2] == "priority":
        raise _bad_path(
            s,
            path,
            "a stance has no 'priority' (a level past which the actor accepts nothing is a "
            f"red line): set {parts[0]}.red_lines.{parts[1]} instead, e.g. '<=45'",
        )
    elif len(parts) == 3 and parts[2] in ("position", "salience"):
        iid = parts[1]
        if iid not in issues:
            raise _bad_path(s, path, f"no issue {iid!r}")
        stance = actor["stances"].get(iid)
        if stance is None:
            raise ScenarioError(
                [
                    Problem(
                        f"{parts[0]} has no stance on {iid}",
                        "add the stance in the scenario file first",
                        field=path,
                    )
                ]
            )
        iss = issues[iid]
        bounds = (iss.low, iss.high) if parts[2] == "position" else (0.0, s.salience_max)
        stance[parts[2]] = shifted(stance[parts[2]], _number(path, value), bounds)
    else:
        raise _bad_path(s, path, "not a settable number")
    return _validated(data, path, s, [("actors", parts[0])])


_SCHEMA_LOCATION = re.compile(r"^[\w\-]+(?:\.[\w\-]+)*: ")


def _validated(
    data: dict[str, Any],
    path: str,
    s: Scenario | None = None,
    touched: list[tuple[str, str]] | None = None,
) -> Scenario:
    """The changed scenario, validated; a value the schema refuses (outside its scale or
    bounds) is reported at the path the user typed, not at the schema's location.

    With ``s`` (the scenario ``data`` was dumped from) and ``touched`` (the parts the change
    made, see :func:`~._revalidate.revalidated`), only those parts and the cross-field
    checks are validated; when they refuse the change the whole dump is, for its messages.
    """
    from pydantic import ValidationError

    from .schema import Scenario

    if s is not None and touched is not None:
        fast = _revalidate.revalidated(s, data, touched)
        if fast is not None:
            return fast
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        messages = []
        for e in err.errors(include_url=False):
            msg = str(e["msg"]).removeprefix("Value error, ")
            messages.append(_SCHEMA_LOCATION.sub("", msg, count=1))
        raise ScenarioError(
            [Problem(m, field=f"--set {path}") for m in dict.fromkeys(messages)]
        ) from None
    except ScenarioError as err:
        raise ScenarioError(
            [
                Problem(_SCHEMA_LOCATION.sub("", p.message, count=1), p.hint, field=f"--set {path}")
                for p in err.problems
            ]
        ) from None


def _current(s: Scenario, path: str) -> float:
    for p, q in s.quantities():
        if p == path:
            return q.value
    raise _bad_path(s, path, "not a number of this scenario")


def _bounds(s: Scenario, path: str) -> tuple[float, float] | None:
    parts = path.split(".")
    if parts[0] in ("drivers", "parameters") and len(parts) == 2:
        b = getattr(s, parts[0])[parts[1]].bounds
        return None if b is None else (float(b[0]), float(b[1]))
    if parts[-1] == "salience":
        return (0.0, s.salience_max)
    if parts[-1] == "capability":
        return (0.0, float("inf"))
    issue = parts[1] if parts[-1] == "position" else parts[-1]
    if issue in s.issue_ids:
        i = s.issue(issue)
        return (i.low, i.high)
    return None


def apply_change(s: Scenario, change: Change, *, why: str) -> Scenario:
    """A copy of ``s`` with one :class:`~detente.scenario.case.Change` applied."""
    if change.drop_issue is not None:
        return s.without_issue(change.drop_issue)
    if change.idle is not None:
        data = s.model_dump()
        actor = next((a for a in data["actors"] if a["id"] == change.idle), None)
        if actor is None:
            raise _bad_path(s, change.idle, "no such actor")
        for tool in actor["tools"]:
            tool["kind"] = "delay"
        return _validated(data, f"idle {change.idle}", s, [("actors", change.idle)])
    if change.set is not None:
        if change.to is not None:
            value: Any = change.to
            if value is None or (isinstance(value, str) and value.lower() == "none"):
                value = "none"
            return apply_set(s, change.set, value, why=why)
        new = _current(s, change.set) + float(change.by or 0.0)
        b = _bounds(s, change.set)
        if b is not None:
            new = min(max(new, b[0]), b[1])
        if ".red_lines." in change.set:
            rl = s.actor(change.set.split(".")[0]).red_lines[change.set.split(".")[-1]]
            return apply_set(s, change.set, f"{rl.op}{new}", why=why)
        return apply_set(s, change.set, new, why=why)
    who, other = change.shift or "", change.toward or ""
    return _shift(s, who, other, change.share, why=why)


def _shift(s: Scenario, who: str, other: str, share: Any, *, why: str) -> Scenario:
    """``who`` moves its positions and red lines toward ``other``'s positions by ``share``.

    The direction is the what-if's data (``toward``). When ``share`` names a number of the
    scenario (``parameters.leader_shift_max``), the shift's size is that number's *range*,
    not only its value: each moved number records the shift (:class:`~.schema.Shift`), so
    that in every Monte Carlo draw it is ``x + f (g - x)`` with its own draw ``x``, the
    other side's draw ``g`` and one draw ``f`` of the share, common to every number the shift
    moves in that draw (and the same draw of the parameter the rest of the model reads). Its
    value is the shift at the point values; its range is the envelope the draws can reach.
    A fixed share (a bare number) moves every number by that share of its own distance.
    """
    from .schema import Provenance, Quantity, Shift

    if isinstance(share, str):
        q_share = dict(s.quantities()).get(share)
        if q_share is None:
            raise _bad_path(s, share, "not a number of this scenario")
        f, f_lo, f_hi = q_share.value, q_share.low, q_share.high
        share_path: str | None = share
    else:
        f = f_lo = f_hi = float(share or 0.0)
        q_share, share_path = Quantity(value=f, low=f, high=f), None
    mover, target = s.actor(who), s.actor(other)
    data = s.model_dump()
    actor = next(a for a in data["actors"] if a["id"] == who)
    note = why + (
        f" (share {f:g}, drawn from {share}'s range {f_lo:g}-{f_hi:g} in every draw)"
        if isinstance(share, str)
        else ""
    )

    def moved(q: Quantity, iid: str, lo: float, hi: float) -> dict[str, Any]:
        goal = target.stances[iid].position
        ends = [
            x + g * (y - x)
            for x in (q.low, q.value, q.high)
            for g in (f_lo, f, f_hi)
            for y in (goal.low, goal.value, goal.high)
        ]
        value = min(max(q.value + f * (goal.value - q.value), lo), hi)
        low, high = min(max(min(ends), lo), hi), min(max(max(ends), lo), hi)
        low, high = min(low, value), max(high, value)
        out = Quantity(
            value=value,
            low=low,
            high=high,
            provenance=Provenance(kind="judgement", text=note),
            shift=Shift(
                origin=q,
                toward=f"{other}.{iid}.position",
                goal=goal,
                share=q_share,
                share_path=share_path,
                within=(lo, hi),
            ),
        )
        return out.model_dump()

    for iid, st in mover.stances.items():
        if iid in target.stances:
            iss = s.issue(iid)
            actor["stances"][iid]["position"] = moved(st.position, iid, iss.low, iss.high)
    for iid, rl in mover.red_lines.items():
        if iid in target.stances:
            iss = s.issue(iid)
            actor["red_lines"][iid]["bound"] = moved(rl.bound, iid, iss.low, iss.high)
    return _validated(data, f"{who} toward {other}", s, [("actors", who)])


def apply_changes(s: Scenario, changes: tuple[Change, ...] | list[Change], *, why: str) -> Scenario:
    for c in changes:
        s = apply_change(s, c, why=why)
    return s


def what_ifs_of(s: Scenario) -> dict[str, str]:
    """Id -> "kind: label" of every what-if the scenario declares."""
    return {w.id: f"{w.kind}: {w.label}" for w in s.what_ifs}


def apply_what_if(s: Scenario, what_if: str) -> Scenario:
    """The scenario with its named what-if applied (its changes, in order).

    Raises :class:`~detente.errors.WhatIfNotApplicable` when the scenario declares no such
    what-if (naming the ones it has).
    """
    from ..errors import WhatIfNotApplicable

    w = next((x for x in s.what_ifs if x.id == what_if), None)
    if w is None:
        import difflib

        known = [x.id for x in s.what_ifs]
        close = difflib.get_close_matches(what_if, known, n=3)
        need = (
            f"a what-if of this name (did you mean {', '.join(close)}?)"
            if close
            else (
                f"a what-if of this name; it declares {', '.join(known)}"
                if known
                else "declared what-ifs; it declares none"
            )
        )
        raise WhatIfNotApplicable(what_if, need, s.id)
    return apply_changes(s, w.changes, why=f"what-if {w.id}: {w.label}")


def apply_named(s: Scenario, name: str) -> tuple[Scenario, str]:
    """Apply a named what-if; returns the changed scenario and a sentence describing it."""
    known = what_ifs_of(s)
    if name not in known:
        import difflib

        close = difflib.get_close_matches(name, list(known), n=3)
        hint = (
            f"did you mean {', '.join(close)}?"
            if close
            else (
                f"this scenario's what-ifs: {', '.join(known)}"
                if known
                else "this scenario declares no what-ifs (add them under what_ifs:)"
            )
        )
        raise ScenarioError([Problem(f"unknown what-if {name!r}", hint, field="--what-if")])
    return apply_what_if(s, name), f"{name}: {known[name]}"
