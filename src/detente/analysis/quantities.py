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
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import defaults
from ..defaults import parameter_groups
from ..errors import DetenteError, ModelError
from ..scenario.case import QUANTITIES, Change, Condition, effect_changes
from .intervals import cluster_interval, paired_ratio_interval

if TYPE_CHECKING:
    from ..core import GapResult
    from ..dynamics.result import DynamicsResult
    from ..scenario import Scenario, ScenarioArrays

__all__ = ["Estimate", "Evaluator", "Variant", "has_roles"]

Z95 = 1.959963984540054
#: See :data:`detente.analysis.claims.HINGE_SHIFT`.
HINGE_SHIFT = 0.2
#: Standard errors the two ends must differ by (about a Bonferroni bound for 100 inputs).
HINGE_Z = 3.5


@dataclass(frozen=True, eq=False)
class Estimate:
    name: str
    value: float
    per_draw: np.ndarray | None = None
    interval: tuple[float, float] | None = None
    unit: str = "parameter draws"
    detail: str = ""
    draws: ScenarioArrays | None = None
    reads: str = "bargaining"
    #: The quantity is itself a share over the draws (it has no value per draw).
    aggregate: bool = False
    #: The input paths the quantity reads (None: every input).
    paths: frozenset[str] | None = None
    #: For a share over the draws (``aggregate``), the per-draw indicators it averages, each
    #: with its draws (one per variant for an effect): what the evidence-kind check reads.
    signals: tuple[tuple[np.ndarray, ScenarioArrays], ...] = ()


def _veto_ids(s: Scenario) -> tuple[str, ...]:
    """The veto players (every actor when none has a veto: the diagnosis' unanimity rule)."""
    return s.veto_players or s.actor_ids


def has_roles(s: Scenario) -> bool:
    """Whether the scenario declares the dynamics' roles (a challenger and a defender)."""
    return s.roles is not None


def _wilson(p: float, n: int) -> tuple[float, float] | None:
    if n <= 0 or not np.isfinite(p):
        return None
    d = 1 + Z95**2 / n
    c = (p + Z95**2 / (2 * n)) / d
    h = Z95 * np.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / d
    return (float(max(0.0, c - h)), float(min(1.0, c + h)))


def _mean_interval(x: np.ndarray) -> tuple[float, float] | None:
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    if x.size < 2:
        return None
    m, se = float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size))
    return (m - Z95 * se, m + Z95 * se)


