"""The exchange model's tab-separated ``#A/#P/#M/#D`` input files.

The established input format of the exchange model (Stokman & Van Oosten 1994; the
Decide exchange-model software of Dijkstra, Van Assen, Stokman et al.): one record per
line, tab-separated, text cells quoted with ``'``::

    '#A'  actor  full name  [comment]
    '#P'  issue  description  [comment]
    '#M'  issue  position  [meaning]          scale anchors; min and max give the scale
    '#D'  actor  issue  position  salience  power  [comment]
    '#/'  free comment        ('#0' and '#O' lines are comments too)

Mapping onto detente:

* ``#A`` ids become actor ids (made valid: ``'EU (incl Norway)'`` becomes
  ``EU_incl_Norway``, the label keeps the full name). Ids are made distinct across
  actors and issues: an issue named like an actor, or a name giving the id of another
  name, gets a suffix (``#P 'x'`` beside ``#A 'x'`` becomes issue ``x_2``).
* An issue's scale runs from its smallest to its largest ``#M`` position (0-100 when
  it has fewer than two); ``#M`` rows with a meaning become named anchors.
* ``#D`` power is per actor *and* issue in the file but detente gives each actor one
  capability: the power must be the same on all of an actor's ``#D`` rows (it is in
  the published data sets), otherwise the reader reports every differing row.
* Saliences are on 0-100 (``salience_max: 100``) unless every salience in the file is
  at most 1, in which case the file is read on 0-1 (as Decide's later data sets are);
  a ``#/ detente salience_max: 100`` comment line settles it explicitly, and the
  writer always writes one.
* There is no status quo in the format: it is left absent (the models' reference point
  applies, see ``docs/models/contract.md``).
* ``#/ detente id: ...`` and ``#/ detente title: ...`` comment lines carry the
  scenario's id and title through a round trip.

Reference: Stokman, F. N. & Van Oosten, R. (1994) "The exchange of voting positions:
an object-oriented model of policy networks", in Bueno de Mesquita & Stokman (eds.),
European Community Decision Making, Yale UP.
"""

from __future__ import annotations

import contextlib
import csv
from typing import Any

from ...errors import Problem, ScenarioError
from ..schema import RESERVED_ACTOR_IDS, Scenario
from ._common import (
    Collector,
    cannot_write,
    check_limits,
    distinct_ids,
    fmt_number,
    imported,
    infer_salience_max,
    make_id,
    meta_from_filename,
)

__all__ = ["read_exchange", "sniff_exchange", "write_exchange"]

_COMMENTS = ("#0", "#O", "#/")
_KINDS = {"#A": 2, "#P": 2, "#M": 2, "#D": 5}
_DIRECTIVE = "detente "


def _records(text: str, col: Collector) -> list[tuple[int, list[str]]]:
    out: list[tuple[int, list[str]]] = []
    for ln, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        delim = "\t" if "\t" in raw else (";" if ";" in raw else "\t")
        try:
            cells = next(csv.reader([raw], delimiter=delim, quotechar="'"))
        except csv.Error as err:
            col.add(ln, None, f"syntax error: {err}", "check the quotes (') on that line")
            continue
        cells = [c.strip() for c in cells]
        while cells and cells[-1] == "":
            cells.pop()
        if cells:
            out.append((ln, cells))
    return out


