"""Rows of the result tables, taken from the JSON of any recorded command.

Each command returns its own shape: ``detente run`` the whole report (``forecasts`` as a list,
``diagnosis``, ``outlook``, ``claims``), ``forecast`` ``{"models": {name: forecast}}``,
``diagnose`` a diagnosis, ``simulate`` an outlook and ``claims`` a claims report. The
functions here find each section wherever the command put it and return plain row tuples in
the column order of :data:`detente.store._schema.TABLES` (without ``run_id``).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["rows"]

Row = tuple[Any, ...]


def _num(x: Any) -> float | None:
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) else None


def _forecast_entries(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per model with ``model``, ``outcome`` (issue -> value) and the trace."""
    out: list[dict[str, Any]] = []
    if isinstance(result.get("forecasts"), list):  # detente run
        for f in result["forecasts"]:
            if "outcome" not in f:
                continue
            trace = [
                {
                    a: dict(zip(f.get("issue_ids", []), row, strict=False))
                    for a, row in zip(f.get("actor_ids", []), rnd, strict=False)
                }
                for rnd in f.get("positions") or []
            ]
            out.append({"model": f["model"], "outcome": f["outcome"], "trace": trace})
    elif isinstance(result.get("models"), dict):  # detente forecast
        for name, f in result["models"].items():
            trace = [t.get("positions", {}) for t in f.get("trace", [])]
            out.append({"model": name, "outcome": f.get("outcome", {}), "trace": trace})
    return out


def _diagnosis(result: dict[str, Any]) -> dict[str, Any] | None:
    if "zone_nonempty" in result:
        return result
    d = result.get("diagnosis")
    return d if isinstance(d, dict) and "zone_nonempty" in d else None


def _outlook(result: dict[str, Any]) -> dict[str, Any] | None:
    if isinstance(result.get("p_mode"), dict):
        return result
    o = result.get("outlook")
    return o if isinstance(o, dict) and isinstance(o.get("p_mode"), dict) else None


def _claims(result: dict[str, Any]) -> list[dict[str, Any]]:
    c = result.get("claims")
    if isinstance(c, dict):
        c = c.get("claims")
    return [x for x in c if isinstance(x, dict) and "id" in x] if isinstance(c, list) else []


def rows(result: dict[str, Any]) -> dict[str, list[Row]]:
    """Table name -> rows for one recorded result (tables the result has nothing for are empty)."""
    out: dict[str, list[Row]] = {name: [] for name in _COLUMNS}
    for f in _forecast_entries(result):
        outcome = f["outcome"] if isinstance(f["outcome"], dict) else {}
        out["forecasts"] += [(f["model"], i, _num(v)) for i, v in outcome.items()]
        for r, positions in enumerate(f["trace"]):
            for actor, by_issue in positions.items():
                out["traces"] += [(f["model"], r, actor, i, _num(v)) for i, v in by_issue.items()]
    d = _diagnosis(result)
    if d is not None:
        gap = d.get("gap")
        out["diagnosis"].append(
            (
                bool(d.get("zone_nonempty")),
                _num(d.get("p_zone_nonempty")),
                _num(gap.get("point") if isinstance(gap, dict) else gap),
                json.dumps(d.get("blockers") or [], ensure_ascii=False),
            )
        )
        for lv in d.get("levers") or []:
            out["levers"].append(
                (
                    lv.get("name"),
                    lv.get("change"),
                    _num(lv.get("size")),
                    _num(lv.get("p_zone_nonempty")),
                    _num(lv.get("delta")),
                    None if lv.get("zone_nonempty") is None else bool(lv.get("zone_nonempty")),
                )
            )
    o = _outlook(result)
    if o is not None:
        months = o.get("months") or []
        for mode, values in o["p_mode"].items():
            for k, p in enumerate(values):
                label = months[k] if k < len(months) else str(k)
                out["outlook"].append((k, label, mode, _num(p)))
    for c in _claims(result):
        out["claims"].append((c["id"], c.get("verdict"), _num(c.get("robustness"))))
    return out


_COLUMNS = ("forecasts", "traces", "diagnosis", "levers", "outlook", "claims")
