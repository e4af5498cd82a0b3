"""KTAB XML scenarios (``smpExample.xml``): read and write.

Structure::

    <Scenario>
      <name/> <desc/> <prngSeed/>
      <ModelParameters> the nine switches </ModelParameters>
      <Dimensions> <dName/>... </Dimensions>
      <Actors> <Actor> <name/> <description/> <capability/>
                       <Position> <dCoord/>... </Position>
                       <Salience> <dSal/>... </Salience> </Actor>... </Actors>
      <IdealAdjustment> <iaPair> <adjustingIdeal/> <referencePos/> <adjust/> </iaPair>... </IdealAdjustment>
    </Scenario>

Mapping onto detente:

* Dimensions become issues on 0-100 (``FirstDim`` becomes id ``FirstDim``); saliences
  are on 0-100 (``salience_max: 100``); capability is ``<capability>``.
* **An empty ``<dCoord></dCoord>`` (or ``<dSal>``) is an error**, reported at its line:
  KTAB's model needs every actor's position on every dimension, and guessing one (0?
  the mean?) would silently change the forecast. The analyst is told which actor and
  dimension lack a number and what to write. (KTAB's own ``smpExample.xml`` has such
  an empty cell for Alice's first dimension.)
* The nine model switches (VictoryProbModel, PCEModel, StateTransitions, VotingRule,
  BigRAdjust, BigRRange, ThirdPartyCommit, InterVecBrgn, BargnModel) and the
  ``prngSeed`` are text, not numbers, so they are kept in ``meta.sources["ktab"].note``
  as ``KEY=VALUE; ...`` (see :func:`ktab_switches`) and written back by the writer.
* Each ``<iaPair>`` (how far an actor adjusts its ideal toward another's position)
  becomes a parameter ``ideal_adjust__<adjusting>__<reference>`` in [0, 1].
* No status quo in the format: it is left absent (the models' reference point applies, see
  ``docs/models/contract.md``).

Safety: the file is parsed with expat with document type declarations refused, so
entity-expansion ("billion laughs") and external-entity attacks cannot run.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from ..schema import RESERVED_ACTOR_IDS, Scenario
from ._common import (
    Collector,
    cannot_write,
    check_limits,
    distinct_ids,
    fmt_number,
    imported,
    make_id,
    meta_from_filename,
)
from .ktab_csv import SALIENCE_SUM_MAX, dimension_names, ktab_csv_problems, stance_or_silent

__all__ = ["SWITCHES", "ktab_switches", "read_ktab_xml", "sniff_ktab_xml", "write_ktab_xml"]

SWITCHES = (
    "VictoryProbModel",
    "PCEModel",
    "StateTransitions",
    "VotingRule",
    "BigRAdjust",
    "BigRRange",
    "ThirdPartyCommit",
    "InterVecBrgn",
    "BargnModel",
)
_NOTE_PREFIX = "KTAB model parameters: "


@dataclass
class _Node:
    tag: str
    line: int
    text: str = ""
    children: list[_Node] = field(default_factory=list)

    def kids(self, tag: str) -> list[_Node]:
        return [c for c in self.children if c.tag == tag]

    def kid(self, tag: str) -> _Node | None:
        k = self.kids(tag)
        return k[0] if k else None


class _Refused(Exception):
    pass


def _parse(text: str, col: Collector) -> _Node:
    parser = xml.parsers.expat.ParserCreate()
    stack: list[_Node] = []
    root: list[_Node] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        node = _Node(tag, parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(node)
        else:
            root.append(node)
        stack.append(node)
        if len(stack) > 50:
            raise _Refused("elements nest more than 50 deep")

    def end(tag: str) -> None:
        stack.pop()

    def chars(data: str) -> None:
        if stack:
            stack[-1].text += data

    def doctype(*args: Any) -> None:
        raise _Refused("document type declarations (<!DOCTYPE>) are not allowed")

    def entity(*args: Any) -> None:
        raise _Refused("entity declarations (<!ENTITY>) are not allowed")

    def external(*args: Any) -> int:
        raise _Refused("external entities are not allowed")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    try:
        parser.Parse(text.lstrip("\ufeff"), True)
    except xml.parsers.expat.ExpatError as err:
        raise col.fatal(
            err.lineno,
            f"XML syntax error: {xml.parsers.expat.ErrorString(err.code)} (column {err.offset + 1})",
            "fix the XML at that line (an unclosed or mismatched tag, a stray '<' or '&')",
        ) from None
    except _Refused as err:
        raise col.fatal(
            parser.CurrentLineNumber,
            f"refused: {err}",
            "remove the <!DOCTYPE ...> block; KTAB scenario files need none",
        ) from None
    except RecursionError:
        raise col.fatal(None, "XML nests too deeply", "check it is a KTAB scenario file") from None
    if not root:
        raise col.fatal(
            None, "no XML element found", "a KTAB XML file has a <Scenario> root element"
        )
    return root[0]


def _text(node: _Node | None) -> str:
    return node.text.strip() if node is not None else ""


def read_ktab_xml(text: str, filename: str = "<ktab-xml>") -> Scenario:
    """Read a KTAB XML scenario; every problem is reported at once with its line."""
    col = Collector(filename)
    root = _parse(text, col)
    if root.tag != "Scenario":
        raise col.fatal(
            root.line,
            f"the root element is <{root.tag}>, not <Scenario>",
            "is this a KTAB scenario file?",
        )
    known = {
        "name",
        "desc",
        "prngSeed",
        "ModelParameters",
        "Dimensions",
        "Actors",
        "IdealAdjustment",
    }
    for c in root.children:
        if c.tag not in known:
            col.add(
                c.line,
                c.tag,
                f"unknown element <{c.tag}>",
                f"a KTAB <Scenario> holds {', '.join(f'<{k}>' for k in sorted(known))}",
            )
    switches: dict[str, str] = {}
    mp = root.kid("ModelParameters")
    if mp is not None:
        for c in mp.children:
            if c.tag not in SWITCHES:
                col.add(
                    c.line,
                    c.tag,
                    f"unknown model parameter <{c.tag}>",
                    f"KTAB's switches are {', '.join(SWITCHES)}",
                )
            else:
                switches[c.tag] = _text(c)
    seed = _text(root.kid("prngSeed"))
    if seed:
        switches["prngSeed"] = seed

    dims_node = root.kid("Dimensions")
    dims = dims_node.kids("dName") if dims_node is not None else []
    if not dims:
        col.add(
            dims_node.line if dims_node else root.line,
            "Dimensions",
            "no <dName> dimensions",
            "list the dimensions under <Dimensions>",
        )
    issues: list[dict[str, Any]] = []
    for k, d in enumerate(dims):
        name = _text(d)
        if not name:
            col.add(d.line, "dName", "empty dimension name", "name the dimension")
            name = f"dim{k + 1}"
        col.lines[("issues", k)] = d.line
        issues.append(
            {
                "id": make_id(name, prefix="dim"),
                "label": name,
                "low": 0,
                "high": 100,
                **imported(filename, d.line, f"<dName>{name}</dName> (scale 0-100)"),
            }
        )
    actors_node = root.kid("Actors")
    actor_nodes = actors_node.kids("Actor") if actors_node is not None else []
    # actor ids first: they are the names in the file; a dimension whose derived id
    # equals one (actor 'U', dimension 'U') or another dimension's gets a suffix
    aids = distinct_ids(
        [
            (name, make_id(name)) if name else (None, f"actor{k + 1}")
            for k, name in enumerate(_text(a.kid("name")) for a in actor_nodes)
        ],
        RESERVED_ACTOR_IDS,
    )
    ids = distinct_ids([(i["label"], i["id"]) for i in issues], aids)
    for issue, iid in zip(issues, ids, strict=True):
        issue["id"] = iid
    if not actor_nodes:
        col.add(
            actors_node.line if actors_node else root.line,
            "Actors",
            "no <Actor> elements",
            "add the actors under <Actors>",
        )
    check_limits(col, len(actor_nodes), len(ids))
    actors: list[dict[str, Any]] = []
    for k, a in enumerate(actor_nodes):
        col.lines[("actors", k)] = a.line
        name = _text(a.kid("name"))
        aid = aids[k]
        if not name:
            col.add(a.line, f"actors[{k}]", "the actor has no <name>", "give it a <name>")
        capn = a.kid("capability")
        cap, _ = col.number(
            _text(capn), capn.line if capn else a.line, f"{aid}.capability", what="a capability"
        )
        pos_node, sal_node = a.kid("Position"), a.kid("Salience")
        coords = pos_node.kids("dCoord") if pos_node else []
        sals = sal_node.kids("dSal") if sal_node else []
        for what, got, node in (
            ("<dCoord> positions", coords, pos_node),
            ("<dSal> saliences", sals, sal_node),
        ):
            if len(got) != len(ids):
                col.add(
                    node.line if node else a.line,
                    aid,
                    f"{aid} has {len(got)} {what} but there are {len(ids)} dimensions",
                    "give one per dimension, in the order of <Dimensions>",
                )
        stances: dict[str, Any] = {}
        total = 0.0
        for j, iid in enumerate(ids):
            if j >= len(coords) or j >= len(sals):
                continue
            c, s_ = coords[j], sals[j]
            if not _text(c):
                col.add(
                    c.line,
                    f"{aid}.{iid}.position",
                    f"empty <dCoord>: {name or aid} has no position on {dims[j].text.strip()}",
                    "KTAB needs every actor's position on every dimension; write a number from 0 to 100 between <dCoord> and </dCoord>",
                )
                pos = 0.0
            else:
                pos, _ = col.number(_text(c), c.line, f"{aid}.{iid}.position", what="a position")
            if not _text(s_):
                col.add(
                    s_.line,
                    f"{aid}.{iid}.salience",
                    f"empty <dSal>: {name or aid} has no salience on {dims[j].text.strip()}",
                    "write a salience from 0 to 100 between <dSal> and </dSal>",
                )
                sal = 0.0
            else:
                sal, _ = col.number(_text(s_), s_.line, f"{aid}.{iid}.salience", what="a salience")
            total += sal
            col.lines[("actors", k, "stances", iid, "position")] = c.line
            col.lines[("actors", k, "stances", iid, "salience")] = s_.line
            stances[iid] = {
                "position": {"value": pos, **imported(filename, c.line, f"<dCoord> of {name}")},
                "salience": {"value": sal, **imported(filename, s_.line, f"<dSal> of {name}")},
            }
        if total > SALIENCE_SUM_MAX + 1e-9:
            col.add(
                sal_node.line if sal_node else a.line,
                f"{aid} saliences",
                f"the saliences sum to {fmt_number(round(total, 9))}, over KTAB's 100",
                "scale them down so they sum to at most 100",
            )
        if capn is not None:
            col.lines[("actors", k, "capability")] = capn.line
        actors.append(
            {
                "id": aid,
                "label": name or aid,
                **(
                    {"description": _text(a.kid("description"))}
                    if _text(a.kid("description"))
                    else {}
                ),
                "capability": {
                    "value": cap,
                    **imported(filename, capn.line if capn else a.line, "<capability>"),
                },
                "stances": stances,
                **imported(filename, a.line, "<Actor>"),
            }
        )
        for c in a.children:
            if c.tag not in {"name", "description", "capability", "Position", "Salience"}:
                col.add(
                    c.line,
                    f"{aid}",
                    f"unknown element <{c.tag}> in <Actor>",
                    "an <Actor> holds <name>, <description>, <capability>, <Position> and <Salience>",
                )

    parameters: dict[str, Any] = {}
    ia = root.kid("IdealAdjustment")
    names = {a["label"]: a["id"] for a in actors}
    for pair in ia.kids("iaPair") if ia is not None else []:
        adj, ref = _text(pair.kid("adjustingIdeal")), _text(pair.kid("referencePos"))
        for who, nm in (("adjustingIdeal", adj), ("referencePos", ref)):
            if nm not in names:
                col.add(
                    pair.line,
                    who,
                    f"<{who}> names {nm!r}, which is not an actor",
                    f"actors: {', '.join(names)}",
                )
        adjn = pair.kid("adjust")
        value, ok = col.number(
            _text(adjn), adjn.line if adjn else pair.line, "adjust", what="an adjustment"
        )
        if ok and not 0 <= value <= 1:
            col.add(
                adjn.line if adjn else pair.line,
                "adjust",
                f"adjustment {fmt_number(value)} is outside [0, 1]",
                "write a share between 0 and 1",
            )
            value = 0.0
        pid = f"ideal_adjust__{names.get(adj, make_id(adj))}__{names.get(ref, make_id(ref))}"
        if pid in parameters:
            col.add(pair.line, pid, f"a second <iaPair> for {adj} toward {ref}", "keep one")
            continue
        col.lines[("parameters", pid)] = pair.line
        parameters[pid] = {
            "label": f"{adj} adjusts its ideal toward {ref}'s position",
            "description": "KTAB <IdealAdjustment> pair",
            "value": {
                "value": value,
                **imported(filename, adjn.line if adjn else pair.line, "<adjust>"),
            },
            "bounds": [0, 1],
        }

    name = _text(root.kid("name"))
    meta = meta_from_filename(filename, name or None, "KTAB XML")
    meta["description"] = _text(root.kid("desc"))
    note = _NOTE_PREFIX + "; ".join(f"{k}={v}" for k, v in switches.items())
    meta["sources"] = {"ktab": {"title": Path(filename).name or filename, "note": note}}
    col.lines[("meta",)] = root.line
    data: dict[str, Any] = {
        "meta": meta,
        "salience_max": 100,
        "issues": issues,
        "actors": actors,
        "parameters": parameters,
    }
    return col.finish(data)


def ktab_switches(s: Scenario) -> dict[str, str]:
    """The KTAB model switches (and ``prngSeed``) kept from a KTAB XML file."""
    src = s.meta.sources.get("ktab")
    if src is None or not src.note or not src.note.startswith(_NOTE_PREFIX):
        return {}
    out = {}
    for part in src.note[len(_NOTE_PREFIX) :].split(";"):
        k, _, v = part.strip().partition("=")
        if k:
            out[k] = v
    return out


def write_ktab_xml(s: Scenario) -> str:
    """Write a scenario as KTAB XML (same limits as KTAB CSV)."""
    bad = ktab_csv_problems(s)
    if bad:
        raise cannot_write("KTAB XML", bad)
    sw = ktab_switches(s)
    e = escape
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<Scenario>"]
    out.append(f"  <name>{e(s.meta.title)}</name>")
    out.append(f"  <desc>{e(s.meta.description)}</desc>")
    if "prngSeed" in sw:
        out.append(f"  <prngSeed>{e(sw['prngSeed'])}</prngSeed>")
    if any(k in sw for k in SWITCHES):
        out.append("  <ModelParameters>")
        out += [f"    <{k}>{e(sw[k])}</{k}>" for k in SWITCHES if k in sw]
        out.append("  </ModelParameters>")
    out.append("  <Dimensions>")
    out += [f"    <dName>{e(name)}</dName>" for name in dimension_names(s)]
    out.append("  </Dimensions>")
    out.append("  <Actors>")
    for a in s.actors:
        out.append("    <Actor>")
        out.append(f"      <name>{e(a.id)}</name>")
        out.append(f"      <description>{e(a.description or a.label)}</description>")
        out.append(f"      <capability>{fmt_number(a.capability.value)}</capability>")
        out.append("      <Position>")
        out += [
            f"        <dCoord>{fmt_number(stance_or_silent(s, a.id, i.id)[0])}</dCoord>"
            for i in s.issues
        ]
        out.append("      </Position>")
        out.append("      <Salience>")
        out += [
            f"        <dSal>{fmt_number(stance_or_silent(s, a.id, i.id)[1])}</dSal>"
            for i in s.issues
        ]
        out.append("      </Salience>")
        out.append("    </Actor>")
    out.append("  </Actors>")
    pairs = [
        (pid, p)
        for pid, p in s.parameters.items()
        if re.fullmatch(r"ideal_adjust__(.+)__(.+)", pid)
    ]
    if pairs:
        out.append("  <IdealAdjustment>")
        for pid, p in pairs:
            m = re.fullmatch(r"ideal_adjust__(.+)__(.+)", pid)
            assert m is not None
            out.append("    <iaPair>")
            out.append(f"      <adjustingIdeal>{e(m.group(1))}</adjustingIdeal>")
            out.append(f"      <referencePos>{e(m.group(2))}</referencePos>")
            out.append(f"      <adjust>{fmt_number(p.value.value)}</adjust>")
            out.append("    </iaPair>")
        out.append("  </IdealAdjustment>")
    out.append("</Scenario>")
    return "\n".join(out) + "\n"


def sniff_ktab_xml(text: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")[:2000]
    return head.startswith("<") and "<Scenario" in head
