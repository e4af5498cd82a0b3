"""Importers and exporters for the formats analysts already hold.

Importing this package registers its readers and writers in :mod:`detente.scenario.io`:

==========  =============  =====  ===========================================================
format      read / write   ext.   what
==========  =============  =====  ===========================================================
yaml        read, write    .yaml  detente's own format (every number with provenance and range)
ktab-csv    read, write    .csv   KTAB CSV: name line, header, one row per actor
ktab-xml    read, write    .xml   KTAB XML (``smpExample.xml``) with the nine model switches
exchange    read, write    .tsv   the exchange model's tab-separated ``#A/#P/#M/#D`` records
bdm         read, write    .csv   Bueno de Mesquita tables ``Actor,Capability,Position,Salience``
xlsx        read, write    .xlsx  the actor-issue table: one sheet per kind of row, every number
                                  with its range and provenance (:mod:`.table`)
table-csv   read, write    .csv   the same sheets in one CSV, each opened by ``#sheet NAME``
==========  =============  =====  ===========================================================

``.csv`` files are told apart by their content (a KTAB file's second line starts with
``Actor,``; a Bueno de Mesquita table's first line is its header, ``Actor``/``Name``/
``Stakeholder``/``Player`` first, or three of its four columns under any accepted name); an
unknown extension is sniffed too. ``--from FORMAT`` overrides both.

Writers refuse, with every reason at once, a scenario their format cannot represent
(see :func:`write_problems`); :func:`lost_in` lists what a format silently cannot
carry (ranges, provenance, red lines ...), which ``detente convert`` prints as notes.
:func:`rescale` maps a scenario linearly onto KTAB's 0-100 scales when asked.
See ``docs/formats.md``.
"""

from __future__ import annotations

from typing import Any

from .. import io
from ..schema import Scenario
from ._common import fmt_number, make_id
from .bdm import bdm_problems, read_bdm, sniff_bdm, write_bdm
from .exchange import exchange_problems, read_exchange, sniff_exchange, write_exchange
from .ktab_csv import (
    SALIENCE_SUM_MAX,
    ktab_csv_problems,
    read_ktab_csv,
    sniff_ktab_csv,
    write_ktab_csv,
)
from .ktab_xml import SWITCHES, ktab_switches, read_ktab_xml, sniff_ktab_xml, write_ktab_xml
from .table import write_table_csv, write_xlsx
from .table_read import read_table_csv, read_xlsx, sniff_table_csv

__all__ = [
    "FORMATS",
    "SWITCHES",
    "fmt_number",
    "ktab_switches",
    "lost_in",
    "make_id",
    "read_bdm",
    "read_exchange",
    "read_ktab_csv",
    "read_ktab_xml",
    "read_table_csv",
    "read_xlsx",
    "rescale",
    "write_bdm",
    "write_exchange",
    "write_ktab_csv",
    "write_ktab_xml",
    "write_problems",
    "write_table_csv",
    "write_xlsx",
]

#: One-line descriptions, for ``--help`` and error hints.
FORMATS: dict[str, str] = {
    "yaml": "detente YAML (.yaml, .yml)",
    "ktab-csv": "KTAB CSV (.csv; second line 'Actor,Description,Influence,...')",
    "ktab-xml": "KTAB XML (.xml)",
    "exchange": "exchange model #A/#P/#M/#D, tab-separated (.tsv, .dat, .txt)",
    "bdm": "Bueno de Mesquita table 'Actor,Capability,Position,Salience' or synonyms (.csv)",
    "xlsx": "the actor-issue table as an Excel workbook (.xlsx), ranges and provenance kept",
    "table-csv": "the actor-issue table as one CSV of '#sheet NAME' sections (.csv)",
}

io.READERS.update(
    {
        "ktab-csv": read_ktab_csv,
        "ktab-xml": read_ktab_xml,
        "exchange": read_exchange,
        "bdm": read_bdm,
        "table-csv": read_table_csv,
    }
)
io.BINARY_READERS["xlsx"] = read_xlsx
io.BINARY_WRITERS["xlsx"] = write_xlsx
io.WRITERS.update(
    {
        "ktab-csv": write_ktab_csv,
        "ktab-xml": write_ktab_xml,
        "exchange": write_exchange,
        "bdm": write_bdm,
        "table-csv": write_table_csv,
    }
)
io.EXTENSIONS.update(
    {
        ".csv": "ktab-csv",
        ".xml": "ktab-xml",
        ".tsv": "exchange",
        ".dat": "exchange",
        ".txt": "exchange",
        ".xlsx": "xlsx",
    }
)
io.AMBIGUOUS_EXTENSIONS.update({".csv", ".txt"})
_sniffers = [
    ("table-csv", sniff_table_csv),
    ("ktab-xml", sniff_ktab_xml),
    ("exchange", sniff_exchange),
    ("bdm", sniff_bdm),
    ("ktab-csv", sniff_ktab_csv),
]
io.SNIFFERS.extend(x for x in _sniffers if x not in io.SNIFFERS)


def write_problems(fmt: str, s: Scenario) -> list[str]:
    """Why ``s`` cannot be written in ``fmt`` (empty when it can)."""
    check = {
        "ktab-csv": ktab_csv_problems,
        "ktab-xml": ktab_csv_problems,
        "exchange": exchange_problems,
        "bdm": bdm_problems,
    }.get(fmt)
    if check is None:
        return []
    return [f"{f + ': ' if f else ''}{m}; {h}" for f, m, h in check(s)]


