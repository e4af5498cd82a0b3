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
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from ..core import (
    BargainingInputs,
    agreement_arrays,
    bargaining_inputs,
    maximin_packages,
    veto_matrix,
    zone_open,
)
from ._lever_changes import Change, LeverResult

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
    # the core's inputs of ``point`` and ``batch``: a change rebuilds only what it touches
    point_inputs: BargainingInputs | None = None
    batch_inputs: BargainingInputs | None = None

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
    # who must agree as the core says (veto players; an issue's controllers on that issue)
    point = agreement_arrays(s)
    batch = agreement_arrays(s, batch)
    p_inp = bargaining_inputs(point, curvature=curvature, agreement_cost=agreement_cost)
    inp = bargaining_inputs(batch, curvature=curvature, agreement_cost=agreement_cost)
    po, _ = zone_open(p_inp)
    bo, _ = zone_open(inp, exact=False)
    hints = None
    if inp.weights.shape[1] > 2 and bool(np.all(inp.curvature == 1.0)):
        # many veto players: the baseline's max-min packages often stay inside a changed
        # zone, so they certify most lever draws without an LP
        hints = maximin_packages(inp)[:, None, :]
    return Baseline(
        s, point, batch, bool(po), bo, curvature, agreement_cost, hints, seed, p_inp, inp
    )


def evaluate_changes(
    base: Baseline, changes: tuple[Change, ...], name: str | None = None
) -> LeverResult:
    """Apply ``changes`` to the point values and to every draw; compare with the baseline."""
    s = base.scenario
    point, batch = base.point, base.batch
    for c in changes:
        point = c.apply(point, s)
        batch = c.apply(batch, s)
    cost = base.agreement_cost
    p_reuse = None if base.point_inputs is None else (base.point, base.point_inputs)
    b_reuse = None if base.batch_inputs is None else (base.batch, base.batch_inputs)
    p_inp = bargaining_inputs(point, curvature=base.curvature, agreement_cost=cost, reuse=p_reuse)
    b_inp = bargaining_inputs(batch, curvature=base.curvature, agreement_cost=cost, reuse=b_reuse)
    po, _ = zone_open(p_inp)
    bo, _ = zone_open(b_inp, exact=False, hints=base.hints)
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
    m = veto_matrix(s)
    # a controller's stances and red lines count only on the issues it controls
    held = {(a, i) for k, a in enumerate(s.actor_ids) for j, i in enumerate(s.issue_ids) if m[k, j]}
    for a in veto:
        actor = s.actor(a)
        for iid, st in actor.stances.items():
            if held and (a, iid) not in held:
                continue
            if abs(st.position.value - s.status_quo_value(iid)) > 0:
                out += [Change("position", iid, a, f) for f in POSITION_FRACTIONS]
            sal = st.salience.value
            out += [
                Change("salience", iid, a, f)
                for f in SALIENCE_FACTORS
                if sal > 0 and min(s.salience_max, sal * f) != sal  # skip no-op changes
            ]
        for iid in actor.red_lines:
            if held and (a, iid) not in held:
                continue
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


def what_if_lever(
    base: Baseline,
    what_if: WhatIf,
    shared: tuple[Scenario, ScenarioArrays] | None = None,
) -> LeverResult:
    """Evaluate one of the scenario's named what-ifs on the baseline's draws (paired).

    ``shared``: the what-if's scenario and its draws, already built by the caller exactly as
    here (the pipeline's evaluator holds them for the claims and the what-if table), so they
    are not built twice. Used only when the baseline's draws are paired by seed.
    """
    from ..errors import DetenteError
    from ..scenario.whatif import apply_changes

    s = base.scenario
    n = base.batch.n_draws or 1
    if shared is not None and base.seed is not None and shared[1].n_draws == n:
        s2, drawn = shared
    else:
        try:
            s2 = apply_changes(s, what_if.changes, why=f"what-if {what_if.id}")
        except DetenteError as err:
            return _not_applicable(what_if.id, "; ".join(err.lines()))
        except ValueError as err:  # a change that leaves the scenario invalid (off the scale)
            lines = [x.strip() for x in str(err).splitlines() if x.strip()]
            return _not_applicable(what_if.id, lines[1] if len(lines) > 1 else lines[0])
        drawn = s2.sample(n, base.seed, paired_with=s) if base.seed is not None else s2.sample(n, 0)
    point = agreement_arrays(s2)
    batch = agreement_arrays(s2, drawn)
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
