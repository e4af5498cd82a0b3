"""``detente run`` imports only what it uses: no scipy.stats, no scipy.special, no SALib and
no pandas (issue 19's CPU budget). scipy.stats and SALib cost some 0.35 s of CPU at import,
scipy.special some 0.25 s (its array-API layer), pandas 0.15 s; the run's Sobol design, its
Sobol indices, ranks, exact tests and likelihoods are computed without them (with their
numbers: tests/test_sobol.py, tests/analysis/test_exact_replacements.py), its normal and t
quantiles, logits and log-gammas by scipy's own algorithms ported (tests/test_special.py),
and the case's record is read and counted with NumPy (tests/data/test_records.py: its
arrays equal its tables).

scipy.optimize imports scipy.special for its own use: while a run still imports
scipy.optimize, scipy.special may be loaded, but no detente module may ask for it (every
``import`` statement a detente module executes during the run is recorded, whether or not
the module was loaded already); a run without scipy.optimize must load no scipy.special.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import detente

_PROBE = """
import builtins, json, sys
BANNED = ("scipy.stats", "scipy.special", "SALib", "pandas")
asked = {}
real_import = builtins.__import__
def recording_import(name, globals=None, locals=None, fromlist=(), level=0):
    importer = str((globals or {}).get("__name__", ""))
    if level == 0 and importer.split(".")[0] == "detente":
        wanted = [name] + [name + "." + f for f in fromlist or ()]
        for m in BANNED:
            if any(w == m or w.startswith(m + ".") for w in wanted):
                asked.setdefault(m, importer)
    return real_import(name, globals, locals, fromlist, level)
builtins.__import__ = recording_import
from detente.pipeline import run
from detente.scenario import resolve
run(resolve(sys.argv[1]), draws=40, runs=40, months=13, seed=3)
print(json.dumps({
    "loaded": [m for m in BANNED if m in sys.modules],
    "asked": asked,
    "optimize": "scipy.optimize" in sys.modules,
}))
"""


def _probe(case: str) -> dict:
    root = Path(detente.__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, case],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        timeout=300,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("case", ["examples/steel-dispute.yaml", "iran-jcpoa-2021", "us-dprk-2021"])
def test_a_run_imports_neither_scipy_stats_nor_scipy_special_nor_salib_nor_pandas(case):
    got = _probe(case)
    assert got["asked"] == {}, "detente modules ask for these in a run"
    allowed = ["scipy.special"] if got["optimize"] else []
    assert [m for m in got["loaded"] if m not in allowed] == []
