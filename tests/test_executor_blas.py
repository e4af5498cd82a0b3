"""The executor's batches run with one BLAS thread, scipy's own OpenBLAS included, even when
scipy's linear algebra is first imported inside the batch (detente.executor._load_scipys_blas
loads scipy's OpenBLAS without importing scipy.linalg)."""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = """
import json, sys
import numpy
from threadpoolctl import threadpool_info
from detente import executor

def threads():
    return sorted((d["filepath"].rsplit("/", 1)[-1], d["num_threads"]) for d in threadpool_info())

def batch(shared, item):
    before = "scipy.linalg" in sys.modules
    import scipy.linalg  # first imported inside the batch
    return before, threads()

before, inside = executor.run_batch(batch, None, [0])[0]
print(json.dumps({"before": before, "inside": inside, "after": threads()}))
"""


def test_a_batch_limits_scipys_blas_even_when_scipy_comes_inside_it() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["before"] is False  # scipy.linalg was not imported to set the limit
    names = [name for name, _ in seen["inside"]]
    assert len(names) == len(set(names))  # scipy linked the copy loaded for the limit
    assert any("scipy_openblas" in n and "64" not in n for n in names)
    assert all(n == 1 for _, n in seen["inside"])
