"""The report's own computations: provenance summary, the driver sentence, figures as SVG."""

from __future__ import annotations

import pytest

from detente import load_bundled
from detente.pipeline.parts import driver_sentence
from detente.report.figures import figure_svg, new_figure
from detente.report.provenance import provenance_summary


def test_provenance_counts_every_number_once() -> None:
    s = load_bundled("us-dprk-2021")
    p = provenance_summary(s)
    n = sum(1 for _ in s.quantities())
    assert p["n_numbers"] == n == len(p["numbers"])
    assert sum(p["counts"].values()) == n
    assert p["n_unsourced"] == sum(1 for _, q in s.quantities() if q.provenance is None)


def test_most_uncertain_is_widest_relative_range() -> None:
    s = load_bundled("us-dprk-2021")
    p = provenance_summary(s, top=5)
    widths = [r["relative_width"] for r in p["most_uncertain"]]
    assert widths == sorted(widths, reverse=True)
    assert len(widths) == 5
    # a salience range of 0.4 on a 0..1 scale is 40 % wide; a position range of 40 on 0..100 too
    s2 = s.with_value("usa.denuclearization.position", 95)
    row = next(
        r for r in provenance_summary(s2)["numbers"] if r["path"] == "usa.denuclearization.position"
    )
    assert row["relative_width"] == pytest.approx((row["high"] - row["low"]) / 100)


def test_certain_numbers_are_not_uncertain() -> None:
    p = provenance_summary(load_bundled("ec-emissions-1994"))
    assert p["n_uncertain"] == 0 and p["most_uncertain"] == []


def test_driver_sentence_names_the_biggest_movers_by_their_effect() -> None:
    base = {"talks": 0.2, "agreement": 0.01, "crisis": 0.1}
    rows = [
        {"name": "economic-collapse", "talks": 0.15, "agreement": 0.0, "crisis": -0.02},
        {"name": "china-cuts-support", "talks": 0.0, "agreement": 0.0, "crisis": 0.08},
        {"name": "china-boosts-support", "talks": 0.001, "agreement": 0.0, "crisis": -0.002},
    ]
    text = driver_sentence(base, rows, 12)
    assert text.startswith("By month 12: P(talks) 20%, P(agreement) 1%, P(crisis) 10%.")
    assert "economic-collapse (+15 pts on P(talks))" in text
    assert "china-cuts-support (+8 pts on P(crisis))" in text
    assert "Little moves it: china-boosts-support" in text
    quiet = driver_sentence(base, rows[2:], 12)
    assert "None of the named what-ifs" in quiet


def test_svg_is_inline_ready() -> None:
    fig = new_figure(3, 2)
    fig.add_subplot().plot([0, 1], [1, 0])
    svg = figure_svg(fig)
    assert svg.startswith("<svg")
    assert "<metadata" not in svg and "<?xml" not in svg and "DOCTYPE" not in svg
    assert "<text" not in svg  # text drawn as paths: no fonts needed


def test_build_report_rejects_bad_sizes() -> None:
    from detente.errors import ModelError
    from detente.report import build_report

    with pytest.raises(ModelError, match="'draws' parameter of run must be >= 2"):
        build_report(load_bundled("ec-emissions-1994"), draws=1)
