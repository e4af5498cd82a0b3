"""The time since the last talks enters the talks hazard (rule talks_recency): recent talks
pull both sides back to the table, a long impasse does not; the months come from the
record (or the history given) and are counted month by month in each run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from detente.data.records import load_record
from detente.dynamics import simulate
from detente.dynamics.fit import fit_recency_months, months_without_talks
from detente.scenario import load, load_bundled

MINI = Path(__file__).with_name("mini-case.yaml")
RECENT = [True] * 6 + [False]  # talks ended one month before the start
LONG_AGO = [True] * 6 + [False] * 36  # three years without talks


@pytest.fixture(scope="module")
def mini():
    return load(MINI)


def test_months_without_talks_counts_from_the_last_talks_month():
    got = months_without_talks(np.array([False, True, False, False, True, False]))
    assert got[0] == np.inf and list(got[1:]) == [0, 1, 2, 0, 1]


def _p_talks(s, history, recency, months=3):
    res = simulate(
        s,
        runs=2000,
        months=months,
        seed=11,
        talks_history=history,
        parameters={"talks_recency": recency, "talks_recency_months": 2.0},
    )
    return res, res.at(months)["talks"]


def test_recent_talks_raise_the_hazard_and_a_long_impasse_does_not(mini):
    _, recent = _p_talks(mini, RECENT, 3.0)
    _, long_ago = _p_talks(mini, LONG_AGO, 3.0)
    _, without = _p_talks(mini, LONG_AGO, 0.0)
    assert recent - long_ago > 0.1
    # after three years the pull has decayed (exp(-35 / 2)): as if there were no such term
    assert long_ago == pytest.approx(without, abs=0.01)


def test_at_zero_the_term_changes_no_run(mini):
    a, _ = _p_talks(mini, RECENT, 0.0)
    b, _ = _p_talks(mini, LONG_AGO, 0.0)
    assert np.array_equal(a.modes, b.modes) and np.array_equal(a.choices, b.choices)


def test_the_outlook_reads_the_months_since_the_last_talks_from_the_record():
    s = load_bundled("us-dprk-2021")
    panel = load_record("dprk").panel()
    talks = panel.loc[panel["month"].astype(str) <= s.meta.start, "talks"].to_numpy(bool)
    # the record's last talks before 2021-06 were in 2019-10: 20 months without talks
    assert months_without_talks(talks)[-1] == 20
    # the flagship leaves the term off (its fit did not carry over, docs/dynamics.md): on here
    kw = {"runs": 300, "months": 6, "seed": 4, "parameters": {"talks_recency": 3.0}}
    from_record = simulate(s, **kw)
    given = simulate(s, talks_history=talks, **kw)
    recent = simulate(s, talks_history=RECENT, **kw)
    assert np.array_equal(from_record.modes, given.modes)
    assert recent.at(6)["talks"] - from_record.at(6)["talks"] > 0.05


def test_the_flagship_leaves_the_term_off_and_says_why():
    from detente.dynamics.casefit import case_parameters

    s = load_bundled("us-dprk-2021")
    p = case_parameters(s)[0]["talks_recency"]
    assert (p.value, p.low, p.high) == (0, 0, 0)
    assert "worse out of sample" in p.provenance


def test_the_decay_is_fitted_on_the_training_months_only():
    value, low, high, why = fit_recency_months("dprk", "2011-12")
    assert low <= value <= high and 0.5 <= value <= 36
    assert "1990-01..2011-12" in why
    # the months after 2011 (the 2018-19 summits among them) do not enter it
    assert fit_recency_months("dprk", "2011-12") == (value, low, high, why)
    assert fit_recency_months("dprk", "2021-06")[3] != why


def test_the_backtest_gives_each_origin_its_months_since_the_last_talks():
    from detente.dynamics.backtest import backtest_scenario, run_origin

    s = backtest_scenario(load_bundled("us-dprk-2021"))
    panel = load_record("dprk").panel()
    talks = panel["talks"].to_numpy(bool)
    # an origin one month after a talks month, itself without talks
    k = next(i for i in range(60, len(talks)) if talks[i - 1] and not talks[i])
    kw = {"runs": 400, "seed": 2}
    on = run_origin(s, panel, k, parameters={"talks_recency": 3.0}, **kw)
    off = run_origin(s, panel, k, parameters={"talks_recency": 0.0}, **kw)
    assert on.in_talks[0].mean() - off.in_talks[0].mean() > 0.05
