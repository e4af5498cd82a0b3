"""detente: model, forecast and break negotiation stalemates.

Scenarios with provenance for every number, bargaining models with exact replications,
impasse diagnosis, and crisis dynamics; the flagship is the 2021 US-DPRK impasse.
"""

from .errors import DetenteError, ModelError, Problem, ScenarioError
from .models import MODELS, Forecast, Move, get_model
from .scenario import Scenario, ScenarioArrays, bundled_names, load, load_bundled, resolve, save

__version__ = "0.1.0"

__all__ = [
    "MODELS",
    "DetenteError",
    "Forecast",
    "ModelError",
    "Move",
    "Problem",
    "Scenario",
    "ScenarioArrays",
    "ScenarioError",
    "__version__",
    "bundled_names",
    "get_model",
    "load",
    "load_bundled",
    "resolve",
    "save",
]
