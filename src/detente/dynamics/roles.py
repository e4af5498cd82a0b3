"""The dynamics' roles, read from the scenario's ``roles:`` section, and its calendar.

The simulation knows no case: which actor may manufacture crises (the *challenger*), which
veto player answers (the *defender*), who the third parties are and which drivers measure
distress, dependency, fatigue, crisis communication and the hazards of political change are
all declared in the scenario (``roles:``, see ``docs/scenario-format.md``). A scenario
without ``roles:`` has no dynamics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..data.months import month_index, month_label
from ..errors import ModelError
from ..scenario.schema import DRIVER_ROLES

if TYPE_CHECKING:
    from ..scenario.schema import Scenario

__all__ = [
    "DRIVER_ROLES",
    "NOT_APPLICABLE",
    "CaseRoles",
    "calendar",
    "case_roles",
    "deadline_windows",
]

#: Why a scenario without roles has no dynamics (the words every section uses).
NOT_APPLICABLE = (
    "not applicable: the scenario declares no roles (challenger, defender) for the crisis dynamics"
)


@dataclass(frozen=True)
class CaseRoles:
    """Actor indices and driver ids of the dynamics' roles.

    ``challenger``, ``defender``: actor indices; ``third``: indices of the third parties
    (patrons included); ``drivers``: driver role -> driver id (absent roles are left out);
    ``record``: the id of the case's record, or None (uncalibrated).
    """

    challenger: int
    defender: int
    third: tuple[int, ...]
    drivers: dict[str, str]
    record: str | None


def case_roles(s: Scenario) -> CaseRoles:
    """The roles declared in ``s.roles``.

    Raises
    ------
    ModelError
        When the scenario declares no roles ("not applicable: ...").
    """
    r = s.roles
    if r is None:
        raise ModelError(f"scenario {s.id}: {NOT_APPLICABLE}; add a roles: section")
    ids = list(s.actor_ids)
    c, d = ids.index(r.challenger), ids.index(r.defender)
    if r.third_parties is not None:
        named = [ids.index(a) for a in (*r.patrons, *r.third_parties)]
        third = tuple(dict.fromkeys(k for k in named if k not in (c, d)))
    else:
        third = tuple(k for k in range(len(ids)) if k not in (c, d))
    return CaseRoles(c, d, third, dict(r.drivers), r.record)


def calendar(
    s: Scenario, months: int, start: str | None = None
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Simulated months, exercise months (T,) and election months per actor (T, A).

    Months run from the month after ``start`` (default ``meta.start``). An event whose kind
    mentions "exercise" marks exercise months; one whose kind mentions "election" marks
    the election of its ``actor`` (events without an actor mark nobody's). Deadlines are
    read by :func:`deadline_windows`.
    """
    start = start or s.meta.start
    if start is None:
        raise ModelError(
            f"scenario {s.id}: meta.start is not set; give the month the simulation starts "
            "from, e.g. start: '2021-06'"
        )
    first = _month(start) + 1
    labels = [month_label(first + k) for k in range(months)]
    exercise = np.zeros(months, bool)
    election = np.zeros((months, s.n_actors), bool)
    ids = list(s.actor_ids)
    for e in s.events:
        kind = e.kind.lower()
        if "exercise" in kind:
            mark = exercise
        elif "election" in kind and e.actor is not None:
            mark = election[:, ids.index(e.actor)]
        else:
            continue  # marks no month (deadlines: deadline_windows)
        dates = set(e.dates)
        yearly = {d[2:] for d in e.dates if d.startswith("*-")}
        for t, lab in enumerate(labels):
            if lab in dates or lab[5:] in yearly:
                mark[t] = True
    return labels, exercise, election


def _month(text: str) -> int:
    """``YYYY-MM`` as a count of months (:func:`detente.data.records.month_index`)."""
    k = month_index(str(text)[:7])
    if k is None:
        raise ModelError(f"{text!r} is not a month; write YYYY-MM, e.g. 2021-06")
    return k


def _hits(dates: tuple[str, ...], month: int) -> bool:
    lab = month_label(month)
    return any(d == lab or (d.startswith("*-") and d[2:] == lab[5:]) for d in dates)


def deadline_windows(s: Scenario, labels: list[str]) -> list[tuple[str, str, np.ndarray]]:
    """The deadlines that act: ``(event id, hazard raised, months it acts in (T,) bool)``.

    An event whose kind mentions "deadline" and whose ``effect`` is declared and not inert
    acts in the months from ``window[0]`` to ``window[1]`` months around each of its dates
    (a ``*-MM`` date every year), whether the date itself falls inside the simulated
    months or not.
    """
    if not labels:
        return []
    first = _month(labels[0])
    out: list[tuple[str, str, np.ndarray]] = []
    for e in s.events:
        eff = e.effect
        if "deadline" not in e.kind.lower() or eff is None or not eff.acts:
            continue
        before, after = eff.window
        acts = np.array(
            [
                any(_hits(e.dates, first + t - off) for off in range(before, after + 1))
                for t in range(len(labels))
            ],
            bool,
        )
        assert eff.raises is not None
        out.append((e.id, eff.raises, acts))
    return out
