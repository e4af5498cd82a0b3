"""What a sensitivity quantity is, what it reads, and its value at one design point.

Private to :mod:`detente.analysis`; :mod:`.sensitivity` re-exports every public name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import agreement_arrays, veto_matrix, win_set_gap, zone_open
from ..dynamics.batch import simulate_batch
from ..errors import ModelError
from ..scenario.arrays import ScenarioArrays, quantile
from .quantities import Evaluator

if TYPE_CHECKING:
    from ..scenario import Scenario

#: ``outlook.MODE@MONTH`` -> the claim-catalogue quantity it is.
OUTLOOK_MODES = {
    "talks": "p_talks",
    "substantive": "p_substantive",
    "agreement": "p_agreement",
    "crisis": "p_crisis",
    "instigation": "p_instigation",
    "impasse": "p_impasse",
}
_BARGAINING_PARAMETERS = ("utility_curvature", "agreement_cost")


@dataclass(frozen=True)
class QuantityRef:
    """A parsed ``--quantity``: its kind, the inner name and arguments, and its label."""

    text: str
    kind: str  # zone | forecast | outlook | claim
    name: str
    args: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    @property
    def is_vectorised(self) -> bool:
        """Evaluated on a whole batch of design points at once (else one scenario each)."""
        return self.kind == "zone" or (
            self.kind == "forecast" and self.name in ("compromise", "median")
        )


def parse_quantity(s: Scenario, text: str) -> QuantityRef:
    """Read ``--quantity``; raises :class:`ModelError` naming what is accepted."""
    from ..models import MODELS

    parts = text.strip().split(".")
    head = parts[0]
    hint = (
        "use zone.p_open, zone.gap, forecast.MODEL.ISSUE, outlook.MODE@MONTH or claim.ID "
        "(see docs/sensitivity.md)"
    )
    if head == "zone" and len(parts) == 2 and parts[1] in ("p_open", "gap"):
        label = "P(zone)" if parts[1] == "p_open" else "the gap between the win-sets"
        return QuantityRef(text, "zone", parts[1], {}, label)
    if head == "forecast" and len(parts) == 3:
        model, issue = parts[1], parts[2]
        if model not in MODELS:
            raise ModelError(
                f"quantity {text}: no model {model!r}; models: {', '.join(sorted(MODELS))}"
            )
        if issue not in s.issue_ids:
            raise ModelError(
                f"quantity {text}: no issue {issue!r}; issues: {', '.join(s.issue_ids)}"
            )
        return QuantityRef(
            text,
            "forecast",
            model,
            {"issue": issue},
            f"the {model} forecast on {s.issue(issue).label or issue}",
        )
    if head == "outlook" and len(parts) == 2:
        mode, _, month = parts[1].partition("@")
        if mode not in OUTLOOK_MODES or not month.isdigit() or int(month) < 1:
            raise ModelError(
                f"quantity {text}: write outlook.MODE@MONTH with MODE one of "
                f"{', '.join(OUTLOOK_MODES)} and MONTH >= 1, e.g. outlook.talks@12"
            )
        if s.roles is None:
            raise ModelError(
                f"quantity {text}: not applicable: the scenario declares no roles (challenger, "
                "defender) for the crisis dynamics"
            )
        return QuantityRef(
            text,
            "outlook",
            OUTLOOK_MODES[mode],
            {"month": int(month)},
            f"P({mode} by month {month})",
        )
    if head == "claim" and len(parts) == 2:
        known = [c.id for c in s.claims]
        if parts[1] not in known:
            raise ModelError(
                f"quantity {text}: no claim {parts[1]!r}; this scenario's claims: {', '.join(known) or 'none'}"
            )
        claim = next(c for c in s.claims if c.id == parts[1])
        cond = claim.check[0]
        if cond.compare in ("==", "!="):
            raise ModelError(
                f"quantity {text}: the claim compares with {cond.compare}; it has no margin"
            )
        return QuantityRef(
            text, "claim", parts[1], {}, f"the margin of claim {parts[1]} ({cond.describe()})"
        )
    raise ModelError(f"unknown quantity {text!r}; {hint}")


def available_quantities(s: Scenario) -> list[QuantityRef]:
    """Every ``--quantity`` this scenario accepts, each parsed by :func:`parse_quantity` (so
    the list and the parser never disagree): ``zone.p_open``, ``zone.gap``, each model's
    forecast on each issue, each outlook mode at each of the report's horizons
    (:data:`detente.defaults.HORIZONS`; any month >= 1 is accepted) when the scenario declares
    roles, and each claim whose first condition has a margin."""
    from .. import defaults
    from ..models import MODELS

    names = ["zone.p_open", "zone.gap"]
    names += [f"forecast.{m}.{i}" for m in sorted(MODELS) for i in s.issue_ids]
    if s.roles is not None:
        names += [f"outlook.{mode}@{h}" for mode in OUTLOOK_MODES for h in defaults.HORIZONS]
    names += [f"claim.{c.id}" for c in s.claims if c.check[0].compare not in ("==", "!=")]
    return [parse_quantity(s, n) for n in names]


# ----- what a quantity reads ---------------------------------------------------------------


def _bargaining_reads(s: Scenario, path: str) -> bool:
    """Whether the zone reads the input at ``path``: the status quo, the bargaining
    parameters, and the stances and red lines of who must agree (the core's veto matrix:
    a veto player on every issue, an issue's controllers on that issue only; every actor
    when nobody holds a veto)."""
    m = veto_matrix(s)
    if not m.any():
        m = np.ones_like(m)
    parts = path.split(".")
    head = parts[0]
    if head == "status_quo":
        return True
    if head == "parameters":
        return parts[1] in _BARGAINING_PARAMETERS
    if head == "drivers" or head not in s.actor_ids or path.endswith(".capability"):
        return False
    held = m[s.actor_ids.index(head)]
    issue = parts[2] if parts[1] == "red_lines" else parts[1]
    if issue in s.issue_ids:
        return bool(held[s.issue_ids.index(issue)])
    return bool(held.any())


def read_paths(s: Scenario, q: QuantityRef, *, seed: int = 0) -> list[str]:
    """The uncertain inputs (``--set`` paths) the quantity reads, in the scenario's order."""
    uncertain = [p for p, x in s.quantities() if not x.is_certain]
    if q.kind == "zone":
        return [p for p in uncertain if _bargaining_reads(s, p)]
    if q.kind == "forecast":  # the models read no driver; the veto constraint reads every issue
        return [p for p in uncertain if not p.startswith("drivers.")]
    ev = Evaluator(s, draws=8, runs=50, months=_months(s, q), seed=seed)
    est = _estimate(ev, s, q)
    if est.paths is not None:
        return [p for p in uncertain if p in est.paths]
    named = _named_input(s, q) if est.reads == "input" else None
    if named is not None:  # an encoding: the quantity is an input
        return [p for p in uncertain if p == named]
    return [p for p in uncertain if _bargaining_reads(s, p)]


