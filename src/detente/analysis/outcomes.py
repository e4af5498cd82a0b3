"""Datasets of decisions with observed outcomes, read from the DEU layout or detente's YAML.

An :class:`OutcomeDataset` is a tuple of :class:`Decision` objects: a
:class:`~detente.scenario.Scenario` (one proposal, with one or more issues), the observed
outcome per issue (NaN where none was observed) and the group it is resampled and
cross-validated with (the proposal). Observed outcomes live here, never in the scenario.

Two layouts are read (see ``docs/backtest.md``):

- the DEU layout (tab-separated, ``p<actor>``/``s<actor>`` columns, ``rp``, ``out``, a
  proposal column), read by :func:`detente.scenario.formats.deu.read_deu`;
- a YAML wrapper with an ``outcomes:`` list, each item naming a scenario (a bundled name, a
  path relative to the wrapper, or an inline scenario mapping) and its ``outcome`` per issue::

      outcomes:
        - scenario: ec-emissions-1994
          group: ec94            # optional; default: the scenario id
          outcome: {emissions: 12.5, taxes: 40}

``capabilities`` replaces what the scenarios hold: ``"equal"`` (every actor 1),
``"column:NAME"`` (DEU layout only: actor ``X``'s capability in column ``NAMEX``) or the path
of a CSV table ``actor,capability``. None keeps the file's own (equal for the DEU layout,
which has none).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem, ScenarioError
from ..scenario import Scenario
from ..scenario.formats.deu import read_deu, sniff_deu
from ..scenario.io import LineMap, guarded_yaml, read_text, scenario_from_data

__all__ = [
    "Decision",
    "OutcomeDataset",
    "parse_capabilities",
    "read_outcomes",
]


#: Decisions an outcome dataset may hold (a YAML file is refused past it before it is built).
MAX_OUTCOMES = 10_000


@dataclass(frozen=True)
class Decision:
    """One decision: its scenario, the observed outcome per issue, and its group.

    ``status_quo_given`` names the issues whose status quo the data state (the others get
    the scenario's default, the scale minimum, which the ``status_quo`` baseline does not
    score). ``attributes`` holds per issue the descriptive cells of a DEU table (procedure,
    voting rule, dates; see :data:`detente.scenario.formats.deu.ATTRIBUTE_COLUMNS`); empty
    for the YAML layout.
    """

    group: str
    scenario: Scenario
    observed: dict[str, float]
    status_quo_given: frozenset[str]
    line: int | None = None
    attributes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class OutcomeDataset:
    """Decisions with observed outcomes, read from ``source`` in ``layout``."""

    source: str
    layout: str
    decisions: tuple[Decision, ...]
    capabilities: str

    @property
    def n_issues(self) -> int:
        return sum(d.scenario.n_issues for d in self.decisions)

    @property
    def n_observed(self) -> int:
        return sum(1 for d in self.decisions for v in d.observed.values() if math.isfinite(v))

    def __repr__(self) -> str:
        return (
            f"<OutcomeDataset {Path(self.source).name}: {len(self.decisions)} decisions, "
            f"{self.n_issues} issues, {self.n_observed} observed; {self.layout} layout>"
        )


CapabilitySpec = None | str | dict[str, float]


def parse_capabilities(spec: str | None) -> tuple[CapabilitySpec, str]:
    """``equal``, ``column:NAME`` or a CSV path -> (what the readers take, a description).

    Returns ``("equal", ...)`` for equal capabilities, ``"column:NAME"`` for a column
    prefix, a mapping for a table, or None for the file's own.
    """
    if spec is None or spec == "":
        return None, "as in the file (equal where the file has none)"
    if spec == "equal":
        return "equal", "equal (1 for every actor)"
    if spec.startswith("column:"):
        name = spec.removeprefix("column:").strip()
        if not name:
            raise ScenarioError(
                [
                    Problem(
                        "--capabilities column: needs a name",
                        "write column:NAME",
                        field="capabilities",
                    )
                ]
            )
        return spec, f"from the columns {name}<actor>"
    return _capability_table(spec), f"from the table {Path(spec).name}"


def _capability_table(path: str) -> dict[str, float]:
    text = read_text(path)
    rows = [r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if any(c.strip() for c in r)]
    head = [c.strip().lower() for c in rows[0]] if rows else []
    if (
        len(head) < 2
        or head[0] not in ("actor", "name", "id")
        or head[1]
        not in (
            "capability",
            "weight",
        )
    ):
        raise ScenarioError(
            [
                Problem(
                    f"a capability table starts with the header actor,capability; got {','.join(head) or 'nothing'}",
                    "write one row per actor: actor,capability",
                    file=path,
                    line=1,
                )
            ]
        )
    out: dict[str, float] = {}
    problems = []
    for ln, row in enumerate(rows[1:], 2):
        name = row[0].strip()
        try:
            value = float(row[1]) if len(row) > 1 else math.nan
        except ValueError:
            value = math.nan
        if not name or not math.isfinite(value) or value < 0:
            problems.append(
                Problem(
                    f"expected an actor and a capability >= 0, got {','.join(row)!r}",
                    "write actor,capability",
                    file=path,
                    line=ln,
                )
            )
        elif name in out:
            problems.append(
                Problem(f"actor {name!r} appears twice", "keep one", file=path, line=ln)
            )
        else:
            out[name] = value
    if problems:
        raise ScenarioError(problems)
    return out


def read_outcomes(path: str, *, capabilities: str | None = None) -> OutcomeDataset:
    """Read an outcome dataset (DEU layout or YAML wrapper); every problem at once, located.

    Raises
    ------
    ScenarioError
        With every problem found, each at ``FILE:LINE`` (exit status 2 on the command line).
    """
    spec, described = parse_capabilities(capabilities)
    text = read_text(path)
    if Path(path).suffix.lower() in (".yaml", ".yml"):
        decisions = _read_wrapper(text, path, spec)
        layout = "yaml"
    elif sniff_deu(text):
        deu_caps = None if spec in (None, "equal") else spec
        if isinstance(deu_caps, str):
            deu_caps = deu_caps.removeprefix("column:")
        decisions = [
            Decision(
                d.group,
                d.scenario,
                d.outcomes,
                frozenset(d.scenario.status_quo),
                min(d.lines.values(), default=None),
                d.attributes,
            )
            for d in read_deu(text, path, capabilities=deu_caps)
        ]
        layout = "deu"
    else:
        raise ScenarioError(
            [
                Problem(
                    "not an outcome dataset: neither a DEU table (tab-separated with pX/sX "
                    "columns and 'out') nor a YAML file with an 'outcomes:' list",
                    "see docs/backtest.md for both layouts",
                    file=path,
                    line=1,
                )
            ]
        )
    return OutcomeDataset(path, layout, tuple(decisions), described)


def _with_capabilities(s: Scenario, caps: Mapping[str, float] | str) -> Scenario:
    data = s.model_dump()
    for a in data["actors"]:
        a["capability"] = 1.0 if caps == "equal" else float(caps[a["id"]])
    return Scenario.model_validate(data)


def _inline_lines(lm: LineMap, k: int) -> Callable[[tuple[Any, ...]], int | None]:
    """The line map of the scenario written inline in item ``k`` of the wrapper."""

    def line_for(loc: tuple[Any, ...]) -> int | None:
        return lm.line_for(("outcomes", k, "scenario", *loc))

    return line_for


def _read_wrapper(text: str, path: str, spec: CapabilitySpec) -> list[Decision]:
    # the scenario reader's guards: size, aliases (bombs, cycles), depth and numbers
    data, lm = guarded_yaml(text, path, limits={"outcomes": MAX_OUTCOMES})
    if not isinstance(data, dict) or "outcomes" not in data:
        hint = (
            "this looks like a scenario; wrap it: outcomes: [{scenario: FILE, outcome: {ISSUE: VALUE}}]"
            if isinstance(data, dict) and "actors" in data
            else "an outcome dataset in YAML has a list 'outcomes:' (see docs/backtest.md)"
        )
        raise ScenarioError([Problem("no 'outcomes:' list", hint, file=path, line=1)])
    items = data["outcomes"]
    if not isinstance(items, list) or not items:
        raise ScenarioError(
            [
                Problem(
                    "'outcomes' must be a non-empty list",
                    "one item per decision",
                    file=path,
                    line=lm.line_for(("outcomes",)),
                )
            ]
        )
    if isinstance(spec, str) and spec.startswith("column:"):
        raise ScenarioError(
            [
                Problem(
                    "--capabilities column:NAME applies to tables in the DEU layout",
                    "use equal or a CSV table actor,capability",
                    file=path,
                )
            ]
        )
    problems: list[Problem] = []
    out: list[Decision] = []
    base = Path(path).parent
    for k, item in enumerate(items):
        where = ("outcomes", k)
        ln = lm.line_for(where)

        def bad(
            msg: str,
            hint: str,
            sub: tuple[Any, ...] = (),
            ln: int | None = ln,
            where: tuple[Any, ...] = where,
        ) -> None:
            loc = where + sub
            problems.append(
                Problem(
                    msg, hint, file=path, line=lm.line_for(loc) or ln, field=".".join(map(str, loc))
                )
            )

        if not isinstance(item, dict) or "scenario" not in item or "outcome" not in item:
            bad("each item needs 'scenario' and 'outcome'", "see docs/backtest.md")
            continue
        unknown = set(item) - {"scenario", "outcome", "group"}
        if unknown:
            bad(
                f"unknown field(s) {', '.join(sorted(unknown))}", "fields: scenario, outcome, group"
            )
        try:
            ref = item["scenario"]
            if isinstance(ref, dict):
                scn = scenario_from_data(ref, path, _inline_lines(lm, k))
            elif isinstance(ref, str):
                from ..scenario import resolve

                p = base / ref
                scn = resolve(str(p) if p.exists() else ref)
            else:
                bad("'scenario' is a bundled name, a path or a mapping", "fix it", ("scenario",))
                continue
            if spec is not None:
                missing = [a for a in scn.actor_ids if isinstance(spec, dict) and a not in spec]
                if missing:
                    bad(f"the capability table has no row for {', '.join(missing)}", "add them")
                    continue
                scn = _with_capabilities(scn, spec)
        except ScenarioError as err:
            problems.extend(err.problems)
            continue
        observed = {i: math.nan for i in scn.issue_ids}
        outcome = item["outcome"]
        if not isinstance(outcome, dict):
            bad("'outcome' maps issue ids to observed values", "write {ISSUE: VALUE}", ("outcome",))
            continue
        for iid, v in outcome.items():
            if iid not in observed:
                bad(
                    f"scenario {scn.id} has no issue {iid!r}",
                    f"issues: {', '.join(scn.issue_ids)}",
                    ("outcome", iid),
                )
                continue
            if v is None:
                continue
            issue = scn.issue(iid)
            if (
                isinstance(v, bool)
                or not isinstance(v, int | float)
                or not math.isfinite(v)
                or not issue.low <= v <= issue.high
            ):
                bad(
                    f"the outcome must be a number in [{issue.low:g}, {issue.high:g}]; got {v!r}",
                    "fix the value",
                    ("outcome", iid),
                )
                continue
            observed[iid] = float(v)
        out.append(
            Decision(str(item.get("group", scn.id)), scn, observed, frozenset(scn.status_quo), ln)
        )
    if problems:
        raise ScenarioError(problems)
    return out
