"""The backtest's findings in plain words, and the stored summary the report reads.

``detente backtest dynamics --save`` writes the summary of the last backtest as
``backtest.json`` in the record's folder; :func:`load_summary` reads it back (the report
cannot run a full backtest inside ``detente run``) and :func:`backtest_verdicts` says, per
target, where the simulation beats each baseline out of sample and where it does not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["SUMMARY_FILE", "backtest_verdicts", "load_summary", "save_summary"]

SUMMARY_FILE = "backtest.json"

_WORDS = {
    "provocations_log": "monthly provocation events (log score)",
    "provocations_crps": "monthly provocation events (CRPS)",
    "missiles_log": "monthly missiles launched (log score)",
    "missiles_crps": "monthly missiles launched (CRPS)",
    "talks_brier": "P(talks by the horizon) (Brier score)",
    "talks_log": "P(talks by the horizon) (log score)",
    "strategic_brier": "P(a strategic provocation in a month) (Brier score)",
    "strategic_log": "P(a strategic provocation in a month) (log score)",
}


def _folder(record_id: str | Path) -> Path:
    from ..data.records import load_record

    rec = load_record(record_id)
    assert rec.folder is not None
    return rec.folder


def save_summary(summary: dict[str, Any], record_id: str | Path) -> Path:
    """Write ``summary`` (:meth:`BacktestResult.summary_dict`) beside the record."""
    path = _folder(record_id) / SUMMARY_FILE
    path.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return path


def load_summary(record_id: str | Path) -> dict[str, Any] | None:
    """The stored summary of the record's last backtest, or None when there is none."""
    path = _folder(record_id) / SUMMARY_FILE
    if not path.exists():
        return None
    out: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return out


def backtest_verdicts(summary: dict[str, Any]) -> list[str]:
    """One sentence per target: the horizons at which the simulation beats every baseline
    out of sample, and the baselines it loses to elsewhere; then the yearly calibration and
    the heavy-year check."""
    out: list[str] = []
    for target, spec in summary.get("targets", {}).items():
        rows = dict(sorted(spec.get("horizons", {}).items(), key=lambda kv: int(kv[0])))
        if not rows:
            continue
        name = _WORDS.get(target, target)
        wins = [h for h, r in rows.items() if r["beats_all"]]
        losses = {
            h: sorted(b for b, ok in r["beats"].items() if not ok)
            for h, r in rows.items()
            if not r["beats_all"]
        }
        n = max(r["n_test_origins"] for r in rows.values())
        if not losses:
            out.append(
                f"{name}: beats every baseline out of sample at every horizon "
                f"({', '.join(wins)} months; up to {n} test origins)."
            )
        elif not wins:
            lost = "; ".join(f"{h} m: {', '.join(b)}" for h, b in losses.items())
            out.append(f"{name}: does NOT beat the baselines out of sample ({lost}).")
        else:
            lost = "; ".join(f"{h} m: {', '.join(b)}" for h, b in losses.items())
            out.append(
                f"{name}: beats every baseline at {', '.join(wins)} months, not at the others "
                f"({lost})."
            )
    yearly = summary.get("yearly", {})
    for series, fcs in yearly.items():
        sim = fcs.get("simulation")
        if sim:
            out.append(
                f"yearly {series}: the simulation's 50% and 90% intervals hold "
                f"{sim['coverage_50']:.0%} and {sim['coverage_90']:.0%} of the test years "
                f"(mean PIT {sim['pit_mean']:.2f}; 0.5 is calibrated)."
            )
    heavy = summary.get("heavy_years", {})
    for series in ("provocations", "missiles"):
        h = heavy.get(series)
        if h:
            out.append(
                f"years with >= {heavy['threshold']} {series}: {h['simulated_share']:.0%} of "
                f"simulated years against {h['record_heavy_years']} of {h['record_years_n']} in "
                f"{heavy['record_years']} (PIT {h['pit']:.2f})."
            )
    return out
