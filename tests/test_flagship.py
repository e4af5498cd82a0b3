"""The flagship scenario us-dprk-2021: complete, sourced, checkable against its essay.

The essay is copied into ``tests/data`` (see ``tests/data/SOURCES.md``); these tests check that
every quote in the scenario stands in the essay at the paragraph and sentence its locator
names, that every number carries provenance and a range, that the claims C1–C14 rest on
elements that exist, and that ``detente show`` reports all of it, including after what-ifs.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner

from detente.cli import app
from detente.report.scenario_view import element_provenance, render_scenario
from detente.scenario import load_bundled

ESSAY_PATH = Path(__file__).parent / "data" / "us-dprk-impasse-2021.txt"
ACTORS = ("usa", "dprk", "rok", "china", "unsc")
ISSUES = (
    "denuclearization",
    "sanctions_relief",
    "security_guarantees",
    "exercises",
    "inter_korean_economy",
    "human_rights",
)
DRIVERS = (
    "economic_distress",
    "china_dependency",
    "adversary_fatigue",
    "crisis_communication",
    "political_change_washington",
    "political_change_pyongyang",
)
LOCATOR = re.compile(r"¶(\d+) s(\d+)")


def normalise(text: str) -> str:
    """Fold curly quotes and apostrophes to straight ones and collapse whitespace."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[‘’ʼ`]", "'", text)
    text = re.sub(r"[“”]", '"', text)
    return re.sub(r"\s+", " ", text).strip()


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph; "U.S." is an abbreviation, not a sentence end."""
    protected = paragraph.replace("U.S.", "U\0S\0")
    parts = re.split(r"(?<=[.?!])[”\"]?\s+(?=[“\"]?[A-Z])", protected)
    # re.split drops a closing quote that ended a sentence; find each part again instead.
    out, rest = [], protected
    for part in parts:
        i = rest.index(part)
        out.append(rest[i : i + len(part)])
        rest = rest[i + len(part) :]
    sentences = []
    for k, sent in enumerate(out):
        tail = ""
        if k + 1 < len(out):
            nxt = protected.index(out[k + 1], protected.index(sent) + len(sent))
            tail = protected[protected.index(sent) + len(sent) : nxt].strip()
        sentences.append((sent + tail).replace("U\0S\0", "U.S.").strip())
    return sentences


@pytest.fixture(scope="module")
def essay() -> list[list[str]]:
    """The essay as paragraphs (¶1 is the first) of sentences (s1 is the first), normalised."""
    paragraphs = [p for p in ESSAY_PATH.read_text(encoding="utf-8").split("\n") if p.strip()]
    return [[normalise(s) for s in split_sentences(p)] for p in paragraphs]


@pytest.fixture(scope="module")
def flagship():
    return load_bundled("us-dprk-2021")


def essay_citations(s):
    """(where, text, locator) for every quote from the essay, including the claims'."""
    for path, q in s.quantities():
        p = q.provenance
        if p is not None and p.kind == "quote":
            yield path, p.text, p.locator
    for path, p in element_provenance(s):
        if p is not None and p.kind == "quote":
            yield path, p.text, p.locator
    for c in s.claims:
        yield f"claims.{c.id}", c.quote, c.at


def test_essay_sentence_splitter_finds_the_known_sentences(essay):
    assert len(essay) == 10  # nine paragraphs of analysis and the author's biography
    assert [len(p) for p in essay[:9]] == [4, 3, 5, 4, 2, 3, 3, 4, 5]
    assert essay[3][1].startswith("These arguments focus on North Korea's perception that the U.S.")
    assert essay[8][4].startswith("Absent a dramatic change")


def test_flagship_loads_with_the_agreed_ids(flagship):
    assert flagship.meta.id == "us-dprk-2021"
    assert flagship.meta.start == "2021-06"
    assert flagship.meta.question.startswith("Will the US–DPRK denuclearization impasse break")
    assert flagship.salience_max == 1
    assert flagship.actor_ids == ACTORS
    assert flagship.issue_ids == ISSUES
    assert set(flagship.veto_players) == {"usa", "dprk"}
    assert tuple(flagship.drivers) == DRIVERS
    assert all(d.bounds == (0, 1) for d in flagship.drivers.values())
    assert set(flagship.status_quo) == set(ISSUES)
    assert "essay" in flagship.meta.sources
    for i in flagship.issues:
        assert (i.low, i.high) == (0, 100)
        assert {0, 100} <= set(i.anchors), i.id
    assert len(flagship.issue("denuclearization").anchors) >= 5


