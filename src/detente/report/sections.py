"""The report's analysis sections: each calls the library and keeps plain, JSON-ready numbers.

A section that needs information the scenario lacks records a sentence in
``report.missing`` and leaves its data as None; the renderers print that sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ..scenario import Scenario
    from .build import AnalysisReport

__all__ = ["apply_what_ifs", "calibration", "claims", "diagnosis", "outlook"]


def _absent(report: AnalysisReport, section: str, why: str) -> None:
    report.missing[section] = why


def _module_missing(report: AnalysisReport, section: str, err: ImportError) -> None:
    _absent(report, section, f"not available in this build of detente ({err.name} is missing)")


def apply_what_ifs(s: Scenario, names: Sequence[str]) -> tuple[Scenario, list[str]]:
    """Apply named what-ifs that change the scenario itself (diagnosis levers).

    Shocks that only exist in the dynamics (e.g. a leadership change) are passed to the
    simulation by :func:`outlook`; here they leave the scenario unchanged.
    """
    notes: list[str] = []
    if not names:
        return s, notes
    from .whatifs import apply_named

    for name in names:
        s, note = apply_named(s, name)
        notes.append(note)
    return s, notes


def diagnosis(report: AnalysisReport) -> None:
    s = report.scenario
    if not s.veto_players:
        _absent(
            report,
            "diagnosis",
            "this scenario names no veto players, so there is no zone of agreement to compute "
            "(mark actors with 'veto: true' to add one)",
        )
        return
    try:
        from ..analysis.diagnosis import diagnose
    except ImportError as err:
        _module_missing(report, "diagnosis", err)
        return
    st = report.settings
    d = diagnose(s, draws=st["draws"], seed=st["seed"])
    data: dict[str, Any] = d.to_dict()
    report.diagnosis = data


def outlook(report: AnalysisReport) -> None:
    s = report.scenario
    if not s.drivers and not any(a.tools for a in s.actors):
        _absent(
            report,
            "outlook",
            "this scenario has no tools or drivers, so the crisis dynamics cannot be simulated "
            "(add actors' tools and drivers to get P(talks), P(agreement) and P(crisis))",
        )
        return
    try:
        from ..dynamics import simulate
    except ImportError as err:
        _module_missing(report, "outlook", err)
        return
    st = report.settings
    sim = simulate(s, runs=st["runs"], months=st["months"], seed=st["seed"])
    report.outlook = {"simulation": sim.to_dict()}


def claims(report: AnalysisReport) -> None:
    s = report.scenario
    if not s.claims:
        _absent(
            report,
            "claims",
            "this scenario records no claims of a source text to check",
        )
        return
    try:
        from ..analysis.claims import evaluate_claims
    except ImportError as err:
        _module_missing(report, "claims", err)
        return
    st = report.settings
    res = evaluate_claims(s, draws=st["draws"], seed=st["seed"])
    report.claims = res.to_dict()


def calibration(report: AnalysisReport) -> None:
    if report.outlook is None:
        _absent(
            report,
            "calibration",
            "the calibration against history belongs to the crisis dynamics, which this "
            "scenario does not support",
        )
        return
    try:
        from ..dynamics.calibration import calibrate
    except ImportError as err:
        _module_missing(report, "calibration", err)
        return
    report.calibration = calibrate().to_dict()


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None
