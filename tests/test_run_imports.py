"""``detente run`` imports only what it uses: no scipy.stats, no SALib and no pandas, and on
a case that needs no smooth solver no scipy.optimize and no scipy.sparse either (issue 19's
CPU budget). scipy.stats and SALib cost some 0.35 s of CPU at import, pandas 0.15 s,
scipy.optimize (with scipy.sparse) some 0.4 s; the run's Sobol design, its Sobol indices,
ranks, exact tests and likelihoods are computed without them (with their numbers:
tests/test_sobol.py, tests/analysis/test_exact_replacements.py), the case's record is read
and counted with NumPy (tests/data/test_records.py: its arrays equal its tables), and the
block LPs of the bargaining set go to HiGHS through highspy (tests/core/test_highs.py: the
solutions scipy.optimize.linprog gave, bit for bit)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import detente

_WATCHED = ("scipy.stats", "SALib", "pandas", "scipy.optimize", "scipy.sparse")

_PROBE = f"""
import json, sys
from detente.pipeline import run
from detente.scenario import resolve
run(resolve(sys.argv[1]), draws=40, runs=40, months=13, seed=3)
print(json.dumps([m for m in {_WATCHED!r} if m in sys.modules]))
"""


@pytest.mark.parametrize(
    ("case", "needed"),
    [
        ("examples/steel-dispute.yaml", []),
        ("us-dprk-2021", []),
        # its veto players' zone is open and a model's forecast falls outside it, and its
        # axiomatic solutions run: SLSQP (scipy.optimize, which imports scipy.sparse)
        ("iran-jcpoa-2021", ["scipy.optimize", "scipy.sparse"]),
    ],
)
def test_a_run_imports_only_the_heavy_modules_it_calls(case, needed):
    root = Path(detente.__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, case],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        timeout=300,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == needed