def test_every_actor_has_tools_of_the_essays_kinds(flagship):
    tools = {a.id: {t.id: t.kind for t in a.tools} for a in flagship.actors}
    assert tools["dprk"] == {
        "obduracy": "delay",
        "crisis_threat": "pressure",
        "adversary_fatigue": "delay",
    }
    assert tools["usa"]["dialogue_offers"] == "engagement"
    assert tools["usa"]["strict_deterrence"] == "pressure"
    assert tools["usa"]["sanctions"] == "pressure"
    assert tools["usa"]["wait_for_desperation"] == "delay"
    assert tools["rok"] == {"restart_talks": "engagement", "economic_concessions": "concession"}
    assert tools["unsc"] == {"sanctions": "pressure"}
    assert set(tools["china"].values()) == {"engagement", "pressure"}


def test_events_cover_exercises_and_elections(flagship):
    dates = {e.id: e.dates for e in flagship.events}
    assert dates["us_rok_exercises"] == ("*-03", "*-08")
    assert dates["rok_presidential_election"] == ("2022-03",)
    assert dates["us_midterms"] == ("2022-11",)
    assert dates["us_presidential_election"] == ("2024-11",)


def test_no_number_or_element_is_unsourced(flagship):
    assert flagship.unsourced() == []
    for _, p in element_provenance(flagship):
        assert p is not None


def test_every_number_has_a_range_holding_its_value_within_its_scale(flagship):
    scales = {i.id: (i.low, i.high) for i in flagship.issues}
    for path, q in flagship.quantities():
        assert q.low <= q.value <= q.high, path
        parts = path.split(".")
        if parts[-1] == "position" or parts[0] == "status_quo" or parts[-2:-1] == ["red_lines"]:
            lo, hi = scales[parts[-2] if parts[-1] == "position" else parts[-1]]
            assert lo <= q.low and q.high <= hi, path
        if parts[-1] == "salience":
            assert q.low >= 0 and q.high <= flagship.salience_max, path
    # an analyst's number is rarely certain: only a few may have a zero-width range
    certain = [p for p, q in flagship.quantities() if q.is_certain]
    assert certain == [], certain


def test_every_quote_stands_in_the_essay_where_its_locator_says(flagship, essay):
    n = 0
    for where, text, locator in essay_citations(flagship):
        m = LOCATOR.fullmatch(locator or "")
        assert m, f"{where}: locator {locator!r} does not read '¶P sS'"
        para, sent = int(m.group(1)), int(m.group(2))
        assert 1 <= para <= len(essay), f"{where}: no paragraph {para}"
        assert 1 <= sent <= len(essay[para - 1]), f"{where}: ¶{para} has no sentence {sent}"
        assert normalise(text) in essay[para - 1][sent - 1], f"{where}: not in ¶{para} s{sent}"
        n += 1
    assert n > 40


def test_every_quote_names_the_essay_as_its_source(flagship):
    for path, q in flagship.quantities():
        if q.provenance is not None and q.provenance.kind == "quote":
            assert q.provenance.source == "essay", path


def test_judgements_and_facts_cite_sentences_that_exist(flagship, essay):
    """A judgement may point at the sentence it interprets ("¶8 s1"); that sentence must exist."""
    provs = [(p, q.provenance) for p, q in flagship.quantities()]
    provs += list(element_provenance(flagship))
    seen = 0
    for where, p in provs:
        if p is None or p.kind == "quote":
            continue
        assert p.text.strip(), where
        if p.kind == "fact":
            assert p.locator, f"{where}: a fact needs a cite"
        for para, sent in LOCATOR.findall(p.locator or "") + LOCATOR.findall(p.text):
            assert 1 <= int(para) <= 9 and 1 <= int(sent) <= len(essay[int(para) - 1]), where
            seen += 1
    assert seen > 5


def test_every_declared_source_is_used_and_every_used_source_declared(flagship):
    used = {
        p.source
        for p in [q.provenance for _, q in flagship.quantities()]
        + [p for _, p in element_provenance(flagship)]
        if p is not None and p.source
    }
    assert used == set(flagship.meta.sources)


def test_flagship_survives_a_yaml_round_trip(flagship):
    from detente.scenario import dump_yaml, read_yaml

    assert read_yaml(dump_yaml(flagship), "round-trip.yaml") == flagship


def test_sampled_draws_stay_within_every_range(flagship):
    batch = flagship.sample(500, seed=7)
    red = flagship.actor("dprk").red_lines["denuclearization"].bound
    d, i = batch.actor_index("dprk"), batch.issue_index("denuclearization")
    assert red.low <= batch.red_high[:, d, i].min() and batch.red_high[:, d, i].max() <= red.high
    for name, q in ((n, flagship.drivers[n].value) for n in DRIVERS):
        assert q.low <= batch.drivers[name].min() and batch.drivers[name].max() <= q.high


