"""Outcome datasets: the DEU layout and the YAML wrapper, capabilities, and located errors."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from detente.analysis.outcomes import read_outcomes
from detente.data.loaders import data_path
from detente.errors import ScenarioError

DEV = data_path("deu3_dev.tsv")

HEAD = "prnr\tisnr\tprname\tpa\tpb\tpc\tsa\tsb\tsc\trp\tout"


def write(tmp_path, text, name="t.tsv"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def subset(tmp_path, n_rows: int) -> str:
    """The header and the first ``n_rows`` issues of the packaged development file."""
    lines = DEV.read_text().splitlines()
    return write(tmp_path, "\n".join(lines[: n_rows + 1]) + "\n", "deu_subset.tsv")


def by_hand_weighted_mean(path: str) -> tuple[np.ndarray, np.ndarray]:
    """Salience-weighted mean of the positions per row, and ``out``: parsed independently."""
    rows = [r.split("\t") for r in Path(path).read_text().splitlines()]
    head, body = rows[0], rows[1:]
    actors = [h[1:] for h in head if h.startswith("p") and "s" + h[1:] in head]
    means, outs = [], []
    for r in body:
        cell = dict(zip(head, r, strict=False))
        num = den = 0.0
        for a in actors:
            if cell.get("p" + a, "").strip():
                s = float(cell["s" + a]) if cell.get("s" + a, "").strip() else 0.0
                num += s * float(cell["p" + a])
                den += s
        means.append(num / den)
        outs.append(float(cell["out"]) if cell["out"].strip() else math.nan)
    return np.array(means), np.array(outs)


def test_each_proposal_becomes_one_scenario_with_its_issues(tmp_path):
    ds = read_outcomes(subset(tmp_path, 12))
    assert ds.layout == "deu"
    assert ds.n_issues == 12
    groups = [d.group for d in ds.decisions]
    assert len(groups) == len(set(groups))  # one decision per proposal
    first = ds.decisions[0]
    assert first.scenario.n_issues == sum(1 for _ in first.observed)
    assert first.scenario.salience_max == 100
    assert first.scenario.veto_players == ()


def test_missing_position_means_no_stance_and_missing_salience_reads_zero(tmp_path):
    text = f"{HEAD}\nP1\tI1\tx\t10\t\t90\t50\t70\t\t20\t40\nP1\tI2\tx\t30\t60\t\t\t20\t40\t\t\n"
    ds = read_outcomes(write(tmp_path, text))
    (d,) = ds.decisions
    s = d.scenario
    assert "I1" not in s.actor("b").stances  # empty position: b takes no part in I1
    assert s.actor("c").stances["I1"].salience.value == 0  # position without salience
    assert s.actor("a").stances["I2"].salience.value == 0
    assert "I2" not in s.actor("c").stances
    assert s.status_quo["I1"].value == 20 and "I2" not in s.status_quo
    assert d.status_quo_given == {"I1"}
    assert d.observed["I1"] == 40 and math.isnan(d.observed["I2"])
    assert ds.n_observed == 1


def test_every_problem_is_reported_with_its_line_and_column(tmp_path):
    text = f"{HEAD}\nP1\tI1\tx\t10\tabc\t90\t50\t70\t\t20\t40\nP2\tI1\tx\t10\t20\t30\t50\t70\t1\t20\t140\n"
    with pytest.raises(ScenarioError) as err:
        read_outcomes(write(tmp_path, text))
    lines = err.value.lines()
    assert any(":2 pb:" in ln and "'abc'" in ln for ln in lines), lines
    assert any(":3 out:" in ln and "outside [0, 100]" in ln for ln in lines), lines


def test_a_table_without_outcome_or_proposal_column_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match="not an outcome dataset"):
        read_outcomes(write(tmp_path, "prnr\tpa\tsa\n1\t2\t3\n"))
    with pytest.raises(ScenarioError, match="no proposal column"):
        read_outcomes(write(tmp_path, "x\tpa\tsa\tout\n1\t2\t3\t4\n"))


def test_capabilities_from_a_column_prefix_and_from_a_table(tmp_path):
    text = (
        "prnr\tisnr\tpa\tpb\tsa\tsb\tca\tcb\tout\n"
        "P1\tI1\t0\t100\t50\t50\t3\t1\t70\n"
        "P1\tI2\t0\t100\t50\t50\t3\t1\t20\n"
    )
    path = write(tmp_path, text)
    (d,) = read_outcomes(path, capabilities="column:c").decisions
    assert d.scenario.actor("a").capability.value == 3
    table = write(tmp_path, "actor,capability\na,1\nb,4\n", "caps.csv")
    (d,) = read_outcomes(path, capabilities=table).decisions
    assert d.scenario.actor("b").capability.value == 4
    (d,) = read_outcomes(path, capabilities="equal").decisions
    assert d.scenario.actor("a").capability.value == d.scenario.actor("b").capability.value == 1
    bad = write(tmp_path, text.replace("P1\tI2\t0\t100\t50\t50\t3", "P1\tI2\t0\t100\t50\t50\t2"))
    with pytest.raises(ScenarioError, match="differs from 3"):
        read_outcomes(bad, capabilities="column:c")
    short = write(tmp_path, "actor,capability\na,1\n", "short.csv")
    with pytest.raises(ScenarioError, match="no row for b"):
        read_outcomes(path, capabilities=short)


def test_the_yaml_wrapper_reads_bundled_and_inline_scenarios(tmp_path):
    wrapper = """
