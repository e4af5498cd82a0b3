"""Speed of the outlook at the issue-21 targets: ``simulate`` 10,000 runs x 36 months on
both bundled cases and on a case with four veto players (the zone among all of them), and
``backtest dynamics`` of the flagship at default sizes.

Prints wall and CPU seconds (the machine may be shared: CPU time is the fairer measure) and
exits non-zero when a target is missed in CPU time: simulate under 2 s, the backtest under
90 s. Usage: ``python benchmarks/bench_outlook.py [--skip-backtest]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from detente.dynamics import simulate
from detente.dynamics.backtest import backtest
from detente.scenario import load, load_bundled

FOUR = Path(__file__).parents[1] / "tests" / "dynamics" / "four-veto.yaml"


def _timed(f):  # type: ignore[no-untyped-def]
    w, c = time.perf_counter(), time.process_time()
    out = f()
    return out, time.perf_counter() - w, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-backtest", action="store_true")
    args = ap.parse_args()
    missed = []
    cases = [("us-dprk-2021", load_bundled("us-dprk-2021"))]
    cases += [("iran-jcpoa-2021", load_bundled("iran-jcpoa-2021")), ("four-veto", load(FOUR))]
    for name, s in cases:
        simulate(s, runs=50, months=2, seed=1)  # warm caches (record, fit, imports)
        res, wall, cpu = _timed(lambda s=s: simulate(s, runs=10_000, months=36, seed=1))
        print(f"simulate 10,000 x 36 {name:<16} wall {wall:6.2f} s  cpu {cpu:6.2f} s  "
              f"P(talks by 12) {res.at(12)['talks']:.3f}")  # fmt: skip
        if cpu > 2.0:
            missed.append(f"simulate {name}: {cpu:.2f} s CPU > 2 s")
    if not args.skip_backtest:
        s = load_bundled("us-dprk-2021")
        _, wall, cpu = _timed(lambda: backtest(s))
        print(f"backtest dynamics us-dprk-2021 (defaults)  wall {wall:6.1f} s  cpu {cpu:6.1f} s")
        if cpu > 90.0:
            missed.append(f"backtest: {cpu:.0f} s CPU > 90 s")
    if missed:
        raise SystemExit("targets missed: " + "; ".join(missed))


if __name__ == "__main__":
    main()