def read_exchange(text: str, filename: str = "<exchange>") -> Scenario:
    """Read a ``#A/#P/#M/#D`` file; every problem is reported at once with its line."""
    col = Collector(filename)
    recs = _records(text, col)
    actors: dict[str, dict[str, Any]] = {}
    actor_keys: dict[str, str] = {}  # name in file -> id
    issues: dict[str, dict[str, Any]] = {}
    issue_keys: dict[str, str] = {}
    marks: dict[str, list[tuple[int, float, str]]] = {}
    rows_d: list[tuple[int, list[str]]] = []
    directives: dict[str, tuple[int, str]] = {}
    # ids from the #A and #P names, distinct across both: the file's namespaces are
    # separate (actor 'x' and issue 'x' may both exist), detente's ids are not
    a_names = [c[1] for _, c in recs if c[0].upper() == "#A" and len(c) > 1]
    p_names = [c[1] for _, c in recs if c[0].upper() == "#P" and len(c) > 1]
    a_ids = distinct_ids([(n, make_id(n)) for n in a_names], RESERVED_ACTOR_IDS)
    p_ids = distinct_ids([(n, make_id(n, prefix="i")) for n in p_names], a_ids)
    actor_id_of = dict(zip(a_names, a_ids, strict=True))
    issue_id_of = dict(zip(p_names, p_ids, strict=True))
    for ln, cells in recs:
        kind = cells[0].upper()
        if kind[:2] in _COMMENTS:
            body = " ".join(cells[1:]) if kind == "#/" else ""
            if kind.startswith("#/") and len(kind) > 2:
                body = (cells[0][2:] + " " + " ".join(cells[1:])).strip()
            if body.startswith(_DIRECTIVE) and ":" in body:
                key, _, value = body[len(_DIRECTIVE) :].partition(":")
                directives[key.strip()] = (ln, value.strip())
            continue
        if kind not in _KINDS:
            col.add(
                ln,
                None,
                f"unknown record type {cells[0]!r}",
                "lines start with #A (actor), #P (issue), #M (scale point), #D (stance) or #/ (comment)",
            )
            continue
        if len(cells) < _KINDS[kind] + 1:
            need = {
                "#A": "'#A' actor 'full name'",
                "#P": "'#P' issue 'description'",
                "#M": "'#M' issue position 'meaning'",
                "#D": "'#D' actor issue position salience power",
            }[kind]
            col.add(
                ln,
                None,
                f"a {kind} record needs {_KINDS[kind]} fields, got {len(cells) - 1}",
                f"write {need}",
            )
            if kind in ("#A", "#P") and len(cells) == 2:
                cells = [*cells, cells[1]]
            else:
                continue
        if kind == "#A":
            name = cells[1]
            aid = actor_id_of[name]
            if name in actor_keys:
                col.add(
                    ln,
                    aid,
                    f"actor {name!r} is declared twice (first at line {actors[actor_keys[name]]['_line']})",
                    "remove one of the #A lines",
                )
                continue
            actor_keys[name] = aid
            full = cells[2] or name
            actors[aid] = {
                "_line": ln,
                "id": aid,
                "label": full,
                **imported(filename, ln, "#A" + (f" {name!r}" if aid != name else "")),
            }
            if len(cells) > 3 and cells[3]:
                actors[aid]["description"] = cells[3]
        elif kind == "#P":
            name = cells[1]
            iid = issue_id_of[name]
            if name in issue_keys:
                col.add(
                    ln,
                    iid,
                    f"issue {name!r} is declared twice (first at line {issues[issue_keys[name]]['_line']})",
                    "remove one of the #P lines",
                )
                continue
            issue_keys[name] = iid
            issues[iid] = {"_line": ln, "id": iid, "label": cells[2] or name}
            if len(cells) > 3 and cells[3]:
                issues[iid]["description"] = cells[3]
        elif kind == "#M":
            at, ok = col.number(cells[2], ln, f"{cells[1]} scale point", what="a scale position")
            if ok:
                marks.setdefault(cells[1], []).append((ln, at, cells[3] if len(cells) > 3 else ""))
        else:
            rows_d.append((ln, cells))

    if not actors and not issues and not rows_d and not marks and recs:
        raise ScenarioError(
            [
                Problem(
                    "no #A, #P, #M or #D records: this does not look like an exchange-model file",
                    _other_format_hint(text),
                    file=filename,
                    line=recs[0][0],
                )
            ]
        )
    if not rows_d:
        # without stances every model would "forecast" the middle of each scale
        col.add(
            recs[0][0] if recs else 1,
            "#D",
            "no #D lines: the file gives no actor a position or salience on any issue",
            "add one '#D actor issue position salience power' line per actor and issue",
        )
    check_limits(col, len(actors), len(issues))
    for name, ms in marks.items():
        if name not in issue_keys:
            for ln, _, _ in ms:
                col.add(
                    ln,
                    name,
                    f"#M for issue {name!r}, which has no #P line",
                    "declare the issue with a #P line first, or fix the name",
                )
    for iid, issue in issues.items():
        name = next(k for k, v in issue_keys.items() if v == iid)
        ms = marks.get(name, [])
        values = sorted({v for _, v, _ in ms})
        if len(values) >= 2:
            issue["low"], issue["high"] = values[0], values[-1]
            scale = f"scale from its #M rows (lines {', '.join(str(m[0]) for m in ms)})"
        else:
            issue["low"], issue["high"] = 0, 100
            scale = "scale 0-100 assumed (fewer than two #M rows)"
            for ln, v, _ in ms:
                if not 0 <= v <= 100:
                    col.add(
                        ln,
                        name,
                        f"scale point {fmt_number(v)} is outside the assumed scale 0-100",
                        "give the issue two #M rows: its minimum and its maximum",
                    )
        anchors = {v: m for _, v, m in ms if m}
        if anchors:
            issue["anchors"] = anchors
        issue.update(imported(filename, issue["_line"], f"#P {name!r}; {scale}"))

    # saliences: explicit directive, else inferred
    sal_max: float
    sal_note: str
    if "salience_max" in directives:
        ln, txt = directives["salience_max"]
        sal_max, ok = col.number(
            txt, ln, "salience_max", what="the salience scale maximum", placeholder=100.0
        )
        sal_note = f"salience scale 0-{fmt_number(sal_max)} stated at line {ln}"
        if ok and sal_max <= 0:
            col.add(ln, "salience_max", "salience_max must be above 0", "write 1 or 100")
            sal_max = 100.0
    else:
        sals = []
        for ln, cells in rows_d:
            with contextlib.suppress(ValueError, IndexError):
                sals.append((ln, "salience", float(cells[4])))
        sal_max = (
            infer_salience_max(
                col, sals, "state the scale with a line '#/ detente salience_max: 100'"
            )
            if sals
            else 100.0
        )
        sal_note = (
            "salience scale 0-1 inferred (every salience is at most 1)"
            if sal_max == 1.0
            else "salience scale 0-100 (the format's)"
        )

    powers: dict[str, list[tuple[int, float]]] = {}
    seen: dict[tuple[str, str], int] = {}
    for ln, cells in rows_d:
        aname, iname = cells[1], cells[2]
        aid_or_none = actor_keys.get(aname)
        iid_or_none = issue_keys.get(iname)
        if aid_or_none is None:
            col.add(
                ln,
                aname,
                f"#D row for actor {aname!r}, which has no #A line",
                _close(aname, actor_keys) or "declare the actor with an #A line",
            )
        if iid_or_none is None:
            col.add(
                ln,
                iname,
                f"#D row for issue {iname!r}, which has no #P line",
                _close(iname, issue_keys) or "declare the issue with a #P line",
            )
        fld = f"{aid_or_none or aname}.{iid_or_none or iname}"
        low = issues[iid_or_none]["low"] if iid_or_none is not None else 0.0
        pos, okpos = col.number(cells[3], ln, f"{fld}.position", what="a position", placeholder=low)
        sal, _ = col.number(cells[4], ln, f"{fld}.salience", what="a salience")
        pw, okp = col.number(cells[5], ln, f"{fld}.power", what="a power")
        if aid_or_none is None or iid_or_none is None:
            continue
        aid, iid = aid_or_none, iid_or_none
        if (aid, iid) in seen:
            col.add(
                ln,
                fld,
                f"a second #D row for {aname!r} on {iname!r} (first at line {seen[(aid, iid)]})",
                "keep one #D row per actor and issue",
            )
            continue
        seen[(aid, iid)] = ln
        if okpos and not issues[iid]["low"] <= pos <= issues[iid]["high"]:
            col.add(
                ln,
                f"{fld}.position",
                f"position {fmt_number(pos)} is outside the scale of {iname!r} [{fmt_number(issues[iid]['low'])}, {fmt_number(issues[iid]['high'])}]",
                "put it on the scale, or widen the scale with #M rows",
            )
            pos = issues[iid]["low"]
        if okp:
            powers.setdefault(aid, []).append((ln, pw))
        stance = {
            "position": {"value": pos, **imported(filename, ln, "#D position")},
            "salience": {"value": sal, **imported(filename, ln, f"#D salience ({sal_note})")},
        }
        actors[aid].setdefault("stances", {})[iid] = stance

    for aid, actor in actors.items():
        pws = powers.get(aid, [])
        if not pws:
            actor["capability"] = {
                "value": 0,
                **imported(
                    filename, actor["_line"], "no #D rows, so no power in the file; 0 assumed"
                ),
            }
            continue
        distinct = sorted({p for _, p in pws})
        if len(distinct) > 1:
            first_ln, first = pws[0]
            for ln, p in pws[1:]:
                if p != first:
                    col.add(
                        ln,
                        f"{aid}.power",
                        f"power {fmt_number(p)} differs from {fmt_number(first)} on line {first_ln}; detente gives each actor one capability",
                        "use the same power on all of an actor's #D rows (or split the issues into files of their own)",
                    )
        ln0, p0 = pws[0]
        lines = ", ".join(str(ln) for ln, _ in pws)
        actor["_cap_line"] = ln0
        actor["capability"] = {
            "value": p0,
            **imported(filename, ln0, f"#D power (same on lines {lines})"),
        }

    meta = meta_from_filename(filename, None, "exchange model")
    for key in ("id", "title", "description"):
        if key in directives:
            meta[key] = directives[key][1]
            col.lines[("meta", key)] = directives[key][0]
    issue_list = list(issues.values())
    actor_list = list(actors.values())
    for k, a in enumerate(actor_list):
        col.lines[("actors", k)] = a.pop("_line")
        if "_cap_line" in a:
            col.lines[("actors", k, "capability")] = a.pop("_cap_line")
        for iid in a.get("stances", {}):
            col.lines[("actors", k, "stances", iid)] = seen[(a["id"], iid)]
    for k, i in enumerate(issue_list):
        col.lines[("issues", k)] = i.pop("_line")
    if not rows_d and not actors and not issues:
        raise col.fatal(
            None,
            "no #A, #P, #M or #D records found",
            "is this an exchange-model file? lines start with '#A', '#P', '#M' or '#D'",
        )
    data: dict[str, Any] = {
        "meta": meta,
        "salience_max": sal_max,
        "issues": issue_list,
        "actors": actor_list,
    }
    return col.finish(data)


