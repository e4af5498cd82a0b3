"""``detente run`` imports only what it uses: no scipy.stats, no scipy.special, no SALib and
no pandas, and on a case that needs no smooth solver no scipy.optimize and no scipy.sparse
either (issue 19's CPU budget). scipy.stats and SALib cost some 0.35 s of CPU at import,
scipy.special some 0.25 s (its array-API layer), pandas 0.15 s, scipy.optimize (with
scipy.sparse) some 0.4 s; the run's Sobol design, its Sobol indices, ranks, exact tests and
likelihoods are computed without them (with their numbers: tests/test_sobol.py,
tests/analysis/test_exact_replacements.py), its normal and t quantiles, logits and
log-gammas by scipy's own algorithms ported (tests/test_special.py), the case's record is
read and counted with NumPy (tests/data/test_records.py: its arrays equal its tables), and
the block LPs of the bargaining set go to HiGHS through highspy (tests/core/test_highs.py:
the solutions scipy.optimize.linprog gave, bit for bit).

scipy.optimize imports scipy.special for its own use, so a run that calls a smooth solver
loads scipy.special too; no detente module may ask for it, in any run (every ``import``
statement a detente module executes during the run is recorded, whether or not the module
was loaded already).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import detente

_WATCHED = ("scipy.stats", "scipy.special", "SALib", "pandas", "scipy.optimize", "scipy.sparse")
#: The modules no detente module may import in a run (scipy.optimize may be, where needed).
_BANNED = ("scipy.stats", "scipy.special", "SALib", "pandas")

_PROBE = f"""
import builtins, json, sys
asked = {{}}
real_import = builtins.__import__
def recording_import(name, globals=None, locals=None, fromlist=(), level=0):
    importer = str((globals or {{}}).get("__name__", ""))
    if level == 0 and importer.split(".")[0] == "detente":
        wanted = [name] + [name + "." + f for f in fromlist or ()]
        for m in {_BANNED!r}:
            if any(w == m or w.startswith(m + ".") for w in wanted):
                asked.setdefault(m, importer)
    return real_import(name, globals, locals, fromlist, level)
builtins.__import__ = recording_import
from detente.pipeline import run
from detente.scenario import resolve
run(resolve(sys.argv[1]), draws=40, runs=40, months=13, seed=3)
print(json.dumps({{"loaded": [m for m in {_WATCHED!r} if m in sys.modules], "asked": asked}}))
"""


@pytest.mark.parametrize(
    ("case", "needed"),
    [
        ("examples/steel-dispute.yaml", []),
        ("us-dprk-2021", []),
        # its veto players' zone is open and a model's forecast falls outside it, and its
        # axiomatic solutions run: SLSQP (scipy.optimize, which imports scipy.sparse and
        # scipy.special)
        ("iran-jcpoa-2021", ["scipy.special", "scipy.optimize", "scipy.sparse"]),
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
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["asked"] == {}, "detente modules import these in a run"
    assert got["loaded"] == needed
