"""The catalogue of quantities a claim may use (:data:`QUANTITIES`).

Private to :mod:`detente.scenario`; :mod:`.case` re-exports every public name.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class QuantitySpec(BaseModel):
    """A catalogue entry: what a quantity needs, what its arguments are, what it reads."""

    model_config = ConfigDict(frozen=True)
    name: str
    needs: Literal["input", "bargaining", "dynamics", "record", "effect"]
    args: dict[str, str]
    text: str
    optional: tuple[str, ...] = ()


def _q(
    name: str, needs: str, args: dict[str, str], text: str, optional: tuple[str, ...] = ()
) -> QuantitySpec:
    return QuantitySpec(name=name, needs=needs, args=args, text=text, optional=optional)


#: The catalogue of quantities a claim may use. Argument kinds: actor, issue, driver, month,
#: role, kind (a tool kind), package (issue -> value), quantity (a catalogue name), args
#: (that quantity's arguments), change (one change), what_if (a what-if id).
QUANTITIES: dict[str, QuantitySpec] = {
    q.name: q
    for q in (
        _q(
            "position",
            "input",
            {"actor": "actor", "issue": "issue"},
            "the actor's position on the issue",
        ),
        _q(
            "salience",
            "input",
            {"actor": "actor", "issue": "issue"},
            "the actor's salience on the issue (0-1)",
        ),
        _q("capability", "input", {"actor": "actor"}, "the actor's capability"),
        _q("driver", "input", {"driver": "driver"}, "a driver's value"),
        _q(
            "red_line_overlap",
            "input",
            {"issue": "issue"},
            "width of the interval every veto player's red lines allow on the issue (negative: the gap between them)",
        ),
        _q(
            "zone_open",
            "bargaining",
            {},
            "1 if some package lies in every veto player's win-set, else 0",
        ),
        _q(
            "gap",
            "bargaining",
            {},
            "utility every veto player would have to give up for a zone to open (0 when open)",
        ),
        _q(
            "p_zone",
            "bargaining",
            {},
            "share of Monte Carlo draws with a non-empty zone of agreement",
        ),
        _q(
            "in_win_set",
            "bargaining",
            {"actor": "actor", "package": "package"},
            "1 if the package (other issues at the status quo) is in the actor's win-set, else 0",
        ),
        _q(
            "ideal_package",
            "bargaining",
            {"actor": "actor", "issue": "issue"},
            "the issue's value in the actor's favourite package within every veto player's win-set "
            "(its ideal when the zone is empty)",
        ),
        _q("p_talks", "dynamics", {"month": "month"}, "P(talks of any scope by the month)"),
        _q(
            "p_substantive",
            "dynamics",
            {"month": "month"},
            "P(substantive talks or agreement by the month)",
        ),
        _q("p_agreement", "dynamics", {"month": "month"}, "P(agreement by the month)"),
        _q("p_crisis", "dynamics", {"month": "month"}, "P(a crisis by the month)"),
        _q(
            "p_instigation",
            "dynamics",
            {"month": "month"},
            "P(the challenger manufactures a crisis at least once by the month)",
        ),
        _q(
            "p_substantive_given_talks",
            "dynamics",
            {"month": "month"},
            "P(talks become substantive by the month | talks by the month)",
        ),
        _q(
            "p_limited_only",
            "dynamics",
            {"month": "month"},
            "P(limited talks by the month that never become substantive)",
        ),
        _q(
            "p_impasse",
            "dynamics",
            {"month": "month"},
            "P(no substantive talks and no agreement up to the month)",
        ),
        _q(
            "choice_share",
            "dynamics",
            {"role": "role", "kind": "kind"},
            "share of run-months in which the role's actor picks a tool of the kind",
        ),
        _q("provocations_per_year", "dynamics", {}, "mean provocation events per year"),
        _q(
            "record_rate",
            "record",
            {"kind": "event_kind", "since": "yearmonth", "until": "yearmonth"},
            "events of the kind per year in the case's record, from the first month to the last "
            "(inclusive); optionally only one actor's (an actor id or a role), further kinds "
            "(kinds: a list) and only events from some of the record's sources (sources: a list)",
            optional=("actor", "kinds", "sources"),
        ),
        _q(
            "effect",
            "effect",
            {"of": "quantity"},
            "the quantity after a change minus before it, from the same random numbers",
            optional=("args", "change", "changes", "what_if"),
        ),
    )
}
