"""The dynamic claim quantities: shares and rates read from a variant's crisis simulation.

:func:`dynamic_quantity` computes a quantity per run (``p_talks``, ``p_substantive``,
``p_agreement``, ``p_crisis``, ``p_instigation``, ``p_substantive_given_talks``,
``p_limited_only``, ``p_impasse``, ``choice_share``, ``provocations_per_year``) and pools
the runs into an :class:`~detente.analysis._estimates.Estimate`, with an interval that
includes the variance between parameter groups. :func:`paired_interval` is the 95% interval
of an effect: the change in a quantity between two variants that share random numbers.
Both are called by :class:`detente.analysis.quantities.Evaluator`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ModelError
from ..scenario.case import QUANTITIES
from ._estimates import Estimate, _mean_interval, _veto_ids, _wilson
from .intervals import cluster_interval, paired_ratio_interval

if TYPE_CHECKING:
    from ..dynamics.result import DynamicsResult
    from ._estimates import Variant
    from .quantities import Evaluator

__all__ = ["dynamic_quantity", "paired_interval"]


def dynamic_quantity(ev: Evaluator, v: Variant, name: str, a: dict[str, Any]) -> Estimate:
    """The dynamic quantity ``name`` (arguments ``a``) of variant ``v``, pooled over the runs."""
    sim, num, den = _per_run_values(ev, v, name, a)
    return _pooled(ev, sim, name, num, den)


def _per_run_values(
    ev: Evaluator, v: Variant, name: str, a: dict[str, Any]
) -> tuple[DynamicsResult, np.ndarray, np.ndarray | None]:
    """The simulation and, per run, the quantity's numerator (and denominator for a
    conditional share such as ``p_substantive_given_talks``)."""
    from ..dynamics.simulation import AGREEMENT, CRISIS, KINDS, LIMITED, SUBSTANTIVE

    m = int(a.get("month", ev.months))
    if m > ev.months:
        raise ModelError(f"not applicable: month {m} is beyond the run's {ev.months} months")
    # quantities without a month read the whole horizon
    sim = v.sim(m if "month" in a else ev.months)
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
    ev: Evaluator, sim: DynamicsResult, name: str, num: np.ndarray, den: np.ndarray | None
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
        paths=_dynamics_paths(ev),
    )


def _dynamics_paths(ev: Evaluator) -> frozenset[str]:
    """The inputs the simulation reads: the veto players' numbers (the bargaining set), the
    status quo, the drivers, the parameters and the deadlines' effects (third parties act
    through their tools)."""
    s = ev.scenario
    veto = set(_veto_ids(s))
    read = ("status_quo", "drivers", "parameters", "events")
    return frozenset(
        p for p, _ in s.quantities() if p.split(".")[0] in veto or p.split(".")[0] in read
    )


def paired_interval(
    ev: Evaluator, v: Variant, w: Variant, of: str, args: dict[str, Any]
) -> tuple[float, float] | None:
    """A paired 95% interval of the change in quantity ``of`` from variant ``v`` to ``w``
    (None when the quantity has no paired values)."""
    needs = QUANTITIES[of].needs
    if needs == "dynamics":
        try:
            a, b = _per_run(ev, v, of, args), _per_run(ev, w, of, args)
        except ModelError:
            return None
        if a is None and b is None:  # a conditional share: the difference of two ratios
            return _paired_ratio_interval(ev, v, w, of, args)
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
    ev: Evaluator, v: Variant, w: Variant, of: str, args: dict[str, Any]
) -> tuple[float, float] | None:
    """A grouped 95% interval of the change in a conditional share (see
    :func:`.intervals.paired_ratio_interval`)."""
    sa, na, da = _per_run_values(ev, v, of, args)
    _sb, nb, db = _per_run_values(ev, w, of, args)
    if da is None or db is None or na.shape != nb.shape or sa.group is None:
        return None
    return paired_ratio_interval(na, da, nb, db, np.asarray(sa.group))


def _per_run(ev: Evaluator, v: Variant, name: str, args: dict[str, Any]) -> np.ndarray | None:
    """Per-run values of a quantity (None for a conditional share: no per-run value)."""
    _sim, num, den = _per_run_values(ev, v, name, args)
    return num if den is None else None
