"""Crisis dynamics: a monthly, calibrated simulation of the actors' tools, drivers and outcomes."""

from .kernel import KINDS, MODES
from .parameters import DEFAULTS, ParameterDefault
from .result import HORIZONS, DynamicsResult
from .roles import NOT_APPLICABLE, CaseRoles, case_roles
from .rules import RULES, Rule
from .simulation import simulate, simulate_reference

__all__ = [
    "DEFAULTS",
    "HORIZONS",
    "KINDS",
    "MODES",
    "NOT_APPLICABLE",
    "RULES",
    "CaseRoles",
    "DynamicsResult",
    "ParameterDefault",
    "Rule",
    "case_roles",
    "simulate",
    "simulate_reference",
]
