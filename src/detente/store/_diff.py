"""What changed between two recorded runs: the inputs, then the results, side by side."""

from __future__ import annotations

import difflib
import json
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


def diff_runs(ra: RunRecord, rb: RunRecord, tables: Tables) -> dict[str, Any]:
    """``{"a": id, "b": id, "inputs": rows, "results": rows, "identical_results": bool}``."""
    same = ra.result is not None and same_results(ra.result, rb.result)
    return {
        "a": ra.id,
        "b": rb.id,
        "inputs": _inputs(ra, rb),
        "results": _results(tables),
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
