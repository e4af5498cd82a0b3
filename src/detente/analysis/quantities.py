"""The catalogue of claim quantities, computed once per run variant.

An :class:`Evaluator` holds a run's settings (seed, draws, runs, months) and a cache of
*variants*: the scenario after a list of named what-ifs and changes. Each variant computes,
on first use, its bargaining set at the point values, its Monte Carlo draws (paired with the
baseline's: every quantity at the same path reuses its uniforms) and, when a claim needs
them, its crisis dynamics (the same seed, so variants share random numbers). The pipeline
shares one evaluator between the outlook, the levers and the claims, so a quantity has one
value per run.

Each quantity returns an :class:`Estimate`: the value the verdict reads, its value per draw
of the uncertain inputs (for robustness), a 95% Monte Carlo interval (for precision) and
the draws it was computed on (for ``hinges_on``).

The catalogue is split by job: :mod:`._estimates` (the :class:`Estimate` record, the
:class:`Variant` and the 95% intervals), :mod:`._static_quantities` (the case's record, the
inputs and the bargaining set) and :mod:`._dynamic_quantities` (the crisis dynamics); this
module holds the :class:`Evaluator`, which caches the variants, dispatches each quantity and
finds what a verdict hinges on.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import defaults
from ..defaults import parameter_groups
from ..dynamics.batch import simulate_many
from ..errors import DetenteError, ModelError
from ..scenario.case import QUANTITIES, Change, Condition, effect_changes
from ..scenario.whatif import apply_sets
from ._dynamic_quantities import dynamic_quantity, paired_interval
from ._estimates import Estimate, Variant, has_roles
from ._static_quantities import record_quantity, static_quantity
from .drivers import draw_order, varying_quantities

if TYPE_CHECKING:
    from ..dynamics.result import DynamicsResult
    from ..scenario import Scenario

__all__ = ["Estimate", "Evaluator", "Variant", "has_roles"]

#: See :data:`detente.analysis.claims.HINGE_SHIFT`.
HINGE_SHIFT = 0.2
#: Standard errors the two ends must differ by (about a Bonferroni bound for 100 inputs).
HINGE_Z = 3.5


class Evaluator:
    """Quantities of the claim catalogue for one run (see the module docstring)."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        draws: int = defaults.DRAWS,
        seed: int = defaults.SEED,
        runs: int = defaults.RUNS,
        months: int = defaults.MONTHS,
        groups: int | None = None,
        progress: Any = None,
    ) -> None:
        self.scenario, self.draws, self.seed = scenario, int(draws), int(seed)
        self.runs, self.months = int(runs), int(months)
        self.groups = groups
        #: Parameter groups of the simulation: runs sharing one draw of every input, split
        #: as every command splits them (detente.defaults.parameter_groups).
        self.n_groups = groups or parameter_groups(self.runs)
        self.progress = progress
        self._variants: dict[str, Variant] = {}
        self._pinned: dict[tuple[tuple[str, ...], int], Evaluator] = {}
        self.n_simulations = 0

    # ----- variants --------------------------------------------------------------------
    def variant(self, what_ifs: tuple[str, ...] = (), changes: tuple[Change, ...] = ()) -> Variant:
        key = json.dumps(
            {"w": list(what_ifs), "c": [c.model_dump(exclude_none=True) for c in changes]},
            sort_keys=True,
            default=str,
        )
        if key not in self._variants:
            from ..scenario.whatif import apply_changes, apply_what_if

            s = self.scenario
            try:
                for w in what_ifs:
                    s = apply_what_if(s, w)
                if changes:
                    s = apply_changes(s, changes, why="claim condition")
            except ValueError as err:  # the change leaves the scenario invalid (off a scale)
                from ..errors import WhatIfNotApplicable

                lines = [x.strip() for x in str(err).splitlines() if x.strip()]
                detail = lines[1] if len(lines) > 1 else lines[0]
                name = "+".join([*what_ifs, *(c.describe() for c in changes)])
                raise WhatIfNotApplicable(
                    name, f"changes that keep it valid ({detail})", s.id
                ) from err
            label = "+".join([*what_ifs, *(c.describe() for c in changes)]) or None
            self._variants[key] = Variant(self, s, label or "baseline")
            if not what_ifs and not changes:  # the baseline always covers the whole horizon
                self._variants[key].reserved = self.months
        return self._variants[key]

    def pinned(self, sets: tuple[str, ...], months: int) -> Evaluator:
        """An evaluator with this one's settings over ``months`` months of the scenario with
        the numbers ``sets`` (``PATH=VALUE``) pinned (their ranges collapsed).

        One per pinned scenario and horizon, shared: the structural check of the claims
        (:func:`detente.analysis.kinds.cannot_fail`) pins the same input at the same end of
        its range for several conditions. Not shared across horizons: a simulation's first
        months are not always those of a shorter one (the level's start draw follows the
        months' noise in its stream), and a corner must read what its own horizon gives.
        The pinned scenario itself is validated once. Raises what
        :func:`~detente.scenario.whatif.apply_sets` raises for a pinned scenario it refuses.
        """
        have = self._pinned.get((sets, months))
        if have is None:
            same = next((e for (k, _), e in self._pinned.items() if k == sets), None)
            s = apply_sets(self.scenario, sets, pin=True) if same is None else same.scenario
            have = Evaluator(
                s, draws=self.draws, seed=self.seed, runs=self.runs, months=months,
                groups=self.groups,
            )  # fmt: skip
            self._pinned[(sets, months)] = have
        return have

    def forget_pinned(self) -> None:
        """Drop the evaluators of :meth:`pinned` (and their simulations): the pipeline keeps
        its evaluator with the report, the corners' simulations are read once."""
        self._pinned.clear()

    @property
    def baseline(self) -> Variant:
        return self.variant()

    def reserve(self, claims: Any, extra: dict[tuple[str, ...], int] | None = None) -> None:
        """Note the months each variant's claims will need, so each is simulated once.

        ``extra`` maps what-if ids to months another section needs (the what-if table).
        """
        for (what_ifs), months in (extra or {}).items():
            try:
                v = self.variant(what_ifs)
            except ModelError:
                continue
            v.reserved = max(v.reserved, months)
        for claim in claims:
            for cond in claim.check:
                self.reserve_condition(cond, claim.under)

    def reserve_condition(self, cond: Condition, under: tuple[str, ...] = ()) -> None:
        """Note the months the condition ``cond`` (of a claim under the what-ifs ``under``)
        will need of each variant it reads (nothing for a condition without dynamics)."""
        if cond.needs != "dynamics":
            return
        if cond.quantity == "effect":
            inner = cond.args.get("args", {})
            extra_w = (cond.args["what_if"],) if "what_if" in cond.args else ()
            keys = [
                ((*under, *cond.under), cond.changes),
                (
                    (*under, *cond.under, *extra_w),
                    (*cond.changes, *effect_changes(cond.args)),
                ),
            ]
        else:
            inner = cond.args
            keys = [((*under, *cond.under), cond.changes)]
        months = int(inner.get("month", self.months))
        for w, c in keys:
            try:
                v = self.variant(tuple(w), tuple(c))
            except ModelError:
                continue
            v.reserved = max(v.reserved, months)

    def simulate_reserved(self) -> None:
        """Simulate every variant with months reserved (:meth:`reserve`) that is not yet
        simulated, the variants of one horizon played as one batch
        (:func:`detente.dynamics.batch.simulate_many`: each result is the one
        :meth:`Variant.sim` would give it). A horizon whose variants cannot be prepared
        (a variant the dynamics cannot simulate) is left to :meth:`Variant.sim`, which says
        why when a quantity asks for it."""
        horizons: dict[int, list[Variant]] = {}
        for v in self._variants.values():
            if v.reserved > 0 and v.simulated_months == 0 and has_roles(v.scenario):
                horizons.setdefault(min(v.reserved, self.months), []).append(v)
        for months, variants in horizons.items():
            labels = [None if v.label == "baseline" else v.label for v in variants]
            try:
                sims = simulate_many(
                    [v.scenario for v in variants],
                    months=months,
                    runs=self.runs,
                    seed=self.seed,
                    groups=self.n_groups,
                    what_ifs=labels,
                )
            except DetenteError:
                continue
            for v, r in zip(variants, sims, strict=True):
                self.n_simulations += 1
                if self.progress is not None:
                    self.progress(f"simulating {v.label}")
                v.keep(r)

    def simulate(self, s: Scenario, label: str, months: int | None = None) -> DynamicsResult:
        from ..dynamics import simulate

        kw: dict[str, Any] = {"runs": self.runs, "months": months or self.months, "seed": self.seed}
        kw["groups"] = self.n_groups
        if label != "baseline":
            kw["what_if"] = label
        self.n_simulations += 1
        if self.progress is not None:
            self.progress(f"simulating {label}")
        return simulate(s, **kw)

    # ----- estimates -------------------------------------------------------------------
    def estimate(self, cond: Condition, under: tuple[str, ...] = ()) -> Estimate:
        v = self.variant((*under, *cond.under), cond.changes)
        if cond.quantity != "effect":
            return self.quantity(v, cond.quantity, cond.args)
        of, args = str(cond.args["of"]), dict(cond.args.get("args", {}))
        extra_w = (cond.args["what_if"],) if "what_if" in cond.args else ()
        w = self.variant(
            (*under, *cond.under, *extra_w), (*cond.changes, *effect_changes(cond.args))
        )
        a, b = self.quantity(v, of, args), self.quantity(w, of, args)
        per = None
        if (
            a.per_draw is not None
            and b.per_draw is not None
            and a.per_draw.shape == b.per_draw.shape
        ):
            per = b.per_draw - a.per_draw
        interval = paired_interval(self, v, w, of, args)
        return Estimate(
            f"effect on {of}",
            b.value - a.value,
            per,
            interval,
            a.unit,
            f"{of}: {a.value:.3g} -> {b.value:.3g}",
            a.draws,
            a.reads,
            aggregate=a.aggregate,
            paths=a.paths,
            signals=(*a.signals, *b.signals),
        )

    def quantity(self, v: Variant, name: str, args: dict[str, Any]) -> Estimate:
        needs = QUANTITIES[name].needs
        if needs == "dynamics":
            return dynamic_quantity(self, v, name, args)
        if needs == "record":
            return record_quantity(v, name, args)
        return static_quantity(v, name, args)

    # ----- what the verdict hinges on --------------------------------------------------
    def hinges(
        self, holds: np.ndarray, estimates: list[Estimate]
    ) -> tuple[list[str], dict[str, tuple[float, float]]]:
        draws = estimates[0].draws
        if draws is None or holds.size < 8:
            return [], {}
        read: set[str] | None = set()
        for e in estimates:
            if e.paths is None or read is None:
                read = None
            else:
                read |= e.paths
        # the ends of an input's range: its lowest and highest tenth of the draws, but at
        # least ten draws each (a quarter when there are few parameter groups)
        k = max(int(np.ceil(0.1 * holds.size)), min(10, holds.size // 4))
        if k < 5:
            return [], {}
        inputs = []
        for path, x in varying_quantities(self.scenario, draws).items():
            if (read is not None and path not in read) or x.shape != holds.shape:
                continue
            inputs.append((path, draw_order(draws, path, x)))
        if not inputs:
            return [], {}
        # every input's two ends at once (the shares of 0/1 values: exact sums)
        orders = np.stack([o for _, o in inputs])
        p_low = holds[orders[:, :k]].mean(axis=1)
        p_high = holds[orders[:, -k:]].mean(axis=1)
        p0 = float(holds.mean())
        found: list[tuple[float, str, tuple[float, float]]] = []
        for (path, _), pl_, ph_ in zip(inputs, p_low, p_high, strict=True):
            pl, ph = float(pl_), float(ph_)
            shift = max(abs(pl - p0), abs(ph - p0))
            # a difference of the two ends beyond chance, with some 100 inputs screened at once
            se = np.sqrt(max(p0 * (1 - p0), 1.0 / k) * 2.0 / k)
            flips = (pl >= 0.5) != (ph >= 0.5)
            if (flips or shift >= HINGE_SHIFT) and abs(ph - pl) >= HINGE_Z * se:
                found.append((shift, path, (pl, ph)))
        found.sort(reverse=True)
        return [p for _, p, _ in found[:6]], {p: d for _, p, d in found[:6]}
