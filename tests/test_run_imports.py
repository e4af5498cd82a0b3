"""``detente run`` imports only what it uses: no scipy.stats, no SALib and no pandas (issue
19's CPU budget). scipy.stats and SALib cost some 0.35 s of CPU at import, pandas 0.15 s;
the run's Sobol design, its Sobol indices, ranks, exact tests and likelihoods are computed
without them (with their numbers: tests/test_sobol.py,
tests/analysis/test_exact_replacements.py), and the case's record is read and counted with
NumPy (tests/data/test_records.py: its arrays equal its tables)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import detente

_PROBE = """
import json, sys
from detente.pipeline import run
from detente.scenario import resolve
run(resolve(sys.argv[1]), draws=40, runs=40, months=13, seed=3)
print(json.dumps([m for m in ("scipy.stats", "SALib", "pandas") if m in sys.modules]))
"""


@pytest.mark.parametrize("case", ["examples/steel-dispute.yaml", "iran-jcpoa-2021", "us-dprk-2021"])
def test_a_run_imports_neither_scipy_stats_nor_salib_nor_pandas(case):
    root = Path(detente.__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, case],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        timeout=300,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
