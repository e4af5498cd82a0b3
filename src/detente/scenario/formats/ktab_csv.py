"""KTAB CSV scenarios (KAPSARC Toolkit for Behavioral Analysis, spatial model of politics).

Layout (one scenario per file)::

    <name>,<description>,<number of actors>,<number of dimensions>,
    Actor,Description,Influence,<dim> Position,<dim> Salience,...,
    XJ,Xi Jinping,100.0,30,24.0,20,48.0,

Positions are on 0-100, saliences are shares of the actor's attention (0-100, summing
to at most 100 per actor), Influence is the actor's capability. Lines may end in a
stray comma and cells may carry spaces; both are ignored. The first line's fields are
kept verbatim: a ``;`` inside them (``China Policy; scen 0``) is text, not a separator.
Dimension names come from the header: ``Policy Position`` gives issue ``policy``
labelled ``Policy``; numbered headers (``Pstn1``/``Sal1``, ``Pos1``) give ``dim1``.
Actor ids are the actor names (made valid); a dimension whose id would equal an actor's
or another dimension's gets a suffix (actor ``u`` and dimension ``U``: issue ``u_2``,
labelled ``U``), see :func:`._common.distinct_ids`.

KTAB files carry no status quo, and the reader leaves it absent (it never invents one at
the scale minimum): the models then use the documented reference point
(``docs/models/contract.md``, "No status quo") and say so in their notes.

Reference: KAPSARC, KTAB (MIT licence), https://github.com/KAPSARC/KTAB; Wise, E. et
al. (2015) "KTAB: a toolkit for behavioral analysis", KAPSARC discussion paper.
"""

from __future__ import annotations

import csv
import io
import re
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
    make_id,
    meta_from_filename,
)

__all__ = ["read_ktab_csv", "sniff_ktab_csv", "write_ktab_csv"]

_NUMBERED = re.compile(r"(?:dimension|dim|pstn|pos|position|d)\s*_?\s*([0-9]+)", re.IGNORECASE)
_CAPABILITY_HEADERS = ("influence", "power", "capability")
SALIENCE_SUM_MAX = 100.0


def _dimension(header: str) -> tuple[str, str]:
    """(issue id, label) from a position column header."""
    h = header.strip()
    m = _NUMBERED.fullmatch(h)
    if m:
        return f"dim{int(m.group(1))}", f"Dimension {int(m.group(1))}"
    label = re.sub(r"\s*position\s*$", "", h, flags=re.IGNORECASE).strip() or h
    m = _NUMBERED.fullmatch(label)
    if m:
        return f"dim{int(m.group(1))}", f"Dimension {int(m.group(1))}"
    return make_id(re.sub(r"\s+", "_", label.lower()), prefix="dim"), label


