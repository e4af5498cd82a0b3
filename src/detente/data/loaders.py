"""Loaders for the packaged facts (see ``files/SOURCES.md`` for sources and terms).

Every loader returns a fresh :class:`pandas.DataFrame` with typed, documented columns and
raises :class:`~detente.errors.DataError` naming the file, the row and what is wrong when a
packaged file is missing or malformed. Dates are kept in the calendar they were published
in (CNS: UTC; CSIS: Korean local) and the CNS table gains a ``date_kst`` column so the two
can be matched; :func:`detente.data.panel.monthly_panel` builds the monthly series used to
calibrate the dynamics.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = [
    "KST_OFFSET",
    "data_path",
    "load_cameo",
    "load_missile_tests",
    "load_monthly",
    "load_negotiation_events",
    "load_nuclear_tests",
    "load_provocations",
]

#: Korea Standard Time is UTC+9 (no daylight saving since 1988).
KST_OFFSET = pd.Timedelta(hours=9)

FILES = {
    "missile_tests": "cns_dprk_missile_tests_1984_2021h1.csv",
    "provocations": "csis_dprk_provocations_1958_2021h1.csv",
    "monthly": "csis_us_dprk_monthly_1990_2018.csv",
    "negotiation_events": "csis_us_dprk_negotiation_events_1990_2018.csv",
    "nuclear_tests": "dprk_nuclear_tests_2006_2017.csv",
    "cameo_codes": "cameo_eventcodes.tsv",
    "cameo_goldstein": "cameo_goldstein.tsv",
}


def data_path(name: str) -> Path:
    """The path of a packaged data file (a key of ``FILES`` or a file name)."""
    fname = FILES.get(name, name)
    return Path(str(resources.files("detente.data") / "files" / fname))


def _read(name: str, required: Sequence[str], *, sep: str = ",") -> pd.DataFrame:
    path = data_path(name)
    if not path.exists():
        raise DataError(
            f"{path}: packaged data file is missing; reinstall detente (pip install -e .)"
        )
    try:
        df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DataError(f"{path.name}: cannot be parsed as a table ({err})") from err
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataError(
            f"{path.name}: missing column(s) {', '.join(missing)}; found {', '.join(df.columns)}"
        )
    if df.empty:
        raise DataError(f"{path.name}: the table has no rows")
    return df.apply(lambda s: s.str.strip())


def _convert(
    df: pd.DataFrame, fname: str, column: str, fn: Callable[[str], object], *, allow_empty: bool
) -> pd.Series:
    out: list[object] = []
    for k, text in enumerate(df[column]):
        if text == "" or text.lower() in ("unknown", "nan"):
            if not allow_empty:
                raise DataError(
                    f"{fname} row {k + 2}, column {column}: empty value; this column is required"
                )
            out.append(None)
            continue
        try:
            out.append(fn(text))
        except (ValueError, TypeError) as err:
            raise DataError(
                f"{fname} row {k + 2}, column {column}: cannot read {text!r} ({err})"
            ) from err
    return pd.Series(out, index=df.index, dtype=object)


def _float(df: pd.DataFrame, fname: str, column: str) -> pd.Series:
    s = _convert(df, fname, column, float, allow_empty=True)
    return s.astype("float64")


def _int(df: pd.DataFrame, fname: str, column: str) -> pd.Series:
    s = _convert(df, fname, column, int, allow_empty=False)
    return s.astype("int64")


def _month(text: str) -> pd.Period:
    if len(text) != 7:
        raise ValueError("expected YYYY-MM")
    return pd.Period(text, freq="M")


def _day(text: str) -> pd.Timestamp:
    if len(text) != 10:
        raise ValueError("expected YYYY-MM-DD")
    return pd.Timestamp(text)


@cache
def _missile_tests() -> pd.DataFrame:
    f = FILES["missile_tests"]
    raw = _read(
        "missile_tests",
        [
            "cns_id",
            "date",
            "date_precision",
            "launch_time_utc",
            "missile_name",
            "missile_type",
            "facility_name",
            "facility_lat",
            "facility_lon",
            "apogee_km",
            "distance_km",
            "confirmation",
            "outcome",
        ],
    )
    bad = sorted(set(raw["date_precision"]) - {"day", "month"})
    if bad:
        raise DataError(f"{f}: date_precision must be 'day' or 'month'; got {bad}")
    dates = []
    for k, (text, prec) in enumerate(zip(raw["date"], raw["date_precision"], strict=True)):
        try:
            dates.append(pd.Timestamp(text + ("-01" if prec == "month" else "")))
        except ValueError as err:
            raise DataError(f"{f} row {k + 2}, column date: cannot read {text!r} ({err})") from err
        if (prec == "day") != (len(text) == 10):
            raise DataError(
                f"{f} row {k + 2}: date {text!r} does not match date_precision {prec!r}"
            )
    times = _convert(
        raw,
        f,
        "launch_time_utc",
        lambda t: pd.to_datetime(t, format="%I:%M:%S %p") - pd.Timestamp("1900-01-01"),
        allow_empty=True,
    )
    out = pd.DataFrame(
        {
            "cns_id": _int(raw, f, "cns_id"),
            "date_utc": pd.Series(dates, index=raw.index, dtype="datetime64[ns]"),
            "date_precision": pd.Categorical(raw["date_precision"], ["day", "month"]),
            "launch_time_utc": pd.Series(times, index=raw.index, dtype="timedelta64[ns]"),
            "missile_name": raw["missile_name"].astype("string"),
            "missile_type": raw["missile_type"].astype("category"),
            "facility_name": raw["facility_name"].astype("string"),
            "facility_lat": _float(raw, f, "facility_lat"),
            "facility_lon": _float(raw, f, "facility_lon"),
            "apogee_km": _float(raw, f, "apogee_km"),
            "distance_km": _float(raw, f, "distance_km"),
            "confirmation": raw["confirmation"].astype("category"),
            "outcome": raw["outcome"].astype("category"),
        }
    )
    launched = out["date_utc"] + out["launch_time_utc"]
    out["launched_at_utc"] = launched.dt.tz_localize("UTC")
    # Korean local date: shift by +9 h when the launch time is known, else keep the UTC date
    # (day precision) or leave it unknown (month precision).
    kst = (launched + KST_OFFSET).dt.normalize()
    kst = kst.where(out["launch_time_utc"].notna(), out["date_utc"])
    out["date_kst"] = kst.where(out["date_precision"] == "day")
    out["month"] = out["date_utc"].dt.to_period("M")
    return out


def load_missile_tests() -> pd.DataFrame:
    """CNS North Korea Missile Test Database: one row per missile (not per event).

    Columns
    -------
    cns_id : int64
        CNS row identifier.
    date_utc : datetime64
        Launch date in UTC (first of the month when ``date_precision`` is ``month``).
    date_precision : category {day, month}
    launch_time_utc : timedelta64
        Time of day of the launch in UTC; NaT when unknown.
    launched_at_utc : datetime64[UTC]
        ``date_utc + launch_time_utc``; NaT when the time is unknown.
    date_kst : datetime64
        Korean local date (UTC+9) when the launch time is known, the UTC date when only the
        day is known, NaT for month-precision rows. Use this to match CSIS events.
    month : period[M]
        UTC month.
    missile_name, facility_name : string
    missile_type : category (SRBM, MRBM, IRBM, ICBM, SLBM, SLV, Unknown)
    facility_lat, facility_lon, apogee_km, distance_km : float64 (NaN when unknown)
    confirmation, outcome : category

    Source: CNS for NTI, "The CNS North Korea Missile Test Database" (cite CNS/NTI).
    """
    return _missile_tests().copy()


@cache
def _provocations() -> pd.DataFrame:
    f = FILES["provocations"]
    raw = _read("provocations", ["date", "type", "event"])
    types = {"Missile Provocation": "missile", "Nuclear Provocation": "nuclear"}
    types["Other Provocation"] = "other"
    bad = sorted(set(raw["type"]) - set(types))
    if bad:
        raise DataError(f"{f}: unknown provocation type(s) {bad}; expected {sorted(types)}")
    date = _convert(raw, f, "date", _day, allow_empty=False).astype("datetime64[ns]")
    return pd.DataFrame(
        {
            "date_kst": date,
            "month": date.dt.to_period("M"),
            "type": pd.Categorical(raw["type"].map(types), ["missile", "nuclear", "other"]),
            "event": raw["event"].astype("string"),
        }
    )


def load_provocations() -> pd.DataFrame:
    """CSIS Beyond Parallel database of North Korean provocations: one row per event.

    Columns
    -------
    date_kst : datetime64
        Korean local date of the event.
    month : period[M]
        Korean local month.
    type : category {missile, nuclear, other}
    event : string
        Short label (e.g. "Short-range Ballistic Missile Launch").

    Known gap: the 2017-11-29 Hwasong-15 launch is missing.
    Source: CSIS Beyond Parallel, "Database of North Korean Provocations" (cite CSIS).
    """
    return _provocations().copy()


@cache
def _monthly() -> pd.DataFrame:
    f = FILES["monthly"]
    raw = _read("monthly", ["month", "provocations", "negotiation_events"])
    month = _convert(raw, f, "month", _month, allow_empty=False)
    out = pd.DataFrame(
        {
            "month": pd.PeriodIndex(month.tolist(), freq="M"),
            "provocations": _int(raw, f, "provocations"),
            "negotiation_events": _int(raw, f, "negotiation_events"),
        }
    )
    if (out[["provocations", "negotiation_events"]] < 0).to_numpy().any():
        raise DataError(f"{f}: counts must be >= 0")
    if out["month"].duplicated().any():
        dup = out["month"][out["month"].duplicated()].astype(str).tolist()
        raise DataError(f"{f}: duplicated month(s) {dup}")
    return out


def load_monthly() -> pd.DataFrame:
    """CSIS monthly counts of North Korean provocations and US–North Korea negotiation events, 1990-01..2018-08.

    Columns
    -------
    month : period[M]
    provocations : int64
        Provocation events in the month (CSIS events, Korean local dates).
    negotiation_events : int64
        US–North Korea negotiation events in the month.

    Source: CSIS Beyond Parallel, "Negotiations and provocations: 27 years of US–North Korea
    relations" (Cha & Collins); cite CSIS.
    """
    return _monthly().copy()


@cache
def _negotiation_events() -> pd.DataFrame:
    f = FILES["negotiation_events"]
    raw = _read("negotiation_events", ["month", "leadership", "event_type", "parties"])
    month = _convert(raw, f, "month", _month, allow_empty=False)
    parties = raw["parties"].map(lambda t: tuple(p.strip() for p in t.split(",") if p.strip()))
    return pd.DataFrame(
        {
            "month": pd.PeriodIndex(month.tolist(), freq="M"),
            "leadership": raw["leadership"].astype("string"),
            "event_type": raw["event_type"].str.replace(r"\s+", " ", regex=True).astype("category"),
            "parties": parties,
            "n_parties": parties.map(len).astype("int64"),
            "multilateral": parties.map(lambda p: len(p) > 2),
        }
    )


def load_negotiation_events() -> pd.DataFrame:
    """US–North Korea negotiation events, 1990-01..2018-08: one row per event.

    Columns
    -------
    month : period[M]
    leadership : string
        The leaders at the time ("George H.W. Bush, Kim Il-sung").
    event_type : category
        "Political Dialogue (Nuclear)", "Nuclear Dialogue", "Political Dialogue"
        (stray whitespace in the source removed).
    parties : object (tuple of str)
        e.g. the two parties or the six parties.
    n_parties : int64
    multilateral : bool
        More than two parties.

    Known gaps: no row for the Agreed Framework signature (1994-10-21); none 2013-2017
    (correct: none were held). Source: CSIS Beyond Parallel (Cha & Collins); cite CSIS.
    """
    return _negotiation_events().copy()


@cache
def _nuclear_tests() -> pd.DataFrame:
    f = FILES["nuclear_tests"]
    raw = _read(
        "nuclear_tests",
        ["no", "date_utc", "time_utc", "latitude", "longitude", "depth_m", "yield_kt"],
    )
    date = _convert(raw, f, "date_utc", _day, allow_empty=False).astype("datetime64[ns]")
    t = _convert(raw, f, "time_utc", pd.Timedelta, allow_empty=False).astype("timedelta64[ns]")
    origin = (date + t).dt.tz_localize("UTC")
    return pd.DataFrame(
        {
            "test": _int(raw, f, "no"),
            "origin_utc": origin,
            "date_kst": (date + t + KST_OFFSET).dt.normalize(),
            "latitude": _float(raw, f, "latitude"),
            "longitude": _float(raw, f, "longitude"),
            "depth_m": _float(raw, f, "depth_m"),
            "yield_kt": _float(raw, f, "yield_kt"),
            "yield_kt_sd": _float(raw, f, "yield_kt_sd")
            if "yield_kt_sd" in raw
            else pd.Series(np.nan, index=raw.index),
        }
    )


def load_nuclear_tests() -> pd.DataFrame:
    """The six North Korean nuclear tests, 2006-2017, with seismic yield estimates.

    Columns
    -------
    test : int64 (1..6)
    origin_utc : datetime64[UTC]
    date_kst : datetime64
        Korean local date of the origin time.
    latitude, longitude : float64
    depth_m : float64 (NaN for the first test)
    yield_kt, yield_kt_sd : float64

    Source: Yao, Tian, Sun & Wen (2018), Seismological Research Letters 89(6),
    doi:10.1785/0220180133.
    """
    return _nuclear_tests().copy()


@cache
def _cameo() -> pd.DataFrame:
    f1, f2 = FILES["cameo_codes"], FILES["cameo_goldstein"]
    codes = _read("cameo_codes", ["CAMEOEVENTCODE", "EVENTDESCRIPTION"], sep="\t")
    weights = _read("cameo_goldstein", ["CAMEOEVENTCODE", "GOLDSTEINSCALE"], sep="\t")
    g = _float(weights, f2, "GOLDSTEINSCALE")
    if g.isna().any() or not g.between(-10, 10).all():
        raise DataError(f"{f2}: Goldstein weights must be numbers in [-10, 10]")
    w = dict(zip(weights["CAMEOEVENTCODE"], g, strict=True))
    out = pd.DataFrame(
        {
            "code": codes["CAMEOEVENTCODE"].astype("string"),
            "description": codes["EVENTDESCRIPTION"].astype("string"),
            "root": codes["CAMEOEVENTCODE"].str[:2].astype("string"),
        }
    )
    out["goldstein"] = out["code"].map(w).astype("float64")
    if out["code"].duplicated().any():
        raise DataError(f"{f1}: duplicated CAMEO codes")
    return out


def load_cameo() -> pd.DataFrame:
    """CAMEO event codes with their Goldstein conflict-cooperation weights.

    Columns
    -------
    code : string (e.g. "0311")
    description : string
    root : string
        The two-digit root code (01 make statement ... 20 mass violence).
    goldstein : float64
        Goldstein (1992) weight in [-10, 10]; NaN where the lookup has none.

    Sources: GDELT lookup tables; Schrodt (2012) CAMEO codebook; Goldstein (1992),
    J. Conflict Resolution 36(2):369-385, doi:10.1177/0022002792036002007.
    """
    return _cameo().copy()
