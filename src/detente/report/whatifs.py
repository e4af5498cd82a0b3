"""Named what-ifs for ``detente run --what-if NAME``.

Two kinds exist: the diagnosis levers (``us-waters-down``, ``reframe-without-denuclearization``,
``partial-for-relief`` and the others :mod:`detente.analysis` defines), which change the
scenario itself, and the dynamics shocks (``leadership-change-washington``,
``economic-collapse`` ...), which happen inside the monthly simulation. ``apply_named`` applies
a lever to the scenario and leaves a shock for the simulation.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from ..errors import Problem, ScenarioError

if TYPE_CHECKING:
    from ..scenario import Scenario

__all__ = ["apply_named", "known_what_ifs", "shock_names"]


def _levers() -> dict[str, Any]:
    try:
        from ..analysis import levers as mod
    except ImportError:
        return {}
    return dict(getattr(mod, "NAMED_LEVERS", {}) or getattr(mod, "LEVERS", {}))


def _shocks() -> dict[str, Any]:
    try:
        from .. import dynamics as mod
    except ImportError:
        return {}
    return dict(getattr(mod, "WHAT_IFS", {}) or getattr(mod, "SHOCKS", {}))


def shock_names() -> list[str]:
    return sorted(_shocks())


def known_what_ifs() -> dict[str, str]:
    """Name -> ``lever`` or ``shock`` for every named what-if in this build."""
    out = {n: "shock" for n in _shocks()}
    out.update({n: "lever" for n in _levers()})
    return dict(sorted(out.items()))


def apply_named(s: Scenario, name: str) -> tuple[Scenario, str]:
    """Apply a named what-if; returns the changed scenario and a sentence describing it."""
    levers = _levers()
    if name in levers:
        lever = levers[name]
        apply = getattr(lever, "apply", None)
        s2 = apply(s) if callable(apply) else lever(s)
        desc = getattr(lever, "description", "") or getattr(lever, "change", "") or name
        return s2, f"{name}: {desc}"
    shocks = _shocks()
    if name in shocks:
        desc = getattr(shocks[name], "description", "") or name
        return s, f"{name}: {desc} (a shock in the crisis dynamics)"
    known = list(known_what_ifs())
    close = difflib.get_close_matches(name, known, n=3)
    hint = (
        f"did you mean {', '.join(close)}?"
        if close
        else (f"known what-ifs: {', '.join(known)}" if known else "no named what-ifs in this build")
    )
    raise ScenarioError([Problem(f"unknown what-if {name!r}", hint, field="--what-if")])