def _named_input(s: Scenario, q: QuantityRef) -> str | None:
    cond = next(c for c in s.claims if c.id == q.name).check[0]
    a = cond.args
    if cond.quantity in ("position", "salience"):
        return f"{a['actor']}.{a['issue']}.{cond.quantity}"
    if cond.quantity == "capability":
        return f"{a['actor']}.capability"
    if cond.quantity == "driver":
        return f"drivers.{a['driver']}"
    return None


def _months(s: Scenario, q: QuantityRef) -> int:
    if q.kind == "outlook":
        return int(q.args["month"])
    if q.kind == "claim":
        from .. import defaults

        return defaults.MONTHS
    return 1


def _estimate(ev: Any, s: Scenario, q: QuantityRef) -> Any:
    if q.kind == "outlook":
        return ev.quantity(ev.baseline, q.name, dict(q.args))
    claim = next(c for c in s.claims if c.id == q.name)
    return ev.estimate(claim.check[0], under=claim.under)


# ----- one design point --------------------------------------------------------------------


def pinned(s: Scenario, values: dict[str, float]) -> Scenario:
    """A copy of ``s`` with each quantity at a path fixed at the given value (its range
    collapsed to it), validated once: a design point of the experiment."""
    from ..scenario import Scenario as _Scenario

    data = s.model_dump()
    actors = {a["id"]: a for a in data["actors"]}
    for path, v in values.items():
        x = {"value": float(v), "low": float(v), "high": float(v)}
        parts = path.split(".")
        if parts[0] == "status_quo":
            data["status_quo"][parts[1]] = x
        elif parts[0] in ("drivers", "parameters"):
            data[parts[0]][parts[1]]["value"] = x
        elif parts[0] == "events":  # events.ID.effect.by: the size of a deadline's effect
            next(e for e in data["events"] if e["id"] == parts[1])["effect"]["by"] = x
        elif parts[1] == "capability":
            actors[parts[0]]["capability"] = x
        elif parts[1] == "red_lines":
            actors[parts[0]]["red_lines"][parts[2]]["bound"] = x
        else:
            actors[parts[0]]["stances"][parts[1]][parts[2]] = x
    return _Scenario.model_validate(data)


