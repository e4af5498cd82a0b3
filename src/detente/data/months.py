"""Months as counts (year x 12 + month - 1), so a record is read and its months compared and
stepped without pandas' ``Period`` (a simulation imports no pandas)."""

from __future__ import annotations

import datetime
import re

__all__ = ["month_index", "month_label"]

_MONTH = re.compile(r"\d{4}-\d{2}(-\d{2})?")


def month_index(text: str) -> int | None:
    """``YYYY-MM`` (or the month of a valid ``YYYY-MM-DD``) as a count of months (year x 12 +
    month - 1), or None when the text is not such a date."""
    t = str(text).strip()
    if not _MONTH.fullmatch(t):
        return None
    y, m = int(t[:4]), int(t[5:7])
    if len(t) == 10:
        try:
            datetime.date(y, m, int(t[8:]))
        except ValueError:
            return None
    return y * 12 + m - 1 if 1 <= m <= 12 else None


def month_label(k: int) -> str:
    """The ``YYYY-MM`` of a count of months (:func:`month_index`)."""
    return f"{k // 12:04d}-{k % 12 + 1:02d}"
