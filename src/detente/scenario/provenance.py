"""Where a scenario's numbers come from: counts by kind, the widest ranges, the full table."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..scenario import Quantity, Scenario

__all__ = ["provenance_summary"]

KINDS = ("quote", "fact", "judgement", "imported", "calibrated", "none")


def _scale(
    s: Scenario, path: str, q: Quantity, issues: dict[str, Any], cap_max: float
) -> float | None:
    """The width a quantity's range is measured against (issue scale, salience scale, bounds).

    None for a driver or parameter without bounds: its range has no scale to compare with.
    ``issues`` (by id) and ``cap_max`` are computed once per scenario by the caller (per
    number, they made a 5,000-actor scenario quadratic: 42 s).
    """
    parts = path.split(".")
    if parts[-1] == "salience":
        return s.salience_max
    if parts[-1] == "position" or (len(parts) == 3 and parts[1] == "red_lines"):
        iid = parts[-2] if parts[-1] == "position" else parts[2]
        i = issues.get(iid)
        return (i.high - i.low) if i else 1.0
    if parts[0] == "status_quo" and parts[-1] in issues:
        i = issues[parts[-1]]
        return i.high - i.low
    if parts[0] in ("drivers", "parameters"):
        group = s.drivers if parts[0] == "drivers" else s.parameters
        nq = group.get(parts[1])
        if nq is not None and nq.bounds is not None and nq.bounds[1] > nq.bounds[0]:
            return nq.bounds[1] - nq.bounds[0]
        return None
    if parts[-1] == "capability":
        return cap_max
    return max(abs(q.value), 1e-12)


def provenance_summary(s: Scenario, *, top: int = 8) -> dict[str, Any]:
    """Counts of numbers by provenance kind, the most uncertain inputs and every number.

    The uncertainty of an input is the width of its plausible range relative to the scale
    it lives on (the issue's scale for positions, red lines and the status quo; the salience
    scale; a driver's bounds; the largest capability for capabilities). Drivers and
    parameters without bounds (model coefficients) have no such scale and are not ranked.

    Returns
    -------
    dict
        ``counts`` (kind -> number of quantities), ``n_numbers``, ``n_unsourced``,
        ``most_uncertain`` (list of ``path``, ``value``, ``low``, ``high``, ``relative_width``,
        ``kind``, ``source``) and ``numbers`` (the same for every quantity).
    """
    rows: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    issues = {i.id: i for i in s.issues}
    cap_max = max((a.capability.high for a in s.actors), default=1.0) or 1.0
    for path, q in s.quantities():
        kind = q.provenance.kind if q.provenance else "none"
        counts[kind] += 1
        scale = _scale(s, path, q, issues, cap_max)
        width = None if scale is None else (q.high - q.low) / scale
        rows.append(
            {
                "path": path,
                "value": q.value,
                "low": q.low,
                "high": q.high,
                "relative_width": None if width is None else float(width),
                "kind": kind,
                "source": q.provenance.describe() if q.provenance else "",
            }
        )
    ranked = sorted((r for r in rows if r["relative_width"]), key=lambda r: -r["relative_width"])
    return {
        "counts": {k: counts.get(k, 0) for k in KINDS if counts.get(k, 0)},
        "n_numbers": len(rows),
        "n_unsourced": counts.get("none", 0),
        "n_uncertain": sum(1 for r in rows if r["high"] > r["low"]),
        "most_uncertain": ranked[:top],
        "numbers": rows,
        "sources": {
            sid: {"title": src.title, "author": src.author, "date": src.date, "note": src.note}
            for sid, src in s.meta.sources.items()
        },
    }
