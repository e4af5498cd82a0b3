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

Named levers (from the source essay; defined on the flagship's ids with generic fallbacks):

``us-waters-down``
    The United States softens its denuclearization demand: its position moves toward the
    status quo by :data:`WATER_DOWN_FRACTION` of the distance and its red line on the issue
    is removed. Fallback: the veto player with the most salient demand away from the status
    quo softens that demand. A ladder of fractions, and each half alone, are reported too.
``reframe-without-denuclearization``
    Denuclearization is taken off the table. Fallback: the issue on which the veto players'
    red lines conflict most, else the one they disagree on most (salience-weighted).
``partial-for-relief``
    A Hanoi-style package: partial denuclearization for partial sanctions relief, every
    other issue at the status quo. The levels are the issues' anchors whose label mentions
    Hanoi (else "partial", else the scale midpoint). Its ``p_zone_nonempty`` is the share of
    draws in which that package lies in every veto player's win-set (the zone if the table
    held this one package); ``extra`` says who rejects it and how often.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .._json import jsonable
from .bargaining import (
    LP_TOLERANCE,
    STRICT_MARGIN,
    bargaining_inputs,
    maximin_packages,
    zone_open,
)

if TYPE_CHECKING:
    from ..scenario import Scenario, ScenarioArrays

__all__ = [
    "NAMED_LEVERS",
    "PARTIAL_KEYWORDS",
    "POSITION_FRACTIONS",
    "STATUS_QUO_SHIFT",
    "WATER_DOWN_FRACTION",
    "WATER_DOWN_LADDER",
    "Baseline",
    "Change",
    "LeverResult",
    "baseline",
    "evaluate_changes",
    "hanoi_package",
    "named_lever",
    "package_in_win_sets",
    "search_levers",
    "take_draws",
]

#: Share of the distance to the status quo by which ``us-waters-down`` moves the demand:
#: meeting the status quo halfway is the plainest reading of "waters down".
WATER_DOWN_FRACTION = 0.5
#: The fractions reported as the ``us-waters-down`` ladder.
WATER_DOWN_LADDER = (0.25, 0.5, 0.75, 1.0)
#: Position moves tried by the search (toward the status quo).
POSITION_FRACTIONS = (0.25, 0.5, 1.0)
#: Salience factors tried by the search.
SALIENCE_FACTORS = (0.5, 1.5)
#: Red-line relaxations tried by the search (share of the way to the permissive scale end).
RED_LINE_FRACTIONS = (0.25, 0.5, 1.0)
#: Status-quo shifts tried by the search, as a share of the scale, both directions.
STATUS_QUO_SHIFT = 0.25
#: Anchor labels searched, in order, for the Hanoi-style package levels.
PARTIAL_KEYWORDS = ("hanoi", "partial")
#: The flagship ids the named levers use before falling back to generic rules.
FLAGSHIP_DEMANDER, FLAGSHIP_CORE_ISSUE, FLAGSHIP_RELIEF_ISSUE = (
    "usa",
    "denuclearization",
    "sanctions_relief",
)
NAMED_LEVERS = ("us-waters-down", "reframe-without-denuclearization", "partial-for-relief")

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
    return Baseline(s, point, batch, bool(po), bo, curvature, agreement_cost, hints)


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


def _demander(base: Baseline) -> tuple[str, str, str] | None:
    """(actor, issue, rule) whose demand ``us-waters-down`` softens."""
    s = base.scenario
    inp = bargaining_inputs(base.point)
    if (
        FLAGSHIP_DEMANDER in inp.veto_ids
        and FLAGSHIP_CORE_ISSUE in s.actor(FLAGSHIP_DEMANDER).stances
    ):
        return FLAGSHIP_DEMANDER, FLAGSHIP_CORE_ISSUE, "flagship ids"
    dist = inp.weights[0] * np.abs(inp.ideal[0] - inp.status_quo[0][None, :])
    if not np.any(dist > 0):
        return None
    v, j = np.unravel_index(int(np.argmax(dist)), dist.shape)
    return (
        inp.veto_ids[int(v)],
        inp.issue_ids[int(j)],
        "fallback: the veto player's most salient demand away from the status quo",
    )


def _core_issue(base: Baseline) -> tuple[str, str] | None:
    s = base.scenario
    if s.n_issues < 2:
        return None
    if FLAGSHIP_CORE_ISSUE in s.issue_ids:
        return FLAGSHIP_CORE_ISSUE, "flagship ids"
    inp = bargaining_inputs(base.point)
    lo = inp.red_low[0].max(axis=0)
    hi = inp.red_high[0].min(axis=0)
    conflict = lo - hi
    if np.any(conflict > LP_TOLERANCE):
        return inp.issue_ids[int(np.argmax(conflict))], "fallback: the widest red-line conflict"
    spread = np.sum(
        inp.weights[0] * np.abs(inp.ideal[0] - inp.ideal[0].mean(axis=0, keepdims=True)), axis=0
    )
    return inp.issue_ids[int(np.argmax(spread))], "fallback: the most disputed issue"


def _hanoi_level(s: Scenario, issue: str) -> tuple[float, str]:
    iss = s.issue(issue)
    for kw in PARTIAL_KEYWORDS:
        for at, label in sorted(iss.anchors.items()):
            if kw in label.lower():
                return float(at), f"anchor {_n(at)} ({label})"
    mid = (iss.low + iss.high) / 2
    return mid, f"scale midpoint {_n(mid)}"


