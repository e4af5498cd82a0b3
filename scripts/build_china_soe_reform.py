"""Rebuild src/detente/scenario/bundled/china-soe-reform.yaml from KTAB's SOE-Pol-Comp.csv.

Run from the repository root: ``.venv/bin/python scripts/build_china_soe_reform.py``.
Every number comes from the KTAB file through detente's KTAB CSV reader (provenance
``imported`` with file and line); what the file does not hold (title, description,
status quo) is added here, the status quo as a stated judgement.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from detente.scenario.formats import read_ktab_csv
from detente.scenario.io import read_yaml

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "tests" / "data" / "SOE-Pol-Comp.csv"
OUT = ROOT / "src" / "detente" / "scenario" / "bundled" / "china-soe-reform.yaml"

META = {
    "id": "china-soe-reform",
    "title": "China state-owned enterprise reform: upstream oil and gas policy and competition (KTAB)",
    "question": (
        "How far will China open upstream oil and gas to private participation, and how "
        "far will its state-owned oil companies be exposed to competition?"
    ),
    "description": (
        "KTAB's example scenario SOE-Pol-Comp.csv ('China Policy/Competitive; scen 2', "
        "'Scenario-0002;Combined Policy and Competitive'): 13 Chinese leaders, agencies, "
        "provinces and one state oil company on two dimensions, imported unchanged by "
        "detente's KTAB CSV reader. 'policy' is KTAB's 'appetite for reforming government "
        "policy towards private sector involvement in the upstream oil and gas sector in "
        "China' (the description line of KTAB's one-dimensional SOE-Policy.csv, which "
        "shares these actors and positions); the file names the second dimension only "
        "'Competitive'. Positions are on KTAB's 0-100 scale, saliences are shares of each "
        "actor's attention (0-100, summing to at most 100), capability is KTAB's Influence."
    ),
    "attribution": (
        "Data: KTAB example scenario SOE-Pol-Comp.csv, KAPSARC Toolkit for Behavioral "
        "Analysis, Copyright (c) 2015 KAPSARC, MIT licence (LICENSE-KTAB.txt beside this "
        "file). From KAPSARC's published study of China's state-owned enterprise reform."
    ),
    "sources": {
        "ktab": {
            "title": "KTAB example scenarios SOE-Pol-Comp.csv and SOE-Policy.csv",
            "author": "KAPSARC",
            "date": "2015",
            "note": "KAPSARC Toolkit for Behavioral Analysis (KTAB), MIT licence; tests/data/ holds copies",
        }
    },
}

STATUS_QUO_REASON = {
    "policy": (
        "KTAB's file has no status quo. On this dimension higher means more private "
        "participation (the US government and foreign oil companies sit at 90-100 in "
        "SOE-Policy.csv, the 'CNPC old guard' at 10); upstream oil and gas was then held "
        "almost wholly by the three state oil companies, so the status quo is put near the "
        "closed end, below every actor's position (lowest 15), with a wide range."
    ),
    "competitive": (
        "KTAB's file has no status quo and names this dimension only 'Competitive'. "
        "Assumed near the low end like 'policy' (state companies sheltered from "
        "competition), below every actor's position (lowest 10); the range is wide "
        "because the file does not define the scale."
    ),
}
ISSUE_DESCRIPTION = {
    "policy": (
        "Appetite for reforming government policy towards private sector involvement in the "
        "upstream oil and gas sector in China (KTAB SOE-Policy.csv, line 1); higher = more reform."
    ),
    "competitive": "KTAB's 'Competitive' dimension (SOE-Pol-Comp.csv, line 2); the file gives no further definition.",
}
STATUS_QUO = {"policy": (10, 0, 25), "competitive": (5, 0, 25)}


def build() -> str:
    s = read_ktab_csv(SRC.read_text(encoding="utf-8"), "SOE-Pol-Comp.csv")
    data = s.model_dump(mode="json", exclude_defaults=True)
    data["meta"] = META
    for issue in data["issues"]:
        issue["description"] = ISSUE_DESCRIPTION[issue["id"]]
    data["status_quo"] = {
        iid: {"value": v, "range": [lo, hi], "judgement": STATUS_QUO_REASON[iid]}
        for iid, (v, lo, hi) in STATUS_QUO.items()
    }
    header = (
        "# detente scenario: China SOE reform (KTAB SOE-Pol-Comp), built by\n"
        "# scripts/build_china_soe_reform.py from tests/data/SOE-Pol-Comp.csv.\n"
        "# Data (c) 2015 KAPSARC, MIT licence: see LICENSE-KTAB.txt beside this file.\n"
    )
    text = header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    read_yaml(text, OUT.name)  # validates
    return text


if __name__ == "__main__":
    OUT.write_text(build(), encoding="utf-8")
    print(f"wrote {OUT}")
