"""Capability files: fitted capability multipliers with their provenance, written and read.

``detente backtest outcomes FILE --train TRAIN --save-capabilities caps.json`` writes the
multipliers fitted on TRAIN; ``detente forecast SCENARIO --capabilities caps.json`` applies
them. The file is JSON, one actor per line::

    {
      "format": "detente-capabilities",
      "version": 1,
      "model": "compromise with a fitted capability multiplier per actor",
      "base": "dataset",
      "fitted_on": {"file": "deu3_dev.tsv", "sha256": "...", "part": null,
                    "proposals": 70, "issues": 173},
      "ridge": 0.3,
      "settings": {"lambdas": [0.03, 0.1, 0.3, 1.0], "n_inner_folds": 5, "delta": 2.0},
      "actors": [
        {"id": "at", "multiplier": 0.72},
        ...
      ]
    }

``multiplier`` (> 0) multiplies the capability an actor already has; actors the file does
not list keep theirs. ``base`` says what the multipliers were fitted on top of: ``dataset``
(the dataset's own capabilities, equal for DEU tables) or ``council`` (the Council's voting
weights). Only ``format``, ``version`` and ``actors`` are required; the rest is provenance.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem, ScenarioError
from ..scenario import Scenario
from ..scenario.io import read_text

__all__ = [
    "FORMAT",
    "CapabilityFit",
    "apply_capabilities",
    "capability_sets",
    "file_provenance",
    "format_capability_file",
    "read_capability_file",
    "write_capability_file",
]

FORMAT = "detente-capabilities"
MODEL = "compromise with a fitted capability multiplier per actor"


@dataclass(frozen=True)
class CapabilityFit:
    """Multipliers per actor, the ridge chosen, and where they were fitted."""

    actors: tuple[str, ...]
    multipliers: tuple[float, ...]
    ridge: float | None = None
    base: str = "dataset"
    n_issues: int | None = None
    n_proposals: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    fitted_on: dict[str, Any] = field(default_factory=dict)

    def multiplier(self, actor: str) -> float:
        return dict(zip(self.actors, self.multipliers, strict=True)).get(actor, 1.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": 1,
            "model": MODEL,
            "base": self.base,
            "fitted_on": {
                **self.fitted_on,
                "proposals": self.n_proposals,
                "issues": self.n_issues,
            },
            "ridge": self.ridge,
            "settings": self.settings,
            "actors": [
                {"id": a, "multiplier": round(m, 6)}
                for a, m in zip(self.actors, self.multipliers, strict=True)
            ],
        }


def file_provenance(source: str) -> dict[str, Any]:
    """``{"file", "sha256", "part"}`` of a dataset source (``path`` or ``path#part``)."""
    path, _, part = source.partition("#")
    digest = None
    p = Path(path)
    if p.is_file():
        digest = hashlib.sha256(p.read_bytes()).hexdigest()
    return {"file": p.name, "sha256": digest, "part": part or None}


def format_capability_file(fit: CapabilityFit) -> str:
    """The JSON text of a capability file, one actor per line (so messages can name lines)."""
    d = fit.to_dict()
    actors = d.pop("actors")
    head = json.dumps(d, indent=2)[:-2]
    body = ",\n".join("    " + json.dumps(a) for a in actors)
    return f'{head},\n  "actors": [\n{body}\n  ]\n}}\n'


def write_capability_file(path: str, fit: CapabilityFit) -> None:
    """Write ``fit`` as JSON via a temporary file renamed into place: nothing half-written."""
    text = format_capability_file(fit)
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)


