"""Extract the expected trace of a KTAB ``smpc`` reference log into a compact JSON oracle.

Usage: ``python extract_ktab_log.py LOG INPUT OUT.json`` where LOG is one of KTAB's
``examples/smp/doc/20170530_ref-*.txt`` and INPUT the CSV or XML it ran. The logs are
KTAB's (Copyright KAPSARC, MIT licence, see LICENSE-KTAB.txt beside this file); only the
numbers the tests compare are kept: each turn's positions and ideals (printed on [0, 100]
with 4 decimals), the stopping statistic, the "prob" history, and the order in which KTAB's
threads happened to list bargains and draw (needed to replay its stochastic runs).
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def _inputs_csv(path: Path) -> dict:
    rows = [r.rstrip().rstrip(",").split(",") for r in path.read_text().splitlines() if r.strip()]
    n, d = int(rows[0][2]), int(rows[0][3])
    actors = rows[2 : 2 + n]
    return {
        "actors": [a[0].strip() for a in actors],
        "capability": [float(a[2]) for a in actors],
        "position": [[float(a[3 + 2 * k]) for k in range(d)] for a in actors],
        "salience": [[float(a[4 + 2 * k]) for k in range(d)] for a in actors],
        "accommodation": None,
    }


def _inputs_xml(path: Path, log: str) -> dict:
    root = ET.fromstring(path.read_text(encoding="utf-8-sig"))
    names = [a.findtext("name") for a in root.iter("Actor")]
    # KTAB reads an empty <dCoord/> as whatever its parser left there; take the log's values.
    read = [float(v) for v in re.findall(r"Read dimension \d+: ([\d.]+)", log)]
    d = len(list(root.find("Dimensions")))
    pos = [read[i * d : (i + 1) * d] for i in range(len(names))]
    acc = [[1.0 if i == j else 0.0 for j in range(len(names))] for i in range(len(names))]
    for p in root.iter("iaPair"):
        acc[names.index(p.findtext("adjustingIdeal"))][names.index(p.findtext("referencePos"))] = (
            float(p.findtext("adjust"))
        )
    return {
        "actors": names,
        "capability": [float(a.findtext("capability")) for a in root.iter("Actor")],
        "position": pos,
        "salience": [[float(s.text) for s in a.find("Salience")] for a in root.iter("Actor")],
        "accommodation": acc,
    }


def extract(log_path: Path, input_path: Path) -> dict:
    log = log_path.read_text()
    lines = log.splitlines()
    inputs = (
        _inputs_csv(input_path) if input_path.suffix == ".csv" else _inputs_xml(input_path, log)
    )
    n = len(inputs["actors"])
    settings = {}
    for key in (
        "VictoryProbModel",
        "VotingRule",
        "PCEModel",
        "StateTransitions",
        "BigRRange",
        "BigRAdjust",
        "ThirdPartyCommit",
        "InterVecBrgn",
        "BargnModel",
    ):
        settings[key] = re.search(rf"^{key}: (\S+)", log, re.M).group(1)
    seed = int(re.search(r"Using PRNG seed: (\d+)", log).group(1))
    positions, ideals, draw_order, bargain_order = [], [], [], []
    cur_p, cur_i = {}, {}
    for k, line in enumerate(lines):
        m = re.match(r"(postn|ideal) +(\d+) , 0 :", line)
        if m:
            vals = [float(v) for v in lines[k + 1].split()]
            (cur_p if m.group(1) == "postn" else cur_i)[int(m.group(2))] = vals
            if m.group(1) == "ideal" and int(m.group(2)) == n - 1:
                positions.append([cur_p[i] for i in range(n)])
                ideals.append([cur_i[i] for i in range(n)])
        if line.startswith("Starting Model::run iteration"):
            draw_order.append([])
            bargain_order.append([None] * n)
        m = re.match(r"Doing scalarPCE for the \d+ bargains of actor (\d+)", line)
        if m:
            draw_order[-1].append(int(m.group(1)))
        m = re.match(r"Bargains involving actor +(\d+): (.*)", line)
        if m:
            pairs = re.findall(r"\[\d+, (\d+):(\d+)\]", m.group(2))
            bargain_order[-1][int(m.group(1))] = [[int(a), int(b)] for a, b in pairs]
    ratio = [
        float(v) for v in re.findall(r"Fractional change compared to first step: ([\d.]+)", log)
    ]
    prob = {}
    for line in lines:
        m = re.match(r"(.+), prob :(.*)", line)
        if m:
            prob[m.group(1).strip()] = [float(v) for v in m.group(2).split()]
    return {
        "source": f"KTAB examples/smp/doc/{log_path.name} (Copyright KAPSARC, MIT licence)",
        "input": input_path.name,
        "settings": settings,
        "seed": seed,
        "inputs": inputs,
        "positions": positions,
        "ideals": ideals,
        "change_ratio": ratio,
        "win_prob": [prob[a] for a in inputs["actors"]],
        "draw_order": draw_order,
        "bargain_order": bargain_order,
    }


if __name__ == "__main__":
    out = extract(Path(sys.argv[1]), Path(sys.argv[2]))
    Path(sys.argv[3]).write_text(json.dumps(out, separators=(",", ":")) + "\n")
