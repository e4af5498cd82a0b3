"""The typed parts of a run: each section's results as the library returns them.

:func:`detente.pipeline.run` keeps the library's own result objects (a model's
:class:`~detente.models.base.Forecast`, the :class:`~detente.analysis.diagnosis.Diagnosis`,
the :class:`~detente.dynamics.result.DynamicsResult` of the outlook, the element effects, the
:class:`~detente.analysis.claims.ClaimsReport`); the JSON, the terminal and the HTML report
are views of them (``to_dict``), built when read. What the pipeline adds on top (the win-set
map, which levers the scenario names, the what-if table's deltas) is kept beside the result it
belongs to, and the sentences the report prints are derived in the view, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..defaults import HORIZONS

if TYPE_CHECKING:
    from ..analysis.claims import ClaimsReport
    from ..analysis.diagnosis import Diagnosis
    from ..analysis.sensitivity import SensitivityResult
    from ..dynamics.effects import Effect
    from ..dynamics.result import DynamicsResult
    from ..models.base import Forecast

__all__ = [
    "Calibration",
    "ClaimsPart",
    "DiagnosisPart",
    "ModelRun",
    "OutlookPart",
    "WhatDrives",
    "WhatIfDelta",
    "WinsetMap",
]

#: The probabilities of the outlook's what-if table, in its column order.
KEYS = ("talks", "agreement", "crisis")


@dataclass(frozen=True, eq=False)
class ModelRun:
    """One registered model on the run's scenario: its forecast, or why it could not run."""

    name: str
    description: str
    forecast: Forecast | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"model": self.name, "description": self.description}
        fc = self.forecast
        if fc is None:
            entry["error"] = self.error
            return entry
        d = fc.to_dict()
        entry.update(
            {
                "outcome": d["outcome"],
                "unconstrained_outcome": d.get("unconstrained_outcome"),
                "veto_note": d.get("veto_note"),
                "veto": d.get("veto"),
                "rounds": fc.n_rounds,
                "actor_ids": list(fc.actor_ids),
                "issue_ids": list(fc.issue_ids),
                "positions": fc.positions,
                "n_moves": len(fc.moves),
                "moves": [m.to_dict() for m in fc.moves],
                "notes": list(fc.notes),
                "params": d["params"],
                "extra": d["extra"],
            }
        )
        return entry


@dataclass(frozen=True, eq=False)
class DiagnosisPart:
    """The diagnosis with what the report adds: which levers the scenario names, whether
    the zone is read under unanimity, the win-set map and what drives P(zone) (the Sobol
    analysis, None when no input the zone reads is uncertain)."""

    result: Diagnosis
    named: frozenset[str]
    unanimity: bool
    winset_map: WinsetMap | None = None
    #: :func:`detente.pipeline.sections.what_drives`.
    what_drives: WhatDrives | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = self.result.to_dict()
        for lv in data["levers"]:
            lv["named"] = lv["name"] in self.named
        data["unanimity"] = self.unanimity
        if self.winset_map is not None:
            data["winset_map"] = self.winset_map.to_dict()
        data["what_drives"] = None if self.what_drives is None else self.what_drives.to_dict()
        return data


@dataclass(frozen=True, eq=False)
class WhatIfDelta:
    """A declared what-if's change of P(talks), P(agreement), P(crisis) by the table's month
    against the baseline (common random numbers), or why it does not apply."""

    name: str
    kind: str
    change: dict[str, float] | None = None
    error: str | None = None

    @property
    def size(self) -> float:
        return max(abs(v) for v in self.change.values()) if self.change else 0.0

    def to_dict(self) -> dict[str, Any]:
        if self.change is None:
            return {"name": self.name, "kind": self.kind, "error": self.error}
        return {"name": self.name, "kind": self.kind, **self.change}


