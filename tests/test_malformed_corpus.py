"""The malformed-file corpus: every family of bad input a user can give ends in one located
message and exit status 2, never a traceback, and within a memory cap.

Each case is a mutation of a non-flagship file (``examples/steel-dispute.yaml``, the Scholz
actor table, KTAB's water-sharing table, the two-actor exchange file), run through the command
that used to crash or accept it, in a child process limited to 3 GB of address space (a YAML
bomb that grows past it fails the test instead of the machine). The reliability sweep of
issue 25 found each of these; the "before" notes say what happened then.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
STEEL = (ROOT / "examples" / "steel-dispute.yaml").read_text(encoding="utf-8")
WATER = (ROOT / "examples" / "water-sharing.csv").read_text(encoding="utf-8")
EXCHANGE = (ROOT / "examples" / "two-actors.tsv").read_text(encoding="utf-8")
SCHOLZ = (ROOT / "tests" / "data" / "scholz2011_example_actors.csv").read_text(encoding="utf-8")
MEMORY_CAP = 3_000_000_000

BOMB = (
    'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n'
    + "".join(
        f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n"
        for p, n in zip("abcdef", "bcdefg", strict=True)
    )
    + "outcomes: [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
)


def _steel(old: str, new: str) -> str:
    assert old in STEEL, old
    return STEEL.replace(old, new, 1)


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    text: str
    command: tuple[str, ...]  # FILE stands for the file
    expected: str  # words of the located message
    where: str = ""  # what locates it (default: the file's name)
    extra: tuple[tuple[str, str], ...] = ()  # other files (relative path, text)

    def args(self, path: Path) -> list[str]:
        return [str(path) if a == "FILE" else a for a in self.command]


DIGITS = "9" * 5000

CASES = [
    # --- claims: arguments, packages, thresholds -------------------------------------------
    Case(
        "claim-argument-is-a-list",  # before: TypeError in validate, show, run; HTTP 500
        "steel.yaml",
        _steel("args: {issue: tariff}", "args: {issue: [tariff]}"),
        ("validate", "FILE"),
        "issue must be one issue id (a name); got list",
    ),
    Case(
        "claim-argument-is-a-list-show",
        "steel.yaml",
        _steel("args: {issue: tariff}", "args: {issue: [tariff]}"),
        ("show", "FILE"),
        "issue must be one issue id (a name); got list",
    ),
    Case(
        "package-value-is-text",  # before: validate said ok, claims crashed
        "steel.yaml",
        _steel(
            "{quantity: red_line_overlap, args: {issue: tariff}",
            "{quantity: in_win_set, args: {actor: importer, package: {tariff: abc}}",
        ),
        ("validate", "FILE"),
        "package.tariff must be a number; got 'abc'",
    ),
    Case(
        "nan-threshold",  # before: '!=' NaN held with robustness 1.00
        "steel.yaml",
        _steel('compare: "<", threshold: 0}', 'compare: "!=", threshold: .nan}'),
        ("validate", "FILE"),
        "NaN is not a finite number any model can use",
    ),
    Case(
        "infinite-threshold",  # before: show --json crashed on ±inf
        "steel.yaml",
        _steel('compare: "<", threshold: 0}', 'compare: "<", threshold: -.inf}'),
        ("show", "FILE", "--json"),
        "is not a finite number",
    ),
    # --- what-ifs --------------------------------------------------------------------------
    Case(
        "what-if-changes-is-a-number",  # before: traceback
        "steel.yaml",
        _steel(
            "  changes:\n  - {set: importer.tariff.position, to: 35}\n"
            "  - {set: importer.red_lines.tariff, to: none}\n",
            "  changes: 5\n",
        ),
        ("validate", "FILE"),
        "changes",
    ),
    Case(
        "what-if-that-can-never-apply",  # before: passed validate, 'not applicable' in run
        "steel.yaml",
        _steel(
            "{set: importer.tariff.position, to: 35}", "{set: importer.tariff.position, to: abc}"
        ),
        ("validate", "FILE"),
        "could never apply",
    ),
    Case(
        "five-thousand-digit-integer",  # before: ValueError traceback from the YAML constructor
        "steel.yaml",
        _steel(
            "{set: importer.tariff.position, to: 35}",
            f"{{set: importer.tariff.position, to: {DIGITS}}}",
        ),
        ("validate", "FILE"),
        "a number with 5,000 digits (at most 30)",
    ),
    Case(
        "effect-changes-is-a-number",  # before: TypeError iterating an int
        "steel.yaml",
        _steel(
            "{quantity: red_line_overlap, args: {issue: tariff}",
            "{quantity: effect, args: {of: p_zone, args: {}, changes: 5}",
        ),
        ("show", "FILE"),
        "effect 'changes' must be a list of changes; got 5",
    ),
    # --- numbers from the command line ------------------------------------------------------
    Case(
        "set-beyond-1e12",  # before: accepted, the models overflowed
        "steel.yaml",
        STEEL,
        ("show", "FILE", "--set", "importer.capability=1e300"),
        "is beyond ±1e+12",
        where="importer.capability:",
    ),
    Case(
        "set-five-thousand-digits",
        "steel.yaml",
        STEEL,
        ("show", "FILE", "--set", f"importer.tariff.position={DIGITS}"),
        "a number with 5,000 digits (at most 30)",
        where="importer.tariff.position:",
    ),
    # --- YAML structure: bombs and cycles, in scenarios and outcome data ----------------------
    Case(
        "scenario-alias-cycle",
        "steel.yaml",
        "meta: &m\n  title: x\n  again: *m\n",
        ("validate", "FILE"),
        "YAML aliases form a cycle",
    ),
    Case(
        "outcomes-yaml-bomb",  # before: grew to 3.2 GB
        "bomb.yaml",
        BOMB,
        ("backtest", "outcomes", "FILE"),
        "the YAML expands to more than 1,000,000 values",
    ),
    Case(
        "outcomes-alias-cycle",  # before: RecursionError traceback
        "cycle.yaml",
        "outcomes: &o\n  - scenario: x.yaml\n    more: *o\n",
        ("backtest", "outcomes", "FILE"),
        "YAML aliases form a cycle",
    ),
    Case(
        "outcomes-five-thousand-digits",
        "digits.yaml",
        f"outcomes:\n  - scenario: s.yaml\n    outcome: {{tariff: {DIGITS}}}\n",
        ("backtest", "outcomes", "FILE"),
        "a number with 5,000 digits",
    ),
    Case(
        "record-manifest-yaml-bomb",  # a case's own record goes through the same reader
        "steel.yaml",
        _steel("roles:\n  challenger: exporter", "roles:\n  record: rec\n  challenger: exporter"),
        ("simulate", "FILE", "--runs", "20", "--months", "6"),
        "the YAML expands to more than 1,000,000 values",
        where="rec/record.yaml",
        extra=(
            (
                "rec/record.yaml",
                BOMB.replace("outcomes:", "id: rec\nstart: 2020-01\nend: 2021-01\nextra:"),
            ),
        ),
    ),
    # --- import formats: numbers no model can compute with, missing stances ------------------
    Case(
        "bdm-positions-1e308",  # before: forecast --model smp, IndexError
        "actors.csv",
        SCHOLZ.replace("Netherlands,0.08,4,0.8", "Netherlands,0.08,1e308,0.8").replace(
            "Belgium,0.08,7,0.4", "Belgium,0.08,-1e308,0.4"
        ),
        ("forecast", "FILE", "--model", "smp"),
        "is beyond ±1e+12",
    ),
    Case(
        "ktab-influence-1e308",  # before: diagnose, pydantic traceback
        "water.csv",
        WATER.replace("UP,Upstream state,60,", "UP,Upstream state,1e308,"),
        ("diagnose", "FILE"),
        "is beyond ±1e+12",
    ),
    Case(
        "exchange-without-d-lines",  # before: 'forecast' 50 on every issue
        "two.tsv",
        "".join(ln for ln in EXCHANGE.splitlines(keepends=True) if not ln.startswith("#D")),
        ("forecast", "FILE"),
        "no #D lines",
    ),
]


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_input_ends_in_a_located_message_and_exit_2(tmp_path: Path, case: Case) -> None:
    path = tmp_path / case.filename
    path.write_text(case.text, encoding="utf-8")
    for rel, text in case.extra:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "detente", *case.args(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200"},
        timeout=300,
        preexec_fn=_cap_memory,
    )
    err = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    assert case.expected in err, err[-1500:]
    assert (case.where or case.filename) in err  # located: the file, or the option's path
