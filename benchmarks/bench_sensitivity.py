"""Speed-up of outlook and claim-margin sensitivity from simulating the design points in
batches, measured in the same run, with the numbers checked identical.

Each design point of an outlook probability or a claim's margin runs the crisis simulation
(200 runs by default). Before: one simulation per design point (one point per task, as the
code did before ``RUNS_PER_TASK``). After: the points of a task (32 at 200 runs) simulated
together in one call of the vectorised monthly loop (:mod:`detente.dynamics.batch`). Both run
in this process (``--executor inline``), on the flagship by default, with Morris screening;
the script checks that the two JSON results are byte-identical and prints the wall times and
their ratio, then the same for each quantity asked.

The machine's load (os.getloadavg) is printed beside the ratios: on a shared machine the
ratios move with it.

Usage: ``python benchmarks/bench_sensitivity.py [--case us-dprk-2021] [--n 2] [--runs 200]
[--quantity outlook.talks@12 --quantity claim.C12 ...]``.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import detente.analysis.sensitivity as S
from detente.executor import ExecutorSpec
from detente.scenario import resolve


def timed(s, quantity: str, n: int, runs: int, runs_per_task: int) -> tuple[float, str, int]:  # type: ignore[no-untyped-def]
    S.RUNS_PER_TASK = runs_per_task
    t0 = time.perf_counter()
    r = S.sensitivity(s, quantity, method="morris", n=n, runs=runs, executor=ExecutorSpec("inline"))
    return time.perf_counter() - t0, json.dumps(r.to_dict(), sort_keys=True), r.n_evaluations


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--case", default="us-dprk-2021")
    ap.add_argument("--n", type=int, default=2, help="Morris trajectories")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--quantity", action="append", default=None)
    a = ap.parse_args()
    quantities = a.quantity or ["outlook.talks@12", "claim.C12", "claim.C9"]
    s = resolve(a.case)
    batched = S.RUNS_PER_TASK
    timed(s, quantities[0], 2, 10, batched)  # imports, numba compilation, record loading
    print(f"{a.case}, Morris n={a.n}, {a.runs} runs per design point, in this process")
    for q in quantities:
        before, jb, n_eval = timed(s, q, a.n, a.runs, 1)
        after, ja, _ = timed(s, q, a.n, a.runs, batched)
        same = "identical" if jb == ja else "DIFFERENT"
        load = os.getloadavg()[0]
        print(
            f"{q:<22} {n_eval:>5} points  one simulation each {before:7.1f} s  "
            f"batched {after:7.1f} s  ratio {before / after:4.2f}  JSON {same}  (load {load:.1f})"
        )
        if jb != ja:
            raise SystemExit(f"{q}: the batched result differs from one simulation per point")


if __name__ == "__main__":
    main()
