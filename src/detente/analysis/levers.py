"""Counterfactual levers: which small change to the scenario would open a zone of agreement?

A *change* moves one element of the scenario: a veto player's position (toward the status
quo by a fraction of the distance), its salience (scaled), a red line (removed or relaxed
toward the permissive end of the scale), an issue taken off the table
(:meth:`Scenario.without_issue`), or the status quo on an issue (shifted by a share of the
scale). A *lever* is one change or a pair of them.

Every lever is evaluated on the **same Monte Carlo draws** as the baseline (common random
numbers): each drawn value is moved by the stated rule, so the difference in
P(zone non-empty) is the lever's effect and not sampling noise. The ``--set`` assignments
reported with a lever reproduce the change at the scenario's point values (a ``--set``
shifts a quantity's whole range with its value, so a re-sampled run differs slightly).

Size of a change, in fractions of the quantity's scale, so levers can be ranked:
position, red line and status quo: distance moved / scale width; salience: the change in
salience on ``[0, 1]``; dropping an issue: the mean share of the veto players' salience
that it carried. A pair's size is the sum of its parts.

Ranking: a lever that no other lever beats on both counts (a larger rise in P(zone
non-empty) and a smaller size) is ``efficient``; efficient levers come first, smallest
first, then the rest by their rise in P(zone non-empty) (rounded to 0.01) and their size.

Named levers and shocks are the scenario's own ``what_ifs`` (see
:mod:`detente.scenario.case`): :func:`what_if_lever` applies one to the scenario and
re-samples it paired with the baseline's draws (every quantity at the same path keeps its
uniforms), so its change in P(zone non-empty) is the what-if's effect, not sampling noise.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .._json import jsonable
from ..core import (
    bargaining_inputs,
    maximin_packages,
    zone_open,
)

if TYPE_CHECKING:
    from ..scenario import Scenario, ScenarioArrays
    from ..scenario.case import WhatIf

__all__ = [
    "POSITION_FRACTIONS",
    "STATUS_QUO_SHIFT",
    "Baseline",
    "Change",
    "LeverResult",
    "baseline",
    "evaluate_changes",
    "search_levers",
    "take_draws",
    "what_if_lever",
]

#: Position moves tried by the search (toward the status quo).
POSITION_FRACTIONS = (0.25, 0.5, 1.0)
#: Salience factors tried by the search.
SALIENCE_FACTORS = (0.5, 1.5)
#: Red-line relaxations tried by the search (share of the way to the permissive scale end).
RED_LINE_FRACTIONS = (0.25, 0.5, 1.0)
#: Status-quo shifts tried by the search, as a share of the scale, both directions.
STATUS_QUO_SHIFT = 0.25
Kind = Literal["position", "salience", "red_line", "drop_issue", "status_quo"]


@dataclass(frozen=True)
class Change:
    """One change to a scenario, applicable to point values and to every draw alike.

    ``amount``: the fraction toward the status quo (position), the salience factor, the
    fraction of the way to the permissive scale end (red line; 1 removes it), or the
    status-quo shift as a share of the scale (signed).
    """

    kind: Kind
    issue: str
    actor: str | None = None
    amount: float = 1.0

    @property
    def element(self) -> tuple[str, str | None, str]:
        return (self.kind, self.actor, self.issue)

    # ----- description ---------------------------------------------------------------
    def describe(self, s: Scenario) -> tuple[str, tuple[str, ...], float]:
        """(human text, ``--set`` assignments at the point values, size)."""
        iss = s.issue(self.issue)
        width = iss.high - iss.low
        sq = s.status_quo_value(self.issue)
        if self.kind == "position":
            st = s.actor(self.actor or "").stances[self.issue]
            p = st.position.value
            new = p + self.amount * (sq - p)
            return (
                f"{self.actor} moves its position on {self.issue} {_pct(self.amount)} of the way "
                f"to the status quo ({_n(p)} -> {_n(new)})",
                (f"{self.actor}.{self.issue}.position={_n(new)}",),
                abs(new - p) / width,
            )
        if self.kind == "salience":
            st = s.actor(self.actor or "").stances[self.issue]
            old = st.salience.value
            new = min(s.salience_max, old * self.amount)
            return (
                f"{self.actor} {'cares less' if self.amount < 1 else 'cares more'} about "
                f"{self.issue} (salience {_n(old)} -> {_n(new)})",
                (f"{self.actor}.{self.issue}.salience={_n(new)}",),
                abs(new - old) / s.salience_max,
            )
        if self.kind == "red_line":
            rl = s.actor(self.actor or "").red_lines[self.issue]
            b = rl.bound.value
            end = iss.low if rl.op == ">=" else iss.high
            if self.amount >= 1:
                return (
                    f"{self.actor} drops its red line on {self.issue} ({rl.op} {_n(b)})",
                    (f"{self.actor}.red_lines.{self.issue}=none",),
                    abs(end - b) / width,
                )
            new = b + self.amount * (end - b)
            return (
                f"{self.actor} relaxes its red line on {self.issue} from {rl.op} {_n(b)} "
                f"to {rl.op} {_n(new)}",
                (f"{self.actor}.red_lines.{self.issue}={_n(new)}",),
                abs(new - b) / width,
            )
        if self.kind == "drop_issue":
            a = s.to_arrays()
            inp = bargaining_inputs(a)
            share = float(inp.weights[0, :, a.issue_index(self.issue)].mean())
            return (
                f"{self.issue} is taken off the table (scenario.without_issue({self.issue!r}))",
                (),
                share,
            )
        new = min(iss.high, max(iss.low, sq + self.amount * width))
        return (
            f"the status quo on {self.issue} moves from {_n(sq)} to {_n(new)}",
            (f"status_quo.{self.issue}={_n(new)}",),
            abs(new - sq) / width,
        )

    # ----- application ---------------------------------------------------------------
    def apply(self, a: ScenarioArrays, s: Scenario) -> ScenarioArrays:
        """The arrays (point or batch) with this change applied to every draw."""
        j = a.issue_index(self.issue)
        lo, hi = float(a.scale_low[j]), float(a.scale_high[j])
        if self.kind == "position":
            k = a.actor_index(self.actor or "")
            pos = a.positions.copy()
            p = pos[..., k, j]
            pos[..., k, j] = p + self.amount * (a.status_quo[..., j] - p)
            return replace(a, positions=pos)
        if self.kind == "salience":
            k = a.actor_index(self.actor or "")
            sal = a.saliences.copy()
            sal[..., k, j] = np.minimum(1.0, sal[..., k, j] * self.amount)
            return replace(a, saliences=sal)
        if self.kind == "red_line":
            k = a.actor_index(self.actor or "")
            op = s.actor(self.actor or "").red_lines[self.issue].op
            if op == ">=":
                rl = a.red_low.copy()
                rl[..., k, j] = rl[..., k, j] + min(1.0, self.amount) * (lo - rl[..., k, j])
                return replace(a, red_low=rl)
            rh = a.red_high.copy()
            rh[..., k, j] = rh[..., k, j] + min(1.0, self.amount) * (hi - rh[..., k, j])
            return replace(a, red_high=rh)
        if self.kind == "drop_issue":
            # an issue nobody cares about and nobody draws a line on is off the table:
            # saliences renormalise over the rest, exactly as in Scenario.without_issue
            sal = a.saliences.copy()
            sal[..., :, j] = 0.0
            rl, rh = a.red_low.copy(), a.red_high.copy()
            rl[..., :, j], rh[..., :, j] = lo, hi
            return replace(a, saliences=sal, red_low=rl, red_high=rh)
        sq = a.status_quo.copy()
        sq[..., j] = np.clip(sq[..., j] + self.amount * (hi - lo), lo, hi)
        pos = a.positions.copy()
        # actors without a stance sit at the status quo (see ScenarioArrays)
        no_stance = ~a.has_stance[:, j]
        pos[..., no_stance, j] = sq[..., j, None]
        return replace(a, status_quo=sq, positions=pos)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _n(x: float) -> str:
    return f"{x:.4g}"


@dataclass(frozen=True, eq=False)
class LeverResult:
    """A lever and its effect.

    Attributes
    ----------
    name : str
        A named lever's name, or a generated label for a searched one.
    changes : tuple of Change
    change : str
        What changes, in words.
    assignments : tuple of str
        ``--set`` assignments reproducing it at the point values (empty for dropping an
        issue or a package test).
    size : float
        How big the change is (see the module docstring); NaN for a package test.
    p_zone_nonempty : float or None
        P(zone non-empty) with the lever (None when not applicable).
    delta : float or None
        Against the baseline's P(zone non-empty) on the same draws.
    zone_nonempty : bool or None
        The point verdict with the lever.
    opens_share : float or None
        Share of draws in which the baseline zone is empty and the lever opens it.
    applicable : bool
    reason : str
        Why not applicable, or which rule defined the lever (flagship ids or fallback).
    efficient : bool
        No other searched lever has both a larger effect and a smaller size.
    extra : dict
    """

    name: str
    changes: tuple[Change, ...]
    change: str
    assignments: tuple[str, ...]
    size: float
    p_zone_nonempty: float | None
    delta: float | None
    zone_nonempty: bool | None
    opens_share: float | None
    applicable: bool = True
    reason: str = ""
    efficient: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        if not self.applicable:
            return f"<LeverResult {self.name}: not applicable>"
        return (
            f"<LeverResult {self.name}: P(zone non-empty) = {self.p_zone_nonempty:.3f} "
            f"({(self.delta or 0.0):+.3f})>"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "change": self.change,
            "assignments": list(self.assignments),
            "size": None if not np.isfinite(self.size) else float(self.size),
            "p_zone_nonempty": self.p_zone_nonempty,
            "delta": self.delta,
            "zone_nonempty": self.zone_nonempty,
            "opens_share": self.opens_share,
            "applicable": self.applicable,
            "reason": self.reason,
            "efficient": self.efficient,
            **({"extra": jsonable(self.extra)} if self.extra else {}),
        }


# --------------------------------------------------------------------------------------
# evaluation
# --------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Baseline:
    scenario: Scenario
    point: ScenarioArrays
    batch: ScenarioArrays
    point_open: bool
    open_: np.ndarray
    curvature: float | None
    agreement_cost: float | None
    hints: np.ndarray | None = None  # baseline max-min packages, candidates for the levers
    seed: int | None = None  # the seed the batch was drawn with (for paired what-if draws)

    @property
    def p(self) -> float:
        return float(self.open_.mean())


def take_draws(a: ScenarioArrays, n: int) -> ScenarioArrays:
    """The first ``n`` draws of a batch (a point scenario is returned unchanged)."""
    if a.n_draws is None or a.n_draws <= n:
        return a
    return a.take(slice(0, n))


def baseline(
    s: Scenario,
    batch: ScenarioArrays,
    curvature: float | None = None,
    agreement_cost: float | None = None,
    seed: int | None = None,
) -> Baseline:
    point = s.to_arrays()
    po, _ = zone_open(point, curvature=curvature, agreement_cost=agreement_cost)
    bo, _ = zone_open(batch, curvature=curvature, agreement_cost=agreement_cost, exact=False)
    hints = None
    inp = bargaining_inputs(batch, curvature=curvature, agreement_cost=agreement_cost)
    if inp.weights.shape[1] > 2 and bool(np.all(inp.curvature == 1.0)):
        # many veto players: the baseline's max-min packages often stay inside a changed
        # zone, so they certify most lever draws without an LP
        hints = maximin_packages(inp)[:, None, :]
    return Baseline(s, point, batch, bool(po), bo, curvature, agreement_cost, hints, seed)


def evaluate_changes(
    base: Baseline, changes: tuple[Change, ...], name: str | None = None
) -> LeverResult:
    """Apply ``changes`` to the point values and to every draw; compare with the baseline."""
    s = base.scenario
    point, batch = base.point, base.batch
    for c in changes:
        point = c.apply(point, s)
        batch = c.apply(batch, s)
    po, _ = zone_open(point, curvature=base.curvature, agreement_cost=base.agreement_cost)
    bo, _ = zone_open(
        batch,
        exact=False,
        curvature=base.curvature,
        agreement_cost=base.agreement_cost,
        hints=base.hints,
    )
    texts: list[str] = []
    sets: list[str] = []
    size = 0.0
    for c in changes:
        t, a, z = c.describe(s)
        texts.append(t)
        sets += a
        size += z
    p = float(bo.mean())
    return LeverResult(
        name=name or " + ".join(_label(c) for c in changes),
        changes=changes,
        change="; ".join(texts),
        assignments=tuple(sets),
        size=size,
        p_zone_nonempty=p,
        delta=p - base.p,
        zone_nonempty=bool(po),
        opens_share=float(np.mean(bo & ~base.open_)),
    )


def _label(c: Change) -> str:
    if c.kind == "position":
        return f"{c.actor}.{c.issue}.position->sq x{c.amount:g}"
    if c.kind == "salience":
        return f"{c.actor}.{c.issue}.salience x{c.amount:g}"
    if c.kind == "red_line":
        return f"{c.actor}.red_lines.{c.issue} " + (
            "off" if c.amount >= 1 else f"relax {c.amount:g}"
        )
    if c.kind == "drop_issue":
        return f"drop {c.issue}"
    return f"status_quo.{c.issue} {c.amount:+g}"


def _candidates(s: Scenario, veto: tuple[str, ...]) -> list[Change]:
    out: list[Change] = []
    for a in veto:
        actor = s.actor(a)
        for iid, st in actor.stances.items():
            if abs(st.position.value - s.status_quo_value(iid)) > 0:
                out += [Change("position", iid, a, f) for f in POSITION_FRACTIONS]
            sal = st.salience.value
            out += [
                Change("salience", iid, a, f)
                for f in SALIENCE_FACTORS
                if sal > 0 and min(s.salience_max, sal * f) != sal  # skip no-op changes
            ]
        for iid in actor.red_lines:
            out += [Change("red_line", iid, a, f) for f in RED_LINE_FRACTIONS]
    if s.n_issues > 1:
        out += [Change("drop_issue", i.id) for i in s.issues]
    for i in s.issues:
        sq = s.status_quo_value(i.id)
        for sign in (-1.0, 1.0):
            new = sq + sign * STATUS_QUO_SHIFT * (i.high - i.low)
            if i.low <= new <= i.high:
                out.append(Change("status_quo", i.id, None, sign * STATUS_QUO_SHIFT))
    return out


def search_levers(
    base: Baseline, *, top: int = 10, n_pairs_from: int = 8
) -> tuple[LeverResult, ...]:
    """Single changes of every kind to the veto players and the table, then pairs of the
    most effective ones; those that raise P(zone non-empty) at all, ranked (see the module
    docstring). Empty when no change tried helps."""
    inp = bargaining_inputs(base.point)
    singles = [evaluate_changes(base, (c,)) for c in _candidates(base.scenario, inp.veto_ids)]
    singles.sort(key=lambda r: (-(r.delta or 0.0), r.size))
    seeds = [r for r in singles if (r.delta or 0) > 0][:n_pairs_from]
    pairs = []
    for r1, r2 in itertools.combinations(seeds, 2):
        c1, c2 = r1.changes[0], r2.changes[0]
        if c1.element == c2.element:
            continue
        if c1.kind == "drop_issue" and c2.issue == c1.issue:
            continue
        if c2.kind == "drop_issue" and c1.issue == c2.issue:
            continue
        pairs.append(evaluate_changes(base, (c1, c2)))
    # a lever that changes nothing about the zone is no lever
    allr = [r for r in singles + pairs if (r.delta or 0.0) > 0]
    effs = []
    for r in allr:
        dominated = any(
            (o.delta or 0) >= (r.delta or 0)
            and o.size <= r.size
            and ((o.delta or 0) > (r.delta or 0) or o.size < r.size)
            for o in allr
        )
        effs.append(replace(r, efficient=not dominated and (r.delta or 0) > 0))
    # efficient levers first (smallest first), then the rest by effect and size
    effs.sort(
        key=lambda r: (
            not r.efficient,
            r.size if r.efficient else 0.0,
            -round(r.delta or 0.0, 2),
            r.size,
        )
    )
    return tuple(effs[:top])


# --------------------------------------------------------------------------------------
# named levers
# --------------------------------------------------------------------------------------
def _not_applicable(name: str, reason: str) -> LeverResult:
    return LeverResult(
        name=name,
        changes=(),
        change="not applicable",
        assignments=(),
        size=float("nan"),
        p_zone_nonempty=None,
        delta=None,
        zone_nonempty=None,
        opens_share=None,
        applicable=False,
        reason=reason,
    )


def what_if_lever(base: Baseline, what_if: WhatIf) -> LeverResult:
    """Evaluate one of the scenario's named what-ifs on the baseline's draws (paired)."""
    from ..errors import DetenteError
    from ..scenario.whatif import apply_changes

    s = base.scenario
    try:
        s2 = apply_changes(s, what_if.changes, why=f"what-if {what_if.id}")
    except DetenteError as err:
        return _not_applicable(what_if.id, "; ".join(err.lines()))
    except ValueError as err:  # a change that leaves the scenario invalid (e.g. off the scale)
        lines = [x.strip() for x in str(err).splitlines() if x.strip()]
        return _not_applicable(what_if.id, lines[1] if len(lines) > 1 else lines[0])
    n = base.batch.n_draws or 1
    point = s2.to_arrays()
    batch = s2.sample(n, base.seed, paired_with=s) if base.seed is not None else s2.sample(n, 0)
    po, _ = zone_open(point, curvature=base.curvature, agreement_cost=base.agreement_cost)
    bo, _ = zone_open(
        batch, exact=False, curvature=base.curvature, agreement_cost=base.agreement_cost
    )
    p = float(bo.mean())
    paired = bo.shape == base.open_.shape and s2.issue_ids == s.issue_ids
    return LeverResult(
        name=what_if.id,
        changes=(),
        change="; ".join(c.describe() for c in what_if.changes),
        assignments=tuple(
            f"{c.set}={c.to}" for c in what_if.changes if c.set is not None and c.to is not None
        ),
        size=float("nan"),
        p_zone_nonempty=p,
        delta=p - base.p,
        zone_nonempty=bool(po),
        opens_share=float(np.mean(bo & ~base.open_)) if paired else None,
        reason=f"{what_if.kind} named in the scenario: {what_if.label}",
        extra={"kind": what_if.kind, "by": what_if.by, "label": what_if.label},
    )
