"""Speed of the vectorised expected utility model against a plain Python loop reference.

Measures, in one run, :mod:`detente.models.eum` (faithful ``scholz`` settings) against
``reference_eum_loop.py`` (the same equations written per actor and per pair, the way
the public replications are written, recomputing the probability denominator for every
pair), after checking that both reproduce the Scholz, Calbert & Smith (2011) trace.

Targets (issue 3, item 4):

1. at least 500x faster than the loop at 10 actors (a few ms for the 10-round example);
2. cost per round growing no faster than n^3 in the number of actors n;
3. 10,000 perturbed draws of the Scholz example, 10 rounds each, in under 5 s.

The loop reference costs O(n^5) per round, so at 40 and 160 actors it is not run to
the end: its cost per round is extrapolated from the measured time of one probability
evaluation times the number of evaluations a round makes (3 n (n - 1) when all
positions differ), scaled by the ratio of measured to extrapolated cost at 20 actors
(the largest size where a full round is measured). Both numbers are printed at 10 and
20 actors so the extrapolation can be judged.

Usage::

    python benchmarks/bench_eum.py            # about a minute
    python benchmarks/bench_eum.py --quick    # fewer repeats
    python benchmarks/bench_eum.py --json out.json
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import reference_eum_loop as loop  # noqa: E402

from detente.models import get_model  # noqa: E402
from detente.models.eum import eum_kernel  # noqa: E402
from detente.scenario.bundled import load_bundled  # noqa: E402
from detente.scenario.io import scenario_from_data  # noqa: E402

ORACLE = ROOT / "tests" / "oracles" / "scholz2011"


def best_time(fn: Callable[[], Any], *, repeat: int, number: int = 1) -> float:
    """Best over ``repeat`` of the mean time of ``number`` calls, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def scholz_inputs() -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    with open(ORACLE / "example_actors.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    names = [r["Actor"] for r in rows]
    x = np.array([float(r["Position"]) for r in rows])
    c = np.array([float(r["Capability"]) for r in rows])
    s = np.array([float(r["Salience"]) for r in rows])
    return names, x, c, s


def check_against_oracle() -> dict[str, float]:
    """Both implementations must reproduce every number of the trace (else: exit 1)."""
    names, x, c, s = scholz_inputs()
    trace = json.loads((ORACLE / "example_trace.json").read_text())
    ref = loop.run_loop(list(x), list(c), list(s), 10)
    run = eum_kernel(x, c, s, 10)
    err_loop = err_kernel = 0.0
    for rnd in trace["rounds"]:
        t = rnd["round"]
        ref_moves = [m for m in ref.moves if m.round == t]
        movers = np.flatnonzero(run.offer[0, t - 1])
        assert len(ref_moves) == len(movers) == len(rnd["moves"]), f"round {t}: move count"
        for m, i, o in zip(ref_moves, movers, rnd["moves"], strict=True):
            assert (names[m.actor], m.offer, names[m.counterpart]) == (
                o["actor"],
                o["offer"],
                o["counterpart"],
            )
            assert (
                names[i] == o["actor"] and names[run.counterpart[0, t - 1, i]] == o["counterpart"]
            )
            err_loop = max(
                err_loop,
                abs(m.eu_pair[0] - o["eu_pair"][0]),
                abs(m.eu_pair[1] - o["eu_pair"][1]),
                abs(m.new_position - o["new_position"]),
            )
            err_kernel = max(
                err_kernel,
                abs(run.eu_ij[0, t - 1, i] - o["eu_pair"][0]),
                abs(run.eu_ji[0, t - 1, i] - o["eu_pair"][1]),
                abs(run.positions[0, t, i] - o["new_position"]),
            )
        err_loop = max(err_loop, abs(ref.means[t] - rnd["mean"]))
        err_kernel = max(err_kernel, abs(run.mean[0, t] - rnd["mean"]))
    assert err_loop <= 1e-9 and err_kernel <= 1e-9, (err_loop, err_kernel)
    # And the two agree with each other on random scenarios.
    rng = np.random.default_rng(2026)
    err_random = 0.0
    for n, rounds in ((10, 10), (20, 3)):
        xr, cr, sr = rng.uniform(0, 100, n), rng.uniform(0, 1, n), rng.uniform(0, 1, n)
        ref_r = loop.run_loop(list(xr), list(cr), list(sr), rounds)
        run_r = eum_kernel(xr, cr, sr, rounds)
        err_random = max(
            err_random, float(np.abs(np.array(ref_r.positions) - run_r.positions[0]).max())
        )
    assert err_random <= 1e-9, err_random
    return {
        "oracle_loop": err_loop,
        "oracle_vectorised": err_kernel,
        "loop_vs_vectorised": err_random,
    }


def random_actors(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 100, n), rng.uniform(0.05, 1, n), rng.uniform(0.05, 1, n)


def loop_probability_seconds(n: int, seed: int, repeat: int) -> float:
    """Measured time of one probability evaluation (the triple-sum denominator) at n actors."""
    x, c, s = random_actors(n, seed)
    xs, cs, ss, r = list(x), list(c), list(s), [1.0] * n
    big_r = max(xs) - min(xs)
    number = max(1, int(2e5 / n**3))
    return best_time(
        lambda: loop._probability(xs[0], xs[1], xs, cs, ss, r, big_r), repeat=repeat, number=number
    )


def perturbed_scholz() -> Any:
    """The Scholz example with ranges: positions ±1 year, capabilities ±25%, saliences ±0.1."""
    text = (
        ROOT / "src" / "detente" / "scenario" / "bundled" / "ec-emissions-1994.yaml"
    ).read_text()
    data = yaml.safe_load(text)
    why = "benchmark perturbation of the published value"
    for actor in data["actors"]:
        cap = actor["capability"]["value"]
        actor["capability"] = {"value": cap, "range": [0.75 * cap, 1.25 * cap], "judgement": why}
        for stance in actor["stances"].values():
            x = stance["position"]["value"]
            stance["position"] = {
                "value": x,
                "range": [max(4, x - 1), min(10, x + 1)],
                "judgement": why,
            }
            sal = stance["salience"]["value"]
            stance["salience"] = {
                "value": sal,
                "range": [max(0.0, sal - 0.1), min(1.0, sal + 0.1)],
                "judgement": why,
            }
    return scenario_from_data(data, "perturbed ec-emissions-1994")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    rep = 2 if args.quick else 5
    out: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "processor": platform.machine(),
        }
    }
    print(
        f"detente eum benchmark  (python {platform.python_version()}, numpy {np.__version__}, "
        f"{os.cpu_count()} cpus)"
    )

    errors = check_against_oracle()
    out["max_abs_error"] = errors
    print("\n1. Both implementations reproduce the Scholz et al. (2011) trace")
    print(
        f"   max |error| vs oracle: loop {errors['oracle_loop']:.1e}, vectorised {errors['oracle_vectorised']:.1e}; "
        f"loop vs vectorised on random 10/20-actor runs {errors['loop_vs_vectorised']:.1e}"
    )

    # 2. The Scholz example, 10 rounds.
    _, x, c, s = scholz_inputs()
    t_loop = best_time(
        lambda: loop.run_loop(list(x), list(c), list(s), 10), repeat=max(2, rep // 2)
    )
    t_kernel = best_time(lambda: eum_kernel(x, c, s, 10), repeat=rep, number=50)
    scenario = load_bundled("ec-emissions-1994")
    model = get_model("eum")
    t_forecast = best_time(lambda: model.forecast(scenario), repeat=rep, number=20)
    out["scholz_example"] = {
        "loop_s": t_loop,
        "kernel_s": t_kernel,
        "forecast_s": t_forecast,
        "ratio_kernel": t_loop / t_kernel,
        "ratio_forecast": t_loop / t_forecast,
    }
    print("\n2. Scholz example (10 actors, 10 rounds)")
    print(f"   loop reference        {t_loop * 1e3:9.1f} ms")
    print(f"   eum_kernel            {t_kernel * 1e3:9.3f} ms   {t_loop / t_kernel:8.0f}x faster")
    print(
        f"   model.forecast()      {t_forecast * 1e3:9.3f} ms   {t_loop / t_forecast:8.0f}x faster"
        "  (includes scenario arrays and the move log)"
    )

    # 3. Random scenarios: cost per round.
    print("\n3. Random scenarios, cost per round (vectorised: 10 rounds timed; loop: see notes)")
    print(
        f"   {'actors':>6} {'vectorised ms/round':>20} {'loop s/round':>14} {'how':>28} {'ratio':>10}"
    )
    rows = []
    calibration = 1.0  # measured / extrapolated loop cost at the largest fully measured size
    sizes = (10, 20, 40, 80, 160)
    for n in sizes:
        xr, cr, sr = random_actors(n, seed=n)
        eum_kernel(xr, cr, sr, 1)
        t_vec = best_time(lambda xr=xr, cr=cr, sr=sr: eum_kernel(xr, cr, sr, 10), repeat=rep) / 10
        per_call = loop_probability_seconds(n, seed=n, repeat=3)
        predicted = per_call * 3 * n * (n - 1)
        row: dict[str, Any] = {
            "actors": n,
            "vectorised_s_per_round": t_vec,
            "loop_predicted_s_per_round": predicted,
        }
        if n == 10:
            measured = (
                best_time(
                    lambda xr=xr, cr=cr, sr=sr: loop.run_loop(list(xr), list(cr), list(sr), 10),
                    repeat=2,
                )
                / 10
            )
            how = "measured, 10 rounds"
        elif n == 20:
            measured = best_time(
                lambda xr=xr, cr=cr, sr=sr: loop.run_loop(list(xr), list(cr), list(sr), 1), repeat=1
            )
            how = "measured, 1 round"
        else:
            measured = None
            how = f"extrapolated (x{calibration:.2f} calib.)"
        if measured is not None:
            calibration = measured / predicted
        row["loop_measured_s_per_round"] = measured
        row["loop_calibration"] = calibration
        loop_s = measured if measured is not None else predicted * calibration
        row["ratio"] = loop_s / t_vec
        rows.append(row)
        print(f"   {n:>6} {t_vec * 1e3:20.3f} {loop_s:14.3g} {how:>28} {loop_s / t_vec:10.0f}x")
        if measured is not None:
            print(f"   {'':>6} {'':>20} {predicted:14.3g} {'(extrapolation, for comparison)':>28}")
    out["random"] = rows
    ns = np.array([r["actors"] for r in rows], dtype=float)
    ts = np.array([r["vectorised_s_per_round"] for r in rows])
    slope_all = float(np.polyfit(np.log(ns), np.log(ts), 1)[0])
    big = ns >= 40
    slope_big = float(np.polyfit(np.log(ns[big]), np.log(ts[big]), 1)[0])
    out["exponent"] = {"all_sizes": slope_all, "40_to_160": slope_big}
    print(
        f"   fitted exponent of cost per round vs actors: {slope_all:.2f} (10-160), "
        f"{slope_big:.2f} (40-160); the loop reference is O(n^5)"
    )

    # 4. 10,000 perturbed draws of the Scholz example.
    perturbed = perturbed_scholz()
    n_draws = 10_000
    model.sample_outcomes(perturbed, 100, seed=0)
    t0 = time.perf_counter()
    outcomes = model.sample_outcomes(perturbed, n_draws, seed=0)
    t_draws = time.perf_counter() - t0
    t_draws = min(
        t_draws, best_time(lambda: model.sample_outcomes(perturbed, n_draws, seed=0), repeat=1)
    )
    arrays = perturbed.sample(n_draws, 0)
    t_sample = best_time(lambda: perturbed.sample(n_draws, 0), repeat=2)
    q = np.quantile(outcomes[:, 0], [0.05, 0.5, 0.95])
    out["draws"] = {
        "n_draws": n_draws,
        "seconds": t_draws,
        "sampling_seconds": t_sample,
        "loop_extrapolated_seconds": n_draws * t_loop,
        "ratio": n_draws * t_loop / t_draws,
        "outcome_quantiles_5_50_95": q.tolist(),
    }
    assert arrays.positions.shape == (n_draws, 10, 1)
    print("\n4. 10,000 perturbed draws of the Scholz example, 10 rounds each, one batched call")
    print(
        f"   model.sample_outcomes  {t_draws:6.2f} s  (of which scenario.sample {t_sample:.2f} s); "
        f"loop would take ~{n_draws * t_loop:.0f} s ({n_draws * t_loop / t_draws:.0f}x)"
    )
    print(f"   median forecast over draws: 5% {q[0]:.2f}, 50% {q[1]:.2f}, 95% {q[2]:.2f} years")

    targets = {
        ">=500x faster at 10 actors (Scholz example)": t_loop / t_kernel >= 500,
        "cost per round grows no faster than n^3": slope_big <= 3.0,
        "10,000 draws in under 5 s": t_draws < 5.0,
    }
    out["targets"] = targets
    print("\nTargets")
    for name, ok in targets.items():
        print(f"   [{'met' if ok else 'MISSED'}] {name}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
