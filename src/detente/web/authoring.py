"""Case authoring in the workbench: a scenario built in the page, checked by the YAML reader.

The page keeps the case as the mapping a scenario file holds (``meta``, ``issues``, ``actors``,
``status_quo``, ``what_ifs``, ``claims`` ...; numbers as ``{value, range, judgement}``). Every
check writes that mapping out as YAML and reads it back with :func:`detente.scenario.read_yaml`,
the reader behind ``detente validate``: the page shows the same located messages
(``my-case.yaml:14 actors.a.stances.x.salience: ...``), and the YAML it offers for download is
the very text that was checked. There is no second validator here.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from ..errors import DetenteError, ScenarioError
from ..store import ScenarioSource

__all__ = ["case_data", "catalogue", "check", "file_name"]

_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def file_name(name: Any) -> str:
    """A safe file name for the case (letters, digits, ``-_.``), ending in ``.yaml``."""
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", str(name or "")).strip("-.") or "my-case"
    base = base[:80]
    return base if base.endswith((".yaml", ".yml")) else base + ".yaml"


def _plain(x: Any) -> Any:
    """Numeric anchor keys as numbers (JSON object keys are strings); floats that are whole
    as ints, so the YAML reads as a person would write it."""
    if isinstance(x, float) and math.isfinite(x) and x.is_integer():
        return int(x)
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    return x


def _normalised(data: dict[str, Any]) -> dict[str, Any]:
    data = _plain(data)
    for issue in data.get("issues") or []:
        anchors = issue.get("anchors") if isinstance(issue, dict) else None
        if isinstance(anchors, dict):
            issue["anchors"] = {
                (_plain(float(k)) if isinstance(k, str) and _NUMBER.match(k) else k): v
                for k, v in anchors.items()
            }
    return data


def yaml_text(data: dict[str, Any]) -> str:
    """The case as a YAML scenario file (a header comment, then the mapping in its order)."""
    meta = data.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    title = " ".join(str(meta.get("title") or "untitled case").split())
    body = yaml.safe_dump(
        _normalised(data), sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
    return f"# detente scenario: {title}\n# written in the detente workbench\n" + body


def check(data: Any, name: str) -> tuple[dict[str, Any], Any]:
    """Write ``data`` as YAML and read it back as ``detente validate`` does.

    Returns the answer for the page (``ok``, ``yaml``, ``problems`` with line, field, message,
    hint and the line ``validate`` prints, ``unsourced``) and the scenario (None if invalid).
    """
    from ..scenario import read_yaml

    if not isinstance(data, dict):
        raise ScenarioError("the case must be a mapping with meta, issues and actors")
    text = yaml_text(data)
    answer: dict[str, Any] = {"name": name, "yaml": text}
    try:
        s = read_yaml(text, name)
    except ScenarioError as err:
        answer.update(
            ok=False,
            problems=[
                {
                    "line": p.line,
                    "field": p.field,
                    "message": p.message,
                    "hint": p.hint,
                    "text": str(p),
                }
                for p in err.problems
            ],
        )
        return answer, None
    except DetenteError as err:
        answer.update(ok=False, problems=[{"text": line, "message": line} for line in err.lines()])
        return answer, None
    answer.update(
        ok=True,
        problems=[],
        unsourced=s.unsourced(),
        counts={"actors": s.n_actors, "issues": s.n_issues, "veto_players": len(s.veto_players)},
    )
    return answer, s


def source_of(answer: dict[str, Any]) -> ScenarioSource:
    """The checked case as the source a run records (its YAML text, as checked)."""
    return ScenarioSource(answer["name"], "yaml", answer["yaml"])


def case_data(s: Any) -> dict[str, Any]:
    """A scenario as the mapping the page edits (what its YAML file would hold)."""
    data: dict[str, Any] = s.model_dump(mode="json", exclude_defaults=True)
    data.setdefault("issues", [])
    data.setdefault("actors", [])
    return data


def catalogue() -> dict[str, Any]:
    """What the page offers in its menus: claim quantities and their arguments, evidence
    kinds, comparisons, what-if kinds and provenance kinds (from the scenario package)."""
    from ..scenario.case import COMPARISONS, EVIDENCE, QUANTITIES

    return {
        "quantities": {
            q.name: {"args": q.args, "optional": list(q.optional), "text": q.text, "needs": q.needs}
            for q in QUANTITIES.values()
        },
        "evidence": list(EVIDENCE),
        "comparisons": list(COMPARISONS),
        "what_if_kinds": ["lever", "shock"],
        "provenance": ["judgement", "quote", "fact"],
    }