def pinned_copy(s: Scenario, values: dict[str, float]) -> Scenario:
    """:func:`pinned` without validating the whole scenario again: each pinned number is a new
    :class:`~detente.scenario.Quantity` (validated on its own) put into copies of the actors,
    stances, red lines and named quantities that hold it; the rest is shared with ``s`` (its
    models are frozen). ``s`` was validated, and a value inside a number's stated range
    breaks none of the scenario's rules, so the result equals :func:`pinned`'s (tested on
    every path kind of several cases) at a fraction of the cost: re-validating a scenario was
    some 10% of the time of a design point of an outlook quantity."""
    from ..scenario import Quantity

    actors = {a.id: a for a in s.actors}
    events = {e.id: e for e in s.events}
    status_quo, named = (
        dict(s.status_quo),
        {"drivers": dict(s.drivers), "parameters": dict(s.parameters)},
    )
    for path, v in values.items():
        x = Quantity(value=float(v), low=float(v), high=float(v))
        parts = path.split(".")
        if parts[0] == "status_quo":
            status_quo[parts[1]] = x
        elif parts[0] in named:
            table = named[parts[0]]
            table[parts[1]] = table[parts[1]].model_copy(update={"value": x})
        elif parts[0] == "events":
            e = events[parts[1]]
            effect = e.effect.model_copy(update={"by": x}) if e.effect is not None else None
            events[parts[1]] = e.model_copy(update={"effect": effect})
        else:
            a = actors[parts[0]]
            if parts[1] == "capability":
                a = a.model_copy(update={"capability": x})
            elif parts[1] == "red_lines":
                lines = dict(a.red_lines)
                lines[parts[2]] = lines[parts[2]].model_copy(update={"bound": x})
                a = a.model_copy(update={"red_lines": lines})
            else:
                stances = dict(a.stances)
                stances[parts[1]] = stances[parts[1]].model_copy(update={parts[2]: x})
                a = a.model_copy(update={"stances": stances})
            actors[parts[0]] = a
    return s.model_copy(
        update={"actors": tuple(actors[a.id] for a in s.actors), "status_quo": status_quo,
                "drivers": named["drivers"], "parameters": named["parameters"],
                "events": tuple(events[e.id] for e in s.events)}
    )  # fmt: skip


@dataclass(frozen=True)
class _Job:
    """What every task needs: shipped once to each worker."""

    scenario: Any
    quantity: QuantityRef
    paths: tuple[str, ...]
    uniforms: np.ndarray  # (n_points, n_inputs) in [0, 1]
    seed: int
    runs: int


def _evaluate_chunk(job: _Job, rows: tuple[int, int]) -> list[float]:
    """The quantity at design points ``rows[0]:rows[1]``."""
    lo, hi = rows
    u = job.uniforms[lo:hi]
    s, q = job.scenario, job.quantity
    if q.is_vectorised:
        batch = ScenarioArrays.from_uniforms(s, {p: u[:, k] for k, p in enumerate(job.paths)})
        return [float(x) for x in _vectorised(s, q, batch)]
    quantities = dict(s.quantities())
    points = [
        pinned_copy(s, {p: float(quantile(quantities[p], row[k])) for k, p in enumerate(job.paths)})
        for row in u
    ]
    if q.kind == "forecast":
        return [_one_point(p, q, job.seed, job.runs) for p in points]
    return _simulated_points(points, q, job.seed, job.runs)