@dataclass(frozen=True, eq=False)
class OutlookPart:
    """The crisis dynamics of the run: the simulation, the declared what-ifs' deltas and
    each named driver's, tool's and event's effect, all by ``what_if_month``."""

    simulation: DynamicsResult
    runs: int
    what_if: str | None
    what_if_month: int
    what_ifs: tuple[WhatIfDelta, ...]
    effects: tuple[Effect, ...] | None
    effects_error: str | None
    effect_runs: int

    def horizons(self, d: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """P(talks), P(agreement), P(crisis) by each horizon of :data:`HORIZONS` the run
        covers (``d``: the simulation's ``to_dict()``, when the caller has it)."""
        sim = self.simulation
        d = sim.to_dict() if d is None else d
        months = list(d["months"])
        out = []
        for h in [h for h in HORIZONS if h <= len(months)] or [len(months)]:
            at = d["horizons"].get(str(h)) or sim.at(h)
            out.append(
                {
                    "month": h,
                    "date": months[h - 1],
                    "talks": at["talks"],
                    "agreement": at["agreement"],
                    "crisis": at["crisis"],
                    "impasse_throughout": at.get("impasse_throughout"),
                    "by_change": sim.at_by_change(h),
                }
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        d = self.simulation.to_dict()
        months = list(d["months"])
        horizons = self.horizons(d)
        out: dict[str, Any] = {
            "months": months,
            "horizons": horizons,
            "definition": (
                "P(talks), P(agreement), P(crisis): share of simulated runs in which talks have "
                "started, an agreement has been reached, or a crisis has broken out by the end of "
                f"that month ({self.runs} runs from {months[0]})."
            ),
            "p_mode": d["p_mode"],
            "p_ever": d.get("p_ever"),
            "provocations": {**d["provocations"], "band": "5th–95th percentile of runs"},
            "time_to_first_talks": d.get("time_to_first_talks"),
            "substantive_given_talks": d.get("substantive_given_talks"),
            "challenger": d.get("challenger"),
            "defender": d.get("defender"),
            "calibrated": d.get("calibrated", False),
            "notes": d.get("notes", []),
            "what_if": self.what_if,
            "what_if_month": self.what_if_month,
            "what_if_runs": self.runs,
        }
        month = self.what_if_month
        if self.effects is None:
            out["elements_error"] = self.effects_error
        else:
            out["elements"] = [e.to_dict() for e in self.effects]
            out["elements_runs"] = self.effect_runs
            out["inert_sentence"] = inert_sentence(self.effects, month)
        out["what_ifs"] = [w.to_dict() for w in self.what_ifs]
        base = next(h for h in horizons if h["month"] == month)
        ok = [w.to_dict() for w in self.what_ifs if w.change is not None]
        out["driver_sentence"] = driver_sentence(base, ok, month)
        return out


def inert_sentence(effects: tuple[Effect, ...], month: int) -> str:
    """The report's sentence on the drivers, tools and events that move nothing."""
    inert = [e for e in effects if e.inert]
    if not inert:
        return f"Every named driver, tool and event moves the outlook by month {month}."
    return (
        f"Inert in the simulation (no effect of half a point on P(talks), P(agreement) or "
        f"P(crisis) by month {month}): "
        + "; ".join(f"{e.kind} {e.name} ({e.reason})" for e in inert)
        + "."
    )


def driver_sentence(base: dict[str, Any], rows: list[dict[str, Any]], month: int) -> str:
    """The outlook by ``month`` and the what-ifs that move it most (``rows``: the deltas,
    largest first)."""

    def pts(x: float) -> str:
        return f"{100 * x:+.0f} pts"

    head = (
        f"By month {month}: P(talks) {100 * base['talks']:.0f}%, P(agreement) "
        f"{100 * base['agreement']:.0f}%, P(crisis) {100 * base['crisis']:.0f}%."
    )
    if not rows:
        return head
    movers = []
    for r in rows[:3]:
        key = max(KEYS, key=lambda k: abs(r[k]))
        if abs(r[key]) < 0.01:
            continue
        movers.append(f"{r['name']} ({pts(r[key])} on P({key}))")
    if not movers:
        return head + " None of the named what-ifs moves these by a point or more."
    still = [r["name"] for r in rows if max(abs(r[k]) for k in KEYS) < 0.01]
    tail = f" Little moves it: {', '.join(still)}." if still else ""
    return head + " What moves it most: " + "; ".join(movers) + "." + tail


@dataclass(frozen=True, eq=False)
class ClaimsPart:
    """The scenario's claims as evaluated on the run's shared quantities."""

    result: ClaimsReport

    def to_dict(self) -> dict[str, Any]:
        res = self.result.to_dict()
        rows = [
            {**c, "quantity_text": quantity_text(c.get("quantity") or {})} for c in res["claims"]
        ]
        return {**res, "claims": rows, "counts": res["counts"]}


def quantity_text(q: dict[str, Any]) -> str:
    """A claim's quantity in a few words: ``name = value`` (or yes / no)."""
    name = str(q.get("name", ""))
    v = q.get("value")
    if isinstance(v, bool):
        return f"{name}: {'yes' if v else 'no'}"
    if isinstance(v, int | float):
        return f"{name} = {v:.3g}"
    return name


def _bits(mask: np.ndarray) -> list[str]:
    return ["".join("1" if b else "0" for b in row) for row in mask]


@dataclass(frozen=True, eq=False)
class WinsetMap:
    """Each veto player's win-set on an ``n x n`` grid over two issues
    (:func:`detente.pipeline.sections.winset_map`).

    Attributes
    ----------
    issues : tuple of str           the two issues (x, y)
    x, y : ndarray (n,)             the grid in issue units
    masks : dict of str to ndarray  veto id -> (n, n) bools, one row per y value
    zone : ndarray (n, n)           the zone of agreement on the grid (every mask)
    ideal : dict of str to list     veto id -> its ideal point [x, y]
    status_quo : list of float      [x, y]
    red_lines : dict                veto id -> list of {issue, op, bound} on the two issues
    held : list of str              the other issues
    package : list of float or None the held package's [x, y], or None (held at the status quo)
    zone_open : bool or None        the diagnosis' verdict on the whole zone (None: not given)
    """

    issues: tuple[str, str]
    x: np.ndarray
    y: np.ndarray
    masks: dict[str, np.ndarray]
    zone: np.ndarray
    ideal: dict[str, list[float]]
    status_quo: list[float | None]
    red_lines: dict[str, list[dict[str, Any]]]
    held: list[str]
    package: list[float] | None
    zone_open: bool | None = None

    @property
    def held_at(self) -> str:
        """Where the other issues are held: "status quo" or "package"."""
        return "status quo" if self.package is None else "package"

    def to_dict(self) -> dict[str, Any]:
        """The JSON view: masks and zone as ``n`` strings of ``n`` characters '0'/'1'."""
        out: dict[str, Any] = {
            "issues": list(self.issues),
            "x": self.x.tolist(),
            "y": self.y.tolist(),
            "masks": {v: _bits(m) for v, m in self.masks.items()},
            "zone": _bits(self.zone),
            "zone_in_slice": bool(self.zone.any()),
            "ideal": self.ideal,
            "status_quo": self.status_quo,
            "red_lines": self.red_lines,
            "held_at_status_quo": list(self.held) if self.package is None else [],
            "held": list(self.held),
            "held_at": self.held_at,
            "package": self.package,
        }
        if self.zone_open is not None:
            out["zone_open"] = self.zone_open
        return out


@dataclass(frozen=True, eq=False)
class WhatDrives:
    """What drives P(zone): the Sobol analysis over the inputs the zone reads, and the
    ``detente sensitivity`` command that gives the same numbers at any size."""

    result: SensitivityResult
    command: str

    def to_dict(self) -> dict[str, Any]:
        d = self.result.to_dict()
        d["command"] = self.command
        return d


@dataclass(frozen=True, eq=False)
class Calibration:
    """The dynamics against the case's record (:func:`detente.pipeline.sections.calibration`).

    Attributes
    ----------
    record, record_title : str         the record's id and title
    backtest : dict or None            the stored backtest summary (JSON as saved beside the
                                       record), None unless it is current for this scenario
                                       and code
    verdicts : list of str             its verdicts in words
    note : str or None                 why no verdict is shown, if none is
    months : list of str               the record's months
    observed, talks : ndarray          provocation events and talks per month
    rolling : ndarray                  the 12-month mean of ``observed`` (NaN for 11 months)
    forecasts : list of dict           the backtest's first-year forecasts by origin
    split_index : int or None          the first test origin's month index
    """

    record: str
    record_title: str
    backtest: dict[str, Any] | None
    verdicts: list[str]
    note: str | None
    months: list[str]
    observed: np.ndarray
    talks: np.ndarray
    rolling: np.ndarray
    forecasts: list[dict[str, Any]]
    split_index: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "record_title": self.record_title,
            "backtest": self.backtest,
            "verdicts": self.verdicts,
            "note": self.note,
            "series": {
                "months": self.months,
                "observed": self.observed.tolist(),
                "observed_label": "observed provocation events per month (the record)",
                "talks": self.talks.tolist(),
                "talks_label": "months with talks (the record)",
                "fitted": {"observed, 12-month mean": self.rolling.tolist()},
                "forecasts": self.forecasts,
                "split_index": self.split_index,
                "ylabel": "provocation events per month",
                "title": f"The record behind the dynamics: {self.record_title}",
            },
        }