def read_capability_file(path: str) -> CapabilityFit:
    """Read a capability file; every problem at once, located (``FILE:LINE field``).

    Raises
    ------
    ScenarioError
        Exit status 2 on the command line.
    """
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ScenarioError(
            [
                Problem(
                    f"not valid JSON: {err.msg}",
                    "a capability file is the JSON that --save-capabilities writes",
                    file=path,
                    line=err.lineno,
                )
            ]
        ) from None
    lines = text.splitlines()

    def line_of(needle: str) -> int | None:
        return next((k for k, ln in enumerate(lines, 1) if needle in ln), None)

    problems: list[Problem] = []
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        got = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise ScenarioError(
            [
                Problem(
                    f"not a capability file: 'format' must be {FORMAT!r}; got {got!r}",
                    "write one with detente backtest outcomes ... --save-capabilities FILE",
                    file=path,
                    line=line_of('"format"') or 1,
                    field="format",
                )
            ]
        )
    if data.get("version") != 1:
        problems.append(
            Problem(
                f"'version' must be 1; got {data.get('version')!r}",
                "this detente reads version 1",
                file=path,
                line=line_of('"version"'),
                field="version",
            )
        )
    items = data.get("actors")
    if not isinstance(items, list) or not items:
        problems.append(
            Problem(
                '\'actors\' must be a non-empty list of {"id": ..., "multiplier": ...}',
                "list one actor per item",
                file=path,
                line=line_of('"actors"'),
                field="actors",
            )
        )
        items = []
    actors: list[str] = []
    mults: list[float] = []
    for k, item in enumerate(items):
        where = f"actors[{k}]"
        ident = item.get("id") if isinstance(item, dict) else None
        ln = line_of(json.dumps(ident)) if isinstance(ident, str) else None
        if not isinstance(ident, str) or not ident.strip():
            problems.append(
                Problem("'id' must be an actor id", 'write {"id": "de", ...}', path, ln, where)
            )
            continue
        m = item.get("multiplier")
        if isinstance(m, bool) or not isinstance(m, int | float) or not math.isfinite(m) or m <= 0:
            problems.append(
                Problem(
                    f"actor {ident}: multiplier must be a number > 0; "
                    f"got {'nothing' if m is None else repr(m)}",
                    "fix the value",
                    path,
                    ln,
                    f"{where}.multiplier",
                )
            )
            continue
        if ident in actors:
            problems.append(Problem(f"actor {ident} appears twice", "keep one", path, ln, where))
            continue
        actors.append(ident)
        mults.append(float(m))
    if problems:
        raise ScenarioError(problems)
    raw = data.get("fitted_on")
    fitted: dict[str, Any] = raw if isinstance(raw, dict) else {}
    return CapabilityFit(
        actors=tuple(actors),
        multipliers=tuple(mults),
        ridge=data.get("ridge"),
        base=str(data.get("base", "dataset")),
        n_issues=fitted.get("issues"),
        n_proposals=fitted.get("proposals"),
        settings=data.get("settings") or {},
        fitted_on={k: v for k, v in fitted.items() if k not in ("issues", "proposals")},
    )


def apply_capabilities(
    scenario: Scenario, fit: CapabilityFit, *, source: str = "capability file"
) -> tuple[Scenario, list[str]]:
    """``scenario`` with each listed actor's capability multiplied; and the actors not listed.

    The new capability is a what-if (``ACTOR.capability``): its provenance names the file,
    and its plausible range collapses to the new value.

    Raises ScenarioError when the file lists none of the scenario's actors (a wrong file).
    """
    listed = [a for a in scenario.actor_ids if a in fit.actors]
    if not listed:
        raise ScenarioError(
            [
                Problem(
                    f"the capability file lists none of the scenario's actors "
                    f"({', '.join(scenario.actor_ids[:6])}{' ...' if len(scenario.actor_ids) > 6 else ''}); "
                    f"it has {', '.join(fit.actors[:6])}{' ...' if len(fit.actors) > 6 else ''}",
                    "use a capability file fitted on decisions with the same actor ids",
                    file=source,
                    field="actors",
                )
            ]
        )
    where = fit.fitted_on.get("file") or "an unnamed dataset"
    out = scenario
    for a in listed:
        m = fit.multiplier(a)
        value = scenario.actor(a).capability.value * m
        out = out.with_value(
            f"{a}.capability",
            value,
            why=f"capability x {m:.4g}, the multiplier in {source} (fitted on {where})",
        )
    return out, [a for a in scenario.actor_ids if a not in fit.actors]


def capability_sets(scenario: Scenario, fit: CapabilityFit) -> tuple[str, ...]:
    """The file as ``--set`` assignments (``ACTOR.capability=VALUE``) for ``scenario``.

    The workbench's inputs (:class:`detente.web.compute.Inputs` ``sets``) and ``detente run
    --set`` take these, so a capability file applies wherever a what-if does.
    """
    return tuple(
        f"{a}.capability={scenario.actor(a).capability.value * fit.multiplier(a):.6g}"
        for a in scenario.actor_ids
        if a in fit.actors
    )
