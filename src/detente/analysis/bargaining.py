"""Compatibility alias: the bargaining set moved to the bargaining core, :mod:`detente.core`.

Import from :mod:`detente.core`; this module only re-exports its public names (no logic), so
code written against ``detente.analysis.bargaining`` keeps working for one release.
"""

from __future__ import annotations

from ..core import (
    LP_TOLERANCE,
    STRICT_MARGIN,
    BargainingInputs,
    Blocker,
    GapResult,
    ZoneDetails,
    bargaining_inputs,
    maximin_packages,
    win_set_gap,
    zone_details,
    zone_open,
    zone_volume,
)

__all__ = [
    "LP_TOLERANCE",
    "STRICT_MARGIN",
    "BargainingInputs",
    "Blocker",
    "GapResult",
    "ZoneDetails",
    "bargaining_inputs",
    "maximin_packages",
    "win_set_gap",
    "zone_details",
    "zone_open",
    "zone_volume",
]
