"""The second bundled case, iran-jcpoa-2021: complete, sourced, checkable against its quotes.

The quoted sentences of the public analyses it rests on are kept, with author, title, date and
locator, in ``tests/data/iran-jcpoa-2021-quotes.yaml``. These tests check that every quote of
the scenario and of its case file (claims, what-ifs, roles) stands there verbatim under the
source and locator it names, that every number carries provenance and a range, that the case
file's claims use only catalogue quantities on paths that exist and that the data really lets
each claim fail inside its ranges, that the record is well formed and cut at 2021-06-30, and
that the commands run on the case with no code of its own.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from detente.cli import app
from detente.core import win_set_gap
from detente.report.scenario_view import element_provenance
from detente.scenario import Scenario, load_bundled
from detente.scenario.case import EVENT_KINDS, QUANTITIES

ROOT = Path(__file__).parents[1]
QUOTES_PATH = ROOT / "tests" / "data" / "iran-jcpoa-2021-quotes.yaml"
BUNDLED = ROOT / "src" / "detente" / "scenario" / "bundled"
RECORD_DIR = ROOT / "src" / "detente" / "data" / "records" / "iran"
NAME = "iran-jcpoa-2021"
ACTORS = ("usa", "iran", "e3", "russia", "china", "iaea", "israel")
ISSUES = (
    "sanctions_relief",
    "nuclear_rollback",
    "verification",
    "sequencing",
    "guarantees",
    "follow_on",
)
ROLES = ("challenger", "defender", "patron", "third_party")
RECORD_KINDS = set(EVENT_KINDS)  # the record format of docs/scenario-format.md
# the engine's catalogue of quantities and the arguments each takes (docs/claims.md)
CATALOGUE: dict[str, set[str]] = {
    name: set(spec.args) | set(spec.optional) for name, spec in QUANTITIES.items()
}
INPUT_QUANTITIES = {"position", "salience", "capability", "red_line_overlap", "driver"}


def normalise(text: str) -> str:
    """Fold curly quotes and apostrophes to straight ones and collapse whitespace."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[‘’ʼ`]", "'", text)
    text = re.sub(r"[“”]", '"', text)
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def case() -> Scenario:
    return load_bundled(NAME)


