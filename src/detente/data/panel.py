"""The monthly panel the dynamics are calibrated on, built from the packaged facts.

One row per month (Korean local months). Provocations are counted as CSIS *events*, not CNS
missiles: a salvo of four missiles is one provocation. Up to 2018-08 the counts are those of
the CSIS monthly series (Cha & Collins); from 2018-09 they are rebuilt from the CSIS
event-level file, which matches the monthly series in 96 % of the overlapping months (see
:func:`overlap_check`). Negotiation events (and so ``talks``) end 2018-08: later months have
``talks`` missing, not false.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError
from .loaders import (
    load_missile_tests,
    load_monthly,
    load_negotiation_events,
    load_nuclear_tests,
    load_provocations,
)

__all__ = ["STRATEGIC_MISSILE_TYPES", "monthly_panel", "overlap_check"]

#: Missile types whose launch counts as a strategic (crisis-grade) provocation.
STRATEGIC_MISSILE_TYPES = ("IRBM", "ICBM", "SLV")

#: Months of the large annual US-ROK exercises (spring: Key Resolve/Foal Eagle, later
#: Dong Maeng; summer: Ulchi Freedom Guardian). A fact of the exercise calendar.
EXERCISE_MONTHS = (3, 8)


def monthly_panel(start: str = "1990-01", end: str = "2021-06") -> pd.DataFrame:
    """Monthly counts of provocations and negotiation events, with the talks indicator.

    Columns
    -------
    month : period[M]
    provocations : int64
        CSIS provocation events in the month (monthly series to 2018-08, events after).
    provocations_source : category {csis_monthly, csis_events}
    provocation_events : int64
        The count rebuilt from the CSIS event-level file, for every month.
    negotiation_events : Int64
        US–North Korea negotiation events; <NA> after 2018-08 (not observed).
    talks : boolean
        At least one negotiation event in the month; <NA> after 2018-08.
    missiles : int64
        CNS missiles launched in the (Korean local) month: several per salvo.
    strategic : bool
        A nuclear test or an IRBM/ICBM/space launch in the month (a crisis-grade provocation).
    exercise : bool
        March or August (the large US-ROK exercises).

    Raises
    ------
    DataError
        When ``start``/``end`` are not ``YYYY-MM`` or the span is outside 1990-01..2021-06.
    """
    try:
        first, last = pd.Period(start, freq="M"), pd.Period(end, freq="M")
    except ValueError as err:
        raise DataError(f"panel span: months read 'YYYY-MM'; got {start!r}..{end!r}") from err
    lo, hi = pd.Period("1990-01", freq="M"), pd.Period("2021-06", freq="M")
    if first < lo or last > hi or first > last:
        raise DataError(
            f"panel span {first}..{last}: must lie within {lo}..{hi} (the packaged record) "
            "and start before it ends"
        )
    months = pd.period_range(first, last, freq="M")
    out = pd.DataFrame({"month": months})

    prov = load_provocations()
    by_month = prov.groupby("month", observed=True).size()
    events = out["month"].map(by_month).fillna(0).astype("int64")
    monthly = load_monthly().set_index("month")
    csis = out["month"].map(monthly["provocations"])
    out["provocations"] = csis.fillna(events).astype("int64")
    out["provocations_source"] = pd.Categorical(
        np.where(csis.notna(), "csis_monthly", "csis_events"), ["csis_monthly", "csis_events"]
    )
    out["provocation_events"] = events

    neg = load_negotiation_events().groupby("month").size()
    observed = out["month"] <= monthly.index.max()
    ne = out["month"].map(neg).fillna(0).astype("int64")
    out["negotiation_events"] = pd.array(np.where(observed, ne, 0), dtype="Int64")
    out.loc[~observed, "negotiation_events"] = pd.NA
    out["talks"] = (out["negotiation_events"] > 0).astype("boolean")

    cns = load_missile_tests()
    kst_month = cns["date_kst"].dt.to_period("M").fillna(cns["month"])
    out["missiles"] = out["month"].map(kst_month.value_counts()).fillna(0).astype("int64")
    strategic = set(kst_month[cns["missile_type"].isin(STRATEGIC_MISSILE_TYPES)])
    strategic |= set(load_nuclear_tests()["date_kst"].dt.to_period("M"))
    out["strategic"] = out["month"].isin(strategic)
    out["exercise"] = out["month"].dt.month.isin(EXERCISE_MONTHS)
    return out


def overlap_check() -> pd.DataFrame:
    """Months (1990-01..2018-08) where the CSIS monthly series and the event file disagree.

    Returns the columns ``month``, ``monthly`` (series count), ``events`` (event-file count).
    """
    p = monthly_panel("1990-01", "2018-08")
    d = p[p["provocations"] != p["provocation_events"]]
    return pd.DataFrame(
        {
            "month": d["month"],
            "monthly": d["provocations"],
            "events": d["provocation_events"],
        }
    ).reset_index(drop=True)