class Variant:
    """The scenario after named what-ifs and changes, with its results computed lazily."""

    def __init__(self, ev: Evaluator, scenario: Scenario, label: str) -> None:
        self.ev, self.scenario, self.label = ev, scenario, label
        self._sim: DynamicsResult | None = None
        #: Months the claims will ask of this variant (see Evaluator.reserve).
        self.reserved = 0

    @cached_property
    def point(self) -> GapResult:
        from ..core import win_set_gap

        return win_set_gap(self.scenario.to_arrays())

    @cached_property
    def batch(self) -> ScenarioArrays:
        return self.scenario.sample(self.ev.draws, self.ev.seed, paired_with=self.ev.scenario)

    @cached_property
    def open_(self) -> np.ndarray:
        from ..core import zone_open

        o, _ = zone_open(self.batch, exact=False)
        return np.asarray(o, bool)

    @cached_property
    def batch_gap(self) -> np.ndarray:
        from ..core import win_set_gap

        return np.asarray(win_set_gap(self.batch).gap, float)

    @property
    def simulation(self) -> DynamicsResult:
        """The variant's simulation over the run's full horizon."""
        return self.sim(self.ev.months)

    def sim(self, months: int) -> DynamicsResult:
        """The variant's simulation over at least ``months`` months.

        The random numbers of a month do not depend on the horizon, so a shorter simulation is
        exactly the first months of a longer one: a variant is simulated only as far as the
        quantities asked of it need, and extended (re-simulated) when a later one needs more.
        """
        if not has_roles(self.scenario):
            raise ModelError(
                "not applicable: the scenario declares no roles (challenger, defender) for the "
                "crisis dynamics"
            )
        months = min(max(int(months), self.reserved), self.ev.months)
        if self._sim is None or self._sim.n_months < months:
            self._sim = self.ev.simulate(self.scenario, self.label, months)
        return self._sim


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
                if cond.needs != "dynamics":
                    continue
                if cond.quantity == "effect":
                    inner = cond.args.get("args", {})
                    extra_w = (cond.args["what_if"],) if "what_if" in cond.args else ()
                    keys = [
                        ((*claim.under, *cond.under), cond.changes),
                        (
                            (*claim.under, *cond.under, *extra_w),
                            (*cond.changes, *effect_changes(cond.args)),
                        ),
                    ]
                else:
                    inner = cond.args
                    keys = [((*claim.under, *cond.under), cond.changes)]
                months = int(inner.get("month", self.months))
                for w, c in keys:
                    try:
                        v = self.variant(tuple(w), tuple(c))
                    except ModelError:
                        continue
                    v.reserved = max(v.reserved, months)

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
        interval = self._paired_interval(v, w, of, args)
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
            return self._dynamic(v, name, args)
        if needs == "record":
            return self._record(v, name, args)
        return self._static(v, name, args)

    # the case's record ------------------------------------------------------------------
    def _record(self, v: Variant, name: str, a: dict[str, Any]) -> Estimate:
        roles = v.scenario.roles
        record = None if roles is None else roles.record
        if roles is None or record is None:
            raise ModelError(
                "not applicable: the scenario names no historical record (roles.record)"
            )
        from ..data.records import load_record

        try:
            rec = load_record(record)
            events = rec.events
        except DetenteError as err:
            raise ModelError("not applicable: " + "; ".join(err.lines())) from err
        since, until = str(a["since"]), str(a["until"])
        if until < since:
            raise ModelError(
                f"not applicable: record_rate runs from {since} to {until}, which is backwards"
            )
        who = a.get("actor")
        month = events["date"].str[:7]
        kinds = {str(a["kind"]), *(str(k) for k in a.get("kinds") or ())}
        sel = events["kind"].isin(kinds) & (month >= since) & (month <= until)
        if a.get("sources"):
            sel &= events["source"].isin([str(x) for x in a["sources"]])
        if who is not None:
            # a role reads the record's actors in that role (its manifest's roles:); a record
            # without them names the case's actors, so the case's id in the role is read too
            names = {who}
            if who in ("challenger", "defender"):
                names = rec.actors_in_role(who) if rec.roles else {who, getattr(roles, who)}
            sel &= events["actor"].isin(names)
        n = int(sel.sum())
        y0, m0 = (int(x) for x in since.split("-"))
        y1, m1 = (int(x) for x in until.split("-"))
        months = (y1 - y0) * 12 + (m1 - m0) + 1
        return Estimate(
            name,
            n * 12.0 / months,
            None,
            None,
            "record",
            f"{n} events in {months} months of the record {record}",
            None,
            "record",
            aggregate=True,
            paths=frozenset(),
        )

    # bargaining and inputs ---------------------------------------------------------------
    def _static(self, v: Variant, name: str, a: dict[str, Any]) -> Estimate:
        s, batch = v.scenario, v.batch
        pt = s.to_arrays()
        reads = "input" if QUANTITIES[name].needs == "input" else "bargaining"

        def est(
            point: float, per: np.ndarray | None, interval: Any = None, detail: str = ""
        ) -> Estimate:
            return Estimate(
                name, float(point), per, interval, "parameter draws", detail, batch, reads
            )

        if name in ("position", "salience"):
            k, j = pt.actor_index(a["actor"]), pt.issue_index(a["issue"])
            if not pt.has_stance[k, j]:
                raise ModelError(f"not applicable: {a['actor']} has no stance on {a['issue']}")
            arr = "positions" if name == "position" else "saliences"
            return est(getattr(pt, arr)[k, j], getattr(batch, arr)[:, k, j])
        if name == "capability":
            k = pt.actor_index(a["actor"])
            return est(pt.capabilities[k], batch.capabilities[:, k])
        if name == "driver":
            return est(float(pt.drivers[a["driver"]]), np.asarray(batch.drivers[a["driver"]]))
        if name == "red_line_overlap":
            j = pt.issue_index(a["issue"])
            veto = pt.veto if pt.veto.any() else np.ones_like(pt.veto)

            def ov(arr: ScenarioArrays) -> np.ndarray:
                lo = arr.red_low[..., veto, j].max(axis=-1)
                hi = arr.red_high[..., veto, j].min(axis=-1)
                return np.asarray(hi - lo, float)

            return est(float(ov(pt)), ov(batch))
        if name == "zone_open":
            return est(float(bool(v.point.zone_nonempty)), v.open_.astype(float))
        if name == "gap":
            return est(float(v.point.gap), v.batch_gap)
        if name == "p_zone":
            p = float(v.open_.mean())
            return Estimate(
                name,
                p,
                None,
                _wilson(p, v.open_.size),
                "parameter draws",
                f"{int(v.open_.sum())} of {v.open_.size} draws",
                batch,
                reads,
                aggregate=True,
                signals=((v.open_, batch),),
            )
        if name == "in_win_set":
            from ..core import package_in_win_sets

            package = {str(i): float(x) for i, x in a["package"].items()}
            ids, pin = package_in_win_sets(pt, package)
            if a["actor"] not in ids:
                raise ModelError(
                    f"not applicable: {a['actor']} is not a veto player, so it has no win-set here"
                )
            k = ids.index(a["actor"])
            _, bin_ = package_in_win_sets(batch, package)
            return est(float(bool(pin[k])), bin_[:, k].astype(float))
        if name == "ideal_package":
            j = pt.issue_index(a["issue"])
            k = pt.actor_index(a["actor"])
            gp = v.point
            if bool(gp.zone_nonempty) and a["actor"] in gp.veto_ids:
                value = float(np.asarray(gp.best_package)[..., j])
                return est(value, None, None, "the package the diagnosis finds inside the zone")
            return est(
                float(pt.positions[k, j]),
                batch.positions[:, k, j],
                None,
                "the zone is empty: its ideal",
            )
        raise ModelError(f"quantity {name} is not computed here")  # pragma: no cover

    # dynamics ---------------------------------------------------------------------------
    def _dynamic(self, v: Variant, name: str, a: dict[str, Any]) -> Estimate:
        sim, num, den = self._per_run_values(v, name, a)
        return self._pooled(sim, name, num, den)

    def _per_run_values(
        self, v: Variant, name: str, a: dict[str, Any]
    ) -> tuple[DynamicsResult, np.ndarray, np.ndarray | None]:
        """The simulation and, per run, the quantity's numerator (and denominator for a
        conditional share such as ``p_substantive_given_talks``)."""
        from ..dynamics.simulation import AGREEMENT, CRISIS, KINDS, LIMITED, SUBSTANTIVE

        m = int(a.get("month", self.months))
        if m > self.months:
            raise ModelError(f"not applicable: month {m} is beyond the run's {self.months} months")
        # quantities without a month read the whole horizon
        sim = v.sim(m if "month" in a else self.months)
        modes = sim.modes[:m]
        talks = ((modes == LIMITED) | (modes == SUBSTANTIVE) | (modes == AGREEMENT)).any(axis=0)
        subst = ((modes == SUBSTANTIVE) | (modes == AGREEMENT)).any(axis=0)
        num: Any
        den: Any = None
        if name == "p_talks":
            num = talks
        elif name == "p_substantive":
            num = subst
        elif name == "p_agreement":
            num = (modes == AGREEMENT).any(axis=0)
        elif name == "p_crisis":
            num = (modes == CRISIS).any(axis=0)
        elif name == "p_instigation":
            num = np.asarray(sim.instigated[:m]).any(axis=0)
        elif name == "p_substantive_given_talks":
            num, den = subst & talks, talks
        elif name == "p_limited_only":
            num = talks & ~subst
        elif name == "p_impasse":
            num = ~subst
        elif name == "choice_share":
            who = sim.challenger if a["role"] == "challenger" else sim.defender
            k = sim.actor_ids.index(who)
            num = (sim.choices[:m, :, k] == KINDS.index(a["kind"])).mean(axis=0)
        elif name == "provocations_per_year":
            num = sim.provocations[:m].sum(axis=0) * 12.0 / m
        else:  # pragma: no cover
            raise ModelError(f"quantity {name} is not computed here")
        return sim, np.asarray(num, float), den

    def _pooled(
        self, sim: DynamicsResult, name: str, num: np.ndarray, den: np.ndarray | None
    ) -> Estimate:
        group, draws = sim.group, sim.draws
        binary = bool(np.all((num == 0) | (num == 1)))
        if den is None:
            value = float(num.mean())
            interval = _wilson(value, num.size) if binary else _mean_interval(num)
        else:
            d = np.asarray(den, float)
            value = float(num.sum() / d.sum()) if d.sum() > 0 else float("nan")
            interval = _wilson(value, int(d.sum())) if d.sum() > 0 else None
        if group is not None and np.isfinite(value):
            # runs in parameter groups: the interval includes the variance between groups
            interval = cluster_interval(num, np.asarray(group), den, share=binary) or interval
        per = None
        if group is not None:
            g = np.asarray(group, int)
            k = int(g.max()) + 1
            n_g = np.bincount(g, minlength=k).astype(float)
            s_num = np.bincount(g, weights=num, minlength=k)
            if den is None:
                per = s_num / np.maximum(n_g, 1)
            else:
                s_den = np.bincount(g, weights=np.asarray(den, float), minlength=k)
                with np.errstate(invalid="ignore", divide="ignore"):
                    per = np.where(s_den > 0, s_num / s_den, np.nan)
        return Estimate(
            name,
            value,
            per,
            interval,
            f"parameter groups of the simulation ({sim.n_runs // max(1, per.size if per is not None else 1)} runs each)",
            f"{sim.n_runs} runs",
            draws if per is not None else None,
            "dynamics",
            paths=self._dynamics_paths(),
        )

    def _dynamics_paths(self) -> frozenset[str]:
        """The inputs the simulation reads: the veto players' numbers (the bargaining set), the
        status quo, the drivers and the parameters (third parties act through their tools)."""
        s = self.scenario
        veto = set(_veto_ids(s))
        return frozenset(
            p
            for p, _ in s.quantities()
            if p.split(".")[0] in veto or p.split(".")[0] in ("status_quo", "drivers", "parameters")
        )

    def _paired_interval(
        self, v: Variant, w: Variant, of: str, args: dict[str, Any]
    ) -> tuple[float, float] | None:
        needs = QUANTITIES[of].needs
        if needs == "dynamics":
            try:
                a, b = self._per_run(v, of, args), self._per_run(w, of, args)
            except ModelError:
                return None
            if a is None and b is None:  # a conditional share: the difference of two ratios
                return self._paired_ratio_interval(v, w, of, args)
            if a is None or b is None or a.shape != b.shape:
                return None
            group = None if v._sim is None else v._sim.group  # set by _per_run above
            if group is not None and np.asarray(group).shape == a.shape:
                return cluster_interval(b - a, np.asarray(group)) or _mean_interval(b - a)
            return _mean_interval(b - a)
        if of == "p_zone" and v.open_.shape == w.open_.shape:
            return _mean_interval(w.open_.astype(float) - v.open_.astype(float))
        return None

    def _paired_ratio_interval(
        self, v: Variant, w: Variant, of: str, args: dict[str, Any]
    ) -> tuple[float, float] | None:
        """A grouped 95% interval of the change in a conditional share (see
        :func:`.intervals.paired_ratio_interval`)."""
        sa, na, da = self._per_run_values(v, of, args)
        _sb, nb, db = self._per_run_values(w, of, args)
        if da is None or db is None or na.shape != nb.shape or sa.group is None:
            return None
        return paired_ratio_interval(na, da, nb, db, np.asarray(sa.group))

    def _per_run(self, v: Variant, name: str, args: dict[str, Any]) -> np.ndarray | None:
        """Per-run values of a quantity (None for a conditional share: no per-run value)."""
        _sim, num, den = self._per_run_values(v, name, args)
        return num if den is None else None

    # ----- what the verdict hinges on --------------------------------------------------
    def hinges(
        self, holds: np.ndarray, estimates: list[Estimate]
    ) -> tuple[list[str], dict[str, tuple[float, float]]]:
        from .diagnosis import sampled_quantities

        draws = estimates[0].draws
        if draws is None or holds.size < 8:
            return [], {}
        read: set[str] | None = set()
        for e in estimates:
            if e.paths is None or read is None:
                read = None
            else:
                read |= e.paths
        found: list[tuple[float, str, tuple[float, float]]] = []
        for path, x in sampled_quantities(self.scenario, draws).items():
            if read is not None and path not in read:
                continue
            x = np.asarray(x, float)
            if x.shape != holds.shape or np.ptp(x) == 0:
                continue
            # the ends of the input's range: its lowest and highest tenth of the draws, but
            # at least ten draws each (a quarter when there are few parameter groups)
            k = max(int(np.ceil(0.1 * x.size)), min(10, x.size // 4))
            if k < 5:
                continue
            order = np.argsort(x, kind="stable")
            low, high = holds[order[:k]], holds[order[-k:]]
            pl, ph, p0 = float(low.mean()), float(high.mean()), float(holds.mean())
            shift = max(abs(pl - p0), abs(ph - p0))
            # a difference of the two ends beyond chance, with some 100 inputs screened at once
            se = np.sqrt(max(p0 * (1 - p0), 1.0 / k) * 2.0 / k)
            flips = (pl >= 0.5) != (ph >= 0.5)
            if (flips or shift >= HINGE_SHIFT) and abs(ph - pl) >= HINGE_Z * se:
                found.append((shift, path, (pl, ph)))
        found.sort(reverse=True)
        return [p for _, p, _ in found[:6]], {p: d for _, p, d in found[:6]}
