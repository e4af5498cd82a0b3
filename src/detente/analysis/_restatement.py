"""The record of a rule that predicts a claim condition's verdict, and the claim language's
comparisons: shared by :mod:`.kinds` and :mod:`._structural` (private; :mod:`.kinds`
re-exports every public name)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["AGREEMENT", "OPS", "STRUCTURAL", "STRUCTURAL_FAILS", "Restatement"]

OPS = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}
#: Share of draws in which a rule on the inputs must agree with the verdict.
AGREEMENT = 0.95
#: The rule a structural condition reports (it cannot fail within the stated ranges; one
#: that fails so cannot hold).
STRUCTURAL = "cannot fail within the stated ranges: structural"
STRUCTURAL_FAILS = "cannot hold within the stated ranges: structural"


@dataclass(frozen=True)
class Restatement:
    """A rule on the typed inputs that predicts a condition's verdict per draw."""

    condition: str
    rule: str
    inputs: tuple[str, ...]
    agreement: float
    n_draws: int
    #: The condition cannot fail within the stated ranges (:func:`cannot_fail`); ``inputs``
    #: are then the inputs that move its value (none: nothing does beyond chance).
    structural: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "condition": self.condition,
            "rule": self.rule,
            "inputs": list(self.inputs),
            "agreement": round(self.agreement, 4),
            "draws": self.n_draws,
            "structural": self.structural,
        }

    def describe(self) -> str:
        if not self.n_draws or self.structural:
            return self.rule
        return f"whether {self.rule} (agrees in {self.agreement:.0%} of {self.n_draws} draws)"
