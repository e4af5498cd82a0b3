"""Speed of the bargaining-set kernel: the batched block LP against one LP per draw.

Run: ``python benchmarks/bench_diagnosis.py [N_DRAWS]``. Uses the flagship ``us-dprk-2021``
when it is bundled, else a stand-in of the same shape (6 issues, 2 veto players) built here.
Prints wall times and ratios measured in the same run; the per-draw reference is timed on a
subset and scaled linearly (it is a plain loop).
"""

from __future__ import annotations

import sys
import time

import numpy as np

from detente.core import win_set_gap, zone_open
from detente.core.reference import win_set_gap_per_draw
from detente.scenario import Scenario, bundled_names, load_bundled


def _scenario() -> Scenario:
    if "us-dprk-2021" in bundled_names():
        return load_bundled("us-dprk-2021")

    # stand-in: the flagship's shape; red lines on denuclearization that do not overlap
    def qq(v: float, lo: float, hi: float) -> dict[str, object]:
        return {"value": v, "range": [lo, hi], "judgement": "benchmark stand-in"}

    issues = [
        "denuclearization",
        "sanctions_relief",
        "security_guarantees",
        "exercises",
        "inter_korean_economy",
        "human_rights",
    ]
    usa = [95, 20, 55, 20, 40, 80]
    dprk = [5, 90, 95, 90, 85, 0]
    actors = []
    for aid, pos, rl in (
        ("usa", usa, {"op": ">=", "bound": qq(60, 50, 75)}),
        ("dprk", dprk, {"op": "<=", "bound": qq(30, 20, 40)}),
    ):
        actors.append(
            {
                "id": aid,
                "label": aid,
                "capability": 1.0,
                "veto": True,
                "stances": {
                    i: {
                        "position": qq(p, max(0, p - 10), min(100, p + 10)),
                        "salience": qq(0.6, 0.4, 0.8),
                    }
                    for i, p in zip(issues, pos, strict=True)
                },
                "red_lines": {"denuclearization": rl},
            }
        )
    return Scenario.model_validate(
        {
            "meta": {"id": "bench", "title": "benchmark stand-in"},
            "issues": [{"id": i, "label": i} for i in issues],
            "actors": actors,
            "status_quo": {i: qq(10, 0, 20) for i in issues},
        }
    )


def main(n: int = 10_000, n_ref: int = 300) -> None:
    s = _scenario()
    t0 = time.perf_counter()
    batch = s.sample(n, seed=0)
    t_sample = time.perf_counter() - t0
    win_set_gap(s.sample(10, seed=1))  # warm up: imports and HiGHS start-up
    t0, c0 = time.perf_counter(), time.process_time()
    r = win_set_gap(batch)
    t_batch, c_batch = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    nonempty, _ = zone_open(batch)
    t_fast = time.perf_counter() - t0
    agree = bool(np.array_equal(nonempty, r.zone_nonempty))
    sub = s.sample(n_ref, seed=0)
    t0, c0 = time.perf_counter(), time.process_time()
    ref = win_set_gap_per_draw(sub)
    t_ref = (time.perf_counter() - t0) * n / n_ref
    c_ref = (time.process_time() - c0) * n / n_ref
    r_sub = win_set_gap(sub)
    err = float(np.max(np.abs(r_sub.gap - ref)))
    print(f"scenario {s.id}: {s.n_issues} issues, {len(r.veto_ids)} veto players, {n} draws")
    print(f"  sampling                {t_sample:8.3f} s")
    print("  (wall clock, CPU time in brackets: the machine may be shared)")
    print(
        f"  batched block LP        {t_batch:8.3f} s [{c_batch:.3f} s]   "
        f"P(zone non-empty) = {r.zone_nonempty.mean():.3f}"
    )
    print(f"  per-draw LP (scaled)    {t_ref:8.3f} s [{c_ref:.3f} s]   (timed on {n_ref} draws)")
    print(f"  speed-up                {t_ref / t_batch:8.1f} x [{c_ref / c_batch:.1f} x CPU]")
    print(
        f"  zone test, closed form  {t_fast:8.3f} s   ({t_ref / t_fast:.0f} x the per-draw LP; "
        f"agrees with the LP on all draws: {agree})"
    )
    print(f"  max |gap batch - gap per-draw| on {n_ref} draws: {err:.2e}")
    from detente.analysis.diagnosis import diagnose

    t0 = time.perf_counter()
    c0 = time.process_time()
    d = diagnose(s, draws=n, seed=0)
    t_diag, c_diag = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"  full diagnose (point, Monte Carlo, drivers, {len(d.levers)} levers): "
        f"{t_diag:.2f} s wall, {c_diag:.2f} s CPU"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
