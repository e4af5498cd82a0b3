"""What changed between two recorded runs: the inputs, then the results, side by side."""

from __future__ import annotations

import difflib
import json
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store import RunRecord

__all__ = ["canonical", "diff_runs", "same_results", "value_differences"]

#: Differences smaller than this are rounding, not change.
TOL = 1e-9

Tables = dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]


def _row(what: str, a: Any, b: Any) -> dict[str, Any]:
    return {"what": what, "a": a, "b": b}


def _differ(a: Any, b: Any) -> bool:
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return abs(float(a) - float(b)) > TOL
    return bool(a != b)


def _inputs(ra: RunRecord, rb: RunRecord) -> list[dict[str, Any]]:
    out = []
    if ra.command != rb.command:
        out.append(_row("command", ra.command, rb.command))
    if ra.scenario_id != rb.scenario_id:
        out.append(_row("scenario", ra.scenario_id, rb.scenario_id))
    ha = ra.source.hash if ra.source else None
    hb = rb.source.hash if rb.source else None
    if ha != hb:
        out.append(_row("scenario content", ha, hb))
        if ra.source and rb.source and ra.scenario_id == rb.scenario_id:
            lines = difflib.unified_diff(
                ra.source.text.splitlines(), rb.source.text.splitlines(), "a", "b", n=0, lineterm=""
            )
            changed = [ln for ln in lines if ln[:1] in "+-" and ln[:3] not in ("+++", "---")]
            for ln in changed[:20]:
                out.append(
                    _row(
                        "scenario line",
                        ln[1:] if ln[0] == "-" else "",
                        ln[1:] if ln[0] == "+" else "",
                    )
                )
    for name in ("sets", "pins", "what_ifs"):
        la, lb = getattr(ra, name), getattr(rb, name)
        for item in [x for x in la if x not in lb]:
            out.append(_row(f"--{name.rstrip('s').replace('_', '-')}", item, None))
        for item in [x for x in lb if x not in la]:
            out.append(_row(f"--{name.rstrip('s').replace('_', '-')}", None, item))
    if ra.seed != rb.seed:
        out.append(_row("seed", ra.seed, rb.seed))
    for group, da, db in (("sizes", ra.sizes, rb.sizes), ("options", ra.options, rb.options)):
        for k in sorted(set(da) | set(db)):
            if _differ(da.get(k), db.get(k)):
                out.append(_row(f"{group}.{k}", da.get(k), db.get(k)))
    return out


def _keyed(
    rows: list[dict[str, Any]], keys: tuple[str, ...]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(r[k] for k in keys): r for r in rows}


def _compare(
    label: str,
    pair: tuple[list[dict[str, Any]], list[dict[str, Any]]],
    keys: tuple[str, ...],
    fields: tuple[str, ...],
) -> list[dict[str, Any]]:
    a, b = _keyed(pair[0], keys), _keyed(pair[1], keys)
    out = []
    for key in sorted(set(a) | set(b), key=lambda k: tuple(str(x) for x in k)):
        ra, rb = a.get(key, {}), b.get(key, {})
        for f in fields:
            va, vb = ra.get(f), rb.get(f)
            if _differ(va, vb):
                name = ".".join(str(k) for k in key)
                out.append(_row(f"{label}{'.' + name if name else ''}.{f}", va, vb))
    return out


def _results(tables: Tables) -> list[dict[str, Any]]:
    out = _compare("zone", tables["diagnosis"], (), ("zone_nonempty", "p_zone_nonempty", "gap"))
    da, db = tables["diagnosis"]
    if da and db and da[0]["blockers"] != db[0]["blockers"]:
        ba = [x.get("detail", x.get("kind")) for x in json.loads(da[0]["blockers"] or "[]")]
        bb = [x.get("detail", x.get("kind")) for x in json.loads(db[0]["blockers"] or "[]")]
        out.append(_row("zone.blockers", "; ".join(ba) or "none", "; ".join(bb) or "none"))
    out += _compare(
        "lever", tables["levers"], ("name",), ("p_zone_nonempty", "delta", "zone_nonempty")
    )
    out += _compare("forecast", tables["forecasts"], ("model", "issue"), ("outcome",))
    last = _last_month(tables["outlook"])
    out += _compare("outlook", last, ("month", "mode"), ("probability",))
    out += _compare("claim", tables["claims"], ("claim",), ("verdict", "robustness"))
    return out


