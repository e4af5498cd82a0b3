"""Named what-ifs and shocks for the dynamics, each a documented change to the scenario.

Each :class:`WhatIf` changes drivers, stances or red lines of a scenario (never the
simulation's rules) and states the direction its mechanism implies for P(talks),
P(agreement) and P(crisis) (+1 up, -1 down, 0 no stated direction);
``tests/dynamics/test_dynamics_whatifs.py`` checks each stated direction. The first three
are the diagnosis levers: when ``detente.analysis.levers`` is installed its definitions are
used (see :func:`_diagnosis_lever`); the definitions below are the fallback.

A what-if that needs a driver, actor or issue the scenario lacks raises
:class:`detente.errors.WhatIfNotApplicable` (a :class:`~detente.errors.ModelError`) naming
the what-if, what it needs and the scenario; the report lists such what-ifs as "does not
apply" and ``detente simulate --what-if`` prints the message and exits with status 2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ModelError, WhatIfNotApplicable
from ..scenario.schema import Scenario
from ..scenario.whatif import apply_set
from .result import HORIZONS, DynamicsResult

__all__ = ["WHAT_IFS", "WhatIf", "apply_what_if", "compare"]


@dataclass(frozen=True)
class WhatIf:
    name: str
    description: str
    apply: Callable[[Scenario], Scenario]
    expects: dict[str, int]


def _veto(s: Scenario, what_if: str) -> tuple[str, str]:
    from .simulation import find_roles

    try:
        r = find_roles(s)
    except ModelError as err:
        raise WhatIfNotApplicable(
            what_if, "two veto players (a challenger and a defender)", s.id
        ) from err
    return s.actor_ids[r.challenger], s.actor_ids[r.defender]


def _drivers(
    what_if: str, changes: dict[str, Callable[[float], float]]
) -> Callable[[Scenario], Scenario]:
    """A what-if that sets each named driver to ``f(current value)``, clipped to its bounds.

    Every driver is checked before any is changed, so a scenario lacking one raises
    :class:`WhatIfNotApplicable` naming it.
    """

    def apply(s: Scenario) -> Scenario:
        for name in changes:
            if name not in s.drivers:
                raise WhatIfNotApplicable(what_if, f"driver {name}", s.id)
        for name, f in changes.items():
            bounds = s.drivers[name].bounds or (0.0, 1.0)
            v = min(max(f(s.drivers[name].value.value), bounds[0]), bounds[1])
            s = apply_set(s, f"drivers.{name}", v, why=f"what-if {what_if}")
        return s

    return apply


def _shift_toward(s: Scenario, who: str, other: str, share: float, why: str) -> Scenario:
    """Move ``who``'s positions and red lines toward ``other``'s positions by ``share``."""
    a = next(x for x in s.actors if x.id == who)
    b = next(x for x in s.actors if x.id == other)
    for iid, st in a.stances.items():
        if iid in b.stances:
            p, q = st.position.value, b.stances[iid].position.value
            s = apply_set(s, f"{who}.{iid}.position", p + share * (q - p), why=why)
    for iid, rl in a.red_lines.items():
        if iid in b.stances:
            bound, q = rl.bound.value, b.stances[iid].position.value
            moved = bound + share * (q - bound)
            s = apply_set(s, f"{who}.red_lines.{iid}", f"{rl.op}{moved}", why=why)
    return s


def _us_waters_down(s: Scenario) -> Scenario:
    c, d = _veto(s, "us-waters-down")
    why = "what-if us-waters-down: the defender lowers its denuclearization demand to the challenger's limit"
    rl_c = next(x for x in s.actors if x.id == c).red_lines.get("denuclearization")
    dd = next(x for x in s.actors if x.id == d)
    if "denuclearization" not in dd.stances:
        raise WhatIfNotApplicable("us-waters-down", f"a denuclearization stance for {d}", s.id)
    limit = rl_c.bound.value if rl_c is not None else dd.stances["denuclearization"].position.value
    s = apply_set(s, f"{d}.denuclearization.position", limit, why=why)
    if "denuclearization" in dd.red_lines:
        s = apply_set(s, f"{d}.red_lines.denuclearization", f">={limit}", why=why)
    return s


def _reframe(s: Scenario) -> Scenario:
    if "denuclearization" not in s.issue_ids:
        raise WhatIfNotApplicable(
            "reframe-without-denuclearization", "issue denuclearization", s.id
        )
    return s.without_issue("denuclearization")


def _partial_for_relief(s: Scenario) -> Scenario:
    _c, d = _veto(s, "partial-for-relief")
    why = "what-if partial-for-relief: partial denuclearization for sanctions relief (Hanoi-style)"
    dd = next(x for x in s.actors if x.id == d)
    if "denuclearization" in dd.red_lines:
        s = apply_set(s, f"{d}.red_lines.denuclearization", ">=40", why=why)
    if "denuclearization" in dd.stances:
        s = apply_set(s, f"{d}.denuclearization.position", 50, why=why)
    if "sanctions_relief" in dd.stances:
        s = apply_set(s, f"{d}.sanctions_relief.position", 60, why=why)
    return s


def _change(side: str) -> Callable[[Scenario], Scenario]:
    def apply(s: Scenario) -> Scenario:
        c, d = _veto(s, f"leadership-change-{'washington' if side == 'defender' else 'pyongyang'}")
        who, other = (d, c) if side == "defender" else (c, d)
        why = f"what-if leadership change in the {side}'s capital: the new leader meets the other side halfway"
        return _shift_toward(s, who, other, 0.5, why)

    return apply


WHAT_IFS: dict[str, WhatIf] = {
    w.name: w
    for w in (
        WhatIf(
            "us-waters-down",
            "Washington waters down its denuclearization demand (the diagnosis lever: "
            "position half-way to the status quo, red line dropped; fallback: position and "
            "red line to Pyongyang's limit): the zone opens, obduracy relaxes (C11).",
            _us_waters_down,
            {"talks": +1, "agreement": +1},
        ),
        WhatIf(
            "reframe-without-denuclearization",
            "Talks are reframed to exclude denuclearization (the issue is removed).",
            _reframe,
            {"talks": +1, "agreement": +1},
        ),
        WhatIf(
            "partial-for-relief",
            "Washington takes the Hanoi-style package as its demand (the diagnosis lever's "
            "anchors; fallback: red line 40, position 50, sanctions relief 60).",
            _partial_for_relief,
            {"talks": +1, "agreement": +1},
        ),
        WhatIf(
            "leadership-change-washington",
            "A new leader in Washington meets Pyongyang halfway on every issue and red line.",
            _change("defender"),
            {"talks": +1, "agreement": +1},
        ),
        WhatIf(
            "leadership-change-pyongyang",
            "A new leader in Pyongyang meets Washington halfway on every issue and red line.",
            _change("challenger"),
            {"talks": +1, "agreement": +1},
        ),
        WhatIf(
            "china-cuts-support",
            "China cuts its lifeline: dependency falls by 0.4 (China's restraint binds less) "
            "and distress rises by 0.15. Crisis risk rises (inhibition by dependency falls "
            "more than inhibition by distress rises). No direction is stated for talks: "
            "desperation raises engagement but the extra crises interrupt talks, and the "
            "net sign differs between scenarios.",
            _drivers(
                "china-cuts-support",
                {"china_dependency": lambda v: v - 0.4, "economic_distress": lambda v: v + 0.15},
            ),
            {"crisis": +1},
        ),
        WhatIf(
            "china-boosts-support",
            "China boosts support: distress falls by 0.3 and dependency rises to at most 1. "
            "Less desperation means fewer talks; less distress inhibits crises less.",
            _drivers(
                "china-boosts-support",
                {"economic_distress": lambda v: v - 0.3, "china_dependency": lambda v: v + 0.05},
            ),
            {"talks": -1, "crisis": +1},
        ),
        WhatIf(
            "economic-collapse",
            "The North's economy collapses (distress 1): desperation brings talks, crises "
            "are inhibited, weakness blocks reciprocity (C12).",
            _drivers("economic-collapse", {"economic_distress": lambda v: 1.0}),
            {"talks": +1, "crisis": -1},
        ),
    )
}


def _diagnosis_lever(s: Scenario, name: str) -> Scenario | None:
    """The diagnosis helper's definition of a named lever, applied to the scenario itself.

    ``detente.analysis.levers`` applies its levers to sampled arrays; the dynamics need a
    changed *scenario* (stances move during a run), so the same changes are applied through
    their ``--set`` assignments: ``us-waters-down`` moves the demander's position
    ``WATER_DOWN_FRACTION`` of the way to the status quo and drops its red line;
    ``reframe-without-denuclearization`` drops the core issue; ``partial-for-relief`` makes
    the Hanoi-style package (the issues' "Hanoi"/"partial" anchors) the demander's position
    on both issues and relaxes its red line on the core issue to the package level.
    Returns None when the diagnosis levers are not installed or do not apply.
    """
    try:
        from ..analysis import levers as lv
    except ImportError:
        return None
    from ..scenario.whatif import apply_sets

    try:
        base = lv.baseline(s, s.to_arrays())
        if name == "us-waters-down":
            d = lv._demander(base)
            if d is None:
                return None
            actor, issue, _rule = d
            changes = [lv.Change("position", issue, actor, lv.WATER_DOWN_FRACTION)]
            if issue in next(a for a in s.actors if a.id == actor).red_lines:
                changes.append(lv.Change("red_line", issue, actor, 1.0))
            sets = [x for c in changes for x in c.describe(s)[1]]
            return apply_sets(s, sets)
        if name == "reframe-without-denuclearization":
            ci = lv._core_issue(base)
            return None if ci is None else s.without_issue(ci[0])
        if name == "partial-for-relief":
            pk = lv.hanoi_package(s)
            d = lv._demander(base)
            if pk is None or d is None:
                return None
            actor = d[0]
            a = next(x for x in s.actors if x.id == actor)
            sets = [f"{actor}.{i}.position={v}" for i, (v, _) in pk.items() if i in a.stances]
            core = lv.FLAGSHIP_CORE_ISSUE
            rl = a.red_lines.get(core)
            if rl is not None and not rl.allows(pk[core][0]):
                sets.append(f"{actor}.red_lines.{core}={rl.op}{pk[core][0]}")
            return apply_sets(s, sets)
    except AttributeError:  # the diagnosis module changed its internals: use ours
        return None
    return None


def apply_what_if(s: Scenario, name: str) -> Scenario:
    """The scenario with the named what-if applied (the diagnosis levers' definitions for
    the three levers when :mod:`detente.analysis.levers` is installed)."""
    if name in ("us-waters-down", "reframe-without-denuclearization", "partial-for-relief"):
        out = _diagnosis_lever(s, name)
        if out is not None:
            return out
    w = WHAT_IFS.get(name)
    if w is None:
        import difflib

        close = difflib.get_close_matches(name, list(WHAT_IFS), n=3)
        hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(WHAT_IFS)}"
        raise ModelError(f"--what-if {name!r}: no such what-if; {hint}")
    return w.apply(s)


def compare(base: DynamicsResult, other: DynamicsResult) -> dict[int, dict[str, float]]:
    """Change (other - base) in P(talks / agreement / crisis by the horizon) at each horizon."""
    out = {}
    for h in HORIZONS:
        if h <= min(base.n_months, other.n_months):
            a, b = base.at(h), other.at(h)
            out[h] = {k: b[k] - a[k] for k in ("talks", "agreement", "crisis")}
    return out
