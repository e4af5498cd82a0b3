"""Crisis dynamics: a monthly, calibrated simulation of the actors' tools, drivers and outcomes."""

from .parameters import DEFAULTS, ParameterDefault
from .result import HORIZONS, DynamicsResult
from .rules import RULES, Rule
from .simulation import KINDS, MODES, DriverNames, Roles, find_roles, simulate, simulate_reference

__all__ = [
    "DEFAULTS",
    "HORIZONS",
    "KINDS",
    "MODES",
    "RULES",
    "DriverNames",
    "DynamicsResult",
    "ParameterDefault",
    "Roles",
    "Rule",
    "find_roles",
    "simulate",
    "simulate_reference",
]