outcomes:
  - scenario: ec-emissions-1994
    group: ec
    outcome: {emission_standards: 8.5}
  - scenario:
      meta: {id: tiny, title: Tiny}
      issues: [{id: x, label: X, low: 0, high: 10}]
      actors:
        - {id: p, label: P, capability: 2, stances: {x: {position: 2, salience: 1}}}
        - {id: q, label: Q, capability: 1, stances: {x: {position: 8, salience: 1}}}
    outcome: {x: 3}
"""
    ds = read_outcomes(write(tmp_path, wrapper, "w.yaml"), capabilities="equal")
    assert ds.layout == "yaml" and ds.n_observed == 2
    assert [d.group for d in ds.decisions] == ["ec", "tiny"]
    assert ds.decisions[1].scenario.actor("p").capability.value == 1  # equal overrides 2


def test_yaml_wrapper_errors_are_located(tmp_path):
    wrapper = """outcomes:
  - scenario: ec-emissions-1994
    outcome: {nosuch: 8.5, emission_standards: 99}
"""
    with pytest.raises(ScenarioError) as err:
        read_outcomes(write(tmp_path, wrapper, "w.yaml"))
    text = "\n".join(err.value.lines())
    assert "w.yaml:3" in text and "no issue 'nosuch'" in text
    assert "must be a number in [4, 10]; got 99" in text
    with pytest.raises(ScenarioError, match="wrap it"):
        read_outcomes(
            write(tmp_path, "meta: {id: a, title: A}\nissues: []\nactors: []\n", "s.yaml")
        )


def test_the_by_hand_weighted_mean_matches_the_packaged_file_fact():
    # docs (data/files/deu3_dev.README.md): equal capabilities, missing salience as 0 -> MAE 23.11
    means, outs = by_hand_weighted_mean(str(DEV))
    seen = np.isfinite(outs)
    assert seen.sum() == 173 and len(outs) == 180
    assert round(float(np.abs(means[seen] - outs[seen]).mean()), 2) == 23.11


def test_crlf_line_ends_and_a_byte_order_mark_are_read(tmp_path):
    text = "\ufeff" + f"{HEAD}\r\nP1\tI1\tx\t10\t20\t90\t50\t70\t10\t20\t40\r\n"
    p = tmp_path / "crlf.tsv"
    p.write_bytes(text.encode("utf-8"))
    (d,) = read_outcomes(str(p)).decisions
    assert d.observed == {"I1": 40.0}
    assert d.scenario.actor("c").stances["I1"].position.value == 90


def test_a_missing_capability_column_is_named(tmp_path):
    text = f"{HEAD}\nP1\tI1\tx\t10\t20\t90\t50\t70\t10\t20\t40\n"
    with pytest.raises(ScenarioError, match="needs columns wa, wb, wc"):
        read_outcomes(write(tmp_path, text), capabilities="column:w")
