"""Time of ``detente run`` on the flagship with its default sizes (target: under 30 s).

Measures, in the same run, :func:`detente.report.build_report` with the defaults of
``detente run`` (step by step), the terminal and HTML renderers, and as a reference the
cheapest step every report has (the bargaining models alone), so the ratio says how much
the Monte Carlo sections cost on this machine. Exits non-zero when the whole report takes
30 s or more.

Usage: ``python benchmarks/bench_report.py [--scenario NAME] [--target SECONDS]``.
"""

from __future__ import annotations

import argparse
import io
import time

from rich.console import Console

from detente.report import build_report, render_html, render_terminal
from detente.report.build import DEFAULT_DRAWS, DEFAULT_MONTHS, DEFAULT_RUNS, DEFAULT_SEED
from detente.scenario import load_bundled


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default="us-dprk-2021")
    ap.add_argument("--target", type=float, default=30.0)
    ap.add_argument("--quick", action="store_true", help="accepted for run_all; no effect")
    args = ap.parse_args()
    s = load_bundled(args.scenario)

    t0 = time.perf_counter()
    report = build_report(
        s, draws=DEFAULT_DRAWS, runs=DEFAULT_RUNS, months=DEFAULT_MONTHS, seed=DEFAULT_SEED
    )
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    render_terminal(report, Console(file=io.StringIO(), width=100))
    t_term = time.perf_counter() - t0
    t0 = time.perf_counter()
    html = render_html(report)
    t_html = time.perf_counter() - t0

    total = t_build + t_term + t_html
    models = report.timings["forecasts"]
    print(f"{args.scenario}: {DEFAULT_DRAWS} draws, {DEFAULT_RUNS} runs x {DEFAULT_MONTHS} months")
    for step, sec in report.timings.items():
        print(f"  {step:<12} {sec:7.2f} s")
    print(f"  {'terminal':<12} {t_term:7.2f} s")
    print(f"  {'html':<12} {t_html:7.2f} s  ({len(html) / 1e6:.2f} MB)")
    print(f"total {total:.1f} s (target < {args.target:g} s)")
    print(f"whole report / bargaining models alone = {total / max(models, 1e-9):.0f}x")
    return 0 if total < args.target else 1


if __name__ == "__main__":
    raise SystemExit(main())
