"""Speed of the compromise, Nash and exchange models, measured against plain references.

1. ``compromise.batch`` over many perturbed draws of the flagship vs a plain Python loop over
   draws, issues and actors computing the same weighted means. Target: >= 20x faster.
2. ``nash.batch`` (the vectorised feasibility check over draws) vs running the single-scenario
   ``nash`` model draw by draw (its exact, optimisation-based check). Reported, no target.
3. ``exchange`` on a many-actor scenario: seconds per round. Reported, no target.

Usage: ``python benchmarks/bench_models.py [--quick]``; exits 1 when a target is missed.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from detente.models import get_model
from detente.models.compromise import batch as compromise_batch
from detente.models.nash import batch as nash_batch
from detente.scenario import load_bundled
from detente.testing import make_scenario


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def loop_compromise(arrays) -> np.ndarray:
    """The reference: the same equation, one draw, issue and actor at a time."""
    n, A, I = arrays.positions.shape
    out = np.empty((n, I))
    for d in range(n):
        for j in range(I):
            num = den = 0.0
            for k in range(A):
                if arrays.has_stance[k, j]:
                    w = float(arrays.capabilities[d, k]) * float(arrays.saliences[d, k, j])
                    num += w * float(arrays.positions[d, k, j])
                    den += w
            out[d, j] = num / den if den > 0 else float(arrays.status_quo[d, j])
    return out


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    ok = True
    s = load_bundled("us-dprk-2021")
    n = 2_000 if quick else 10_000
    draws = s.sample(n, seed=1)
    fast = compromise_batch(draws)
    slow = loop_compromise(draws)
    assert np.allclose(fast, slow), "batch and loop disagree"
    t_fast = best_of(lambda: compromise_batch(draws))
    t_slow = best_of(lambda: loop_compromise(draws), repeat=1)
    ratio = t_slow / t_fast
    print(
        f"compromise, {n} draws of us-dprk-2021: batch {t_fast * 1e3:.2f} ms, "
        f"loop {t_slow * 1e3:.0f} ms, ratio {ratio:.0f}x (target >= 20x)"
    )
    ok &= ratio >= 20

    free = s
    for a in s.actors:  # without red lines the flagship has deals to find
        for iid in a.red_lines:
            free = free.with_value(f"{a.id}.red_lines.{iid}", "none")
    m = 200 if quick else 1_000
    fd = free.sample(m, seed=2)
    t_batch = best_of(lambda: nash_batch(fd), repeat=1)
    k = 10
    t0 = time.perf_counter()
    for _ in range(k):
        get_model("nash").forecast(free)
    t_single = (time.perf_counter() - t0) / k
    share = float(np.mean(nash_batch(fd)))
    print(
        f"nash feasibility, {m} draws (flagship without red lines): batch {t_batch:.2f} s "
        f"({t_batch / m * 1e3:.2f} ms/draw) vs single-scenario model {t_single * 1e3:.0f} ms/draw; "
        f"{share:.0%} of draws have a package every veto player prefers"
    )

    rng = np.random.default_rng(7)
    n_actors, n_issues = (20, 6) if quick else (40, 10)
    actors = {
        f"actor{k}": {
            "capability": float(rng.uniform(0.1, 1)),
            "stances": {
                f"issue{j}": (float(rng.uniform(0, 100)), float(rng.uniform(0.05, 1)))
                for j in range(n_issues)
            },
        }
        for k in range(n_actors)
    }
    big = make_scenario(actors, [f"issue{j}" for j in range(n_issues)])
    t0 = time.perf_counter()
    f = get_model("exchange", rounds=5).forecast(big, seed=0)
    t_ex = time.perf_counter() - t0
    print(
        f"exchange, {n_actors} actors x {n_issues} issues: {f.n_rounds} rounds, "
        f"{len(f.moves) // 2} exchanges, {t_ex:.2f} s ({t_ex / max(f.n_rounds, 1):.2f} s/round)"
    )
    if not ok:
        print("target missed")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
