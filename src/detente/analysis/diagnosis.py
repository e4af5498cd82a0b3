"""Impasse diagnosis: is there a deal every veto player prefers, how sure are we, and why not?

:func:`diagnose` combines

1. the **point verdict** at the scenario's values (:func:`~.bargaining.win_set_gap`): zone
   of agreement open or shut, the gap, the blockers; inside an open zone its size, the Nash
   point and each veto player's favourite package (:func:`~.bargaining.zone_details`);
2. the **Monte Carlo** over every range in the scenario (``scenario.sample(draws, seed)``,
   triangular with the value as mode): P(zone non-empty) with its binomial standard error,
   the distribution of the gap, how often each blocker appears;
3. the **drivers**: Spearman's rank correlation of every sampled quantity with the gap and
   with the zone being open, ranked by the larger absolute value (Spearman 1904,
   doi:10.2307/1412159; a variance-free, monotone-invariant screen as in Saltelli et al.
   2008, *Global Sensitivity Analysis*, doi:10.1002/9780470725184);
4. the **levers** (:mod:`.levers`): the scenario's named what-ifs (its ``what_ifs``) and the searched levers, on the
   same draws.

Everything is computed; nothing about the flagship is written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import defaults
from ..core import (
    STRICT_MARGIN,
    GapResult,
    ZoneDetails,
    win_set_gap,
    zone_details,
    zone_open,
)
from ..errors import ModelError
from .drivers import Driver, _ranks, _spearman, sampled_quantities
from .levers import (
    LeverResult,
    baseline,
    search_levers,
    take_draws,
    what_if_lever,
)
from .render import check_format, markdown_to_html

if TYPE_CHECKING:
    import pandas as pd

    from ..scenario import Scenario, ScenarioArrays

__all__ = ["GAP_QUANTILES", "Diagnosis", "Driver", "diagnose", "sampled_quantities"]

#: Quantiles of the gap reported.
GAP_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Sobol points used to estimate the size of an open zone.
VOLUME_POINTS = 16384
#: With no veto players every actor must consent (unanimity); beyond this many actors the
#: diagnosis says so instead of solving a bargaining set nobody would read.
MAX_UNANIMITY_ACTORS = 200
#: Draws the levers use when there is no closed-form zone test (curvature != 1, or more
#: than two veto players), to keep the search to seconds.
LEVER_DRAWS_LIMITED = 500
#: Above this many veto players the lever search is skipped (it grows with their number).
MAX_SEARCH_VETO_PLAYERS = 20


@dataclass(frozen=True, eq=False)
class Diagnosis:
    """The impasse diagnosis of one scenario. Build it with :func:`diagnose`.

    Attributes
    ----------
    point : GapResult
        The verdict at the scenario's values.
    zone : ZoneDetails or None
        Size, Nash point and favourites when the point zone is open.
    batch : GapResult
        Per-draw results.
    p_zone_nonempty, p_zone_se : float
        Share of draws with an open zone and its binomial standard error.
    gap_mean : float
    gap_quantiles : dict
        Quantile -> gap.
    drivers : tuple of Driver, strongest first.
    levers : tuple of LeverResult
        The named levers first, then the searched ones, best first.
    """

    scenario_id: str
    veto_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    draws: int
    seed: int
    point: GapResult
    zone: ZoneDetails | None
    batch: GapResult
    p_zone_nonempty: float
    p_zone_se: float
    gap_mean: float
    gap_quantiles: dict[float, float]
    drivers: tuple[Driver, ...]
    levers: tuple[LeverResult, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    scenario: Scenario | None = field(default=None, repr=False)

    # ----- convenience ---------------------------------------------------------------
    @property
    def zone_nonempty(self) -> bool:
        return bool(self.point.zone_nonempty)

    @property
    def gap(self) -> float:
        return float(self.point.gap)

    @property
    def is_knife_edge(self) -> bool:
        """Empty zone whose gap is no more than the strict-preference margins (no red line
        to cross, no cost of agreement to cover): the status quo is Pareto-optimal for the
        veto players."""
        n = len(self.veto_ids)
        return (not self.zone_nonempty) and self.gap <= n * STRICT_MARGIN * (1 + 1e-6) + 1e-12

    def lever(self, name: str) -> LeverResult:
        for lv in self.levers:
            if lv.name == name:
                return lv
        raise KeyError(name)

    def __repr__(self) -> str:
        state = "open" if self.zone_nonempty else f"empty (gap {self.gap:.3g})"
        return (
            f"<Diagnosis {self.scenario_id!r}: zone {state}; "
            f"P(zone non-empty) = {self.p_zone_nonempty:.3f} over {self.draws} draws>"
        )

    # ----- result face ---------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready. Keys: ``zone_nonempty`` (point verdict), ``p_zone_nonempty``, ``gap``
        (``point``: the value at the scenario's values; ``mean`` and ``quantiles`` over the
        draws), ``blockers``, ``levers`` and the rest."""
        pkg = {i: float(v) for i, v in zip(self.issue_ids, self.point.best_package, strict=True)}
        return {
            "scenario": self.scenario_id,
            "veto_players": list(self.veto_ids),
            "draws": self.draws,
            "seed": self.seed,
            "settings": self.settings,
            "zone_nonempty": self.zone_nonempty,
            "knife_edge": self.is_knife_edge,
            "p_zone_nonempty": self.p_zone_nonempty,
            "p_zone_nonempty_se": self.p_zone_se,
            "gap": {
                "point": self.gap,
                "mean": self.gap_mean,
                "quantiles": {f"{q:g}": v for q, v in self.gap_quantiles.items()},
            },
            "best_package": pkg,
            "best_package_is": "max-min package inside the zone"
            if self.zone_nonempty
            else "a package attaining the gap",
            "surplus": {
                a: float(x) for a, x in zip(self.veto_ids, self.point.surplus, strict=True)
            },
            "blockers": [b.to_dict() for b in self.point.blockers()],
            "blocker_frequencies": self.batch.blocker_frequencies(),
            "zone": None if self.zone is None else self.zone.to_dict(self.issue_ids),
            "drivers": [d.to_dict() for d in self.drivers],
            "levers": [lv.to_dict() for lv in self.levers],
            "method": self.point.method,
            "resolution": self.point.resolution,
            "notes": list(self.notes),
        }

    def to_frame(self, kind: str = "draws") -> pd.DataFrame:
        """Tidy tables.

        ``draws``: draw, zone_nonempty, gap. ``drivers``: path, low, high, rho_gap, rho_zone.
        ``levers``: name, change, size, p_zone_nonempty, delta, zone_nonempty, applicable.
        ``blockers``: kind, actor, issue, amount, detail (point verdict).
        """
        import pandas as pd

        if kind == "draws":
            return pd.DataFrame(
                {
                    "draw": np.arange(self.draws),
                    "zone_nonempty": self.batch.zone_nonempty,
                    "gap": self.batch.gap,
                }
            )
        if kind == "drivers":
            return pd.DataFrame(
                [
                    {
                        "path": d.path,
                        "low": d.low,
                        "high": d.high,
                        "rho_gap": d.rho_gap,
                        "rho_zone": d.rho_zone,
                    }
                    for d in self.drivers
                ],
                columns=["path", "low", "high", "rho_gap", "rho_zone"],
            )
        if kind == "levers":
            cols = [
                "name",
                "change",
                "size",
                "p_zone_nonempty",
                "delta",
                "zone_nonempty",
                "applicable",
            ]
            return pd.DataFrame(
                [{c: getattr(lv, c) for c in cols} for lv in self.levers], columns=cols
            )
        if kind == "blockers":
            cols = ["kind", "actor", "issue", "amount", "detail"]
            return pd.DataFrame([b.to_dict() for b in self.point.blockers()], columns=cols)
        raise ValueError(
            "The 'kind' parameter of to_frame must be one of 'draws', 'drivers', 'levers', "
            f"'blockers'. Got {kind!r} instead."
        )

    def summary(self, fmt: str = "text", max_drivers: int = 8) -> str:
        """The diagnosis as ``text``, ``markdown`` or ``html``, with numbered notes."""
        check_format(fmt, "Diagnosis")
        if fmt == "html":
            return markdown_to_html(self.summary("markdown", max_drivers))
        md = fmt == "markdown"
        h = (lambda t: f"### {t}") if md else (lambda t: t)
        bullet = "- " if md else "  "
        lines = [h(f"Impasse diagnosis: {self.scenario_id}"), ""]
        ids = list(self.veto_ids)
        # a table of thousands of actors would print every id on one line
        veto = (
            ", ".join(ids)
            if len(ids) <= 12
            else f"{', '.join(ids[:10])} and {len(ids) - 10:,} more"
        )
        if self.zone_nonempty:
            lines.append(
                f"Zone of agreement: OPEN at the scenario's values (veto players: {veto})."
            )
            pkg = ", ".join(
                f"{i} {v:.4g}" for i, v in zip(self.issue_ids, self.point.best_package, strict=True)
            )
            lines.append(f"{bullet}max-min package: {pkg}")
            if self.zone is not None:
                z = self.zone
                lines.append(
                    f"{bullet}size: {100 * z.volume_fraction:.2f}% of the issue space "
                    f"(± {100 * z.volume_se:.2f}, {z.n_points} Sobol points)"
                )
                if z.nash_point is not None:
                    lines.append(
                        f"{bullet}Nash point: "
                        + ", ".join(
                            f"{i} {v:.4g}"
                            for i, v in zip(self.issue_ids, z.nash_point, strict=True)
                        )
                    )
                for a, fav in z.favourites.items():
                    lines.append(
                        f"{bullet}{a}'s favourite in the zone: "
                        + ", ".join(
                            f"{i} {v:.4g}" for i, v in zip(self.issue_ids, fav, strict=True)
                        )
                    )
        else:
            lines.append(
                f"Zone of agreement: EMPTY at the scenario's values (veto players: {veto}); "
                f"gap {self.gap:.4g} [1]."
            )
            if self.is_knife_edge:
                lines.append(
                    f"{bullet}knife edge: the status quo is Pareto-optimal for the veto players "
                    "and the gap is only their strict-preference margins; any concession would "
                    "open the zone"
                )
            lines.append("Blockers:")
            for b in self.point.blockers()[:8]:
                lines.append(f"{bullet}{b.detail}")
        lines.append("")
        qs = self.gap_quantiles
        lines.append(
            f"Monte Carlo over {self.draws} draws (seed {self.seed}): "
            f"P(zone non-empty) = {self.p_zone_nonempty:.3f} ± {self.p_zone_se:.3f}; "
            f"gap mean {self.gap_mean:.3g}, median {qs.get(0.5, float('nan')):.3g}, "
            f"90% interval [{qs.get(0.05, float('nan')):.3g}, {qs.get(0.95, float('nan')):.3g}]."
        )
        freq = self.batch.blocker_frequencies()
        if freq:
            lines.append(
                "Blockers across draws: "
                + "; ".join(f"{k} {100 * v:.0f}%" for k, v in list(freq.items())[:5])
            )
        if self.drivers:
            lines.append("")
            lines.append("Drivers (Spearman rank correlation with the gap / with an open zone):")
            if md:
                lines += ["", "| quantity | range | rho(gap) | rho(open) |", "|---|---|---|---|"]
            for d in self.drivers[:max_drivers]:
                rg = "  n/a" if d.rho_gap is None else f"{d.rho_gap:+.2f}"
                rz = "  n/a" if d.rho_zone is None else f"{d.rho_zone:+.2f}"
                if md:
                    lines.append(
                        f"| {d.path} | [{d.low:g}, {d.high:g}] | {rg.strip()} | {rz.strip()} |"
                    )
                else:
                    lines.append(f"{bullet}{d.path:<42} {rg}  {rz}")
        if self.levers:
            lines.append("")
            lines.append(
                f"Levers (P(zone non-empty) with the change; baseline {self.p_zone_nonempty:.3f}; "
                "* = efficient):"
            )
            if md:
                lines += ["", "| lever | P(zone non-empty) | change vs baseline | what changes |"]
                lines.append("|---|---|---|---|")
            for lv in self.levers:
                mark = " *" if lv.efficient else ""
                if not lv.applicable:
                    row = (lv.name, "n/a", "n/a", f"not applicable ({lv.reason})")
                else:
                    row = (
                        lv.name + mark,
                        f"{lv.p_zone_nonempty:.3f}",
                        f"{(lv.delta or 0):+.3f}",
                        lv.change,
                    )
                detail = _lever_detail(lv)
                if md:
                    cells = (*row[:3], row[3] + (f" ({detail})" if detail else ""))
                    lines.append("| " + " | ".join(x.replace("|", "/") for x in cells) + " |")
                elif not lv.applicable:
                    lines.append(f"{bullet}{row[0]}: {row[3]}")
                else:
                    lines.append(f"{bullet}{row[0]}: P = {row[1]} ({row[2]}); {row[3]}")
                    if detail:
                        lines.append(f"{bullet}    {detail}")
        lines.append("")
        notes = [
            "gap: the smallest total utility (normalised, 1 = a whole issue scale at full "
            "salience) the veto players must give up, plus red-line distance crossed, for "
            "a package all of them prefer to the status quo; see docs/diagnosis.md.",
            f"method: {self.point.method}, resolution {self.point.resolution:g}; "
            f"curvature {self.settings.get('curvature')}, agreement cost "
            f"{self.settings.get('agreement_cost')}.",
            *self.notes,
        ]
        lines += [f"[{k}] {n}" for k, n in enumerate(notes, 1)]
        return "\n".join(lines)


