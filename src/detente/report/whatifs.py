"""Named what-ifs for ``detente run --what-if NAME``: the scenario's own ``what_ifs``.

Each is a list of changes to the scenario (see :mod:`detente.scenario.case`), so the whole
report — models, diagnosis, dynamics and claims — runs on the changed scenario.
"""

from __future__ import annotations

from ..scenario.whatif import apply_named, what_ifs_of

__all__ = ["apply_named", "known_what_ifs"]

#: Id -> "kind: label" of every what-if a scenario declares (one function for every view).
known_what_ifs = what_ifs_of
