"""detente: model, forecast and break negotiation stalemates.

Scenarios with provenance for every number, bargaining models with exact replications,
impasse diagnosis, and crisis dynamics; the flagship is bundled as data (``detente scenarios``).

The analyses (``diagnose``, ``evaluate_claims``, ``simulate``, ``build_report``) are imported
on first use, so ``import detente`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import DataError, DetenteError, FormatError, ModelError, Problem, ScenarioError
from .models import MODELS, Forecast, Move, get_model
from .scenario import Scenario, ScenarioArrays, bundled_names, load, load_bundled, resolve, save

__version__ = "0.1.0"

_LAZY = {
    "build_report": "detente.report",
    "diagnose": "detente.analysis.diagnosis",
    "evaluate_claims": "detente.analysis.claims",
    "simulate": "detente.dynamics",
}

__all__ = [
    "MODELS",
    "DataError",
    "DetenteError",
    "Forecast",
    "FormatError",
    "ModelError",
    "Move",
    "Problem",
    "Scenario",
    "ScenarioArrays",
    "ScenarioError",
    "__version__",
    "build_report",
    "bundled_names",
    "diagnose",
    "evaluate_claims",
    "get_model",
    "load",
    "load_bundled",
    "resolve",
    "save",
    "simulate",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'detente' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