def _lever_detail(lv: LeverResult) -> str:
    """The extra line a named lever earns in the summary."""
    if lv.extra.get("label"):
        return f"{lv.extra.get('kind', 'lever')}: {lv.extra['label']}"
    return ""


def diagnose(
    scenario: Scenario,
    *,
    draws: int = defaults.DRAWS,
    seed: int = defaults.SEED,
    levers: bool = True,
    curvature: float | None = None,
    agreement_cost: float | None = None,
    n_levers: int = 10,
    lever_names: tuple[str, ...] | list[str] | None = None,
    search: bool = True,
    progress: Any = None,
    draws_arrays: ScenarioArrays | None = None,
) -> Diagnosis:
    """Diagnose the impasse of a scenario; see the module docstring.

    Parameters
    ----------
    scenario : Scenario
    draws : int
        Monte Carlo draws (``scenario.sample(draws, seed)``).
    seed : int
    levers : bool
        Evaluate the named levers and search for others.
    curvature, agreement_cost : float, optional
        Override ``parameters.utility_curvature`` / ``parameters.agreement_cost``.
    n_levers : int
        Searched levers kept (best first), besides the named ones.
    lever_names : sequence of str, optional
        The scenario's what-ifs to evaluate as levers (default: all it declares).
    search : bool
        Also search single and paired changes.
    progress : callable, optional
        ``progress(step: str)`` called as each stage starts (the CLI's progress bar).
    draws_arrays : ScenarioArrays, optional
        The Monte Carlo draws already sampled as ``scenario.sample(draws, seed)`` (the
        pipeline shares one sample among the diagnosis, the levers and the claims).
    """
    if draws < 2:
        raise ModelError(f"The 'draws' parameter of diagnose must be >= 2. Got {draws} instead.")
    if not scenario.veto_players and scenario.n_actors > MAX_UNANIMITY_ACTORS:
        raise ModelError(
            f"no veto players: the zone of agreement would be diagnosed under unanimity of all "
            f"{scenario.n_actors} actors, which says little and costs much beyond "
            f"{MAX_UNANIMITY_ACTORS}; mark the actors whose consent a deal needs (veto: true)"
        )

    def step(name: str) -> None:
        if progress is not None:
            progress(name)

    kw: dict[str, Any] = {"curvature": curvature, "agreement_cost": agreement_cost}
    step("point verdict")
    point_arrays = scenario.to_arrays()
    point = win_set_gap(point_arrays, **kw)
    zone = (
        zone_details(point_arrays, n_points=VOLUME_POINTS, seed=seed, **kw)
        if bool(point.zone_nonempty) and bool(np.all(point.curvature == 1.0))
        else None
    )
    step("Monte Carlo")
    # the run's shared draws when given (the pipeline's evaluator sampled them already)
    batch_arrays = scenario.sample(draws, seed) if draws_arrays is None else draws_arrays
    if batch_arrays.n_draws != draws:
        raise ModelError(f"draws_arrays holds {batch_arrays.n_draws} draws; expected {draws}")
    batch = win_set_gap(batch_arrays, **kw)
    p = float(batch.zone_nonempty.mean())
    se = float(np.sqrt(p * (1 - p) / draws))
    gap = batch.gap
    quants = {q: float(np.quantile(gap, q)) for q in GAP_QUANTILES}
    step("drivers")
    r_gap = _ranks(gap)
    r_zone = _ranks(batch.zone_nonempty.astype(float))
    qmap = dict(scenario.quantities())
    drivers = [
        Driver(path, qmap[path].low, qmap[path].high, _spearman(x, r_gap), _spearman(x, r_zone))
        for path, x in sampled_quantities(scenario, batch_arrays).items()
    ]
    drivers.sort(key=lambda d: -d.strength)
    lever_results: tuple[LeverResult, ...] = ()
    notes: list[str] = list(point.notes)
    if levers:
        step("levers")
        lever_arrays = batch_arrays
        if not bool(np.all(batch.curvature == 1.0)):
            # no closed form off curvature 1: keep the search affordable
            lever_arrays = take_draws(batch_arrays, LEVER_DRAWS_LIMITED)
            search = False
            notes.append(
                f"curvature != 1: levers evaluated on the first {LEVER_DRAWS_LIMITED} draws "
                "by coordinate search, and the lever search skipped (named levers only)"
            )
        elif len(point.veto_ids) > 2 and draws > LEVER_DRAWS_LIMITED:
            # the closed form covers two veto players; beyond, certificates and LPs per lever
            lever_arrays = take_draws(batch_arrays, LEVER_DRAWS_LIMITED)
            notes.append(
                f"{len(point.veto_ids)} veto players: levers evaluated on the first "
                f"{LEVER_DRAWS_LIMITED} draws (their baseline P(zone non-empty) is on the same draws)"
            )
        if search and len(point.veto_ids) > MAX_SEARCH_VETO_PLAYERS:
            # the search tries levers per veto player and pair: unaffordable for thousands
            search = False
            notes.append(
                f"{len(point.veto_ids)} veto players: the lever search skipped (named levers "
                f"only); it runs up to {MAX_SEARCH_VETO_PLAYERS} veto players"
            )
        paired_seed = seed if lever_arrays is batch_arrays else None
        base = baseline(scenario, lever_arrays, curvature, agreement_cost, paired_seed)
        declared = {w.id: w for w in scenario.what_ifs}
        names = tuple(declared) if lever_names is None else tuple(lever_names)
        bad = [n for n in names if n not in declared]
        if bad:
            known = ", ".join(declared) or "none (the scenario declares no what_ifs)"
            raise ModelError(f"unknown lever {', '.join(map(repr, bad))}; named levers: {known}")
        named = tuple(what_if_lever(base, declared[n]) for n in names)
        found = search_levers(base, top=n_levers + 3) if search else ()
        # a searched lever identical to a named one is reported once, under its name
        named_sets = [set(lv.changes) for lv in named if lv.changes]
        found = tuple(lv for lv in found if set(lv.changes) not in named_sets)[:n_levers]
        if search and not found:
            notes.append(
                "no single or paired change tried (positions, saliences, red lines, dropping "
                "an issue, the status quo) raises P(zone non-empty)"
            )
        lever_results = named + found
    if r_gap is None:
        notes.append("the gap does not vary over the draws, so its rank correlations are n/a")
    fast, _ = zone_open(batch_arrays, exact=False, **kw)
    if not np.array_equal(fast, batch.zone_nonempty):  # pragma: no cover - a consistency check
        notes.append(
            f"the closed-form zone test disagrees with the LP in "
            f"{int(np.sum(fast != batch.zone_nonempty))} draws (numerical ties)"
        )
    settings = {
        "curvature": float(point.curvature) if curvature is None else curvature,
        "agreement_cost": float(point.agreement_cost) if agreement_cost is None else agreement_cost,
        "red_line_price": point.red_line_price,
    }
    return Diagnosis(
        scenario_id=scenario.id,
        veto_ids=point.veto_ids,
        issue_ids=point.issue_ids,
        draws=draws,
        seed=seed,
        point=point,
        zone=zone,
        batch=batch,
        p_zone_nonempty=p,
        p_zone_se=se,
        gap_mean=float(gap.mean()),
        gap_quantiles=quants,
        drivers=tuple(drivers),
        levers=lever_results,
        settings=settings,
        notes=tuple(notes),
        scenario=scenario,
    )
