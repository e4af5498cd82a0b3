"""detente: model, forecast and break negotiation stalemates.

Scenarios with provenance for every number, bargaining models with exact replications,
impasse diagnosis, and crisis dynamics; the flagship is bundled as data (``detente scenarios``).

Everything but the errors is imported on first use (the models and scipy, the scenario
schema and pydantic, the analyses), so ``import detente`` -- and ``detente --help`` --
stay light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import DataError, DetenteError, FormatError, ModelError, Problem, ScenarioError

if TYPE_CHECKING:  # imported lazily below
    from .analysis.claims import evaluate_claims
    from .analysis.diagnosis import diagnose
    from .dynamics import simulate
    from .models import MODELS, Forecast, Move, get_model
    from .report import build_report
    from .scenario import (
        Scenario,
        ScenarioArrays,
        bundled_names,
        load,
        load_bundled,
        resolve,
        save,
    )

__version__ = "0.1.0"

_LAZY = {
    "MODELS": "detente.models",
    "Forecast": "detente.models",
    "Move": "detente.models",
    "get_model": "detente.models",
    "Scenario": "detente.scenario",
    "ScenarioArrays": "detente.scenario",
    "bundled_names": "detente.scenario",
    "load": "detente.scenario",
    "load_bundled": "detente.scenario",
    "resolve": "detente.scenario",
    "save": "detente.scenario",
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


#: Subpackages reachable as attributes after ``import detente`` (imported on first use).
_SUBPACKAGES = frozenset(
    {"analysis", "data", "dynamics", "models", "plotting", "report", "scenario", "testing"}
)


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'detente' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
