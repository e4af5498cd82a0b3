"""Readers and writers of KTAB CSV/XML, #A/#P/#M/#D and Bueno de Mesquita tables."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from detente.errors import ScenarioError
from detente.scenario import Scenario, dump_yaml, load, load_bundled, read_yaml, save
from detente.scenario.formats import (
    ktab_switches,
    lost_in,
    read_bdm,
    read_exchange,
    read_ktab_csv,
    read_ktab_xml,
    rescale,
    write_bdm,
    write_exchange,
    write_ktab_csv,
    write_ktab_xml,
)
from detente.scenario.io import detect_format
from strategies import scenarios

DATA = Path(__file__).parent / "data"


def numbers(s):
    return [(path, q.value) for path, q in s.quantities()]


def stance_numbers(s):
    """Every number a format file holds: capabilities, positions, saliences, scales."""
    out = [(i.id, i.low, i.high) for i in s.issues]
    for a in s.actors:
        out.append((a.id, a.capability.value))
        for iid, stance in sorted(a.stances.items()):
            out.append((a.id, iid, stance.position.value, stance.salience.value))
    return out


def csv_cells(text):
    """The cells of a CSV text, numbers as floats (the text modulo number formatting)."""

    def cell(c):
        try:
            return float(c)
        except ValueError:
            return c.strip()

    return [[cell(c) for c in ln.split(",")] for ln in text.strip().splitlines()]


# ---------------------------------------------------------------- KTAB CSV
def test_ktab_csv_reads_soe_pol_comp():
    s = load(DATA / "SOE-Pol-Comp.csv")
    assert s.n_actors == 13 and s.issue_ids == ("policy", "competitive")
    assert s.salience_max == 100
    xj = s.actor("XJ")
    assert xj.label == "Xi Jinping" and xj.capability.value == 100.0
    assert xj.stances["policy"].position.value == 30
    assert xj.stances["competitive"].salience.value == 48.0
    wy = s.actor("WY")
    assert wy.label == "CNOOC - Wang Yilin"
    assert (wy.capability.value, wy.stances["competitive"].position.value) == (40.0, 60)
    # the ';' in the first line is text, not a separator
    assert s.meta.title == "China Policy/Competitive; scen 2"
    assert s.meta.description == "Scenario-0002;Combined Policy and Competitive"
    # provenance names file and line; no status quo is invented (the models' reference
    # point applies, and each forecast says so)
    assert xj.capability.provenance.kind == "imported"
    assert xj.capability.provenance.text == "SOE-Pol-Comp.csv line 3: Influence"
    assert s.status_quo == {}
    assert s.unsourced() == []


def test_ktab_csv_numbered_headers_and_power_column():
    s = load(DATA / "dummyData_3Dim.csv")
    assert s.issue_ids == ("dim1", "dim2", "dim3")
    assert s.meta.title == "DummyData_3Dim"
    assert s.actor("SActor-02").capability.value == 129.643
    assert s.actor("SActor-02").stances["dim3"].position.value == 0.07


def test_ktab_csv_26_actor_file():
    s = load(DATA / "SOE-Policy.csv")
    assert s.n_actors == 26 and s.issue_ids == ("policy",)
    assert s.actor("USA").stances["policy"].position.value == 100


@pytest.mark.parametrize("name", ["SOE-Pol-Comp.csv", "SOE-Policy.csv", "dummyData_3Dim.csv"])
def test_ktab_csv_yaml_ktab_round_trip_keeps_every_number(name):
    text = (DATA / name).read_text(encoding="utf-8")
    s1 = read_ktab_csv(text, name)
    s2 = read_yaml(dump_yaml(s1), "x.yaml")
    assert s2 == s1
    out = write_ktab_csv(s2)
    s3 = read_ktab_csv(out, name)
    assert stance_numbers(s3) == stance_numbers(s1)
    assert numbers(s3) == numbers(s1)

    # the text too, modulo formatting (spaces, 100.0 vs 100, numbered headers)
    def norm(t):
        rows = [[c.strip() for c in ln.split(",")] for ln in t.strip().splitlines()]
        return [
            [repr(float(c)) if c.replace(".", "").isdigit() else c for c in r if c] for r in rows
        ]

    if name != "dummyData_3Dim.csv":
        assert norm(out)[2:] == norm(text)[2:]
        assert norm(out)[1] == norm(text)[1]


def test_ktab_csv_count_mismatch_and_bad_cells_are_all_reported_with_lines():
    text = (
        "Test,desc,3,2,\n"
        "Actor,Description,Influence,A Position,A Salience,B Position,B Salience,\n"
        "X,Ex,10,50,40,20,nan,\n"
        "Y,Why,-5,150,30,abc,20,\n"
    )
    with pytest.raises(ScenarioError) as ei:
        read_ktab_csv(text, "t.csv")
    msgs = [str(p) for p in ei.value.problems]
    joined = "\n".join(msgs)
    assert "t.csv:1 number of actors: line 1 says 3 actor(s) but the file has 2" in joined
    assert "t.csv:3 X.b.salience: 'nan' is not allowed" in joined
    assert "t.csv:4 Y.b.position: expected a position, got 'abc'" in joined
    assert any(m.startswith("t.csv:4") and "capability must be >= 0" in m for m in msgs)
    assert any(
        m.startswith("t.csv:4") and "position value must be within the scale" in m for m in msgs
    )
    assert all("; " in m for m in msgs)  # every problem says what to do


def test_ktab_csv_salience_sum_over_100_and_dimension_count():
    text = "T,d,1,3\nActor,Description,Influence,A Position,A Salience,B Position,B Salience\nX,Ex,1,50,60,50,50\n"
    with pytest.raises(ScenarioError) as ei:
        read_ktab_csv(text, "t.csv")
    joined = str(ei.value)
    assert (
        "t.csv:1 number of dimensions: line 1 says 3 dimension(s) but the header (line 2) has 2"
        in joined
    )
    assert "t.csv:3 X saliences: the saliences sum to 110" in joined


def test_ktab_csv_writer_refuses_what_ktab_cannot_hold_and_rescale_fixes_it():
    ec = load_bundled("ec-emissions-1994")
    with pytest.raises(ScenarioError) as ei:
        write_ktab_csv(ec)
    text = str(ei.value)
    assert "runs from 4 to 10" in text and "--rescale" in text
    assert "salience" in text
    r = rescale(ec)
    out = read_ktab_csv(write_ktab_csv(r), "r.csv")
    (iid,) = out.issue_ids  # KTAB names dimensions by label; the id is derived from it
    assert iid == "years_until_stricter_emission_standards"
    nl = out.actor("netherlands").stances[iid]
    assert nl.position.value == 0 and nl.salience.value == 80
    assert out.actor("uk").stances[iid].position.value == 100
    assert math.isclose(out.actor("belgium").stances[iid].position.value, 50)
    assert "Rescaled by detente" in r.meta.description


# ---------------------------------------------------------------- KTAB XML
def test_ktab_xml_empty_dcoord_is_a_located_problem_with_hint():
    with pytest.raises(ScenarioError) as ei:
        load(DATA / "smpExample.xml")
    (p,) = ei.value.problems
    assert p.line == 32 and p.field == "Alice.FirstDim.position"
    assert "empty <dCoord>" in p.message and "0 to 100" in p.hint


def test_ktab_xml_reads_actors_switches_and_ideal_adjustments():
    text = (DATA / "smpExample.xml").read_text(encoding="utf-8-sig")
    s = read_ktab_xml(text.replace("<dCoord></dCoord>", "<dCoord>12.5</dCoord>"), "smp.xml")
    assert s.n_actors == 5 and s.issue_ids == ("FirstDim", "SecondDim", "YADN")
    assert s.actor("Alice").stances["FirstDim"].position.value == 12.5
    assert s.actor("David").capability.value == 135.4
    assert s.actor("Ellie").stances["YADN"].salience.value == 15.8
    sw = ktab_switches(s)
    assert sw["VictoryProbModel"] == "Linear" and sw["BargnModel"] == "InitOnlyInterp"
    assert sw["prngSeed"] == "03507583219545544127"  # kept as text: exact
    assert len([k for k in sw if k != "prngSeed"]) == 9
    assert s.parameters["ideal_adjust__Bob__Alice"].value.value == 0.07
    # write and read back: same numbers and switches
    s2 = read_ktab_xml(write_ktab_xml(s), "back.xml")
    assert numbers(s2) == numbers(s) and ktab_switches(s2) == sw


@pytest.mark.parametrize(
    "doc",
    [
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Scenario>&a;</Scenario>',
        '<!DOCTYPE Scenario SYSTEM "file:///etc/passwd"><Scenario/>',
    ],
)
def test_ktab_xml_refuses_dtds_and_entities(doc):
    with pytest.raises(ScenarioError, match="not allowed"):
        read_ktab_xml(doc, "evil.xml")


def test_ktab_xml_syntax_error_has_line():
    with pytest.raises(ScenarioError) as ei:
        read_ktab_xml("<Scenario>\n<name>x</name>\n<Actors>\n</Scenario>\n", "b.xml")
    assert ei.value.problems[0].line == 4 and "XML syntax error" in ei.value.problems[0].message


# ---------------------------------------------------------------- exchange
def test_exchange_two_actor_oracle_file():
    s = load(DATA / "exchange_two_actor.tsv")
    assert s.actor_ids == ("Actor-1", "Actor-2") and s.issue_ids == ("Issue-1", "Issue-2")
    assert s.salience_max == 100
    a = s.to_arrays()
    assert a.positions.tolist() == [[0, 0], [100, 100]]
    assert a.saliences.tolist() == [[0.1, 0.9], [0.6, 0.5]]
    assert a.capabilities.tolist() == [1, 1]
    # starting compromise of the oracle: c*s weighted mean 85 5/7 on issue 1
    w = a.capabilities[:, None] * a.saliences
    mean = (w * a.positions).sum(0) / w.sum(0)
    assert math.isclose(mean[0], 85 + 5 / 7) and math.isclose(mean[1], 35 + 5 / 7)


def test_exchange_round_trip_text_and_numbers():
    text = (DATA / "exchange_two_actor.tsv").read_text(encoding="utf-8")
    s1 = read_exchange(text, "exchange_two_actor.tsv")
    out1 = write_exchange(s1)
    s2 = read_yaml(dump_yaml(read_exchange(out1, "a.tsv")), "b.yaml")
    out2 = write_exchange(s2)
    assert out2 == out1
    assert stance_numbers(s2) == stance_numbers(s1)
    records = [ln for ln in text.splitlines() if not ln.startswith("#/")]
    assert [ln for ln in out1.splitlines() if not ln.startswith("'#/'")] == records


def test_exchange_realistic_file_loads():
    s = load(DATA / "exchange_eu_illustrative.tsv")
    assert s.n_actors >= 8 and s.n_issues >= 4
    assert s.salience_max == 100
    assert s.issue("ets_cap").anchors
    s2 = read_exchange(write_exchange(s), "again.tsv")
    assert stance_numbers(s2) == stance_numbers(s)


def test_exchange_decide_style_01_saliences_inferred():
    text = "'#A'\t'USA'\t'USA'\t''\n'#A'\t'EU (incl Norway)'\t'EU (incl Norway)'\t''\n'#P'\t'x'\t'x'\t''\n'#M'\t'x'\t0\n'#M'\t'x'\t100\n'#D'\t'USA'\t'x'\t10.0\t0.9\t0.26\t\n'#D'\t'EU (incl Norway)'\t'x'\t50.0\t0.4\t0.156\t\n"
    s = read_exchange(text, "c.csv")
    assert s.salience_max == 1
    assert (
        s.actor_ids == ("USA", "EU_incl_Norway")
        and s.actor("EU_incl_Norway").label == "EU (incl Norway)"
    )
    assert "0-1 inferred" in s.actor("USA").stances["x"].salience.provenance.text


def test_exchange_problems_are_located():
    text = (
        "'#A'\t'a'\t'A'\n'#A'\t'a'\t'A again'\n'#P'\t'p'\t'P'\n'#M'\t'p'\t0\n'#M'\t'p'\t10\n"
        "'#D'\t'a'\t'p'\t5\t50\t1\n'#D'\t'a'\t'q'\t5\t50\t2\n'#D'\t'b'\t'p'\t11\t50\t1\n"
        "'#X'\tfoo\n'#D'\t'a'\t'p'\t5\t50\t3\n"
    )
    with pytest.raises(ScenarioError) as ei:
        read_exchange(text, "e.tsv")
    joined = str(ei.value)
    assert "e.tsv:2 a: actor 'a' is declared twice (first at line 1)" in joined
    assert "e.tsv:7 q: #D row for issue 'q', which has no #P line" in joined
    assert "e.tsv:8 b: #D row for actor 'b', which has no #A line" in joined
    assert "e.tsv:9: unknown record type '#X'" in joined
    assert "e.tsv:10 a.p: a second #D row" in joined


def test_exchange_differing_power_is_refused_row_by_row():
    text = "'#A'\t'a'\t'A'\n'#P'\t'p'\t'P'\n'#P'\t'q'\t'Q'\n'#D'\t'a'\t'p'\t5\t50\t1\n'#D'\t'a'\t'q'\t5\t50\t2\n"
    with pytest.raises(ScenarioError) as ei:
        read_exchange(text, "e.tsv")
    assert "e.tsv:5 a.power: power 2 differs from 1 on line 4" in str(ei.value)


# ---------------------------------------------------------------- Bueno de Mesquita
def test_bdm_reads_scholz_example_and_infers_scales():
    s = load(DATA / "scholz2011_example_actors.csv")
    assert detect_format("x.csv", (DATA / "scholz2011_example_actors.csv").read_text()) == "bdm"
    assert s.n_actors == 10 and s.salience_max == 1
    issue = s.issues[0]
    assert (issue.low, issue.high) == (4, 10) and "inferred" in issue.provenance.text
    ec = load_bundled("ec-emissions-1994")
    got = [
        (a.capability.value, a.stances["issue"].position.value, a.stances["issue"].salience.value)
        for a in s.actors
    ]
    want = [
        (
            a.capability.value,
            a.stances["emission_standards"].position.value,
            a.stances["emission_standards"].salience.value,
        )
        for a in ec.actors
    ]
    assert got == want


def test_bdm_round_trip_and_unknown_columns():
    text = (DATA / "scholz2011_example_actors.csv").read_text()
    s = read_bdm(text, "s.csv")
    out = write_bdm(read_yaml(dump_yaml(s)))
    assert csv_cells(out) == csv_cells(text)
    with pytest.raises(ScenarioError) as ei:
        read_bdm("Actor,Capability,Position,Salience,Risk\nA,1,2,0.5,0.1\nB,1,3,0.5,0.2\n", "r.csv")
    assert "r.csv:1 header: not a Bueno de Mesquita table header: unknown column 'Risk'" in str(
        ei.value
    )
    assert len(ei.value.problems) == 1


@pytest.mark.parametrize(
    "header",
    [
        "name,capability,position,salience",
        "Stakeholder,Resources,Position,Salience",
        "PLAYER , Clout , Stance , Priority",
        "Position,Importance,Power,Actor",
    ],
)
@pytest.mark.parametrize("eol", ["\n", "\r", "\r\n"])
def test_bdm_tables_as_found_load_through_the_file_loader(tmp_path, header, eol):
    rows = [header, "Gov,10,80,0.9", "Union,5,20,0.7", "Firms,8,60,0.5"]
    if header.startswith("Position"):
        rows = [header, "80,0.9,10,Gov", "20,0.7,5,Union", "60,0.5,8,Firms"]
    path = tmp_path / "table.csv"
    path.write_bytes(("\ufeff" + eol.join(rows) + eol).encode("utf-8"))
    s = load(path)
    assert s.actor_ids == ("Gov", "Union", "Firms")
    assert [a.stances["issue"].position.value for a in s.actors] == [80, 20, 60]
    assert [a.capability.value for a in s.actors] == [10, 5, 8]
    assert s.status_quo == {}  # never invented at the scale minimum
    line3 = s.actor("Union").capability.provenance.text
    assert line3.startswith("table.csv line 3:"), line3


def test_bdm_header_still_wrong_is_one_located_problem_never_the_ktab_reader(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Name,Cap,Pos,Sal\rA,1,2,3\rB,1,5,3\r")
    with pytest.raises(ScenarioError) as ei:
        load(path)
    (p,) = ei.value.problems
    assert str(p).startswith(f"{path}:1 header: not a Bueno de Mesquita table header")
    assert "no Capability, Position, Salience column" in p.message
    assert "'Cap', 'Pos', 'Sal'" in p.message and "Resources" in p.hint
    path.write_text("Stakeholder,Resources,Stance\nGov,10,80\nUnion,5,20\n")
    with pytest.raises(ScenarioError, match="no Salience column"):
        load(path)


def test_bdm_one_issue_table_without_status_quo_gets_a_nash_outcome():
    from detente.models import get_model

    s = read_bdm((DATA / "scholz2011_example_actors.csv").read_text(), "s.csv")
    for name in ("nash", "kalai_smorodinsky", "egalitarian"):
        f = get_model(name).forecast(s)
        assert np.isfinite(f.outcome).all(), name
        assert any("No status quo given for" in n for n in f.notes), name


def test_bdm_writer_refuses_many_issues():
    s = load(DATA / "SOE-Pol-Comp.csv")
    with pytest.raises(ScenarioError, match="holds one issue"):
        write_bdm(s)


# ---------------------------------------------------------------- convert, atomic writes
def test_save_never_leaves_a_partial_file(tmp_path):
    ec = load_bundled("ec-emissions-1994")
    target = tmp_path / "out.csv"
    with pytest.raises(ScenarioError):
        save(ec, target, fmt="ktab-csv")
    assert list(tmp_path.iterdir()) == []
    target.write_text("old content")
    with pytest.raises(ScenarioError):
        save(ec, target, fmt="ktab-csv")
    assert target.read_text() == "old content"


def test_save_cleans_up_when_the_write_fails_midway(tmp_path, monkeypatch):
    import detente.scenario.io as sio

    class Boom(Exception):
        pass

    real = sio.os.replace

    def failing_replace(src, dst):
        assert Path(src).exists()  # the temporary file was fully written
        raise Boom

    monkeypatch.setattr(sio.os, "replace", failing_replace)
    with pytest.raises(Boom):
        save(load_bundled("ec-emissions-1994"), tmp_path / "x.yaml")
    monkeypatch.setattr(sio.os, "replace", real)
    assert list(tmp_path.iterdir()) == []


def test_lost_in_lists_what_a_format_cannot_carry():
    ec = load_bundled("ec-emissions-1994")
    lost = lost_in("exchange", ec)
    assert any("provenance" in x for x in lost)
    assert lost_in("yaml", ec) == []


# ---------------------------------------------------------------- bundled
def test_bundled_china_soe_reform_matches_ktab_file_and_is_sourced():
    s = load_bundled("china-soe-reform")
    k = load(DATA / "SOE-Pol-Comp.csv")
    assert stance_numbers(s) == stance_numbers(k)
    assert s.unsourced() == []
    for q in s.status_quo.values():
        assert q.provenance.kind == "judgement" and q.low < q.value < q.high
    assert "KAPSARC" in s.meta.attribution and "MIT" in s.meta.attribution
    lic = Path(__file__).parents[1] / "src/detente/scenario/bundled/LICENSE-KTAB.txt"
    assert "KAPSARC" in lic.read_text()
    # converts back to KTAB CSV with the same numbers
    assert stance_numbers(read_ktab_csv(write_ktab_csv(s), "x.csv")) == stance_numbers(k)


# ---------------------------------------------------------------- properties
PROP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROP
@given(
    scenarios(
        scale=(0, 100),
        salience_max=100.0,
        salience_sum_max=100.0,
        full_stances=True,
        word_labels=True,
    )
)
def test_ktab_csv_round_trip_property(s):
    text = write_ktab_csv(s)
    s1 = read_ktab_csv(text, "g.csv")
    s2 = read_yaml(dump_yaml(s1), "g.yaml")
    assert write_ktab_csv(s2) == text
    assert stance_numbers(s1) == stance_numbers(s)


@PROP
@given(scenarios())
def test_exchange_round_trip_property(s):
    text = write_exchange(s)
    s1 = read_exchange(text, "g.tsv")
    s2 = read_yaml(dump_yaml(s1), "g.yaml")
    assert write_exchange(s2) == text
    assert stance_numbers(s1) == stance_numbers(s)
    assert s1.salience_max == s.salience_max
    assert [a.label for a in s1.actors] == [a.label for a in s.actors]


@PROP
@given(scenarios(one_issue=True, full_stances=True, min_actors=2))
def test_bdm_round_trip_property(s):
    try:
        text = write_bdm(s)
    except ScenarioError as err:
        assert "cannot write" in str(err)
        return
    s1 = read_bdm(text, "g.csv")
    assert write_bdm(read_yaml(dump_yaml(s1))) == text
    got = [
        (
            a.capability.value,
            *(v for st in a.stances.values() for v in (st.position.value, st.salience.value)),
        )
        for a in s1.actors
    ]
    want = [
        (
            a.capability.value,
            *(v for st in a.stances.values() for v in (st.position.value, st.salience.value)),
        )
        for a in s.actors
    ]
    assert got == want


def _label_is_an_actor_id(label: str = "U") -> Scenario:
    """Pinned from a Hypothesis failure: issue 'b' labelled 'U' is written as KTAB
    dimension 'U', which read back as issue 'u', the id of an actor, so the re-read
    scenario was invalid. (Four actors, so that the property test rescales it.)"""
    return Scenario.model_validate(
        {
            "meta": {"id": "generated", "title": "0"},
            "salience_max": 1.0,
            "issues": [
                {"id": "a00", "label": "0", "low": 0.0, "high": 1.0},
                {"id": "b", "label": label, "low": 0.0, "high": 1.0},
                {"id": "c", "label": "00", "low": 0.0, "high": 1.0},
                {"id": "d", "label": "000", "low": 0.0, "high": 1.0},
            ],
            "actors": [
                {
                    "id": aid,
                    "label": "0",
                    "capability": 0.0,
                    "stances": {"a00": {"position": 0.0, "salience": 0.0}},
                }
                for aid in ("a", "a0", "u", "v")
            ],
            "status_quo": {"a00": 0.0, "b": 0.0, "c": 0.0, "d": 0.0},
        }
    )


@pytest.mark.parametrize(
    ("fmt", "label"), [("ktab-csv", "U"), ("ktab-csv", "u"), ("ktab-xml", "u")]
)
def test_ktab_dimension_named_like_an_actor_reads_back_with_a_distinct_id(fmt, label):
    from detente.scenario.io import READERS, WRITERS

    s = rescale(_label_is_an_actor_id(label))
    text = WRITERS[fmt](s)
    back = READERS[fmt](text, f"back.{fmt}")
    assert back.actor_ids == s.actor_ids  # actors keep the names written
    b = back.issues[1]
    assert (b.id, b.label) == ("u_2", label)  # the dimension yields; its label keeps the name
    assert len(set(back.issue_ids)) == 4
    a, b_ = s.to_arrays(), back.to_arrays()  # the same numbers (ids aside)
    assert (a.positions == b_.positions).all() and (a.saliences == b_.saliences).all()
    assert (a.capabilities == b_.capabilities).all()
    assert WRITERS[fmt](back) == text  # stable: the re-read scenario writes the same text


@PROP
@given(scenarios(), st.sampled_from(["ktab-csv", "ktab-xml", "exchange", "bdm", "yaml"]))
@example(_label_is_an_actor_id(), "ktab-csv")
@example(_label_is_an_actor_id("u"), "ktab-xml")
def test_every_writer_writes_readable_text_or_refuses_with_scenario_error(s, fmt):
    from detente.scenario.io import READERS, WRITERS

    try:
        s = rescale(s) if fmt.startswith("ktab") and st_bool(s) else s
        text = WRITERS[fmt](s)
    except ScenarioError as err:
        assert all(p.message.startswith("cannot write") for p in err.problems)
        return
    back = READERS[fmt](text, f"back.{fmt}")
    assert back.n_actors == s.n_actors and back.n_issues == s.n_issues


def st_bool(s):
    """Rescale every other generated scenario, so both paths of the KTAB writers run."""
    return len(s.actors) % 2 == 0


def test_flagship_converts_to_exchange_and_back_with_every_stance_number():
    s = load_bundled("us-dprk-2021")
    back = read_exchange(write_exchange(s), "dprk.tsv")
    assert stance_numbers(back) == stance_numbers(s)
    assert back.salience_max == s.salience_max
    lost = lost_in("exchange", s)
    assert "red lines" in lost and "veto players" in lost


def test_flagship_to_ktab_needs_rescale_which_keeps_relative_saliences():
    s = load_bundled("us-dprk-2021")
    with pytest.raises(ScenarioError, match="--rescale"):
        write_ktab_csv(s)
    k = read_ktab_csv(write_ktab_csv(rescale(s)), "dprk.csv")
    for a, ka in zip(s.actors, k.actors, strict=True):
        assert ka.id == a.id
        sal = [a.stances[i].salience.value if i in a.stances else 0.0 for i in s.issue_ids]
        ksal = [st_.salience.value for st_ in ka.stances.values()]
        assert sum(ksal) <= 100 + 1e-9
        top = max(sal)
        for x, y in zip(sal, ksal, strict=True):  # same ratios within an actor
            assert math.isclose(x / top, y / max(ksal), rel_tol=1e-12)


def test_bundled_china_soe_reform_is_what_its_build_script_makes():
    import importlib.util

    root = Path(__file__).parents[1]
    spec = importlib.util.spec_from_file_location(
        "build_china_soe_reform", root / "scripts" / "build_china_soe_reform.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    bundled = root / "src/detente/scenario/bundled/china-soe-reform.yaml"
    assert mod.build() == bundled.read_text(encoding="utf-8")


def test_readers_make_ids_distinct_across_actors_and_issues_and_keep_the_names():
    # KTAB CSV: actor 'policy', dimension 'Policy', actor 'meta' (a reserved id), and two
    # actor names that give the same id
    csv_text = (
        "T,d,4,1\nActor,Description,Influence,Policy Position,Policy Salience\n"
        "policy,P,1,10,50\nmeta,M,1,20,50\na b,AB,1,30,50\na_b,AB2,1,40,50\n"
    )
    s = read_ktab_csv(csv_text, "c.csv")
    assert s.actor_ids == ("policy", "meta_2", "a_b", "a_b_2")
    assert s.issue_ids == ("policy_2",) and s.issues[0].label == "Policy"
    assert "'meta'" in s.actor("meta_2").provenance.text
    assert "'a b'" in s.actor("a_b").provenance.text
    # a name really given twice is still a duplicate
    with pytest.raises(ScenarioError, match="duplicate actor id 'x'"):
        read_ktab_csv(
            "T,d,2,1\nActor,Description,Influence,P Position,P Salience\nx,,1,1,1\nx,,1,2,1\n",
            "d.csv",
        )
    # exchange: '#A' 'x' and '#P' 'x' are different things in the file
    ex = "'#A'\t'x'\t'X'\n'#A'\t'x y'\t'XY'\n'#A'\t'x_y'\t'XY2'\n'#P'\t'x'\t'Issue x'\n"
    ex += "".join(f"'#D'\t'{a}'\t'x'\t{k}\t50\t1\n" for k, a in enumerate(["x", "x y", "x_y"]))
    e = read_exchange(ex, "e.tsv")
    assert e.actor_ids == ("x", "x_y", "x_y_2") and e.issue_ids == ("x_2",)
    assert e.actor("x_y_2").stances["x_2"].position.value == 2
    assert "#P 'x'" in e.issues[0].provenance.text
    # KTAB XML: dimension named like an actor
    xml = (
        "<Scenario><name>t</name><Dimensions><dName>A</dName></Dimensions><Actors>"
        "<Actor><name>A</name><capability>1</capability><Position><dCoord>5</dCoord></Position>"
        "<Salience><dSal>10</dSal></Salience></Actor></Actors></Scenario>"
    )
    x = read_ktab_xml(xml, "x.xml")
    assert x.actor_ids == ("A",) and x.issue_ids == ("A_2",) and x.issues[0].label == "A"
    # Bueno de Mesquita: an actor named 'issue'
    b = read_bdm("Actor,Capability,Position,Salience\nissue,1,2,0.5\nB,1,3,0.5\n", "b.csv")
    assert b.actor_ids == ("issue", "B") and b.issue_ids == ("issue_2",)


def test_imported_table_without_status_quo_samples_draws():
    # importers leave the status quo absent; sampling must still give the batch's shape
    s = read_bdm((DATA / "scholz2011_example_actors.csv").read_text(), "s.csv")
    a = s.sample(7, seed=1)
    assert a.status_quo.shape == (7, 1) and a.positions.shape == (7, s.n_actors, 1)
