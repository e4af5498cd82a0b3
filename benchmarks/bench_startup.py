"""Start-up time of ``detente --help`` against ``python -c pass`` (issue 14).

Both commands are run alternately in fresh interpreters, ``--repeats`` times each, and
both the wall time and the CPU time (user + system, from ``getrusage`` of the child) are
recorded; the minimum of each is the least disturbed measurement. On a machine shared by
many processes the wall time is inflated by waiting for a core, so the target is judged
on CPU time, which is what the wall time is on an idle machine. The script also
lists which heavy modules (numpy, scipy, pandas, matplotlib, pydantic) ``detente --help``
imports: none should be.

Targets:

1. ``detente --help`` takes under 0.3 s of CPU time (minimum of runs), against a few ms for
   ``python -c pass``;
2. ``detente --help`` imports none of the heavy modules.

Usage::

    python benchmarks/bench_startup.py            # 15 runs of each
    python benchmarks/bench_startup.py --quick    # 5 runs of each
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HEAVY = ("numpy", "scipy", "pandas", "matplotlib", "pydantic", "yaml")
TARGET_SECONDS = 0.3

_HELP = "from detente.cli import main; main()"
_PROBE = (
    "import sys\n"
    "from detente.cli import main\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    f"print('MODULES', [m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr)\n"
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    src = Path(__file__).resolve().parent.parent / "src"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(src), env.get("PYTHONPATH", "")) if p)
    env["COLUMNS"] = "100"
    return env


def _time(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, cpu) seconds of one run of ``args`` in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def heavy_modules(env: dict[str, str] | None = None) -> list[str]:
    """The heavy modules that ``detente --help`` imports."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, "--help"],
        env=env or _env(),
        capture_output=True,
        text=True,
        check=False,
    )
    for line in out.stderr.splitlines():
        if line.startswith("MODULES "):
            return list(json.loads(line.removeprefix("MODULES ").replace("'", '"')))
    raise RuntimeError(f"probe failed: {out.stderr[-500:]}")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=None)
    args = ap.parse_args(argv)
    n = args.repeats or (5 if args.quick else 15)
    env = _env()
    bare, helped = [], []
    _time([sys.executable, "-c", _HELP, "--help"], env)  # warm the caches (.pyc, disk)
    for _ in range(n):
        bare.append(_time([sys.executable, "-c", "pass"], env))
        helped.append(_time([sys.executable, "-c", _HELP, "--help"], env))
    heavy = heavy_modules(env)
    for name, runs in (("python -c pass", bare), ("detente --help", helped)):
        walls = sorted(w for w, _ in runs)
        cpus = sorted(c for _, c in runs)
        print(
            f"{name:<16} wall min {walls[0]:.3f} s, median {walls[n // 2]:.3f} s; "
            f"cpu min {cpus[0]:.3f} s, median {cpus[n // 2]:.3f} s"
        )
    cpu_help = min(c for _, c in helped)
    wall_ratio = min(w for w, _ in helped) / min(w for w, _ in bare)
    print(f"detente --help / python -c pass (wall minima): {wall_ratio:.1f}x")
    print(f"heavy modules imported by --help: {', '.join(heavy) or 'none'}")
    ok = cpu_help < TARGET_SECONDS and not heavy
    print(
        f"target {'met' if ok else 'MISSED'}: {cpu_help:.3f} s of CPU for --help "
        f"(target under {TARGET_SECONDS} s)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