def hanoi_package(s: Scenario) -> dict[str, tuple[float, str]] | None:
    """The Hanoi-style package's levels on the two issues (None if the issues are missing)."""
    if not {FLAGSHIP_CORE_ISSUE, FLAGSHIP_RELIEF_ISSUE} <= set(s.issue_ids):
        return None
    return {i: _hanoi_level(s, i) for i in (FLAGSHIP_CORE_ISSUE, FLAGSHIP_RELIEF_ISSUE)}


def package_in_win_sets(
    arrays: ScenarioArrays,
    package: dict[str, float],
    *,
    curvature: float | None = None,
    agreement_cost: float | None = None,
) -> tuple[tuple[str, ...], np.ndarray]:
    """Whether a package (issues not named stay at each draw's status quo) lies in each veto
    player's win-set. Returns (veto ids, bool array (..., n_veto))."""
    inp = bargaining_inputs(arrays, curvature=curvature, agreement_cost=agreement_cost)
    y = inp.status_quo.copy()
    for iid, x in package.items():
        j = inp.issue_ids.index(iid)
        y[:, j] = (x - inp.scale_low[j]) / inp.scale_width[j]
    u = inp.utility(y)
    ok_u = (u >= inp.reservation() + STRICT_MARGIN - LP_TOLERANCE) | inp.indifferent
    ok_r = np.all(
        (y[:, None, :] >= inp.red_low - LP_TOLERANCE)
        & (y[:, None, :] <= inp.red_high + LP_TOLERANCE),
        axis=2,
    )
    inside = ok_u & ok_r
    return inp.veto_ids, (inside if inp.batched else inside[0])


def named_lever(base: Baseline, name: str) -> LeverResult:
    """Evaluate one of :data:`NAMED_LEVERS` on the baseline's draws."""
    s = base.scenario
    if name == "us-waters-down":
        d = _demander(base)
        if d is None:
            return _not_applicable(name, "no veto player demands a move from the status quo")
        actor, issue, rule = d
        has_rl = issue in s.actor(actor).red_lines
        rl = (Change("red_line", issue, actor, 1.0),) if has_rl else ()
        main = evaluate_changes(
            base, (Change("position", issue, actor, WATER_DOWN_FRACTION), *rl), name
        )
        ladder = {
            f"{f:g}": evaluate_changes(base, (Change("position", issue, actor, f), *rl))
            for f in WATER_DOWN_LADDER
        }
        pos_only = evaluate_changes(base, (Change("position", issue, actor, WATER_DOWN_FRACTION),))
        extra: dict[str, Any] = {
            "actor": actor,
            "issue": issue,
            "fraction": WATER_DOWN_FRACTION,
            "ladder": {k: v.p_zone_nonempty for k, v in ladder.items()},
            "ladder_point_open": {k: v.zone_nonempty for k, v in ladder.items()},
            "p_position_only": pos_only.p_zone_nonempty,
            "smallest_opening_fraction": next(
                (float(k) for k, v in ladder.items() if v.zone_nonempty), None
            ),
        }
        if has_rl:
            rl_only = evaluate_changes(base, rl)
            extra["p_red_line_only"] = rl_only.p_zone_nonempty
        return replace(main, reason=rule, extra=extra)
    if name == "reframe-without-denuclearization":
        ci = _core_issue(base)
        if ci is None:
            return _not_applicable(name, "a scenario with one issue cannot drop it")
        issue, rule = ci
        r = evaluate_changes(base, (Change("drop_issue", issue),), name)
        return replace(r, reason=rule, extra={"issue": issue})
    if name == "partial-for-relief":
        pk = hanoi_package(s)
        if pk is None:
            return _not_applicable(
                name,
                f"needs issues {FLAGSHIP_CORE_ISSUE!r} and {FLAGSHIP_RELIEF_ISSUE!r}",
            )
        package = {i: v for i, (v, _) in pk.items()}
        kw = {"curvature": base.curvature, "agreement_cost": base.agreement_cost}
        ids, pin = package_in_win_sets(base.point, package, **kw)
        _, bin_ = package_in_win_sets(base.batch, package, **kw)
        all_b = np.all(bin_, axis=1)
        text = (
            "test the package "
            + ", ".join(f"{i} = {_n(v)} [{why}]" for i, (v, why) in pk.items())
            + ", every other issue at the status quo"
        )
        rejects = [a for a, ok in zip(ids, pin, strict=True) if not ok]
        return LeverResult(
            name=name,
            changes=(),
            change=text,
            assignments=(),
            size=float("nan"),
            p_zone_nonempty=float(all_b.mean()),
            delta=float(all_b.mean()) - base.p,
            zone_nonempty=bool(np.all(pin)),
            opens_share=float(np.mean(all_b & ~base.open_)),
            reason="flagship ids; levels from the issues' anchors",
            extra={
                "package": package,
                "in_win_set": {a: bool(ok) for a, ok in zip(ids, pin, strict=True)},
                "p_in_win_set": {a: float(bin_[:, k].mean()) for k, a in enumerate(ids)},
                "rejected_by": rejects,
                "p_rejected_by": {a: float(1 - bin_[:, k].mean()) for k, a in enumerate(ids)},
            },
        )
    raise ValueError(
        f"The 'name' parameter of named_lever must be one of {', '.join(NAMED_LEVERS)}. "
        f"Got {name!r} instead."
    )
