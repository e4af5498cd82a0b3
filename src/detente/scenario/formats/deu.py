"""Outcome datasets in the DEU layout: one row per issue, proposals of several issues.

The layout of the *Decision-making in the European Union* datasets (DEU I-III; Thomson et
al. 2006, doi:10.1017/CBO9780511492082; Arregui & Perarnaud 2021,
doi:10.1080/13501763.2021.1991397), tab-separated with a header row:

- a proposal column (``prnr``; issues of one proposal were decided together) and an issue
  column (``isnr``);
- for every actor ``X`` a pair of columns ``pX`` (position on the 0-100 scale) and ``sX``
  (salience, 0-100); an empty position means the actor took none, and a position without a
  salience is read as salience 0 (the actor takes part but carries no weight);
- ``rp``: the reference point (status quo), possibly empty;
- ``out``: the observed outcome, possibly empty (the issue is then not scored).

Other columns (``prname``, ``council``, ``counvte`` ...) are kept as notes. Each proposal
becomes one :class:`~detente.scenario.Scenario` with an issue per row (scale 0-100,
saliences on 0-100, no veto players) and the observed outcomes beside it. Actors take part
only in the issues they have a position on. The file does not give capabilities: they are
equal unless ``capabilities`` says otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import ScenarioError
from ..io import scenario_from_data
from ..schema import RESERVED_ACTOR_IDS, Scenario
from ._common import Collector, distinct_ids, make_id

__all__ = ["ATTRIBUTE_COLUMNS", "DeuDecision", "read_deu", "sniff_deu"]

PROPOSAL_COLUMNS = ("prnr", "proposal")
ISSUE_COLUMNS = ("isnr", "issue")
NOTE_COLUMNS = ("prname", "type", "council", "proc", "counvte")
#: Columns kept per issue as :attr:`DeuDecision.attributes` (the procedure, the Council's
#: voting rule, the introduction date ...), for forecasters that use institutional facts.
ATTRIBUTE_COLUMNS = (*NOTE_COLUMNS, "proccde", "intro", "finact", "year")


@dataclass(frozen=True)
class DeuDecision:
    """One proposal: its scenario, the observed outcome per issue (NaN: none) and file lines.

    ``attributes`` holds, per issue id, the non-empty cells of :data:`ATTRIBUTE_COLUMNS`
    (e.g. ``{"proc": "COD", "counvte": "QMV", "intro": "26-01-00"}``) as written.
    """

    group: str
    scenario: Scenario
    outcomes: dict[str, float]
    lines: dict[str, int] = field(default_factory=dict)
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)


def sniff_deu(text: str) -> bool:
    """A tab-separated header with an ``out`` column and at least one ``pX``/``sX`` pair."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    cols = {c.strip().lower() for c in first.split("\t")}
    return "out" in cols and any(c[0] == "p" and "s" + c[1:] in cols for c in cols if c)