def _known_paths(s) -> set[str]:
    known = {p for p, _ in s.quantities()}
    known |= {f"issues.{i.id}" for i in s.issues}
    known |= set(s.actor_ids)
    known |= {f"{a.id}.tools.{t.id}" for a in s.actors for t in a.tools}
    known |= {f"events.{e.id}" for e in s.events}
    return known


def test_claims_c1_to_c14_rest_on_elements_that_exist(flagship, essay):
    assert [c.id for c in flagship.claims] == [f"C{k}" for k in range(1, 15)]
    known = _known_paths(flagship)
    for c in flagship.claims:
        assert c.text and c.quote and c.at, c.id
        assert c.rests_on, c.id
        missing = [r for r in c.rests_on if r not in known]
        assert not missing, f"{c.id} rests on unknown {missing}"


def test_claims_carry_no_verdict(flagship):
    data = flagship.model_dump()
    for c in data["claims"]:
        # a claim states what to check, never its verdict
        assert not {"verdict", "holds", "robustness"} & set(c)
        assert c["check"] and c["evidence"] in ("encoding", "derived", "record")
    text = (Path(__file__).parents[1] / "src/detente/scenario/bundled/us-dprk-2021.yaml").read_text(
        encoding="utf-8"
    )
    assert not re.search(r"^\s*(verdict|holds|robustness)\s*:", text, re.M)


def test_red_lines_follow_the_essay_and_their_ranges_say_how_sure(flagship):
    usa = flagship.actor("usa").red_lines["denuclearization"]
    dprk = flagship.actor("dprk").red_lines["denuclearization"]
    assert usa.op == ">=" and dprk.op == "<="
    hanoi = 40  # the anchor for the Hanoi offer: Yongbyon for relief
    assert flagship.issue("denuclearization").anchors[hanoi].endswith("(the Hanoi offer)")
    # the North would trade partial denuclearization (¶3 s5): a Hanoi package is within its line
    assert dprk.allows(hanoi)
    # the US cannot accept the North as a nuclear state (¶5 s2) and walked out of Hanoi
    assert not usa.allows(hanoi)
    # Uncertain bounds: the ranges are wide enough that the uncertainty analysis can disagree
    # with the point reading (whether the lines overlap is for the models to compute).
    assert usa.bound.high - usa.bound.low >= 20 and dprk.bound.high - dprk.bound.low >= 20


def _package_beating_status_quo(s, n: int = 20000, seed: int = 0) -> bool:
    """Whether some package within both veto players' red lines gives each more than the
    status quo, with linear salience-weighted utility (a data sanity check, not the model)."""
    a = s.to_arrays()
    rng = np.random.default_rng(seed)
    veto = np.flatnonzero(a.veto)
    lo = np.max(a.red_low[veto], axis=0)
    hi = np.min(a.red_high[veto], axis=0)
    if np.any(lo > hi):
        return False
    x = rng.uniform(lo, hi, size=(n, a.n_issues))
    x[0] = np.clip(a.status_quo, lo, hi)
    gains = []
    for k in veto:
        w = a.saliences[k] * a.has_stance[k]
        u = -(np.abs(x - a.positions[k]) * w).sum(axis=1)
        u0 = -(np.abs(a.status_quo - a.positions[k]) * w).sum()
        gains.append(u - u0)
    return bool(np.any(np.all(np.array(gains) > 0, axis=0)))


def test_sanity_target_red_lines_block_and_the_essays_lever_opens(flagship):
    a = flagship.to_arrays()
    u, d = a.actor_index("usa"), a.actor_index("dprk")
    i = a.issue_index("denuclearization")
    assert a.red_low[u, i] > a.red_high[d, i]  # the lines as read do not overlap
    assert not _package_beating_status_quo(flagship)
    softer = flagship.with_value("usa.denuclearization.position", 25).with_value(
        "usa.red_lines.denuclearization", "none"
    )
    assert _package_beating_status_quo(softer)


def test_the_hanoi_offer_is_one_the_north_would_make(flagship):
    """Kim proposed Yongbyon (40) for the 2016-2017 sanctions (70) himself: with the scenario's
    numbers that package must be within his red line and better for him than the status quo."""
    a = flagship.to_arrays()
    d = a.actor_index("dprk")
    assert flagship.issue("sanctions_relief").anchors[70].endswith("(the Hanoi demand)")
    hanoi = a.status_quo.copy()
    hanoi[a.issue_index("denuclearization")] = 40
    hanoi[a.issue_index("sanctions_relief")] = 70
    assert np.all((a.red_low[d] <= hanoi) & (hanoi <= a.red_high[d]))
    w = a.saliences[d] * a.has_stance[d]
    gain = np.abs(a.status_quo - a.positions[d]) @ w - np.abs(hanoi - a.positions[d]) @ w
    assert gain > 0


