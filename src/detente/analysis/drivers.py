"""What drives the gap: each sampled input's rank correlation with the gap and the zone.

The diagnosis (:mod:`.diagnosis`) reads every ranged number of the scenario from its Monte
Carlo draws (:func:`sampled_quantities`) and ranks the inputs by how strongly they move the
gap (Spearman's rho, :class:`Driver`).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ..scenario import Scenario, ScenarioArrays

__all__ = ["Driver", "average_ranks", "draw_order", "sampled_quantities", "varying_quantities"]


@dataclass(frozen=True)
class Driver:
    """A sampled quantity and its Spearman rank correlation with the gap and the zone.

    ``rho_gap``/``rho_zone`` are None when either side does not vary over the draws.
    """

    path: str
    low: float
    high: float
    rho_gap: float | None
    rho_zone: float | None

    @property
    def strength(self) -> float:
        return max(abs(self.rho_gap or 0.0), abs(self.rho_zone or 0.0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "range": [self.low, self.high],
            "rho_gap": self.rho_gap,
            "rho_zone": self.rho_zone,
        }


#: Per draws object: the scenario last read from it and its :func:`sampled_quantities`.
_SAMPLED: weakref.WeakKeyDictionary[Any, tuple[Any, dict[str, np.ndarray]]] = (
    weakref.WeakKeyDictionary()
)


def sampled_quantities(s: Scenario, batch: ScenarioArrays) -> dict[str, np.ndarray]:
    """Each uncertain quantity's draws, by its ``--set`` path, read back from the arrays.

    Read once per draws object and scenario (the diagnosis and the claims' checks read the
    same draws dozens of times); the arrays are views of the draws, so treat them as
    read-only, and the dict as shared.
    """
    got = _SAMPLED.get(batch)
    if got is not None and got[0] is s:
        return got[1]
    out = _read_quantities(s, batch)
    _SAMPLED[batch] = (s, out)
    return out


def varying_quantities(s: Scenario, batch: ScenarioArrays) -> dict[str, np.ndarray]:
    """:func:`sampled_quantities` as float arrays, only those that vary over the draws (in
    their order); read once per draws object and scenario, shared like them."""
    got = _VARYING.get(batch)
    if got is not None and got[0] is s:
        return got[1]
    out = {}
    for path, x in sampled_quantities(s, batch).items():
        x = np.asarray(x, float)
        if np.ptp(x) > 0:
            out[path] = x
    _VARYING[batch] = (s, out)
    return out


_VARYING: weakref.WeakKeyDictionary[Any, tuple[Any, dict[str, np.ndarray]]] = (
    weakref.WeakKeyDictionary()
)


def _read_quantities(s: Scenario, batch: ScenarioArrays) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    red_ops = {(a.id, i): rl.op for a in s.actors for i, rl in a.red_lines.items()}
    for path, q in s.quantities():
        if q.is_certain:
            continue
        parts = path.split(".")
        if parts[0] == "status_quo":
            out[path] = batch.status_quo[:, batch.issue_index(parts[1])]
        elif parts[0] == "drivers":
            out[path] = np.asarray(batch.drivers[parts[1]])
        elif parts[0] == "parameters":
            out[path] = np.asarray(batch.parameters[parts[1]])
        elif parts[0] == "events":  # events.ID.effect.by: a deadline's effect size
            out[path] = np.asarray(batch.events[parts[1]])
        elif parts[1] == "capability":
            out[path] = batch.capabilities[:, batch.actor_index(parts[0])]
        elif parts[1] == "red_lines":
            k, j = batch.actor_index(parts[0]), batch.issue_index(parts[2])
            arr = batch.red_low if red_ops[(parts[0], parts[2])] == ">=" else batch.red_high
            out[path] = arr[:, k, j]
        else:
            k, j = batch.actor_index(parts[0]), batch.issue_index(parts[1])
            if parts[2] == "position":
                out[path] = batch.positions[:, k, j]
            else:
                out[path] = batch.saliences[:, k, j] * s.salience_max
    return out


#: Per draws object and input path: the input's draws and their stable sort order.
_ORDERS: weakref.WeakKeyDictionary[Any, dict[str, tuple[np.ndarray, np.ndarray]]] = (
    weakref.WeakKeyDictionary()
)


def draw_order(draws: ScenarioArrays, path: str, x: np.ndarray) -> np.ndarray:
    """``np.argsort(x, kind="stable")`` for ``x``, the draws of the input at ``path`` in
    ``draws`` (:func:`sampled_quantities`), sorted once per draws object and input: the
    claims' checks sort the same inputs of the same draws for every condition. An ``x`` that
    differs from the one sorted at that path is sorted anew.

    >>> from detente.testing import make_scenario
    >>> d = make_scenario({"a": {"capability": 1, "stances": {"x": (0, 1)}}}, ["x"]).sample(5, 1)
    >>> x = np.array([3.0, 1.0, 2.0, 1.0, 0.0])
    >>> draw_order(d, "a.capability", x).tolist()
    [4, 1, 3, 2, 0]
    >>> draw_order(d, "a.capability", x) is draw_order(d, "a.capability", x.copy())
    True
    """
    seen = _ORDERS.setdefault(draws, {})
    got = seen.get(path)
    if got is not None and (got[0] is x or np.array_equal(got[0], x)):
        return got[1]
    order = np.argsort(x, kind="stable")
    seen[path] = (x, order)
    return order


def average_ranks(x: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """The ranks of ``x`` (1 to n), ties given their average rank: what
    ``scipy.stats.rankdata(x)`` gives (all NaN when ``x`` holds a NaN), without importing
    scipy.stats (some 0.3 s of CPU). ``order``: ``x``'s stable sort order when the caller
    has it (:func:`draw_order`; a stable sort's order is unique).

    >>> average_ranks(np.array([3.0, 1.0, 3.0, 2.0])).tolist()
    [3.5, 1.0, 3.5, 2.0]
    """
    x = np.asarray(x).ravel()
    if x.size and np.isnan(x).any():
        return np.full(x.size, np.nan)
    if order is None:
        order = np.argsort(x, kind="mergesort")
    ordered = x[order]
    # where each run of equal values starts in the sorted order, and where the last one ends
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1], True])
    average = 0.5 * (starts[:-1] + starts[1:] + 1)  # of the 1-based ranks start+1 .. end
    ranks = np.empty(x.size)
    ranks[order] = np.repeat(average, np.diff(starts))
    return ranks


def _spearmans(
    x: np.ndarray, ranks_ys: list[np.ndarray | None], order: np.ndarray | None = None
) -> list[float | None]:
    """Spearman's rho of ``x`` with each ``y`` whose ranks (:func:`_ranks`) are given (None
    where either side does not vary), ``x`` ranked once (``order``: its stable sort order,
    :func:`draw_order`, when the caller has it)."""
    if np.ptp(x) == 0:
        return [None] * len(ranks_ys)
    rx = average_ranks(x, order)
    rx = rx - rx.mean()
    sxx = np.sum(rx**2)
    out: list[float | None] = []
    for ranks_y in ranks_ys:
        if ranks_y is None:
            out.append(None)
            continue
        ry = ranks_y - ranks_y.mean()
        den = np.sqrt(sxx * np.sum(ry**2))
        out.append(float(np.sum(rx * ry) / den) if den > 0 else None)
    return out


def _ranks(y: np.ndarray) -> np.ndarray | None:
    return None if np.ptp(y) == 0 else average_ranks(y)
