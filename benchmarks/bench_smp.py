"""Speed of the vectorised spatial model of politics against the plain-Python reference loop.

Measures, in one run, :func:`detente.models.smp_fast.run_fast` against
:func:`detente.models.smp_reference.run_reference` (KTAB's ``SMPState`` loop transcribed one
scalar at a time) on KTAB's random-actor benchmark inputs ``dummyData-a040/a080/a160.csv``
(40, 80 and 160 actors, one dimension; tests/oracles/ktab/), after checking that both give
the same positions for the turns the reference runs.

Targets (issue 15, item 3), against KTAB's ``smpc`` built with -O2 on this machine class
(6.27 s at 40 actors, 70.6 s at 80, 660 s at 160):

1. a full run at 40 actors in at most 0.6 s, and at 160 actors in at most 66 s;
2. peak traced memory of a run at 160 actors under 2 GB (tracemalloc, NumPy included).

The reference loop costs O(n^3) Python operations per turn (tens of seconds per turn at
160 actors), so it runs only the first ``k`` turns (k = 2 at 40 and 80 actors, 1 at 160);
its full-run time is that per-turn cost times the number of turns the full run takes, and
is printed as an extrapolation. The ratio compares the same ``k`` turns of both engines.

Times are process CPU seconds (``time.process_time``), what a run costs: on a shared
machine the wall clock also counts the time spent waiting for a core, and is printed
beside for reference.

Usage::

    python benchmarks/bench_smp.py            # about 2 minutes
    python benchmarks/bench_smp.py --quick    # 40 and 80 actors only, reference 1 turn
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "oracles" / "ktab"))

from extract_ktab_log import _inputs_csv  # noqa: E402

from detente.models.smp_core import SmpConfig  # noqa: E402
from detente.models.smp_fast import run_fast  # noqa: E402
from detente.models.smp_reference import run_reference  # noqa: E402

KTAB_SECONDS = {13: 0.42, 40: 6.27, 80: 70.6, 160: 660.0}
TARGET_SECONDS = {40: 0.6, 160: 66.0}
MEMORY_LIMIT = 2 * 1024**3


def _load(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    path = ROOT / "tests" / "oracles" / "ktab" / f"dummyData-a{n:03d}.csv"
    inp = _inputs_csv(path)
    return (
        np.array(inp["position"]) / 100,
        np.array(inp["salience"]) / 100,
        np.array(inp["capability"]),
    )


def _timed(fn, *args):  # type: ignore[no-untyped-def]
    """Result, process CPU seconds and wall seconds of ``fn(*args)``."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args)
    return out, time.process_time() - c0, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="40 and 80 actors, 1 reference turn")
    args = parser.parse_args(argv)
    sizes = (40, 80) if args.quick else (40, 80, 160)
    failed = []
    traces: dict[int, int] = {}
    print(
        f"{'actors':>6} {'turns':>5} {'fast cpu':>8} {'wall':>7} {'target':>7} {'KTAB -O2':>8} "
        f"{'k':>2} {'ref k s':>8} {'fast k s':>8} {'ratio':>7} {'ref full (extrap.)':>18}"
    )
    for n in sizes:
        x, s, c = _load(n)
        full, t_full, wall = _timed(run_fast, x, s, c, SmpConfig())
        k = 1 if (args.quick or n >= 160) else 2
        part_cfg = SmpConfig(max_turns=k, min_turns=k)
        ref, t_ref, _ = _timed(run_reference, x, s, c, part_cfg)
        fast_k, t_fast_k, _ = _timed(run_fast, x, s, c, part_cfg)
        if not np.allclose(ref.positions, fast_k.positions, rtol=0, atol=1e-12):
            print(f"{n} actors: the engines disagree on the first {k} turns")
            failed.append(f"equivalence at {n}")
        if not np.array_equal(full.positions[: k + 1], fast_k.positions):
            failed.append(f"partial run differs from full run at {n}")
        trace_bytes = sum(v.nbytes for v in vars(full).values() if isinstance(v, np.ndarray))
        traces[n] = trace_bytes
        ref_full = t_ref / k * full.n_turns
        target = TARGET_SECONDS.get(n)
        mark = "" if target is None else ("ok" if t_full <= target else "MISSED")
        if mark == "MISSED":
            failed.append(f"time at {n} actors")
        print(
            f"{n:>6} {full.n_turns:>5} {t_full:>8.3f} {wall:>7.2f} {'' if target is None else f'{target:g}':>7} "
            f"{KTAB_SECONDS[n]:>8.2f} {k:>2} {t_ref:>8.2f} {t_fast_k:>8.3f} {t_ref / t_fast_k:>6.1f}x "
            f"{ref_full:>17.1f}s {mark}"
        )
    print(
        "trace arrays (SmpRun, every turn): "
        + ", ".join(f"{n} actors {b / 1024:.0f} KB" for n, b in traces.items())
        + " (KTAB's SQLite trail at 160 actors: 6.3 GB)"
    )
    if not args.quick:
        x, s, c = _load(160)
        tracemalloc.start()
        run_fast(x, s, c, SmpConfig(max_turns=3))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        ok = peak < MEMORY_LIMIT
        print(
            f"peak traced memory at 160 actors (3 turns): {peak / 1024**2:.0f} MB "
            f"(limit {MEMORY_LIMIT / 1024**3:.0f} GB) {'ok' if ok else 'MISSED'}"
        )
        if not ok:
            failed.append("memory at 160 actors")
    if failed:
        print("targets missed: " + ", ".join(failed))
        return 1
    print("all SMP targets met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
