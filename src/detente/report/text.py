"""Numbers and sentences shared by the terminal and HTML views (formatting only, no analysis)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .build import AnalysisReport


def num(x: Any, digits: int = 3) -> str:
    if x is None:
        return "—"
    x = float(x)
    if not math.isfinite(x):
        return "—"
    return f"{x:.{digits}g}"


def outcome(x: Any) -> str:
    return "no deal" if x is None else f"{float(x):.1f}"


def pct(x: Any) -> str:
    """A probability as a whole percentage, never rounding a possibility away:
    0.002 is "<1%", not "0%", and 0.998 is ">99%", not "100%"."""
    if x is None:
        return "—"
    x = float(x)
    if not math.isfinite(x):
        return "—"
    if 0 < x < 0.01:  # 0.005 would print "0%" (round half to even)
        return "<1%"
    if 0.99 < x < 1:
        return ">99%"
    return f"{100 * x:.0f}%"


def span(lo: Any, hi: Any) -> str:
    """A range as "-2.98 to -2.01" (a dash between negative numbers reads as a minus)."""
    return f"{num(lo)} to {num(hi)}"


def dpct(x: Any) -> str:
    if x is None:
        return ""
    v = round(100 * float(x))
    return "±0 pts" if v == 0 else f"{v:+d} pts"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def shorten(s: str, n: int) -> str:
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


def clip(s: str, n: int) -> str:
    """At most about ``n`` characters of ``s``, cut after a sentence (else a word), never
    inside a word; "[...]" marks the cut."""
    s = " ".join(str(s).split())
    if len(s) <= n:
        return s
    head = s[:n]
    cut = head.rfind(". ")
    if cut < n // 3:
        cut = head.rfind(" ")
    return (head[: cut + 1] if cut > 0 else head).rstrip() + " [...]"


def short_id(s: str, n: int = 14) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def forecast_note(f: dict[str, Any]) -> str:
    parts = []
    if f.get("rounds"):
        parts.append(f"{f['rounds']} rounds, {f.get('n_moves', 0)} moves")
    if f.get("notes"):
        parts.append(clip(f["notes"][0], 160))
    return "; ".join(parts)


def zone_verdict(d: dict[str, Any]) -> str:
    p = d.get("p_zone_nonempty")
    sure = f" (P = {pct(p)} over the scenario's ranges)" if p is not None else ""
    if d.get("zone_nonempty"):
        return f"A zone of agreement exists: some package beats the status quo for every veto player{sure}."
    return f"No zone of agreement: no package beats the status quo for every veto player{sure}."


def zone_details(d: dict[str, Any]) -> list[str]:
    out: list[str] = []
    if d.get("unanimity"):
        out.append(
            "This scenario names no veto players, so every actor is treated as one (a unanimity "
            "rule, as in 'detente diagnose'); mark actors with 'veto: true' to change that."
        )
    gap = d.get("gap") or {}
    if not d.get("zone_nonempty") and d.get("knife_edge"):
        out.append(
            "Knife edge: the status quo is Pareto-optimal for the veto players, so no package "
            "beats it strictly for all of them; the gap is only their strict-preference margins "
            "and any concession would open a zone."
        )
        return out
    if not d.get("zone_nonempty") and gap.get("point") is not None:
        q = gap.get("quantiles") or {}
        rng = (
            f" (5th to 95th percentile over the ranges: {span(q.get('0.05'), q.get('0.95'))})"
            if q
            else ""
        )
        out.append(
            f"Gap {num(gap['point'])}{rng}: the smallest total concession, in salience-weighted "
            "share of the scale, that would open a zone."
        )
    for b in d.get("blockers") or []:
        out.append(f"Blocked by: {b['detail']}")
    pkg = d.get("best_package")
    if d.get("zone_nonempty") and pkg:
        out.append(
            "A deal inside the zone: "
            + ", ".join(f"{k} {num(v)}" for k, v in pkg.items())
            + f" ({d.get('best_package_is', '')})."
        )
    drivers = [x for x in d.get("drivers") or [] if x.get("rho_gap") is not None][:3]
    if drivers:
        out.append(
            "The gap hinges most on: "
            + ", ".join(f"{x['path']} (rank corr. {x['rho_gap']:+.2f})" for x in drivers)
            + "."
        )
    return out


def provenance_sentence(p: dict[str, Any]) -> str:
    counts = p.get("counts", {})
    names = {
        "quote": "quoted from a source",
        "fact": "cited facts",
        "judgement": "analyst judgements",
        "imported": "imported from a file",
        "calibrated": "calibrated to data",
        "none": "without a source",
    }
    parts = [f"{n} {names.get(k, k)}" for k, n in counts.items()]
    return (
        f"{p.get('n_numbers', 0)} numbers: "
        + ", ".join(parts)
        + f"; {p.get('n_uncertain', 0)} carry a range that the Monte Carlo analyses sample."
    )


def headline(r: AnalysisReport) -> str:
    """One sentence of conclusions from the sections that were computed."""
    bits: list[str] = []
    if r.diagnosis is not None:
        d = r.diagnosis
        bits.append(
            ("a zone of agreement exists" if d.get("zone_nonempty") else "no zone of agreement")
            + (
                f" (P = {pct(d.get('p_zone_nonempty'))})"
                if d.get("p_zone_nonempty") is not None
                else ""
            )
        )
    if r.outlook is not None and r.outlook.get("horizons"):
        last = r.outlook["horizons"][-1]
        bits.append(
            f"by month {last['month']}: P(talks) {pct(last['talks'])}, "
            f"P(agreement) {pct(last['agreement'])}, P(crisis) {pct(last['crisis'])}"
        )
    if r.claims is not None and r.claims.get("counts"):
        bits.append(claim_counts(r.claims["counts"]))
    return ("In short: " + "; ".join(bits) + ".") if bits else ""


def change_sentence(o: dict[str, Any]) -> str:
    """The outlook at its last horizon without and with a dramatic political change in either
    capital (the runs split by whether one happened)."""
    h = (o.get("horizons") or [{}])[-1]
    bc = h.get("by_change")
    if not bc:
        return ""
    no, yes, share = bc.get("no_change"), bc.get("with_change"), bc.get("p_change")
    if not no or share is None:
        return ""
    text = (
        f"By month {h['month']}, without a dramatic political change in either capital: "
        f"P(talks) {pct(no['talks'])}, P(agreement) {pct(no['agreement'])}, P(crisis) {pct(no['crisis'])}"
    )
    if yes and share > 0:
        text += (
            f"; with one ({pct(share)} of runs): P(talks) {pct(yes['talks'])}, "
            f"P(agreement) {pct(yes['agreement'])}, P(crisis) {pct(yes['crisis'])}"
        )
    return text + "."


def calibration_sentence(c: dict[str, Any] | None) -> str:
    """What the rolling-origin backtest of the simulation found, in plain words."""
    if not c:
        return ""
    if not c.get("verdicts"):
        return c.get("note") or ""
    s = c.get("backtest", {}).get("settings", {})
    head = (
        f"Backtest of the simulation on the record {c.get('record')} (test origins from "
        f"{s.get('test_first_origin', '?')}, out of sample):"
    )
    return head + " " + " ".join(c["verdicts"])


_VERDICT_PHRASE = {
    "holds": "hold",
    "fails": "fail",
    "too-close-to-call": "too close to call",
    "not-applicable": "not applicable",
}


def claim_counts(counts: dict[str, int]) -> str:
    """``{"holds": 5, "fails": 2, "encoded": 2}`` -> ``"of 7 findings, 5 hold, 2 fail;
    2 claims encoded in the scenario"`` (encoded claims restate inputs and are not findings)."""
    findings = {k: n for k, n in counts.items() if k != "encoded"}
    total = sum(findings.values())
    parts = [f"{n} {_VERDICT_PHRASE.get(k, k)}" for k, n in findings.items()]
    text = f"of {total} findings, " + ", ".join(parts) if parts else "no findings"
    if counts.get("encoded"):
        text += f"; {counts['encoded']} claims encoded in the scenario (not findings)"
    return text


def top_levers(d: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """The diagnosis' levers in its order (named first), without searched levers that repeat
    a lever already listed, at most ``n``."""
    seen: set[str] = set()
    out = []
    for lv in d.get("levers") or []:
        change = lv.get("change", "")
        if change in seen:
            continue
        seen.add(change)
        out.append(lv)
    return out[:n]