def _vectorised(s: Scenario, q: QuantityRef, batch: ScenarioArrays) -> np.ndarray:
    """A zone quantity or a compromise forecast at each design point of ``batch``. The zone
    is the core's among who must agree (:func:`detente.core.agreement_arrays`: the veto
    players, and each issue's controllers on that issue), as in the diagnosis."""
    from ..models.compromise import batch as compromise_batch
    from ..models.compromise import batch_median

    if q.kind == "zone":
        agreed = agreement_arrays(s, batch)
        if q.name == "p_open":
            is_open, _ = zone_open(agreed, exact=False)
            return np.asarray(is_open, float)
        return np.asarray(win_set_gap(agreed).gap, float)
    j = batch.issue_index(q.args["issue"])
    f = compromise_batch if q.name == "compromise" else batch_median
    return np.asarray(f(batch), float)[:, j]


def _one_point(s: Scenario, q: QuantityRef, seed: int, runs: int) -> float:
    if q.kind == "forecast":
        from ..models import get_model

        return float(get_model(q.name).forecast(s, seed=seed).outcome_for(q.args["issue"]))
    return _simulated_points([s], q, seed, runs)[0]


def _point_evaluator(s: Scenario, q: QuantityRef, seed: int, runs: int) -> _BatchedEvaluator:
    # every input the quantity reads is pinned: the draws cannot vary them
    return _BatchedEvaluator(s, draws=2, runs=runs, months=_months(s, q), seed=seed, groups=1)


def _simulated_points(points: list[Scenario], q: QuantityRef, seed: int, runs: int) -> list[float]:
    """The quantity (an outlook probability or a claim's margin) at each design point, its
    simulations played as one batch (:func:`detente.dynamics.batch.simulate_batch`): each
    point's evaluation runs until it asks for a simulation; the simulations asked for are
    played together, handed to their evaluators, and the evaluations resume. A point whose
    claim needs two simulations (an effect) takes two rounds. The numbers are exactly those
    of one :class:`~detente.analysis.quantities.Evaluator` per point."""
    evs = [_point_evaluator(p, q, seed, runs) for p in points]
    values: list[float | None] = [None] * len(points)
    todo = list(range(len(points)))
    while todo:
        asked: dict[int, _NeedsSimulation] = {}
        for i in todo:
            try:
                values[i] = _point_value(evs[i], points[i], q)
            except _NeedsSimulation as need:
                asked[i] = need
        by_months: dict[int, list[int]] = {}
        for i, asking in asked.items():
            by_months.setdefault(asking.months, []).append(i)
        for months, idx in by_months.items():
            sims = simulate_batch(
                [asked[i].scenario for i in idx], months=months, runs=runs, seed=seed,
                groups=evs[idx[0]].n_groups, what_ifs=[asked[i].what_if for i in idx],
            )  # fmt: skip
            for i, sim in zip(idx, sims, strict=True):
                evs[i].ready[(asked[i].label, months)] = sim
        todo = sorted(asked)
    return [float(v) for v in values if v is not None]


class _NeedsSimulation(BaseException):
    """An evaluation asks for a simulation the batch has not played yet.

    A BaseException, so that no ``except Exception`` (nor ``except ModelError``) on the way
    mistakes it for a quantity that does not apply: it must reach :func:`_simulated_points`.
    """

    def __init__(self, scenario: Scenario, label: str, months: int) -> None:
        super().__init__(label)
        self.scenario, self.label, self.months = scenario, label, months
        self.what_if = None if label == "baseline" else label


class _BatchedEvaluator(Evaluator):
    """An :class:`Evaluator` whose simulations are played elsewhere, in a batch: ``simulate``
    hands back a simulation from ``ready`` or asks for it (:class:`_NeedsSimulation`)."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.ready: dict[tuple[str, int], Any] = {}

    def simulate(self, s: Scenario, label: str, months: int | None = None) -> Any:
        months = int(months or self.months)
        sim = self.ready.pop((label, months), None)
        if sim is None:
            raise _NeedsSimulation(s, label, months)
        self.n_simulations += 1
        return sim


def _point_value(ev: Any, s: Scenario, q: QuantityRef) -> float:
    est = _estimate(ev, s, q)
    value = float(est.value)
    if q.kind == "claim":
        cond = next(c for c in s.claims if c.id == q.name).check[0]
        value = value - cond.threshold if cond.compare in (">", ">=") else cond.threshold - value
    return value
