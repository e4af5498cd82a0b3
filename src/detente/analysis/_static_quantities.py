"""The static claim quantities: the case's record and the bargaining set and its inputs.

:func:`record_quantity` reads the case's historical record (``record_rate``: events a year
of the kinds, actors and sources asked, between two months). :func:`static_quantity` reads
a variant's inputs (``position``, ``salience``, ``capability``, ``driver``,
``red_line_overlap``) and its bargaining set (``zone_open``, ``gap``, ``p_zone``,
``in_win_set``, ``ideal_package``), at the point values and per Monte Carlo draw. Both are
called by :meth:`detente.analysis.quantities.Evaluator.quantity`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import agreement_arrays, package_in_win_sets
from ..errors import DetenteError, ModelError
from ..scenario.case import QUANTITIES
from ._estimates import Estimate, _wilson

if TYPE_CHECKING:
    from ..scenario import ScenarioArrays
    from ._estimates import Variant

__all__ = ["record_quantity", "static_quantity"]


def record_quantity(v: Variant, name: str, a: dict[str, Any]) -> Estimate:
    """The record quantity ``name`` (arguments ``a``) of variant ``v``'s historical record."""
    roles = v.scenario.roles
    record = None if roles is None else roles.record
    if roles is None or record is None:
        raise ModelError("not applicable: the scenario names no historical record (roles.record)")
    from ..data.records import load_record

    try:
        rec = load_record(record)
        events = rec.columns_of_events  # the events' columns as arrays (no pandas in a run)
    except DetenteError as err:
        raise ModelError("not applicable: " + "; ".join(err.lines())) from err
    since, until = str(a["since"]), str(a["until"])
    if until < since:
        raise ModelError(
            f"not applicable: record_rate runs from {since} to {until}, which is backwards"
        )
    who = a.get("actor")
    month = np.array([d[:7] for d in events["date"].tolist()], dtype=str)
    kinds = [str(a["kind"]), *(str(k) for k in a.get("kinds") or ())]
    sel = np.isin(events["kind"], kinds) & (month >= since) & (month <= until)
    if a.get("sources"):
        sel &= np.isin(events["source"], [str(x) for x in a["sources"]])
    if who is not None:
        # a role reads the record's actors in that role (its manifest's roles:); a record
        # without them names the case's actors, so the case's id in the role is read too
        names = {who}
        if who in ("challenger", "defender"):
            names = rec.actors_in_role(who) if rec.roles else {who, getattr(roles, who)}
        sel &= np.isin(events["actor"], list(names))
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


def static_quantity(v: Variant, name: str, a: dict[str, Any]) -> Estimate:
    """The input or bargaining quantity ``name`` (arguments ``a``) of variant ``v``."""
    s, batch = v.scenario, v.batch
    pt = s.to_arrays()
    reads = "input" if QUANTITIES[name].needs == "input" else "bargaining"

    def est(
        point: float, per: np.ndarray | None, interval: Any = None, detail: str = ""
    ) -> Estimate:
        return Estimate(name, float(point), per, interval, "parameter draws", detail, batch, reads)

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
        # the red lines that bind on the issue: its veto players' and controllers' (the core's
        # who-must-agree); every actor's when nobody holds a veto
        apt, abatch = agreement_arrays(s, pt), v.agreed
        veto = apt.veto if apt.veto.any() else np.ones_like(apt.veto)

        def ov(arr: ScenarioArrays) -> np.ndarray:
            lo = arr.red_low[..., veto, j].max(axis=-1)
            hi = arr.red_high[..., veto, j].min(axis=-1)
            return np.asarray(hi - lo, float)

        return est(float(ov(apt)), ov(abatch))
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
        package = {str(i): float(x) for i, x in a["package"].items()}
        ids, pin = package_in_win_sets(agreement_arrays(s, pt), package)
        if a["actor"] not in ids:
            raise ModelError(
                f"not applicable: {a['actor']} is not a veto player, so it has no win-set here"
            )
        k = ids.index(a["actor"])
        _, bin_ = package_in_win_sets(v.agreed, package)
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