def _other_format_hint(text: str) -> str:
    from .. import io

    for fmt, sniff in io.SNIFFERS:
        if fmt != "exchange" and sniff(text):
            return f"it looks like {fmt}: pass --from {fmt}"
    return "lines start with #A, #P, #M or #D; pass --from FORMAT if it is another format"


def _close(name: str, known: dict[str, str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
    return f"did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def _q(text: str) -> str:
    return "'" + text.replace("'", "''").replace("\t", " ").replace("\n", " ") + "'"


def exchange_problems(s: Scenario) -> list[tuple[str | None, str, str]]:
    """Why ``s`` cannot be written as ``#A/#P/#M/#D`` (empty when it can)."""
    out: list[tuple[str | None, str, str]] = []
    for a in s.actors:
        if not a.stances and a.capability.value != 0:
            out.append(
                (
                    a.id,
                    f"{a.id} has no stance, and the format keeps an actor's power only on its #D rows",
                    "give the actor a stance, or remove it",
                )
            )
    return out


def write_exchange(s: Scenario) -> str:
    """Write a scenario as a ``#A/#P/#M/#D`` file (scale, anchors, stances, one power per actor)."""
    bad = exchange_problems(s)
    if bad:
        raise cannot_write("exchange", bad)
    out = [
        f"'#/'\t{_q(_DIRECTIVE + 'id: ' + s.meta.id)}\n",
        f"'#/'\t{_q(_DIRECTIVE + 'title: ' + s.meta.title)}\n",
        f"'#/'\t{_q(_DIRECTIVE + 'salience_max: ' + fmt_number(s.salience_max))}\n",
    ]
    for a in s.actors:
        out.append(
            f"'#A'\t{_q(a.id)}\t{_q(a.label)}"
            + (f"\t{_q(a.description)}" if a.description else "")
            + "\n"
        )
    for i in s.issues:
        out.append(
            f"'#P'\t{_q(i.id)}\t{_q(i.label)}"
            + (f"\t{_q(i.description)}" if i.description else "")
            + "\n"
        )
        points = dict(i.anchors)
        points.setdefault(i.low, "")
        points.setdefault(i.high, "")
        for at in sorted(points):
            meaning = points[at]
            out.append(
                f"'#M'\t{_q(i.id)}\t{fmt_number(at)}"
                + (f"\t{_q(meaning)}" if meaning else "")
                + "\n"
            )
    for a in s.actors:
        for i in s.issues:
            st = a.stances.get(i.id)
            if st is None:
                continue
            out.append(
                f"'#D'\t{_q(a.id)}\t{_q(i.id)}\t{fmt_number(st.position.value)}\t"
                f"{fmt_number(st.salience.value)}\t{fmt_number(a.capability.value)}\n"
            )
    return "".join(out)


def sniff_exchange(text: str) -> bool:
    for raw in text.splitlines()[:20]:
        cell = raw.strip().lstrip("'\"")
        if cell[:2] in ("#A", "#P", "#M", "#D", "#/"):
            return True
        if raw.strip():
            return False
    return False
