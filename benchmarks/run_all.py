"""Run every ``bench_*.py`` script in this folder, one after another, and report failures.

Each script measures detente against its reference in the same run, prints the
ratios and exits non-zero when a target is missed. Extra arguments (e.g. ``--quick``)
are passed to every script.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    scripts = sorted(here.glob("bench_*.py"))
    failed = []
    for script in scripts:
        print(f"=== {script.name} ===", flush=True)
        code = subprocess.call([sys.executable, str(script), *argv])
        if code:
            failed.append(script.name)
        print(flush=True)
    if failed:
        print(f"targets missed or errors in: {', '.join(failed)}")
        return 1
    print(f"all {len(scripts)} benchmark scripts met their targets")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