def read_ktab_csv(text: str, filename: str = "<ktab-csv>") -> Scenario:
    """Read a KTAB CSV scenario; every problem is reported at once with its line."""
    col = Collector(filename)
    rows = csv_rows(text, col)
    if not rows:
        raise col.fatal(
            None,
            "no KTAB rows found",
            "a KTAB CSV file starts with 'name,description,actors,dimensions'",
        )
    line1, first = rows[0]
    if len(first) < 3:
        raise col.fatal(
            line1,
            f"the first line has {len(first)} field(s); KTAB's reads 'name,description,number of actors,number of dimensions'",
            "add the missing fields",
        )
    title = first[0]
    description = ",".join(first[1:-2]) if len(first) > 3 else ""
    n_actors_txt, n_dims_txt = first[-2], first[-1]
    n_actors_decl, ok_a = col.number(
        n_actors_txt, line1, "number of actors", what="the number of actors"
    )
    n_dims_decl, ok_d = col.number(
        n_dims_txt, line1, "number of dimensions", what="the number of dimensions"
    )
    if len(rows) < 2:
        raise col.fatal(
            line1,
            "the header line is missing",
            "line 2 reads 'Actor,Description,Influence,<dim> Position,<dim> Salience,...'",
        )
    line2, header = rows[1]
    if header[0].lower() != "actor":
        col.add(
            line2,
            "header",
            f"the second line should be the header starting with 'Actor'; got {header[0]!r}",
            "write 'Actor,Description,Influence,<dim> Position,<dim> Salience,...' on line 2",
        )
    if len(header) >= 3 and header[2].lower() not in _CAPABILITY_HEADERS:
        col.add(
            line2,
            "header",
            f"the third column should be Influence (or Power); got {header[2]!r}",
            "name it Influence",
        )
    n_dims = max(0, (len(header) - 3) // 2)
    if len(header) < 5 or (len(header) - 3) % 2:
        col.add(
            line2,
            "header",
            f"the header has {len(header)} columns; it needs Actor, Description, Influence and a Position and a Salience column per dimension",
            "give each dimension two columns: '<dim> Position,<dim> Salience'",
        )
    if ok_d and n_dims_decl != n_dims:
        col.add(
            line1,
            "number of dimensions",
            f"line 1 says {fmt_number(n_dims_decl)} dimension(s) but the header (line {line2}) has {n_dims}",
            "correct the count on line 1 or the header",
        )
    body = rows[2:]
    if ok_a and n_actors_decl != len(body):
        span = f" (lines {body[0][0]}-{body[-1][0]})" if body else ""
        col.add(
            line1,
            "number of actors",
            f"line 1 says {fmt_number(n_actors_decl)} actor(s) but the file has {len(body)} actor row(s){span}",
            "correct the count on line 1, or add or remove actor rows",
        )
    check_limits(col, len(body), n_dims)

    # actor ids first: they are the names in the file; a dimension whose derived id
    # equals one (actor 'u', dimension 'U') or another dimension's gets a suffix
    aids = distinct_ids([(cells[0], make_id(cells[0])) for _, cells in body], RESERVED_ACTOR_IDS)
    issues: list[dict[str, Any]] = []
    for k in range(n_dims):
        pos_h, sal_h = header[3 + 2 * k], header[4 + 2 * k]
        iid, label = _dimension(pos_h)
        if "salience" not in sal_h.lower() and not sal_h.lower().startswith("sal"):
            col.add(
                line2,
                f"column {4 + 2 * k + 1}",
                f"expected the salience column of {label!r}, got {sal_h!r}",
                "each dimension has a Position column followed by a Salience column",
            )
        col.lines[("issues", k)] = line2
        issues.append(
            {
                "id": iid,
                "label": label,
                "low": 0,
                "high": 100,
                **imported(
                    filename, line2, f"KTAB dimension columns {pos_h!r}, {sal_h!r} (scale 0-100)"
                ),
            }
        )
    ids = distinct_ids([(i["label"], i["id"]) for i in issues], aids)
    for issue, iid in zip(issues, ids, strict=True):
        issue["id"] = iid

    actors: list[dict[str, Any]] = []
    ncols = 3 + 2 * n_dims
    for k, (ln, cells) in enumerate(body):
        col.lines[("actors", k)] = ln
        name = cells[0]
        aid = aids[k]
        if len(cells) != ncols:
            col.add(
                ln,
                aid,
                f"the row has {len(cells)} value(s) but the header has {ncols} columns",
                "the cells seem separated by ';': KTAB uses ','"
                if len(cells) == 1 and ";" in cells[0]
                else "give every actor a name, description, influence and a position and salience per dimension",
            )
        cells = cells + [""] * (ncols - len(cells))
        label = cells[1] or name
        what = "KTAB actor row" + (f" {name!r}" if aid != name else "")
        cap, _ = col.number(
            cells[2],
            ln,
            f"{aid}.capability",
            what=f"{header[2] if len(header) > 2 else 'Influence'}",
        )
        stances: dict[str, Any] = {}
        total = 0.0
        for j, iid in enumerate(ids):
            pos, _ = col.number(
                cells[3 + 2 * j], ln, f"{aid}.{iid}.position", what="a position", placeholder=0.0
            )
            sal, ok = col.number(
                cells[4 + 2 * j], ln, f"{aid}.{iid}.salience", what="a salience", placeholder=0.0
            )
            total += sal if ok else 0.0
            stances[iid] = {
                "position": {"value": pos, **imported(filename, ln, f"{header[3 + 2 * j]}")},
                "salience": {"value": sal, **imported(filename, ln, f"{header[4 + 2 * j]}")},
            }
        if total > SALIENCE_SUM_MAX + 1e-9:
            col.add(
                ln,
                f"{aid} saliences",
                f"the saliences sum to {fmt_number(round(total, 9))}, over KTAB's {fmt_number(SALIENCE_SUM_MAX)}",
                "KTAB saliences are shares of an actor's attention; scale them down so they sum to at most 100",
            )
        actors.append(
            {
                "id": aid,
                "label": label,
                "capability": {
                    "value": cap,
                    **imported(filename, ln, header[2] if len(header) > 2 else "Influence"),
                },
                "stances": stances,
                **imported(filename, ln, what),
            }
        )
    data: dict[str, Any] = {
        "meta": {**meta_from_filename(filename, title, "KTAB CSV"), "description": description},
        "salience_max": 100,
        "issues": issues,
        "actors": actors,
    }
    col.lines[("meta",)] = line1
    col.lines[("issues",)] = line2
    return col.finish(data)


def ktab_csv_problems(s: Scenario) -> list[tuple[str | None, str, str]]:
    """Why ``s`` cannot be written as KTAB CSV (empty when it can)."""
    out: list[tuple[str | None, str, str]] = []
    hint_rescale = "pass --rescale to map every issue linearly onto 0-100 (see docs/formats.md)"
    for i in s.issues:
        if (i.low, i.high) != (0.0, 100.0):
            out.append(
                (
                    f"issues.{i.id}",
                    f"KTAB positions are on 0-100 but {i.id} runs from {fmt_number(i.low)} to {fmt_number(i.high)}",
                    hint_rescale,
                )
            )
    if s.salience_max != 100:
        out.append(
            (
                "salience_max",
                f"KTAB saliences are on 0-100 but this scenario's are on 0-{fmt_number(s.salience_max)}",
                "pass --rescale to put saliences on 0-100 (see docs/formats.md)",
            )
        )
    names = dimension_names(s)
    if len({_dimension(f"{n} Position")[0] for n in names}) < len(names):
        out.append(
            (
                "issues",
                "two issues would read back from KTAB as the same dimension (by label and by id)",
                "give the issues distinct labels",
            )
        )
    for a in s.actors:
        total = sum(st.salience.value for st in a.stances.values()) * 100 / s.salience_max
        if total > SALIENCE_SUM_MAX + 1e-9:
            out.append(
                (
                    f"{a.id} saliences",
                    f"KTAB saliences must sum to at most 100 per actor; {a.id}'s sum to {fmt_number(round(total, 9))}",
                    "pass --rescale, which puts saliences on 0-100 and scales each actor's down to sum to at most 100 (see docs/formats.md)",
                )
            )
    return out


def stance_or_silent(s: Scenario, actor_id: str, issue_id: str) -> tuple[float, float]:
    """(position, salience) of a stance; a missing stance is written as salience 0 at the
    status quo, which is how detente's models see it (``ScenarioArrays``), since KTAB
    needs a stance of every actor on every dimension. ``lost_in`` notes it."""
    st = s.actor(actor_id).stances.get(issue_id)
    if st is None:
        return s.status_quo_value(issue_id), 0.0
    return st.position.value, st.salience.value


def dimension_names(s: Scenario) -> list[str]:
    """The names to write for the dimensions: the issue labels, unless two of them would
    read back as the same issue id (or a label could not be read back), then the ids."""
    labels = [" ".join(i.label.split()) for i in s.issues]
    ids = [_dimension(f"{lb} Position")[0] for lb in labels]
    if len(set(ids)) == len(ids) and all(lb and "," not in lb for lb in labels):
        return labels
    return list(s.issue_ids)


def _line(cells: list[str]) -> str:
    buf = io.StringIO()
    # a label such as '=HYPERLINK(...)' must stay text in a spreadsheet
    csv.writer(buf, lineterminator="").writerow([csv_cell(c) for c in cells])
    return buf.getvalue() + ",\n"


def write_ktab_csv(s: Scenario) -> str:
    """Write a scenario as KTAB CSV. Refuses (with every reason) what KTAB cannot hold."""
    bad = ktab_csv_problems(s)
    if bad:
        raise cannot_write("KTAB CSV", bad)
    out = [
        _line(
            [s.meta.title, s.meta.description.replace("\n", " "), str(s.n_actors), str(s.n_issues)]
        )
    ]
    head = ["Actor", "Description", "Influence"]
    for name in dimension_names(s):
        head += [f"{name} Position", f"{name} Salience"]
    out.append(_line(head))
    for a in s.actors:
        cells = [a.id, _flat(a.label), fmt_number(a.capability.value)]
        for i in s.issues:
            pos, sal = stance_or_silent(s, a.id, i.id)
            cells += [fmt_number(pos), fmt_number(sal)]
        out.append(_line(cells))
    return "".join(out)


def _flat(text: str) -> str:
    """One line of text: KTAB cells never span lines."""
    return " ".join(text.split())


def sniff_ktab_csv(text: str) -> bool:
    lines = [ln for ln in text.splitlines()[:3] if ln.strip()]
    return len(lines) >= 2 and lines[1].lstrip().lower().startswith("actor,")
