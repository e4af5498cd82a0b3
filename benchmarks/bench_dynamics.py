"""Speed of the dynamics Monte Carlo: 10,000 runs x 36 months of the flagship.

Measures, in the same run:

1. the vectorised simulation (all runs at once, a loop over months only) with the
   diagnosis kernel (the bargaining-set LP, recomputed when stances move) and with the
   red-line kernel (no LP: the cost of the simulation rules alone);
2. the per-run Python loop reference (:func:`detente.dynamics.simulate_reference`, the same
   rules and random numbers, one run at a time) on a subset of runs, scaled to 10,000.

Prints the times and the ratios. Usage: ``python benchmarks/bench_dynamics.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from detente.dynamics import simulate, simulate_reference
from detente.dynamics import simulation as sim_mod
from detente.scenario import load_bundled


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--subset", type=int, default=100, help="runs of the per-run reference")
    args = ap.parse_args()
    s = load_bundled("us-dprk-2021")

    t0 = time.perf_counter()
    res = simulate(s, runs=args.runs, months=args.months, seed=1)
    t_vec = time.perf_counter() - t0
    t0 = time.perf_counter()
    simulate(s, runs=args.runs, months=args.months, seed=1, kernel="red_lines")
    t_vec_rl = time.perf_counter() - t0

    # the per-run loop, red-line kernel (the LP per run would only widen the gap)
    st, uniforms = sim_mod._prepare(
        s, args.months, args.runs, 1, None, None, sim_mod.DriverNames(), "red_lines"
    )
    t0 = time.perf_counter()
    for r in range(args.subset):
        sim_mod._run(st, np.array([r]), uniforms, sim_mod.IMPASSE)
    t_loop = (time.perf_counter() - t0) / args.subset * args.runs

    # and the reference with the diagnosis kernel on a smaller subset
    n_lp = max(5, args.subset // 10)
    t0 = time.perf_counter()
    ref = simulate_reference(s, runs=args.runs, months=args.months, seed=1, subset_runs=n_lp)
    t_loop_lp = (time.perf_counter() - t0) / n_lp * args.runs
    assert np.array_equal(ref["modes"], res.modes[:, :n_lp]), "reference and vectorised differ"

    print(f"dynamics: {args.runs} runs x {args.months} months of us-dprk-2021")
    print(f"  vectorised, diagnosis kernel   {t_vec:8.2f} s")
    print(f"  vectorised, red-line kernel    {t_vec_rl:8.2f} s")
    print(
        f"  per-run loop, red-line kernel  {t_loop:8.2f} s (from {args.subset} runs)  "
        f"ratio {t_loop / t_vec_rl:6.1f}x"
    )
    print(
        f"  per-run loop, diagnosis kernel {t_loop_lp:8.2f} s (from {n_lp} runs)  "
        f"ratio {t_loop_lp / t_vec:6.1f}x"
    )
    print(f"  P(talks by 12 m) = {res.at(12)['talks']:.3f}; identical paths on the subset: yes")


if __name__ == "__main__":
    main()
