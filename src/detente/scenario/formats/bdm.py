"""Bueno de Mesquita actor tables: ``Actor,Capability,Position,Salience`` (one issue).

The table of the expected utility model's worked examples (Bueno de Mesquita 1994;
Scholz, Calbert & Smith 2011, doi:10.1177/0951629811418142)::

    Actor,Capability,Position,Salience
    Netherlands,0.08,4,0.8

The four columns may come in any order, under any of these names (case and surrounding
spaces ignored; a byte-order mark and CR, LF or CRLF line ends are accepted):

==========  ================================================
column      also read as
==========  ================================================
Actor       Name, Stakeholder, Player
Capability  Resources, Power, Influence, Clout
Position    Stance
Salience    Importance, Priority
==========  ================================================

Any other column is refused with its name, since a silently ignored column is a silently
lost number; a table whose header names an actor column (or three of the four) is read
here, never handed to the KTAB reader, so what is still wrong is reported once, located,
in these terms. The table does not state its scales, so the reader infers them and says
so in the provenance:

* the issue's scale runs from the smallest to the largest position (the positions of
  the worked example, 4, 7 and 10 years, give the scale [4, 10]);
* saliences are on 0-1 when every salience is at most 1, else on 0-100.

The status quo is absent from the table and is left absent: the models then use the
documented reference point (``docs/models/contract.md``, "No status quo") and say so.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from ..._text import csv_cell
from ..schema import RESERVED_ACTOR_IDS, Scenario
from ._common import (
    Collector,
    cannot_write,
    check_limits,
    csv_rows,
    distinct_ids,
    fmt_number,
    imported,
    infer_salience_max,
    make_id,
    meta_from_filename,
)

__all__ = ["read_bdm", "sniff_bdm", "write_bdm"]

COLUMNS = ("actor", "capability", "position", "salience")
#: Header names read as each column (lower case).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "actor": ("actor", "name", "stakeholder", "player"),
    "capability": ("capability", "resources", "power", "influence", "clout"),
    "position": ("position", "stance"),
    "salience": ("salience", "importance", "priority"),
}
_ROLE = {name: col for col, names in SYNONYMS.items() for name in names}


def _role(cell: str) -> str | None:
    """The column a header cell names (None when it names none)."""
    return _ROLE.get(" ".join(cell.replace("\ufeff", "").strip().strip('"').lower().split()))


def _also(col: str) -> str:
    return "/".join(n.capitalize() for n in SYNONYMS[col])


_HEADER_HINT = (
    "the header names the columns Actor, Capability, Position, Salience (also read: "
    + "; ".join(_also(c) for c in COLUMNS)
    + ")"
)


def read_bdm(text: str, filename: str = "<bdm>") -> Scenario:
    """Read an ``Actor,Capability,Position,Salience`` table; every problem at once."""
    col = Collector(filename)
    rows = csv_rows(text, col)
    if not rows:
        raise col.fatal(
            None, "no rows found", "the first line reads Actor,Capability,Position,Salience"
        )
    hline, header = rows[0]
    roles = [_role(h) for h in header]
    unknown = [h for h, r in zip(header, roles, strict=True) if r is None]
    missing = [c for c in COLUMNS if c not in roles]
    dups = [c for c in COLUMNS if roles.count(c) > 1]
    if unknown or missing or dups:
        # one message for the header, naming everything wrong with it
        parts = []
        if missing:
            parts.append("no " + ", ".join(c.capitalize() for c in missing) + " column")
        if unknown:
            parts.append(
                "unknown column"
                + ("s " if len(unknown) > 1 else " ")
                + ", ".join(repr(h) for h in unknown)
            )
        for d in dups:
            given = [h for h, r in zip(header, roles, strict=True) if r == d]
            parts.append(f"{', '.join(repr(g) for g in given)} all give the {d}")
        raise col.fatal(
            hline,
            "not a Bueno de Mesquita table header: " + "; ".join(parts),
            _HEADER_HINT
            + (
                "; remove any other column (a detente YAML scenario can hold more, see docs/formats.md)"
                if unknown
                else ""
            ),
            field="header",
        )
    names = [r or "" for r in roles]
    idx = {c: names.index(c) for c in COLUMNS}
    head = {c: header[idx[c]] for c in COLUMNS}
    body = rows[1:]
    check_limits(col, len(body), 1)
    if not body:
        raise col.fatal(
            hline, "the table has no actor rows", "add one row per actor below the header"
        )
    parsed: list[dict[str, Any]] = []
    for ln, cells in body:
        if len(cells) > len(header):
            col.add(
                ln,
                None,
                f"the row has {len(cells)} values but the header has {len(header)} columns",
                'remove the extra values (a name with a comma needs "double quotes")',
            )
        cells = cells + [""] * (len(header) - len(cells))
        name = cells[idx["actor"]]
        aid = make_id(name) if name else f"row{ln}"  # made distinct below
        if not name:
            col.add(ln, "Actor", "the actor name is empty", "name the actor")
        cap, _ = col.number(cells[idx["capability"]], ln, f"{aid}.capability", what="a capability")
        pos, okp = col.number(cells[idx["position"]], ln, f"{aid}.position", what="a position")
        sal, _ = col.number(cells[idx["salience"]], ln, f"{aid}.salience", what="a salience")
        parsed.append(
            {"ln": ln, "name": name, "id": aid, "cap": cap, "pos": pos, "okp": okp, "sal": sal}
        )
    positions = [p["pos"] for p in parsed if p["okp"]]
    low = min(positions) if positions else 0.0
    high = max(positions) if positions else 1.0
    if high <= low:
        col.add(
            hline,
            "Position",
            f"every position is {fmt_number(low)}, so the issue's scale cannot be inferred",
            "a one-issue table needs at least two different positions; write the scenario in YAML to state the scale",
        )
        high = low + 1
    sal_max = infer_salience_max(
        col,
        [(p["ln"], f"{p['id']}.salience", p["sal"]) for p in parsed],
        "write every salience on 0-100",
    )
    where = Path(filename).name or filename
    scale_note = f"scale [{fmt_number(low)}, {fmt_number(high)}] inferred from the smallest and largest position in {where}"
    sal_note = (
        "saliences on 0-1 (every salience is at most 1)"
        if sal_max == 1
        else "saliences on 0-100 (some salience is above 1)"
    )
    # ids that never clash: 'a b' and 'a_b' are two actors, and an actor named 'issue'
    # leaves the issue 'issue_2'
    aids = distinct_ids([(p["name"] or None, p["id"]) for p in parsed], RESERVED_ACTOR_IDS)
    for p, aid in zip(parsed, aids, strict=True):
        p["id"] = aid
    (iid,) = distinct_ids([("Issue", "issue")], aids)
    actors = []
    for k, p in enumerate(parsed):
        ln = p["ln"]
        col.lines[("actors", k)] = ln
        actors.append(
            {
                "id": p["id"],
                "label": p["name"] or p["id"],
                "capability": {"value": p["cap"], **imported(filename, ln, head["capability"])},
                "stances": {
                    iid: {
                        "position": {
                            "value": p["pos"] if p["okp"] else low,
                            **imported(filename, ln, head["position"]),
                        },
                        "salience": {
                            "value": p["sal"],
                            **imported(filename, ln, f"{head['salience']}; {sal_note}"),
                        },
                    }
                },
                **imported(
                    filename, ln, "actor row" + (f" {p['name']!r}" if p["id"] != p["name"] else "")
                ),
            }
        )
    col.lines[("issues",)] = hline
    col.lines[("salience_max",)] = hline
    data = {
        "meta": meta_from_filename(filename, None, "Bueno de Mesquita table"),
        "salience_max": sal_max,
        "issues": [
            {
                "id": iid,
                "label": "Issue",
                "low": low,
                "high": high,
                **imported(filename, hline, scale_note),
            }
        ],
        "actors": actors,
    }
    return col.finish(data)


def bdm_problems(s: Scenario) -> list[tuple[str | None, str, str]]:
    out: list[tuple[str | None, str, str]] = []
    if s.n_issues != 1:
        out.append(
            (
                "issues",
                f"a Bueno de Mesquita table holds one issue; this scenario has {s.n_issues}",
                "convert to yaml, ktab-csv or exchange, which hold many issues",
            )
        )
        return out
    iid = s.issue_ids[0]
    missing = [a.id for a in s.actors if iid not in a.stances]
    if missing:
        out.append(
            (
                iid,
                f"actors without a stance on {iid}: {', '.join(missing)}",
                "the table needs a position and salience for every actor; add them",
            )
        )
    positions = {a.stances[iid].position.value for a in s.actors if iid in a.stances}
    if len(positions) < 2:
        out.append(
            (
                iid,
                "every actor holds the same position, so the table could not be read back (its scale is inferred from the positions)",
                "convert to yaml or exchange, which state the scale",
            )
        )
    sals = [a.stances[iid].salience.value for a in s.actors if iid in a.stances]
    inferred = 1.0 if all(x <= 1 for x in sals) else 100.0
    fractions = sum(0 < x < 1 for x in sals)
    if inferred == 100.0 and fractions and fractions >= sum(x > 1 for x in sals):
        out.append(
            (
                "salience_max",
                "these saliences mix fractions of 1 with values above 1, so the table's "
                "salience scale could not be read back",
                "convert to yaml or exchange, which state the scale",
            )
        )
    elif s.salience_max != inferred:
        out.append(
            (
                "salience_max",
                f"the table cannot state the salience scale 0-{fmt_number(s.salience_max)}: these saliences would be read back on 0-{fmt_number(inferred)}",
                "convert to yaml or exchange, or rescale the saliences to 0-1 or 0-100 first",
            )
        )
    return out


def write_bdm(s: Scenario) -> str:
    """Write a one-issue scenario as ``Actor,Capability,Position,Salience``."""
    bad = bdm_problems(s)
    if bad:
        raise cannot_write("a Bueno de Mesquita table", bad)
    iid = s.issue_ids[0]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Actor", "Capability", "Position", "Salience"])
    for a in s.actors:
        st = a.stances[iid]
        w.writerow(
            [
                csv_cell(a.id),
                fmt_number(a.capability.value),
                fmt_number(st.position.value),
                fmt_number(st.salience.value),
            ]
        )
    return buf.getvalue()


def sniff_bdm(text: str) -> bool:
    """A table whose header's first of at least three cells names the actor column
    (``Actor``, ``Name``, ``Stakeholder``, ``Player``), or whose header names three of the
    four columns; a KTAB file (second line ``Actor,...``) is left to the KTAB reader."""
    lines = text.lstrip("\ufeff \t\r\n").splitlines()
    if not lines:
        return False
    if len(lines) > 1 and lines[1].lstrip().lower().startswith("actor,"):
        return False
    cells = lines[0].split(",")
    roles = [_role(c) for c in cells]
    known = {r for r in roles if r is not None}
    return (len(cells) >= 3 and roles[0] == "actor") or len(known) >= 3
