"""Named what-ifs for ``detente run --what-if NAME``: the scenario's own ``what_ifs``.

Each is a list of changes to the scenario (see :mod:`detente.scenario.case`), so the whole
report — models, diagnosis, dynamics and claims — runs on the changed scenario.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from ..errors import Problem, ScenarioError
from ..scenario.whatif import what_ifs_of

if TYPE_CHECKING:
    from ..scenario import Scenario

__all__ = ["apply_named", "known_what_ifs"]

#: Id -> "kind: label" of every what-if a scenario declares (one function for every view).
known_what_ifs = what_ifs_of


def apply_named(s: Scenario, name: str) -> tuple[Scenario, str]:
    """Apply a named what-if; returns the changed scenario and a sentence describing it."""
    from ..scenario.whatif import apply_what_if

    known = known_what_ifs(s)
    if name not in known:
        close = difflib.get_close_matches(name, list(known), n=3)
        hint = (
            f"did you mean {', '.join(close)}?"
            if close
            else (
                f"this scenario's what-ifs: {', '.join(known)}"
                if known
                else "this scenario declares no what-ifs (add them under what_ifs:)"
            )
        )
        raise ScenarioError([Problem(f"unknown what-if {name!r}", hint, field="--what-if")])
    return apply_what_if(s, name), f"{name}: {known[name]}"
