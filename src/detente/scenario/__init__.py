"""Scenarios: the schema, the array view, what-ifs, file formats and bundled scenarios."""

from .arrays import ScenarioArrays
from .bundled import bundled_names, load_bundled, resolve
from .case import Change, Condition, WhatIf
from .io import dump_yaml, load, read_yaml, save
from .schema import (
    Actor,
    Claim,
    Event,
    Issue,
    NamedQuantity,
    Provenance,
    Quantity,
    RedLine,
    Scenario,
    Source,
    Stance,
    Tool,
)
from .whatif import apply_set, apply_sets

__all__ = [
    "Actor",
    "Change",
    "Claim",
    "Condition",
    "Event",
    "Issue",
    "NamedQuantity",
    "Provenance",
    "Quantity",
    "RedLine",
    "Scenario",
    "ScenarioArrays",
    "Source",
    "Stance",
    "Tool",
    "WhatIf",
    "apply_set",
    "apply_sets",
    "bundled_names",
    "dump_yaml",
    "load",
    "load_bundled",
    "read_yaml",
    "resolve",
    "save",
]
