"""The packaged facts load with typed columns, and the known traps of the record are pinned."""

from __future__ import annotations

import pandas as pd
import pytest

from detente.data import (
    load_cameo,
    load_missile_tests,
    load_monthly,
    load_negotiation_events,
    load_nuclear_tests,
    load_provocations,
    loaders,
    monthly_panel,
    overlap_check,
)
from detente.errors import DataError


def test_row_counts_match_the_published_extracts():
    assert len(load_missile_tests()) == 156
    assert len(load_provocations()) == 294
    assert len(load_monthly()) == 344
    assert len(load_negotiation_events()) == 214
    assert len(load_nuclear_tests()) == 6
    assert len(load_cameo()) >= 300


def test_columns_are_typed():
    m = load_missile_tests()
    assert m["date_utc"].dtype.kind == "M"
    assert m["launch_time_utc"].dtype.kind == "m"
    assert m["facility_lat"].dtype == "float64"  # "Unknown" became NaN
    assert m["facility_lat"].isna().any()
    assert isinstance(load_monthly()["month"].dtype, pd.PeriodDtype)
    neg = load_negotiation_events()
    assert set(neg["event_type"].cat.categories) == {
        "Political Dialogue (Nuclear)",
        "Nuclear Dialogue",
        "Political Dialogue",
    }  # trailing spaces in the source collapsed
    cameo = load_cameo().set_index("code")
    assert cameo.loc["011", "goldstein"] == pytest.approx(-0.1)


def test_loaders_return_copies():
    a = load_provocations()
    a.loc[0, "event"] = "changed"
    assert load_provocations().loc[0, "event"] != "changed"


def test_one_salvo_is_several_cns_missiles_and_one_csis_event():
    # 2017-03-06 (Korean date): extended-range Scuds fired together from Tongchang-ri.
    cns = load_missile_tests()
    salvo = cns[cns["date_kst"] == "2017-03-06"]
    assert len(salvo) == 5
    assert (salvo["missile_name"] == "ER Scud").sum() >= 4
    csis = load_provocations()
    assert (csis["date_kst"] == "2017-03-06").sum() == 1


def test_early_morning_korean_launch_is_the_previous_utc_day():
    cns = load_missile_tests()
    row = cns[(cns["missile_name"] == "ER Scud") & (cns["date_utc"] == "2017-03-05")].iloc[0]
    assert row["launch_time_utc"] == pd.Timedelta("22:34:00")
    assert row["date_kst"] == pd.Timestamp("2017-03-06")  # 07:34 KST the next morning


def test_kst_conversion_improves_the_match_with_csis_dates():
    cns = load_missile_tests()
    cns = cns[(cns["date_precision"] == "day") & (cns["date_utc"] >= "1990-01-01")]
    csis = load_provocations()
    csis_days = set(csis.loc[csis["type"] != "other", "date_kst"])
    utc_days, kst_days = set(cns["date_utc"]), set(cns["date_kst"])
    utc_rate = len(utc_days & csis_days) / len(utc_days)
    kst_rate = len(kst_days & csis_days) / len(kst_days)
    assert kst_rate > utc_rate + 0.2
    assert kst_rate > 0.8


def test_hwasong15_is_missing_from_csis_but_in_cns_and_the_monthly_series():
    cns = load_missile_tests()
    hw15 = cns[cns["missile_name"].str.contains("Hwasong-15", na=False)]
    assert (hw15["date_kst"] == "2017-11-29").any()
    csis = load_provocations()
    assert not (csis["month"] == pd.Period("2017-11", "M")).any()
    monthly = load_monthly().set_index("month")
    assert monthly.loc[pd.Period("2017-11", "M"), "provocations"] == 1


def test_no_negotiation_events_2013_to_2017():
    neg = load_negotiation_events()
    years = neg["month"].dt.year
    assert not years.between(2013, 2017).any()
    assert (years == 2018).any()


def test_no_launch_during_the_summitry_period():
    cns = load_missile_tests()
    gap = cns[(cns["date_utc"] > "2017-11-28") & (cns["date_utc"] < "2019-04-17")]
    assert gap.empty
    assert (cns["date_utc"] == "2017-11-28").any()
    csis = load_provocations()
    assert csis[(csis["date_kst"] > "2017-11-30") & (csis["date_kst"] < "2019-05-09")].empty


def test_panel_uses_csis_monthly_then_events_and_leaves_talks_unobserved_after_2018_08():
    p = monthly_panel().set_index("month")
    assert p.index[0] == pd.Period("1990-01", "M") and p.index[-1] == pd.Period("2021-06", "M")
    assert p.loc[pd.Period("2018-08", "M"), "provocations_source"] == "csis_monthly"
    assert p.loc[pd.Period("2018-09", "M"), "provocations_source"] == "csis_events"
    assert p.loc[pd.Period("2021-03", "M"), "provocations"] == 2
    assert pd.isna(p.loc[pd.Period("2019-02", "M"), "talks"])
    assert p.loc[pd.Period("2018-06", "M"), "talks"]
    assert not p.loc[pd.Period("2015-06", "M"), "talks"]
    assert p.loc[pd.Period("2017-09", "M"), "strategic"]  # sixth nuclear test
    assert (
        p.loc[pd.Period("2017-03", "M"), "missiles"]
        > p.loc[pd.Period("2017-03", "M"), "provocations"]
    )


def test_monthly_series_and_event_file_agree_in_most_months():
    diff = overlap_check()
    assert len(diff) / 344 < 0.05
    assert pd.Period("2017-11", "M") in set(diff["month"])  # the Hwasong-15 gap


def test_panel_span_outside_the_record_is_a_data_error():
    with pytest.raises(DataError, match="must lie within"):
        monthly_panel("1985-01", "2021-06")
    with pytest.raises(DataError, match="YYYY-MM"):
        monthly_panel("soon")


def test_corrupt_file_is_a_data_error_naming_row_and_column(tmp_path, monkeypatch):
    bad = tmp_path / "monthly.csv"
    bad.write_text("month,provocations,negotiation_events\n1990-01,1,0\n1990-02,x,0\n")
    monkeypatch.setattr(loaders, "data_path", lambda name: bad)
    loaders._monthly.cache_clear()
    try:
        with pytest.raises(DataError, match=r"row 3, column provocations: cannot read 'x'"):
            load_monthly()
    finally:
        loaders._monthly.cache_clear()


def test_missing_file_and_missing_column_are_data_errors(tmp_path, monkeypatch):
    monkeypatch.setattr(loaders, "data_path", lambda name: tmp_path / "nope.csv")
    loaders._provocations.cache_clear()
    try:
        with pytest.raises(DataError, match="missing; reinstall"):
            load_provocations()
        (tmp_path / "nope.csv").write_text("date,kind\n2020-01-01,x\n")
        with pytest.raises(DataError, match="missing column"):
            load_provocations()
    finally:
        loaders._provocations.cache_clear()
