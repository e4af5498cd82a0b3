"""Named what-ifs for ``detente run --what-if NAME``.

The names and their definitions are those of :mod:`detente.dynamics.whatifs`: the diagnosis
levers (``us-waters-down``, ``reframe-without-denuclearization``, ``partial-for-relief``) and
the shocks (``leadership-change-washington``, ``leadership-change-pyongyang``,
``china-cuts-support``, ``china-boosts-support``, ``economic-collapse``). Each is a documented
change to the scenario, so the whole report — models, diagnosis, dynamics and claims — runs on
the changed scenario.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from ..errors import Problem, ScenarioError

if TYPE_CHECKING:
    from ..scenario import Scenario

__all__ = ["apply_named", "known_what_ifs"]


def known_what_ifs() -> dict[str, str]:
    """Name -> description of every named what-if."""
    from ..dynamics.whatifs import WHAT_IFS

    return {name: w.description for name, w in WHAT_IFS.items()}


def apply_named(s: Scenario, name: str) -> tuple[Scenario, str]:
    """Apply a named what-if; returns the changed scenario and a sentence describing it."""
    from ..dynamics.whatifs import apply_what_if

    known = known_what_ifs()
    if name not in known:
        close = difflib.get_close_matches(name, list(known), n=3)
        hint = (
            f"did you mean {', '.join(close)}?" if close else f"known what-ifs: {', '.join(known)}"
        )
        raise ScenarioError([Problem(f"unknown what-if {name!r}", hint, field="--what-if")])
    return apply_what_if(s, name), f"{name}: {known[name]}"