def test_docs_table_of_red_lines_and_drivers_matches_the_scenario(flagship):
    """docs/flagship.md tabulates every red line and driver; its numbers must be the file's."""
    doc = (Path(__file__).parents[1] / "docs" / "flagship.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z_.]+)` \| ([^|]+) \| ([^|]+) \|", doc, re.M)
    table = {path: (value.strip(), rng.strip()) for path, value, rng in rows}
    expected = {
        f"{a.id}.red_lines.{iid}": rl.bound
        for a in flagship.actors
        for iid, rl in a.red_lines.items()
    }
    expected.update({f"drivers.{k}": d.value for k, d in flagship.drivers.items()})
    assert set(expected) <= set(table)
    for path, q in expected.items():
        value, rng = table[path]
        number = float(re.search(r"-?[0-9.]+", value).group())
        low, high = (float(x) for x in rng.split("–"))
        assert (number, low, high) == (q.value, q.low, q.high), path


# ----- the CLI ------------------------------------------------------------------------------
runner = CliRunner()


def test_show_sources_lists_every_number_with_a_source(flagship):
    res = runner.invoke(app, ["show", "us-dprk-2021", "--sources"], env={"COLUMNS": "100"})
    assert res.exit_code == 0, res.output
    out = res.output
    assert "none given" not in out
    for path, _ in flagship.quantities():
        assert re.search(rf"^{re.escape(path)} = ", out, re.M), path
    for path, _ in element_provenance(flagship):
        assert re.search(rf"^{re.escape(path)}$", out, re.M), path
    assert "(essay, ¶5 s2)" in out
    assert "denuclearization <= 40 [20, 55]" in out
    assert re.search(r"C14 .*¶9 s5", out)
    assert "rests on: drivers.political_change_washington" in out


def test_show_json_carries_the_same_sources(flagship):
    res = runner.invoke(app, ["show", "us-dprk-2021", "--sources", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    rows = {r["path"]: r for r in data["numbers"]}
    assert list(rows) == [p for p, _ in flagship.quantities()]
    for path, q in flagship.quantities():
        r = rows[path]
        assert r["value"] == q.value and r["range"] == [q.low, q.high]
        assert r["provenance"]["kind"] == q.provenance.kind
        assert r["provenance"]["text"] == q.provenance.text
    assert all(e["provenance"] for e in data["elements"])
    assert data["unsourced"] == []
    assert data["veto_players"] == ["usa", "dprk"]
    assert [c["id"] for c in data["claims"]] == [f"C{k}" for k in range(1, 15)]


def test_show_json_without_sources_still_carries_every_provenance(flagship):
    data = json.loads(runner.invoke(app, ["show", "us-dprk-2021", "--json"]).output)
    assert len(data["numbers"]) == len(list(flagship.quantities()))
    assert all(r["provenance"] for r in data["numbers"])
    usa = next(a for a in data["actors"] if a["id"] == "usa")
    assert usa["red_lines"]["denuclearization"]["bound"]["cite"] == "¶5 s1; ¶5 s2"


def test_set_changes_show_json():
    base = json.loads(runner.invoke(app, ["show", "us-dprk-2021", "--json"]).output)
    res = runner.invoke(
        app,
        [
            "show",
            "us-dprk-2021",
            "--json",
            "--set",
            "usa.denuclearization.position=40",
            "--set",
            "usa.red_lines.denuclearization=none",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    usa_before = next(a for a in base["actors"] if a["id"] == "usa")
    usa_after = next(a for a in data["actors"] if a["id"] == "usa")
    assert usa_before["stances"]["denuclearization"]["position"]["value"] == 95
    assert usa_after["stances"]["denuclearization"]["position"]["value"] == 40
    assert "judgement" in usa_after["stances"]["denuclearization"]["position"]
    assert "denuclearization" in usa_before["red_lines"]
    assert "denuclearization" not in usa_after["red_lines"]


def test_unknown_set_path_exits_2_with_a_hint():
    res = runner.invoke(app, ["show", "us-dprk-2021", "--set", "usa.denuclearisation.position=40"])
    assert res.exit_code == 2
    assert "unknown what-if path" in res.output
    assert "did you mean usa.denuclearization.position" in res.output
    assert "Traceback" not in res.output


@pytest.mark.parametrize("name", ["us-dprk-2021", "ec-emissions-1994"])
@pytest.mark.parametrize("sources", [False, True])
def test_show_fits_a_100_column_terminal(name, sources):
    buf = io.StringIO()
    console = Console(file=buf, width=100, force_terminal=False, color_system=None)
    render_scenario(load_bundled(name), console, sources=sources)
    lines = buf.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 100
    assert any("Actors" in line for line in lines)