def lost_in(fmt: str, s: Scenario) -> list[str]:
    """What of ``s`` the format ``fmt`` cannot carry (written anyway, without it)."""
    if fmt in ("yaml", "xlsx", "table-csv"):
        return []
    out: list[str] = []
    if any(q.provenance is not None for _, q in s.quantities()):
        out.append("provenance of every number (quotes, citations, judgements)")
    if any(not q.is_certain for _, q in s.quantities()):
        out.append("plausible ranges (only the values are written)")
    if any(a.red_lines for a in s.actors):
        out.append("red lines")
    if any(a.veto for a in s.actors):
        out.append("veto players")
    if any(a.tools for a in s.actors):
        out.append("tools")
    if s.drivers:
        out.append("drivers")
    ideal = [p for p in s.parameters if p.startswith("ideal_adjust__")]
    if s.parameters and not (fmt == "ktab-xml" and len(ideal) == len(s.parameters)):
        out.append("parameters")
    if s.events:
        out.append("events")
    if s.claims:
        out.append("claims")
    sq_assumed = all(
        (q.provenance is not None and "not in file" in q.provenance.text)
        for q in s.status_quo.values()
    )
    if s.status_quo and not sq_assumed:
        out.append(
            "the status quo (read back as absent: the models then use their reference point)"
        )
    if fmt in ("ktab-csv", "ktab-xml", "bdm") and any(i.anchors for i in s.issues):
        out.append("issue anchors")
    if fmt in ("ktab-csv", "ktab-xml"):
        missing = [f"{a.id}.{i}" for a in s.actors for i in s.issue_ids if i not in a.stances]
        if missing:
            out.append(
                "missing stances, written as salience 0 at the status quo ("
                + ", ".join(missing)
                + ")"
            )
    if fmt == "bdm":
        out.append("the issue's scale (read back as the smallest to largest position)")
    return out


def _value(q: Any) -> float:
    return float(q["value"] if isinstance(q, dict) else q)


def rescale(s: Scenario, *, salience_sum_max: float | None = SALIENCE_SUM_MAX) -> Scenario:
    """A copy on KTAB's scales: every issue mapped linearly onto 0-100, saliences onto 0-100.

    Positions, ranges, red lines, the status quo and anchors move with the linear map
    ``x -> 100 (x - low) / (high - low)``; saliences are multiplied by
    ``100 / salience_max``. When ``salience_sum_max`` is given, an actor whose
    saliences then sum to more than it has them all divided by the same factor, so
    that they sum to exactly ``salience_sum_max`` (KTAB reads saliences as shares of
    attention). Provenance is kept and the change is noted in ``meta.description``.
    """
    data: dict[str, Any] = s.model_dump()
    scales = {i["id"]: (i["low"], i["high"]) for i in data["issues"]}

    def pos(iid: str, x: float) -> float:
        lo, hi = scales[iid]
        return 100.0 * (x - lo) / (hi - lo)

    def q_map(holder: dict[str, Any], key: str, f: Any) -> None:
        # quantities dump in their friendly form: a bare number or {value, range, ...}
        q = holder[key]
        if not isinstance(q, dict):
            holder[key] = f(q)
            return
        q["value"] = f(q["value"])
        if "range" in q:
            lo, hi = (f(x) for x in q["range"])
            q["range"] = [min(lo, q["value"]), max(hi, q["value"])]

    for i in data["issues"]:
        iid = i["id"]
        i["anchors"] = {pos(iid, at): label for at, label in i["anchors"].items()}
        i["low"], i["high"] = 0.0, 100.0
    k_sal = 100.0 / s.salience_max
    for a in data["actors"]:
        for iid, st in a["stances"].items():
            q_map(st, "position", lambda x, iid=iid: pos(iid, x))
            q_map(st, "salience", lambda x: x * k_sal)
        for iid, rl in a["red_lines"].items():
            q_map(rl, "bound", lambda x, iid=iid: pos(iid, x))
        if salience_sum_max is not None:
            total = sum(_value(st["salience"]) for st in a["stances"].values())
            if total > salience_sum_max:
                k = salience_sum_max / total
                for st in a["stances"].values():
                    q_map(st, "salience", lambda x, k=k: min(100.0, x * k))
    for iid in data["status_quo"]:
        q_map(data["status_quo"], iid, lambda x, iid=iid: pos(iid, x))
    for i in data["issues"]:
        i["anchors"] = {min(100.0, max(0.0, at)): lbl for at, lbl in i["anchors"].items()}
    data["salience_max"] = 100.0
    note = (
        "Rescaled by detente onto 0-100: positions linearly from each issue's scale "
        f"({', '.join(f'{k} [{fmt_number(lo)}, {fmt_number(hi)}]' for k, (lo, hi) in scales.items())}), "
        f"saliences from 0-{fmt_number(s.salience_max)}"
        + (
            f", each actor's saliences scaled down to sum to at most {fmt_number(salience_sum_max)}"
            if salience_sum_max
            else ""
        )
        + "."
    )
    data["meta"]["description"] = (data["meta"]["description"] + "\n\n" + note).strip()
    return Scenario.model_validate(data)