@pytest.fixture(scope="module")
def quotes() -> dict:
    return yaml.safe_load(QUOTES_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def case_file() -> dict:
    """The case's own claims, what-ifs and roles, as written in its scenario file."""
    data = yaml.safe_load((BUNDLED / f"{NAME}.yaml").read_text(encoding="utf-8"))
    return {k: data[k] for k in ("what_ifs", "roles", "claims")}


@pytest.fixture(scope="module")
def record_rows() -> list[dict[str, str]]:
    with (RECORD_DIR / "events.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def scenario_citations(s: Scenario):
    """(where, text, locator, source) for every quote of the scenario's numbers and elements."""
    for path, q in s.quantities():
        p = q.provenance
        if p is not None and p.kind == "quote":
            yield path, p.text, p.locator, p.source
    for path, p in element_provenance(s):
        if p is not None and p.kind == "quote":
            yield path, p.text, p.locator, p.source


def case_file_citations(data: dict):
    for section in ("what_ifs", "claims"):
        for item in data.get(section, []):
            if "quote" in item:
                yield f"{section}.{item['id']}", item["quote"], item.get("at"), item.get("source")


def known_paths(s: Scenario) -> set[str]:
    known = {p for p, _ in s.quantities()}
    known |= {f"issues.{i.id}" for i in s.issues}
    known |= set(s.actor_ids)
    known |= {f"{a.id}.tools.{t.id}" for a in s.actors for t in a.tools}
    known |= {f"events.{e.id}" for e in s.events}
    known |= {f"{a.id}.red_lines.{i}" for a in s.actors for i in s.issue_ids}
    return known


def zone_open(s: Scenario) -> bool:
    return bool(win_set_gap(s.to_arrays()).zone_nonempty)


def p_zone(s: Scenario, draws: int = 400) -> float:
    return float(win_set_gap(s.sample(draws, 0)).zone_nonempty.mean())


# ----- the scenario ---------------------------------------------------------------------------
def test_case_loads_with_the_agreed_actors_issues_and_vantage_point(case):
    assert case.meta.id == NAME
    assert case.meta.start == "2021-06"
    assert case.actor_ids == ACTORS
    assert case.issue_ids == ISSUES
    assert set(case.veto_players) == {"usa", "iran"}
    assert set(case.status_quo) == set(ISSUES)
    assert case.salience_max == 1
    for i in case.issues:
        assert (i.low, i.high) == (0, 100) and {0, 100} <= set(i.anchors), i.id
        assert len(i.anchors) >= 5, i.id
    assert all(d.bounds == (0, 1) for d in case.drivers.values())
    assert {
        "economic_distress",
        "hardliner_consolidation",
        "israeli_sabotage",
        "us_domestic_constraint",
    } <= set(case.drivers)


def test_every_actor_has_tools_and_israel_only_pressure(case):
    kinds = {a.id: {t.kind for t in a.tools} for a in case.actors}
    assert all(kinds.values()), kinds
    assert kinds["israel"] == {"pressure"}
    assert kinds["usa"] == kinds["iran"] == {"pressure", "engagement", "concession", "delay"}
    assert not case.actor("israel").veto


def test_no_number_or_element_is_unsourced(case):
    assert case.unsourced() == []
    for where, p in element_provenance(case):
        assert p is not None, where
        assert p.text.strip(), where
        if p.kind == "fact":
            assert p.locator, f"{where}: a fact needs a cite"


def test_every_number_has_a_range_holding_its_value_within_its_scale(case):
    scales = {i.id: (i.low, i.high) for i in case.issues}
    for path, q in case.quantities():
        assert q.provenance is not None and q.provenance.text.strip(), path
        assert q.low <= q.value <= q.high, path
        assert not q.is_certain, f"{path}: a zero-width range"
        parts = path.split(".")
        if parts[-1] == "position" or parts[0] == "status_quo" or parts[-2:-1] == ["red_lines"]:
            lo, hi = scales[parts[-2] if parts[-1] == "position" else parts[-1]]
            assert lo <= q.low and q.high <= hi, path
        if parts[-1] == "salience":
            assert q.low >= 0 and q.high <= case.salience_max, path
        if q.provenance.kind == "fact":
            assert q.provenance.locator, f"{path}: a fact needs a cite"
            assert "http" not in q.provenance.locator, f"{path}: cites are URL-free"


def test_every_quote_stands_in_the_quotes_file_under_its_source_and_locator(
    case, quotes, case_file
):
    index: dict[tuple[str, str], list[str]] = {}
    for q in quotes["quotes"]:
        index.setdefault((q["source"], q["at"]), []).append(normalise(q["text"]))
    cites = list(scenario_citations(case)) + list(case_file_citations(case_file))
    for where, text, locator, source in cites:
        assert source in quotes["sources"], f"{where}: source {source!r} not in the quotes file"
        found = index.get((source, locator))
        assert found, f"{where}: no quoted sentence at {source} {locator}"
        assert any(normalise(text) in sentence for sentence in found), f"{where}: not verbatim"
    assert len(cites) > 60


def test_at_least_15_numbers_rest_on_quotes_from_at_least_two_sources(case):
    quoted = [
        (path, q.provenance.source)
        for path, q in case.quantities()
        if q.provenance is not None and q.provenance.kind == "quote"
    ]
    assert len(quoted) >= 15
    assert len({src for _, src in quoted}) >= 2


def test_quotes_file_holds_short_sentences_of_dated_sources_only(quotes, case, case_file):
    """Short quotations, never whole articles; every source before 2021-07-01; every quoted
    sentence is used by the scenario or its case file."""
    used = {(s, a) for _, _, a, s in scenario_citations(case)}
    used |= {(s, a) for _, _, a, s in case_file_citations(case_file)}
    # the record's cites and the scenario's judgements name quoted sentences as "source ¶P sS"
    named = (RECORD_DIR / "events.csv").read_text(encoding="utf-8")
    named += (BUNDLED / f"{NAME}.yaml").read_text(encoding="utf-8")
    used |= {
        (q["source"], q["at"]) for q in quotes["quotes"] if f"{q['source']} {q['at']}" in named
    }
    per_source: dict[str, int] = {}
    for q in quotes["quotes"]:
        assert len(q["text"]) <= 500, q["text"][:60]
        per_source[q["source"]] = per_source.get(q["source"], 0) + 1
        assert (q["source"], q["at"]) in used, f"unused quote {q['source']} {q['at']}"
    assert max(per_source.values()) <= 10
    for key, src in quotes["sources"].items():
        assert src["author"] and src["title"], key
        assert str(src["date"]) < "2021-07", f"{key}: dated {src['date']}, after the vantage point"


def test_every_declared_source_is_used_and_every_used_source_declared(case, quotes):
    provs = [q.provenance for _, q in case.quantities()] + [p for _, p in element_provenance(case)]
    used = {p.source for p in provs if p is not None and p.source}
    assert used == set(case.meta.sources)
    quoted = {s for _, _, _, s in scenario_citations(case)}
    assert quoted <= set(quotes["sources"])
    for key in quoted:
        assert case.meta.sources[key].date == str(quotes["sources"][key]["date"]), key


def test_scenario_survives_a_yaml_round_trip(case):
    from detente.scenario import dump_yaml, read_yaml

    assert read_yaml(dump_yaml(case), "round-trip.yaml") == case


def test_red_lines_leave_a_narrow_zone_that_in_range_changes_close(case):
    """As read, the veto players' red lines overlap narrowly on sanctions relief (65-70),
    rollback (60-70) and sequencing (55-65): the zone is open at the point values, and each
    of those lines, moved inside its own range, closes it."""
    assert zone_open(case)
    for path, value in (
        ("iran.red_lines.sanctions_relief", 75),
        ("iran.red_lines.sequencing", 70),
        ("usa.red_lines.nuclear_rollback", 75),
    ):
        q = dict(case.quantities())[path]
        assert q.low <= value <= q.high, path
        assert not zone_open(case.with_value(path, value)), path
    assert 0.2 < p_zone(case) < 0.8


# ----- the case file: claims, what-ifs, roles ---------------------------------------------------
def test_the_scenario_declares_its_claims_what_ifs_and_roles(case, case_file):
    assert set(case_file) == {"what_ifs", "roles", "claims"}
    assert [c.id for c in case.claims] == [c["id"] for c in case_file["claims"]]
    assert [w.id for w in case.what_ifs] == [w["id"] for w in case_file["what_ifs"]]
    assert case.roles is not None and case.roles.challenger == case_file["roles"]["challenger"]


def test_roles_name_the_case_actors_and_drivers(case, case_file):
    roles = case_file["roles"]
    assert roles["challenger"] == "iran" and roles["defender"] == "usa"
    named = [roles["challenger"], roles["defender"], *roles["patrons"], *roles["third_parties"]]
    assert sorted(named) == sorted(ACTORS)
    assert "israel" in roles["third_parties"]
    assert set(roles["drivers"]) <= {
        "distress",
        "dependency",
        "fatigue",
        "crisis_communication",
        "change_challenger",
        "change_defender",
    }
    assert set(roles["drivers"].values()) <= set(case.drivers)
    assert roles["record"] == "iran"


def _apply(s: Scenario, change: dict) -> Scenario:
    if "drop_issue" in change:
        return s.without_issue(change["drop_issue"])
    path = change["set"]
    if "by" in change:
        q = dict(s.quantities())[path]
        return s.with_value(path, q.value + change["by"])
    return s.with_value(path, change["to"])


def test_what_ifs_apply_on_paths_that_exist(case, case_file):
    ids = [w["id"] for w in case_file["what_ifs"]]
    assert len(ids) == len(set(ids)) >= 4
    assert {"us-lifts-first", "iran-returns-first", "guarantee-mechanism", "iran-hardens"} <= set(
        ids
    )
    for w in case_file["what_ifs"]:
        assert w["kind"] in {"lever", "shock"}, w["id"]
        assert w.get("by") in (None, *ACTORS), w["id"]
        assert ("quote" in w) or ("judgement" in w) or ("fact" in w), w["id"]
        s = case
        for change in w["changes"]:
            s = _apply(s, change)  # raises on an unknown path or an off-scale value
        assert s != case, w["id"]
        assert set(w.get("expects", {})) <= {"talks", "agreement", "crisis"}, w["id"]


def test_the_new_administration_hardening_closes_the_zone_and_us_levers_widen_it(case, case_file):
    what_if = {w["id"]: w for w in case_file["what_ifs"]}

    def under(name: str) -> Scenario:
        s = case
        for change in what_if[name]["changes"]:
            s = _apply(s, change)
        return s

    base = p_zone(case)
    assert not zone_open(under("iran-hardens"))
    assert p_zone(under("iran-hardens")) < base - 0.2
    assert p_zone(under("us-lifts-first")) > base + 0.05
    assert p_zone(under("us-lifts-non-nuclear")) > base + 0.1


def test_claims_use_catalogue_quantities_on_paths_that_exist(case, case_file):
    claims = case_file["claims"]
    assert len(claims) >= 8
    evidence = [c["evidence"] for c in claims]
    assert set(evidence) <= {"encoding", "derived", "record"}
    assert sum(e in {"derived", "record"} for e in evidence) >= 5
    known = known_paths(case)
    what_ifs = {w["id"] for w in case_file["what_ifs"]}
    for c in claims:
        checks = c["check"] if isinstance(c["check"], list) else [c["check"]]
        for chk in checks:
            quantity, args = chk["quantity"], chk.get("args", {})
            assert quantity in CATALOGUE, c["id"]
            assert set(args) <= CATALOGUE[quantity], c["id"]
            assert chk["compare"] in {"<", "<=", ">", ">=", "=="}, c["id"]
            assert isinstance(chk["threshold"], int | float), c["id"]
            if quantity in INPUT_QUANTITIES:
                assert c["evidence"] == "encoding", c["id"]
            if "actor" in args:
                assert args["actor"] in ACTORS or args["actor"] in ROLES, c["id"]
            if "issue" in args:
                assert args["issue"] in ISSUES, c["id"]
            if "driver" in args:
                assert args["driver"] in case.drivers, c["id"]
            if "role" in args:
                assert args["role"] in ROLES, c["id"]
            if "package" in args:
                assert set(args["package"]) <= set(ISSUES), c["id"]
            if quantity == "effect":
                assert args["of"] in CATALOGUE and args["of"] != "effect", c["id"]
                assert sum(k in args for k in ("change", "changes", "what_if")) == 1, c["id"]
                if "what_if" in args:
                    assert args["what_if"] in what_ifs, c["id"]
                else:
                    _apply(case, args["change"])
        assert set(c.get("under", [])) <= what_ifs, c["id"]
        missing = [r for r in c["rests_on"] if r not in known]
        assert not missing, f"{c['id']} rests on unknown {missing}"
    assert not any(re.search(r"\b(verdict|holds|robustness)\b", k) for c in claims for k in c)


def _claim(case_file: dict, cid: str) -> dict:
    return next(c for c in case_file["claims"] if c["id"] == cid)


def _input_value(case: Scenario, quantity: str, args: dict) -> float:
    if quantity == "driver":
        return case.drivers[args["driver"]].value.value
    path = f"{args['actor']}.{args['issue']}.{quantity}"
    return dict(case.quantities())[path].value


@pytest.mark.parametrize("cid", ["C1", "C2", "C12"])
def test_encoding_claims_hold_at_the_point_and_can_fail_inside_their_range(case, case_file, cid):
    chk = _claim(case_file, cid)["check"]
    quantity, args, threshold = chk["quantity"], chk["args"], chk["threshold"]
    value = _input_value(case, quantity, args)
    path = (
        f"drivers.{args['driver']}"
        if quantity == "driver"
        else f"{args['actor']}.{args['issue']}.{quantity}"
    )
    q = dict(case.quantities())[path]
    assert chk["compare"] == ">=" and value >= threshold
    assert q.low < threshold  # the low end of the range fails the claim


def test_derived_zone_claims_flip_under_in_range_changes(case, case_file):
    """The bargaining claims' data really can fail: C3 (zone open), C4 (P(zone) <= 0.6),
    C5 (Iran's insistence closes the zone), C6 (sequencing matters), C8 (the hardening
    closes it) each flip when an input moves inside its own range."""
    assert _claim(case_file, "C3")["check"] == {
        "quantity": "zone_open",
        "compare": "==",
        "threshold": 1,
    }
    # C3: open at the point values, closed with Iran's sanctions line at 75 (range 50-85)
    assert zone_open(case) and not zone_open(case.with_value("iran.red_lines.sanctions_relief", 75))
    # C4: P(zone) <= 0.6, above it with the US sanctions line at the top of its range
    us85 = case.with_value("usa.red_lines.sanctions_relief", 85)
    assert p_zone(case) <= 0.6 < p_zone(us85)
    # C5: Iran's line at 85 closes the zone, unless the US line is at 85
    assert not zone_open(case.with_value("iran.red_lines.sanctions_relief", 85))
    assert zone_open(us85.with_value("iran.red_lines.sanctions_relief", 85))
    # C6: dropping sequencing raises P(zone) by more than 0.05, unless both lines are at
    # their permissive ends
    assert p_zone(case.without_issue("sequencing")) - p_zone(case) > 0.05
    soft = case.with_value("iran.red_lines.sequencing", 45).with_value(
        "usa.red_lines.sequencing", 80
    )
    assert p_zone(soft.without_issue("sequencing")) - p_zone(soft) <= 0.05
    # C8: the hardening closes the zone, unless both US lines sit at the top of their ranges
    top = us85.with_value("usa.red_lines.guarantees", 60)
    hard = {"iran.red_lines.sanctions_relief": 80, "iran.red_lines.guarantees": ">= 50"}
    closed, survives = case, top
    for path, value in hard.items():
        closed, survives = closed.with_value(path, value), survives.with_value(path, value)
    assert not zone_open(closed) and zone_open(survives)


def test_c7_package_is_in_irans_win_set_and_leaves_it_inside_the_ranges(case, case_file):
    """C7: the restoration package is within Iran's red lines and better for it than the status
    quo (linear salience-weighted utility, a data check); Iran's sanctions line at 75 (inside
    its range) excludes it."""
    package = _claim(case_file, "C7")["check"]["args"]["package"]

    def in_win_set(s: Scenario) -> bool:
        a = s.to_arrays()
        k = a.actor_index("iran")
        x = a.status_quo.copy()
        for issue, value in package.items():
            x[a.issue_index(issue)] = value
        within = bool(((a.red_low[k] <= x) & (x <= a.red_high[k])).all())
        w = a.saliences[k] * a.has_stance[k]
        gain = abs(a.status_quo - a.positions[k]) @ w - abs(x - a.positions[k]) @ w
        return within and gain > 0

    assert in_win_set(case)
    assert not in_win_set(case.with_value("iran.red_lines.sanctions_relief", 75))


# ----- the record -----------------------------------------------------------------------------
def test_record_manifest_names_its_files_sources_and_thin_spots():
    manifest = yaml.safe_load((RECORD_DIR / "record.yaml").read_text(encoding="utf-8"))
    assert manifest["id"] == "iran"
    assert (manifest["start"], manifest["end"]) == ("2018-05", "2021-06")
    assert manifest["files"] == {"events": "events.csv"}
    assert "thin" in manifest and len(manifest["thin"]) > 200
    assert all(src["title"] for src in manifest["sources"].values())


def test_record_rows_are_dated_attributed_and_cut_at_june_2021(record_rows):
    manifest = yaml.safe_load((RECORD_DIR / "record.yaml").read_text(encoding="utf-8"))
    assert list(record_rows[0]) == ["date", "actor", "kind", "label", "source", "cite"]
    dates = [r["date"] for r in record_rows]
    assert dates == sorted(dates)
    for r in record_rows:
        assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", r["date"]), r
        assert "2018-05" <= r["date"] <= "2021-06-30", r
        assert r["actor"] in ACTORS or r["actor"] in ROLES, r
        assert r["kind"] in RECORD_KINDS, r
        assert r["label"] and r["cite"] and "http" not in r["cite"], r
        assert r["source"] in manifest["sources"], r


def test_record_holds_the_milestones(record_rows):
    def has(date: str, kind: str, word: str) -> bool:
        return any(
            r["date"].startswith(date) and r["kind"] == kind and word in r["label"]
            for r in record_rows
        )

    assert has("2018-05-08", "pressure", "JCPOA")
    assert has("2018-11", "pressure", "oil")
    assert has("2019-07", "provocation", "202.8 kg")
    assert has("2019-07", "provocation", "4.5%")
    assert has("2019-11", "provocation", "Fordow")
    assert has("2021-01", "strategic_provocation", "20%")
    assert has("2021-04", "strategic_provocation", "60%")
    assert has("2019-09", "strategic_provocation", "Abqaiq")
    assert has("2020-01", "pressure", "Soleimani")
    assert has("2020-07", "pressure", "Natanz")
    assert has("2020-11", "pressure", "Fakhrizadeh")
    assert has("2021-04-11", "pressure", "Natanz")
    assert has("2021-06", "change", "Raisi")
    rounds = [r for r in record_rows if r["kind"] == "talks"]
    assert len(rounds) == 6 and all("2021-04" <= r["date"] <= "2021-06-30" for r in rounds)
    assert not [r for r in record_rows if r["kind"] == "agreement"]  # none: the record says so


# ----- no code for the case; the commands run on it -------------------------------------------
def test_the_engine_names_nothing_of_the_case():
    pattern = re.compile(r"\b(iran|jcpoa|raisi|khamenei|israel|natanz)\b|iran-jcpoa", re.I)
    hits = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in (ROOT / "src" / "detente").rglob("*.py")
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert hits == []


runner = CliRunner()


def test_validate_and_show_sources_list_every_number(case):
    res = runner.invoke(app, ["validate", str(BUNDLED / f"{NAME}.yaml")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["show", NAME, "--sources"], env={"COLUMNS": "100"})
    assert res.exit_code == 0, res.output
    assert "none given" not in res.output
    for path, _ in case.quantities():
        assert re.search(rf"^{re.escape(path)} = ", res.output, re.M), path
    data = json.loads(runner.invoke(app, ["show", NAME, "--sources", "--json"]).output)
    assert data["unsourced"] == [] and data["veto_players"] == ["usa", "iran"]


def test_forecast_all_models_runs():
    res = runner.invoke(app, ["forecast", NAME, "--model", "all", "--json"])
    assert res.exit_code == 0, res.output
    assert "sanctions_relief" in res.output


def test_diagnose_runs_and_reports_the_zone():
    res = runner.invoke(app, ["diagnose", NAME, "--draws", "200", "--no-levers", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["scenario"] == NAME and data["veto_players"] == ["usa", "iran"]
    assert data["zone_nonempty"] is True
    assert 0.2 < data["p_zone_nonempty"] < 0.8


def test_docs_table_of_red_lines_and_drivers_and_counts_match_the_scenario(case):
    """docs/iran.md tabulates every red line and driver and counts the numbers by kind."""
    doc = (ROOT / "docs" / "iran.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z_.]+)` \| ([^|]+) \| ([^|]+) \|", doc, re.M)
    table = {path: (value.strip(), rng.strip()) for path, value, rng in rows}
    expected = {
        f"{a.id}.red_lines.{iid}": rl.bound for a in case.actors for iid, rl in a.red_lines.items()
    }
    expected.update({f"drivers.{k}": d.value for k, d in case.drivers.items()})
    assert set(expected) <= set(table)
    for path, q in expected.items():
        value, rng = table[path]
        number = float(re.search(r"-?[0-9.]+", value).group())
        low, high = (float(x) for x in rng.split("–"))
        assert (number, low, high) == (q.value, q.low, q.high), path
    kinds = [q.provenance.kind for _, q in case.quantities()]
    m = re.search(r"Of the scenario's (\d+) numbers, \*\*(\d+) rest on quotes\*\*", doc)
    assert m and (int(m.group(1)), int(m.group(2))) == (len(kinds), kinds.count("quote"))


@pytest.mark.parametrize("sources", [False, True])
def test_show_fits_a_100_column_terminal(case, sources):
    import io

    from rich.console import Console

    from detente.report.scenario_view import render_scenario

    buf = io.StringIO()
    render_scenario(case, Console(file=buf, width=100, color_system=None), sources=sources)
    lines = buf.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 100
    assert any("Actors" in line for line in lines)
