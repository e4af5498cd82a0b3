"""Where a scenario's numbers come from (the summary lives in :mod:`detente.scenario.provenance`,
below the pipeline that computes it; the report only renders it)."""

from __future__ import annotations

from ..scenario.provenance import provenance_summary

__all__ = ["provenance_summary"]