def _split_lines(text: str) -> list[str]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def read_deu(
    text: str,
    filename: str = "<deu>",
    *,
    capabilities: Mapping[str, float] | str | None = None,
) -> list[DeuDecision]:
    """Read a DEU-layout table into one decision per proposal; every problem at once.

    Parameters
    ----------
    text, filename : the file's text and its name (for messages).
    capabilities : None (equal), a mapping actor -> capability, or a column prefix ``NAME``
        (capability of actor ``X`` in column ``NAMEX``; equal across a proposal's rows).

    Raises
    ------
    ScenarioError
        Every problem found, each located at ``FILE:LINE`` and column.
    """
    col = Collector(filename)
    raw = _split_lines(text)
    rows = [(k + 1, line.split("\t")) for k, line in enumerate(raw) if line.strip()]
    if not rows:
        raise col.fatal(None, "the file is empty", "a DEU table starts with a header row")
    hline, header = rows[0]
    names = [h.strip().lower() for h in header]
    idx = {n: k for k, n in reversed(list(enumerate(names)))}
    dups = sorted({n for n in names if n and names.count(n) > 1})
    for d in dups:
        col.add(hline, "header", f"column {d!r} appears twice", "keep one")
    prop_col = next((c for c in PROPOSAL_COLUMNS if c in idx), None)
    if prop_col is None:
        col.add(
            hline, "header", "no proposal column", "name it prnr (the DEU proposal id) or proposal"
        )
    if "out" not in idx:
        col.add(hline, "header", "no 'out' column", "the observed outcome goes in a column 'out'")
    actors = [n[1:] for n in names if len(n) > 1 and n[0] == "p" and "s" + n[1:] in idx]
    if not actors:
        col.add(
            hline,
            "header",
            "no actor columns",
            "give each actor X a position column pX and a salience column sX",
        )
    prefix = capabilities if isinstance(capabilities, str) else None
    if prefix is not None:
        missing = [a for a in actors if (prefix + a).lower() not in idx]
        if missing:
            col.add(
                hline,
                "header",
                f"--capabilities column:{prefix} needs columns {', '.join(prefix + a for a in missing[:5])}"
                + (" ..." if len(missing) > 5 else ""),
                f"add a column {prefix}X for every actor X, or choose another --capabilities",
            )
    elif capabilities is not None:
        missing = [a for a in actors if a not in capabilities]
        if missing:
            col.add(
                None,
                "capabilities",
                f"the capability table has no row for {', '.join(missing)}",
                "give every actor of the dataset a capability",
            )
    col.fail_if_any()
    assert prop_col is not None
    issue_col = next((c for c in ISSUE_COLUMNS if c in idx), None)

    def cell(cells: list[str], name: str) -> str:
        k = idx[name]
        return cells[k].strip() if k < len(cells) else ""

    def number(cells: list[str], name: str, ln: int, what: str, lo: float, hi: float) -> float:
        raw_cell = cell(cells, name)
        if not raw_cell or raw_cell.upper() in ("NA", "NAN"):
            return math.nan
        value, ok = col.number(raw_cell, ln, name, what=what)
        if ok and not lo <= value <= hi:
            col.add(
                ln,
                name,
                f"{what.split(' ', 1)[1]} {raw_cell} is outside [{lo:g}, {hi:g}]",
                "check the cell",
            )
            return math.nan
        return value if ok else math.nan

    groups: dict[str, list[tuple[int, list[str]]]] = {}
    for ln, cells in rows[1:]:
        if len(cells) > len(header):
            col.add(
                ln,
                None,
                f"the row has {len(cells)} cells but the header has {len(header)} columns",
                "remove the extra tabs",
            )
        pid = cell(cells, prop_col)
        if not pid:
            col.add(ln, prop_col, "the proposal id is empty", "every row names its proposal")
            continue
        groups.setdefault(pid, []).append((ln, cells))
    if not groups:
        raise col.fatal(hline, "the table has no rows", "add one row per issue below the header")

    out: list[DeuDecision] = []
    for pid, members in groups.items():
        issue_names = [
            (cell(c, issue_col) if issue_col else "") or f"{pid}_{k + 1}"
            for k, (_, c) in enumerate(members)
        ]
        seen: dict[str, int] = {}
        for (ln, _), name in zip(members, issue_names, strict=True):
            if name in seen:
                col.add(
                    ln, issue_col, f"issue {name!r} also on line {seen[name]}", "one row per issue"
                )
            seen.setdefault(name, ln)
        iids = distinct_ids(
            [(n, make_id(n, prefix="i")) for n in issue_names], set(actors) | RESERVED_ACTOR_IDS
        )
        stances: dict[str, dict[str, Any]] = {}
        caps: dict[str, tuple[float, int]] = {}
        status_quo: dict[str, float] = {}
        outcomes: dict[str, float] = {}
        lines: dict[str, int] = {}
        attributes: dict[str, dict[str, str]] = {}
        for (ln, cells), iid in zip(members, iids, strict=True):
            lines[iid] = ln
            attributes[iid] = {
                n: cell(cells, n) for n in ATTRIBUTE_COLUMNS if n in idx and cell(cells, n)
            }
            has_position = False
            for a in actors:
                pos = number(cells, "p" + a, ln, "a position", 0, 100)
                has_position = has_position or bool(cell(cells, "p" + a))
                if math.isnan(pos):
                    continue
                sal = number(cells, "s" + a, ln, "a salience", 0, 100)
                stances.setdefault(a, {})[iid] = {
                    "position": pos,
                    "salience": 0.0 if math.isnan(sal) else sal,
                }
                if prefix is not None:
                    c = number(cells, (prefix + a).lower(), ln, "a capability", 0, math.inf)
                    if math.isnan(c):
                        col.add(ln, prefix + a, "the capability is empty", "give a number")
                    elif a in caps and caps[a][0] != c:
                        col.add(
                            ln,
                            prefix + a,
                            f"capability {c:g} differs from {caps[a][0]:g} on line {caps[a][1]} of the same proposal",
                            "an actor has one capability per proposal",
                        )
                    caps.setdefault(a, (c, ln))
            if not has_position:
                col.add(ln, None, "no actor has a position on this issue", "give positions")
            if "rp" in idx:
                rp = number(cells, "rp", ln, "a reference point", 0, 100)
                if not math.isnan(rp):
                    status_quo[iid] = rp
            outcomes[iid] = number(cells, "out", ln, "an outcome", 0, 100)
        first = members[0][1]
        notes = [f"{n}={cell(first, n)}" for n in NOTE_COLUMNS if n in idx and cell(first, n)]
        where = Path(filename).name or filename
        data = {
            "meta": {
                "id": make_id(pid, prefix="p"),
                "title": f"{pid}" + (f": {cell(first, 'prname')}" if "prname" in idx else ""),
                "description": f"Proposal {pid} of {where} (DEU layout, line {members[0][0]})"
                + (f"; {', '.join(notes)}" if notes else ""),
            },
            "salience_max": 100.0,
            "issues": [
                {"id": iid, "label": name, "low": 0.0, "high": 100.0}
                for iid, name in zip(iids, issue_names, strict=True)
            ],
            "actors": [
                {
                    "id": a,
                    "label": a,
                    "capability": _capability(a, capabilities, caps),
                    "stances": st,
                }
                for a, st in stances.items()
            ],
            "status_quo": status_quo,
        }
        if col.problems:
            continue  # keep collecting the reader's problems; build nothing more
        try:
            scn = scenario_from_data(data, filename, _constant_line(members[0][0]))
        except ScenarioError as err:
            col.problems.extend(err.problems)
            continue
        out.append(DeuDecision(pid, scn, outcomes, lines, attributes))
    if col.problems:
        col.fail_if_any()
    return out


def _constant_line(line: int) -> Callable[[tuple[Any, ...]], int | None]:
    """A line map that places every field of a proposal at its first row."""

    def line_for(loc: tuple[Any, ...]) -> int | None:
        return line

    return line_for


def _capability(
    actor: str, spec: Mapping[str, float] | str | None, caps: dict[str, tuple[float, int]]
) -> float:
    if spec is None:
        return 1.0
    if isinstance(spec, str):
        return caps[actor][0] if actor in caps else 1.0
    return float(spec[actor])