def _last_month(
    pair: tuple[list[dict[str, Any]], list[dict[str, Any]]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The outlook rows at 6, 12, 24 and 36 months (or the last month), for a short diff."""

    def pick(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not rows:
            return []
        n = max(r["month_index"] for r in rows)
        keep = {m - 1 for m in (6, 12, 24, 36) if m - 1 <= n} | {n}
        return [r for r in rows if r["month_index"] in keep]

    return pick(pair[0]), pick(pair[1])


#: z of the two-sided 95% interval a Monte Carlo difference must leave to count as a change.
Z95 = 1.96

#: Result rows that are Monte Carlo proportions: (prefix of "what", size that sampled them).
_SAMPLED = (
    ("zone.p_zone_nonempty", "draws"),
    ("lever.", "draws"),
    ("claim.", "draws"),
    ("outlook.", "runs"),
)


def _noise(row: dict[str, Any], na: int | None, nb: int | None) -> float | None:
    """Half-width of the 95% interval of the difference of two sampled proportions (binomial
    standard errors of each run's own sample size); None for a row that is not sampled."""
    a, b = row["a"], row["b"]
    if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in (a, b)):
        return None
    if not (na and nb) or not (0 <= a <= 1 and 0 <= b <= 1):
        return None
    var = a * (1 - a) / na + b * (1 - b) / nb
    # a proportion of 0 or 1 has no binomial spread; one draw's worth stands in for it
    floor = 1 / na**2 + 1 / nb**2
    return float(Z95 * math.sqrt(max(var, floor)))


def _sample_size(rec: RunRecord, size: str) -> int | None:
    v = rec.sizes.get(size)
    return int(v) if isinstance(v, int | float) and not isinstance(v, bool) and v > 0 else None


def _mark_noise(ra: RunRecord, rb: RunRecord, rows: list[dict[str, Any]]) -> None:
    """Mark each sampled row whose change lies within Monte Carlo noise (``noise``) and give
    every sampled row its interval (``interval``)."""
    for row in rows:
        what = row["what"]
        size = next((sz for prefix, sz in _SAMPLED if what.startswith(prefix)), None)
        if size is None or what.endswith((".verdict", ".zone_nonempty")):
            continue
        na, nb = _sample_size(ra, size), _sample_size(rb, size)
        half: float | None
        if what.endswith(".delta"):
            # a lever's delta is a difference of two proportions of the run's draws: its
            # interval is bounded by the largest binomial spread (p = 1/2) of both
            if not (na and nb) or not all(isinstance(row[k], int | float) for k in "ab"):
                continue
            half = Z95 * math.sqrt(0.5 / na + 0.5 / nb)
        else:
            half = _noise(row, na, nb)
        if half is None:
            continue
        row["interval"] = round(half, 6)
        row["noise"] = abs(float(row["b"]) - float(row["a"])) <= half


def _summary(
    inputs: list[dict[str, Any]], results: list[dict[str, Any]], tables: Tables
) -> dict[str, Any]:
    """What a reader wants first: which inputs changed, the zone, the flipped verdicts, the
    outlook moves beyond their intervals, and how much is noise."""
    zone: dict[str, Any] = {}
    da, db = tables["diagnosis"]
    if da and db:
        zone = {
            "a": bool(da[0]["zone_nonempty"]),
            "b": bool(db[0]["zone_nonempty"]),
            "p_a": da[0]["p_zone_nonempty"],
            "p_b": db[0]["p_zone_nonempty"],
        }
        zone["flipped"] = zone["a"] != zone["b"]
    flipped = [
        {
            "claim": r["what"].removeprefix("claim.").removesuffix(".verdict"),
            "a": r["a"],
            "b": r["b"],
        }
        for r in results
        if r["what"].startswith("claim.") and r["what"].endswith(".verdict")
    ]
    moves = [
        {
            "what": r["what"].removeprefix("outlook."),
            "a": r["a"],
            "b": r["b"],
            "interval": r["interval"],
        }
        for r in results
        if r["what"].startswith("outlook.") and r.get("noise") is False
    ]
    return {
        "inputs_changed": [r["what"] for r in inputs],
        "zone": zone or None,
        "verdicts_flipped": flipped,
        "outlook_moves": moves,
        "forecasts_changed": sum(r["what"].startswith("forecast.") for r in results),
        "within_noise": sum(bool(r.get("noise")) for r in results),
    }


def diff_runs(
    ra: RunRecord, rb: RunRecord, tables: Tables, *, show_noise: bool = False
) -> dict[str, Any]:
    """``{"a", "b", "summary", "inputs", "results", "hidden_as_noise", "identical_results"}``.

    ``summary`` leads (see :func:`_summary`). A result that is a Monte Carlo proportion
    (P(zone), levers, claim robustness, the outlook) counts as changed only when the
    difference leaves the 95% interval of the two runs' sampling noise (binomial, from each
    run's draws or runs); such rows carry their ``interval``, and those inside it are left
    out of ``results`` (counted in ``hidden_as_noise``) unless ``show_noise``.
    """
    same = ra.result is not None and same_results(ra.result, rb.result)
    inputs = _inputs(ra, rb)
    results = _results(tables)
    _mark_noise(ra, rb, results)
    shown = results if show_noise else [r for r in results if not r.get("noise")]
    return {
        "a": ra.id,
        "b": rb.id,
        "summary": _summary(inputs, results, tables),
        "inputs": inputs,
        "results": shown,
        "hidden_as_noise": len(results) - len(shown),
        "identical_results": same,
    }


def canonical(x: Any) -> Any:
    """``x`` as the store keeps it: through JSON, so mapping keys are strings (a rerun's
    integer month keys compare equal to the stored ``"6"``), tuples lists, NumPy numbers
    Python numbers; NaN and infinity as null, as every detente JSON writes them."""
    import math

    def fix(v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): fix(u) for k, u in v.items()}
        if isinstance(v, list | tuple):
            return [fix(u) for u in v]
        if hasattr(v, "tolist") and not isinstance(v, str | bytes):
            return fix(v.tolist())
        if isinstance(v, float) and not math.isfinite(v):
            return None
        return v

    return json.loads(json.dumps(fix(x), ensure_ascii=False, allow_nan=False))


def _strip(x: Any) -> Any:
    """The result without timings (wall-clock seconds differ between identical runs)."""
    if isinstance(x, dict):
        return {k: _strip(v) for k, v in x.items() if k not in ("timings", "elapsed")}
    if isinstance(x, list):
        return [_strip(v) for v in x]
    return x


def same_results(a: Any, b: Any) -> bool:
    """Whether two result JSONs are equal once canonically typed, timings aside."""
    return bool(_strip(canonical(a)) == _strip(canonical(b)))


def value_differences(a: Any, b: Any, path: str = "", limit: int = 20) -> list[str]:
    """Up to ``limit`` JSON paths where ``a`` and ``b`` differ (canonically typed, see
    :func:`canonical`; timings aside), with both values."""
    out: list[str] = []

    def walk(x: Any, y: Any, p: str) -> None:
        if len(out) >= limit:
            return
        if isinstance(x, dict) and isinstance(y, dict):
            for k in [*x, *(k for k in y if k not in x)]:
                if k not in ("timings", "elapsed"):
                    walk(x.get(k), y.get(k), f"{p}.{k}" if p else str(k))
        elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
            for i, (u, v) in enumerate(zip(x, y, strict=True)):
                walk(u, v, f"{p}[{i}]")
        elif x != y:
            out.append(f"{p or '(root)'}: {json.dumps(x)[:60]} -> {json.dumps(y)[:60]}")

    walk(canonical(a), canonical(b), path)
    return out
