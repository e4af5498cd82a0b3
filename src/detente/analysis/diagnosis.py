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

Everything is computed; nothing about the flagship is written here. The result record and
its views live in :mod:`._diagnosis_result`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import defaults
from ..core import (
    agreement_arrays,
    veto_holders,
    win_set_gap,
    zone_details,
    zone_open,
)
from ..errors import ModelError
from ._diagnosis_result import Diagnosis
from .drivers import Driver, _ranks, _spearmans, draw_order, sampled_quantities
from .levers import (
    LeverResult,
    baseline,
    search_levers,
    take_draws,
    what_if_lever,
)

if TYPE_CHECKING:
    from collections.abc import Callable

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
    what_if_draws: Callable[[str], tuple[Scenario, ScenarioArrays] | None] | None = None,
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
    what_if_draws : callable, optional
        ``what_if_draws(name)``: a named what-if's scenario and its draws
        (``scenario.sample(draws, seed, paired_with=<this scenario>)``) when the caller has
        them already, else None (the pipeline's evaluator holds them for the claims).
    """
    if draws < 2:
        raise ModelError(f"The 'draws' parameter of diagnose must be >= 2. Got {draws} instead.")
    if not veto_holders(scenario) and scenario.n_actors > MAX_UNANIMITY_ACTORS:
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
    # who must agree as the core says: veto players on every issue, an issue's controllers
    # (controlled_by) on that issue only, as in the veto projection of every model
    point_arrays = agreement_arrays(scenario)
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
    agreed = agreement_arrays(scenario, batch_arrays)
    batch = win_set_gap(agreed, **kw)
    p = float(batch.zone_nonempty.mean())
    se = float(np.sqrt(p * (1 - p) / draws))
    gap = batch.gap
    quants = {q: float(np.quantile(gap, q)) for q in GAP_QUANTILES}
    step("drivers")
    r_gap = _ranks(gap)
    r_zone = _ranks(batch.zone_nonempty.astype(float))
    qmap = dict(scenario.quantities())
    drivers = []
    for path, x in sampled_quantities(scenario, batch_arrays).items():
        # each input ranked once, its sort order shared with the claims' checks (draw_order)
        order = draw_order(batch_arrays, path, x) if x.ndim == 1 and x.size == draws else None
        rho_gap, rho_zone = _spearmans(x, [r_gap, r_zone], order)
        drivers.append(Driver(path, qmap[path].low, qmap[path].high, rho_gap, rho_zone))
    drivers.sort(key=lambda d: -d.strength)
    lever_results: tuple[LeverResult, ...] = ()
    fast: np.ndarray | None = None
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
        if lever_arrays is batch_arrays:  # the fast zone test of these draws, done once
            fast = base.open_
        declared = {w.id: w for w in scenario.what_ifs}
        names = tuple(declared) if lever_names is None else tuple(lever_names)
        bad = [n for n in names if n not in declared]
        if bad:
            known = ", ".join(declared) or "none (the scenario declares no what_ifs)"
            raise ModelError(f"unknown lever {', '.join(map(repr, bad))}; named levers: {known}")
        named = tuple(
            what_if_lever(base, declared[n], what_if_draws(n) if what_if_draws else None)
            for n in names
        )
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
    if fast is None:
        fast, _ = zone_open(agreed, exact=False, **kw)
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
