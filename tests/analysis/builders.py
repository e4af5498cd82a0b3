"""Small scenarios built in Python for hand-checkable tests."""

from __future__ import annotations

from typing import Any

from detente.scenario import Scenario


def q(value: float, low: float | None = None, high: float | None = None) -> Any:
    if low is None:
        return value
    return {"value": value, "range": [low, high], "judgement": "test range"}


def make(
    issues: list[str],
    actors: dict[str, dict[str, Any]],
    status_quo: dict[str, Any],
    *,
    parameters: dict[str, Any] | None = None,
    claims: list[dict[str, Any]] | None = None,
) -> Scenario:
    """``actors``: id -> {veto, stances: {issue: (position, salience)}, red_lines: {issue: ">= 60"}}.

    Positions/saliences may be numbers or ``q(value, low, high)`` mappings.
    """
    data: dict[str, Any] = {
        "meta": {"id": "test", "title": "test"},
        "issues": [{"id": i, "label": i} for i in issues],
        "actors": [
            {
                "id": a,
                "label": a,
                "capability": spec.get("capability", 1.0),
                "veto": spec.get("veto", True),
                "stances": {
                    i: {"position": p, "salience": s} for i, (p, s) in spec["stances"].items()
                },
                "red_lines": spec.get("red_lines", {}),
            }
            for a, spec in actors.items()
        ],
        "status_quo": status_quo,
        "parameters": {k: {"label": k, "value": v} for k, v in (parameters or {}).items()},
        "claims": claims or [],
    }
    return Scenario.model_validate(data)


ISSUES6 = [
    "denuclearization",
    "sanctions_relief",
    "security_guarantees",
    "exercises",
    "inter_korean_economy",
    "human_rights",
]


def dprk_like(**over: Any) -> Scenario:
    """A stand-in for the flagship with the essay's shape: two veto players whose red lines
    on denuclearization do not overlap."""
    actors = {
        "usa": {
            "veto": True,
            "capability": 1.0,
            "stances": {
                "denuclearization": (q(95, 85, 100), q(0.9, 0.8, 1.0)),
                "sanctions_relief": (q(20, 10, 35), q(0.5, 0.4, 0.6)),
                "security_guarantees": (q(55, 40, 70), q(0.4, 0.3, 0.5)),
                "exercises": (q(20, 10, 35), q(0.4, 0.3, 0.5)),
                "inter_korean_economy": (q(40, 25, 55), q(0.2, 0.1, 0.3)),
                "human_rights": (q(80, 70, 90), q(0.3, 0.2, 0.4)),
            },
            "red_lines": {"denuclearization": {"op": ">=", "bound": q(60, 50, 75)}},
        },
        "dprk": {
            "veto": True,
            "capability": 0.4,
            "stances": {
                "denuclearization": (q(5, 0, 15), q(1.0, 0.9, 1.0)),
                "sanctions_relief": (q(90, 80, 100), q(0.7, 0.6, 0.8)),
                "security_guarantees": (q(95, 85, 100), q(0.9, 0.8, 1.0)),
                "exercises": (q(90, 80, 100), q(0.6, 0.5, 0.7)),
                "inter_korean_economy": (q(85, 70, 95), q(0.5, 0.4, 0.6)),
                "human_rights": (q(0, 0, 10), q(0.5, 0.4, 0.6)),
            },
            "red_lines": {"denuclearization": {"op": "<=", "bound": q(30, 20, 40)}},
        },
        "rok": {
            "veto": False,
            "capability": 0.3,
            "stances": {
                "denuclearization": (70, 0.6),
                "sanctions_relief": (50, 0.5),
                "inter_korean_economy": (80, 0.9),
            },
        },
        "china": {
            "veto": False,
            "capability": 0.8,
            "stances": {"denuclearization": (50, 0.4), "sanctions_relief": (75, 0.6)},
        },
    }
    sq = {
        "denuclearization": q(5, 0, 10),
        "sanctions_relief": q(5, 0, 15),
        "security_guarantees": q(10, 5, 20),
        "exercises": q(40, 25, 60),
        "inter_korean_economy": q(10, 5, 20),
        "human_rights": q(10, 5, 20),
    }
    s = make(ISSUES6, actors, sq)
    for path, value in over.items():
        s = s.with_value(path.replace("__", "."), value)
    return s
