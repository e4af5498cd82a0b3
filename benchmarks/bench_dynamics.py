"""Speed of the dynamics Monte Carlo: 10,000 runs x 36 months of the flagship.

Measures, in the same run:

1. the current vectorised simulation (closed-form zone test and gap, no LP in the loop);
2. the previous vectorised implementation (``_previous_dynamics.py``, a frozen copy of the
   simulation before issue 11, whose bargaining set is the diagnosis LP on every stance
   snapshot), on the same scenario and number of runs;
3. the per-run reference (:func:`detente.dynamics.simulate_reference`, the same rules and
   random numbers one run at a time) on a subset, checked path for path against (1).

Prints the times and the ratio previous / current and exits non-zero below the target (at
least 4x). Usage: ``python benchmarks/bench_dynamics.py [--runs N] [--months M] [--subset K]
[--quick]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from detente.dynamics import simulate, simulate_reference
from detente.scenario import load_bundled

sys.path.insert(0, str(Path(__file__).parent))
import _previous_dynamics as previous


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--subset", type=int, default=20, help="runs of the per-run reference")
    ap.add_argument("--quick", action="store_true", help="2,000 runs (a smoke run)")
    args = ap.parse_args()
    if args.quick:
        args.runs, args.subset = 2_000, 5
    s = load_bundled("us-dprk-2021")
    simulate(s, runs=50, months=2, seed=1)  # warm caches (record, imports)

    t0 = time.perf_counter()
    res = simulate(s, runs=args.runs, months=args.months, seed=1)
    t_new = time.perf_counter() - t0
    t0 = time.perf_counter()
    previous.simulate_previous(s, runs=args.runs, months=args.months, seed=1)
    t_old = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = simulate_reference(s, runs=args.runs, months=args.months, seed=1, subset_runs=args.subset)
    t_ref = (time.perf_counter() - t0) / args.subset * args.runs
    same = all(
        np.array_equal(ref[k], getattr(res, k)[:, : args.subset])
        for k in ("modes", "provocations", "missiles", "instigated")
    )
    print(f"dynamics: {args.runs} runs x {args.months} months of us-dprk-2021")
    print(f"  current vectorised (closed-form zone)   {t_new:8.2f} s")
    print(f"  previous vectorised (LP per snapshot)   {t_old:8.2f} s   ratio {t_old / t_new:5.1f}x")
    print(f"  per-run reference (from {args.subset} runs)       {t_ref:8.2f} s")
    print(f"  P(talks by 12 m) = {res.at(12)['talks']:.3f}; reference paths identical: {same}")
    if not same:
        raise SystemExit("the per-run reference and the vectorised simulation differ")
    if t_old / t_new < 4.0:
        raise SystemExit(f"target missed: {t_old / t_new:.1f}x faster, target 4x")


if __name__ == "__main__":
    main()
