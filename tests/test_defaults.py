"""One set of defaults: the Python API, the commands and the workbench read detente.defaults."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from detente import defaults
from detente.analysis.claims import evaluate_claims
from detente.analysis.diagnosis import diagnose
from detente.analysis.quantities import Evaluator
from detente.dynamics.simulation import simulate
from detente.web.app import create_app

EXPECTED = {"seed": defaults.SEED, "draws": defaults.DRAWS, "runs": defaults.RUNS}


def _defaults(fn: object) -> dict[str, object]:
    sig = inspect.signature(fn)  # type: ignore[arg-type]
    return {k: p.default for k, p in sig.parameters.items() if p.default is not p.empty}


def test_the_python_api_and_the_workbench_use_the_shared_defaults() -> None:
    for fn in (diagnose, simulate, evaluate_claims, Evaluator.__init__, create_app):
        got = _defaults(fn)
        for name, value in EXPECTED.items():
            if name in got:
                assert got[name] == value, f"{fn.__qualname__}: {name}={got[name]!r}"
        if "months" in got:
            assert got["months"] == defaults.MONTHS, fn.__qualname__


def test_the_readme_states_the_defaults_once() -> None:
    text = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    line = re.search(r"\*\*Defaults\*\*.*?horizon\.", text, re.S)
    assert line is not None
    said = line.group(0)
    assert f"seed {defaults.SEED}" in said
    assert f"{defaults.DRAWS} draws" in said
    assert f"{defaults.RUNS} runs" in said
    assert f"{defaults.MONTHS}-month" in said
