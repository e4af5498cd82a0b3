"""Speed-up of a 200-variant sweep on 1 versus 2 local worker processes and on a Dask
LocalCluster of two worker processes, measured in the same run, and the overhead per variant.

Every executor runs the same 200 variants of the flagship (20 values of the US red line on
denuclearization x 10 of the North's economic distress) through the whole pipeline with small
sizes, and the script checks that the three give byte-identical JSON. It prints wall times,
the ratios (1 worker / 2 workers, 1 worker / cluster; target >= 1.7 on 2 workers), each pool's
start-up (spawning the processes and compiling numba's kernels in each: measured with a
2-variant sweep on a fresh pool) and the overhead per variant (local processes with one worker
minus the same sweep in this process, start-up excluded, per variant).

The ratio can only reach 2 on an idle machine with two free cores: note the load (os.getloadavg)
printed beside it.

Usage: ``python benchmarks/bench_sweep.py [--variants 200] [--draws 40] [--runs 40] [--months 6]``.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from detente.executor import ExecutorSpec
from detente.scenario import resolve
from detente.store.sweep import sweep


def grid(n: int) -> dict[str, list[float]]:
    a = max(1, n // 10)
    b = n // a
    return {
        "usa.red_lines.denuclearization": [round(40 + 40 * i / max(1, a - 1), 3) for i in range(a)],
        "drivers.economic_distress": [round(0.5 + 0.5 * i / max(1, b - 1), 3) for i in range(b)],
    }


def timed(s, g, spec, sizes):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    r = sweep(s, g, executor=spec, **sizes)
    return time.perf_counter() - t0, json.dumps(r.to_dict(full=True))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--variants", type=int, default=200)
    ap.add_argument("--draws", type=int, default=40)
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--months", type=int, default=6)
    ap.add_argument(
        "--inline-sample",
        type=int,
        default=0,
        help="Time only this many variants in this process (0: all of them).",
    )
    args = ap.parse_args()
    from distributed import LocalCluster

    s = resolve("us-dprk-2021")
    sizes = {"draws": args.draws, "runs": args.runs, "months": args.months}
    g = grid(args.variants)
    n = len(g["usa.red_lines.denuclearization"]) * len(g["drivers.economic_distress"])
    small = {k: v[:1] for k, v in g.items()}
    small["drivers.economic_distress"] = g["drivers.economic_distress"][:2]
    print(f"{n} variants of {s.id}, sizes {sizes}; load average {os.getloadavg()}")
    timed(s, small, ExecutorSpec("inline"), sizes)  # compile numba's kernels in this process
    if args.inline_sample and args.inline_sample < n:
        # the work per variant, from the first variants only (a loaded machine makes the
        # whole sweep in one process long); the JSON check then compares the pools and the cluster
        sub = dict(g)
        b = len(g["drivers.economic_distress"])
        sub["usa.red_lines.denuclearization"] = g["usa.red_lines.denuclearization"][
            : max(1, args.inline_sample // b)
        ]
        sub["drivers.economic_distress"] = g["drivers.economic_distress"][: args.inline_sample]
        n_sub = len(sub["usa.red_lines.denuclearization"]) * len(sub["drivers.economic_distress"])
        t_sub, _ = timed(s, sub, ExecutorSpec("inline"), sizes)
        t_in, j_in = t_sub * n / n_sub, None
        print(f"in this process (warm)       {t_sub:7.1f} s for {n_sub} variants "
              f"({t_sub / n_sub:.3f} s per variant; {t_in:.1f} s for {n})")  # fmt: skip
    else:
        t_in, j_in = timed(s, g, ExecutorSpec("inline"), sizes)
        print(f"in this process (warm)       {t_in:7.1f} s  ({t_in / n:.3f} s per variant)")
    res = {}
    for w in (1, 2):
        spec = ExecutorSpec("processes", workers=w)
        start, _ = timed(s, small, spec, sizes)
        t, j = timed(s, g, spec, sizes)
        j_in = j_in or j
        assert j == j_in, f"{w} local workers gave different numbers"
        res[w] = (t, start)
        print(f"{w} local worker{'s' if w > 1 else ' '}              {t:7.1f} s  (pool start-up "
              f"about {start:.1f} s)")  # fmt: skip
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as c:
        spec = ExecutorSpec("dask", scheduler=c.scheduler_address)
        t_warm, _ = timed(s, small, spec, sizes)  # the cluster's workers stay warm afterwards
        t_dask, j = timed(s, g, spec, sizes)
        assert j == j_in, "the cluster gave different numbers"
    print(f"LocalCluster, 2 workers       {t_dask:7.1f} s  (first 2 variants {t_warm:.1f} s)")
    (t1, s1), (t2, s2) = res[1], res[2]
    print(f"speed-up, 2 local workers vs 1: {t1 / t2:.2f} (start-up excluded: "
          f"{max(t1 - s1, 1e-9) / max(t2 - s2, 1e-9):.2f}); target >= 1.7")  # fmt: skip
    print(f"speed-up, LocalCluster (warm workers) vs 1 local worker: {t1 / t_dask:.2f}")
    print(f"overhead per variant on local processes: {(t1 - s1 - t_in) / n * 1000:.0f} ms "
          f"(of {t_in / n * 1000:.0f} ms of work per variant)")  # fmt: skip
    print(f"load average after: {os.getloadavg()}; all executors gave byte-identical JSON")


if __name__ == "__main__":
    main()
