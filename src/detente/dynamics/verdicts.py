"""The backtest's findings in plain words, and the stored summary the report reads.

``detente backtest dynamics --save`` writes the summary of the last backtest as
``backtest.json`` in the record's folder, keyed by :func:`backtest_key` (a hash of the
scenario, the record's events, the backtest's settings and the source of the code the
simulation runs on); :func:`load_summary` reads it back (the report cannot run a full
backtest inside ``detente run``) and refuses it when the key of the current scenario and
code differs, so the report never quotes verdicts of another model.
:func:`backtest_verdicts` says, per target, where the simulation beats each baseline out of
sample and where it does not.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._outputs import write_atomic
from ..data.months import month_label
from ..data.records import COLUMNS, load_record

if TYPE_CHECKING:
    from ..scenario.schema import Scenario

__all__ = [
    "SUMMARY_FILE",
    "StoredSummary",
    "backtest_key",
    "backtest_verdicts",
    "load_summary",
    "save_summary",
    "summary_path",
]

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


def summary_path(record_id: str | Path) -> Path:
    """Where the record's last backtest summary is stored: ``backtest.json`` in a folder
    record (a bundled one), ``NAME.backtest.json`` beside a user's CSV record ``NAME.csv``."""
    rec = load_record(record_id)
    if rec.folder is not None:
        return rec.folder / SUMMARY_FILE
    path = Path(record_id).expanduser()
    return path.with_name(f"{path.stem}.{SUMMARY_FILE}")


#: The source the simulation and its backtest run on (the key's code part), relative to the
#: package: the dynamics, the record reader (and its months), the scenario's arrays (its
#: draws), the bargaining core (the zone test) and the special functions the draws and the
#: event likelihood call.
CODE_FILES = (
    "dynamics/*.py", "data/records.py", "data/months.py", "scenario/arrays.py", "core/*.py",
    "_special.py",
)  # fmt: skip


def _code_files() -> list[Path]:
    root = Path(__file__).parents[1]
    return sorted(f for pattern in CODE_FILES for f in root.glob(pattern))


def _canonical(s: Scenario) -> Scenario:
    """``s`` with every id replaced by its kind and position (actor 0, issue 2, ...), so the
    key follows the case's structure, not its names (renaming every id keeps the key)."""
    from ..scenario.rename import rename_ids

    groups = (
        ("a", s.actor_ids),
        ("i", s.issue_ids),
        ("d", tuple(s.drivers)),
        ("t", tuple(t.id for a in s.actors for t in a.tools)),
        ("e", tuple(e.id for e in s.events)),
        ("w", tuple(w.id for w in s.what_ifs)),
        ("c", tuple(c.id for c in s.claims)),
    )
    mapping: dict[str, str] = {}
    for prefix, ids in groups:
        for k, x in enumerate(ids):
            mapping.setdefault(x, f"{prefix}{k}-canonical")
    return rename_ids(s, mapping)


def backtest_key(s: Scenario, settings: dict[str, Any]) -> str:
    """A hash of what a backtest's verdicts depend on: the scenario (every number), the
    record's events, the settings that change its scores (runs, seed, samples) and the
    source of the code (:data:`CODE_FILES`)."""
    h = hashlib.sha256()
    dump = _canonical(s).model_dump(mode="json")
    h.update(json.dumps(dump, sort_keys=True, default=str).encode())
    if s.roles is not None and s.roles.record is not None:
        rec = load_record(s.roles.record)
        h.update(_events_csv(rec.columns_of_events))
        h.update(f"{month_label(rec.first)}..{month_label(rec.last)}".encode())
    picked = {k: settings.get(k) for k in ("runs", "seed", "samples")}
    h.update(json.dumps(picked, sort_keys=True, default=str).encode())
    for f in _code_files():
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def _events_csv(columns: dict[str, Any]) -> bytes:
    """The record's events as CSV text (the columns of :data:`detente.data.records.COLUMNS`,
    minimal quoting, ``\\n`` line ends: the bytes ``pandas.DataFrame.to_csv`` wrote)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(zip(*(columns[c].tolist() for c in COLUMNS), strict=True))
    return out.getvalue().encode()


def save_summary(summary: dict[str, Any], record_id: str | Path, key: str | None = None) -> Path:
    """Write ``summary`` (:meth:`BacktestResult.summary_dict`) beside the record, with the
    ``key`` (:func:`backtest_key`) of the scenario and code that produced it."""
    path = summary_path(record_id)
    out = {**summary, "key": key}
    write_atomic(path, json.dumps(out, indent=1) + "\n")
    return path


class StoredSummary(dict[str, Any]):
    """A stored summary with ``status``: ``current`` (its key is the current scenario's and
    code's) or ``stale`` (another scenario or code made it; its verdicts must not be quoted)."""

    status: str = "current"


def load_summary(record_id: str | Path, scenario: Scenario | None = None) -> StoredSummary | None:
    """The stored summary of the record's last backtest, or None when there is none.

    With ``scenario`` (the one about to be reported) the summary's ``status`` is ``stale``
    unless it was stored with that scenario's :func:`backtest_key` under the stored
    settings (the same scenario, record and code).
    """
    path = summary_path(record_id)
    if not path.exists():
        return None
    out = StoredSummary(json.loads(path.read_text(encoding="utf-8")))
    if scenario is not None:
        key = backtest_key(scenario, out.get("settings", {}))
        if out.get("key") != key:
            out.status = "stale"
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
            tr = sim.get("train")
            ok = 0.4 <= sim["coverage_50"] <= 0.6 and 0.8 <= sim["coverage_90"] <= 0.97
            out.append(
                f"yearly {series}: the simulation's 50% and 90% intervals hold "
                f"{sim['coverage_50']:.0%} and {sim['coverage_90']:.0%} of the test years "
                f"(mean PIT {sim['pit_mean']:.2f}; 0.5 is calibrated)"
                + (
                    f", against {tr['coverage_50']:.0%} and {tr['coverage_90']:.0%} of the "
                    "training years"
                    if tr
                    else ""
                )
                + ("." if ok else ": NOT calibrated out of sample (target 40-60% and 80-97%).")
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
