"""Load test of ``detente serve`` on loopback: N concurrent what-if requests, p50/p95 latency.

Starts ``detente serve`` in a subprocess (timing how long until it answers: the target is
under 5 s), reads the page's token, then sends ``--requests`` (default 50) distinct what-if
requests at once to the fast path (``/api/analyse``: the zone of agreement, gap, blockers and
levers; ``--part all`` adds every model's forecast). Every answer is checked against the same
computation run in this process. Exits non-zero on any error, wrong answer or slow start.

    python benchmarks/bench_serve.py [--requests 50] [--part zone|models|all] [--quick]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

SCENARIO = "us-dprk-2021"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(port: int, store: Path) -> tuple[subprocess.Popen[bytes], float]:
    src = Path(__file__).resolve().parents[1] / "src"
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    code = "import sys; from detente.cli import main; sys.argv[0] = 'detente'; main()"
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--port", str(port), "--store", str(store)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/scenarios")
            if conn.getresponse().status == 200:
                return proc, time.perf_counter() - t0
        except OSError:
            pass
        if proc.poll() is not None or time.perf_counter() - t0 > 60:
            raise SystemExit("detente serve did not start")
        time.sleep(0.02)


def _token(port: int) -> tuple[str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/")
    r = conn.getresponse()
    page = r.read().decode()
    m = re.search(r'name="detente-token" content="([^"]+)"', page)
    assert m, "no token in the page"
    return m.group(1), r.getheader("set-cookie", "").split(";")[0]


def _what_ifs(n: int) -> list[list[str]]:
    """n distinct what-ifs: one position or salience moved, some with the red line removed."""
    from detente.scenario import resolve

    s = resolve(SCENARIO)
    numbers = [(p, q) for p, q in s.quantities() if p.endswith((".position", ".salience"))]
    red = next(f"{a.id}.red_lines.{i}=none" for a in s.actors if a.veto for i in a.red_lines)
    out: list[list[str]] = []
    k = 0
    while len(out) < n:
        path, q = numbers[k % len(numbers)]
        step = (k // len(numbers)) + 1
        value = q.low + (q.high - q.low) * (step % 4) / 4 if q.high > q.low else q.value * 0.9
        sets = [f"{path}={value:g}"]
        if k % 3 == 0:
            sets.append(red)
        if sets not in out:
            out.append(sets)
        k += 1
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=50)
    ap.add_argument("--part", choices=("zone", "models", "all"), default="zone")
    ap.add_argument("--quick", action="store_true", help="20 requests")
    args = ap.parse_args(argv)
    n = 20 if args.quick else args.requests
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc, startup = _start(port, Path(tmp) / "runs.duckdb")
        try:
            token, cookie = _token(port)
            bodies = [
                {"scenario": SCENARIO, "sets": sets, "part": args.part} for sets in _what_ifs(n)
            ]

            def send(body: dict[str, Any]) -> tuple[float, int, Any]:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                data = json.dumps(body)
                t0 = time.perf_counter()
                conn.request(
                    "POST",
                    "/api/analyse",
                    data,
                    {
                        "Content-Type": "application/json",
                        "X-Detente-Token": token,
                        "Cookie": cookie,
                    },
                )
                r = conn.getresponse()
                payload = json.loads(r.read())
                return time.perf_counter() - t0, r.status, payload

            # one at a time first (what a single analyst sees), on what-ifs not sent again
            alone = sorted(send({**b, "seed": 1})[0] for b in bodies[:5])
            t0 = time.perf_counter()
            with ThreadPoolExecutor(max_workers=n) as pool:
                answers = list(pool.map(send, bodies))
            wall = time.perf_counter() - t0
        finally:
            proc.terminate()
            proc.wait(10)
    from detente.scenario import resolve
    from detente.web import compute

    s = resolve(SCENARIO)
    errors = [
        f"{b['sets']}: HTTP {st} {p.get('error')}"
        for b, (_, st, p) in zip(bodies, answers, strict=True)
        if st != 200
    ]
    wrong = []
    for b, (_, st, p) in zip(bodies, answers, strict=True):
        if st == 200:
            ref = compute.fast(s, compute.Inputs(sets=tuple(b["sets"])), part=args.part)
            if json.loads(json.dumps(ref)) != p:
                wrong.append(str(b["sets"]))
    lat = sorted(t for t, _, _ in answers)
    p50 = statistics.median(lat)
    p95 = lat[min(len(lat) - 1, round(0.95 * len(lat)) - 1)]
    opened = sum(
        1 for _, st, p in answers if st == 200 and (p.get("diagnosis") or {}).get("zone_nonempty")
    )
    print(f"detente serve answered after {startup:.2f} s (target < 5 s)")
    print(f"one request at a time: median {statistics.median(alone):.3f} s, max {alone[-1]:.3f} s")
    print(f"{n} concurrent what-if requests (part={args.part}) in {wall:.2f} s on loopback")
    print(f"latency p50 {p50:.3f} s, p95 {p95:.3f} s, max {lat[-1]:.3f} s")
    print(
        f"answers: {n - len(errors)} ok, {len(errors)} errors, {len(wrong)} differ from the in-process result; zone open in {opened}"
    )
    for line in errors[:5] + wrong[:5]:
        print("  ", line)
    return 1 if errors or wrong or startup >= 5 else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
