"""The mechanisms of the dynamics as named rules.

Each :class:`Rule` names a mechanism and says what it does in the monthly simulation; the
monthly loop (:mod:`detente.dynamics.kernel` and its compiled steps in
:mod:`detente.dynamics._month`) implements each rule in a block commented with its name, and :data:`RULES` is what ``docs/dynamics.md`` and ``detente simulate --rules`` list.
The basis of each rule in the flagship's source (the sentence it rests on, with its
locator) is quoted in ``docs/dynamics.md``: the engine itself names no case.

Utilities are in logit units: the choice probability of option ``k`` is
``exp(U_k / tau) / sum_j exp(U_j / tau)`` with ``tau = parameters.logit_noise``
(McKelvey & Palfrey 1995, doi:10.1006/game.1995.1023).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RULES", "Rule", "rule"]


@dataclass(frozen=True)
class Rule:
    """A named mechanism: what it does and the parameters it uses."""

    name: str
    does: str
    parameters: tuple[str, ...]

    def describe(self) -> str:
        if not self.parameters:
            return f"{self.name}: {self.does} No parameters of its own."
        return f"{self.name}: {self.does} Parameters: {', '.join(self.parameters)}."


RULES: tuple[Rule, ...] = (
    Rule(
        "obduracy",
        "The challenger's utility of engaging or conceding falls with the gap between the veto players' acceptable sets (the bargaining-set gap G in [0, 1]); holding out (its delay tool) is the reference option. When the zone opens (G = 0) the penalty vanishes.",
        ("obduracy", "defender_obduracy"),
    ),
    Rule(
        "crisis_threat",
        "Each month the challenger first decides whether to manufacture a crisis (its pressure tool), a binary logit whose intercept, exercise-month, talks, persistence and active-regime terms are fitted to the record of strategic provocations (nuclear tests, IRBM/ICBM/space launches). A crisis begins when the defender answers with pressure (escalation) and lasts while the challenger keeps pressing.",
        (
            "crisis_base",
            "crisis_exercise",
            "crisis_talks",
            "crisis_persistence",
            "crisis_active",
            "defender_escalation",
        ),
    ),
    Rule(
        "crisis_inhibition",
        "The crisis utility falls with the challenger's economic distress and with its dependency on its patron(s), measured from reference levels (the historical average the crisis terms were fitted at); a driver role the scenario leaves out drops its term.",
        ("inhibit_distress", "inhibit_dependency", "reference_distress", "reference_dependency"),
    ),
    Rule(
        "adversary_fatigue",
        "Each month the defender's positions and red-line bounds drift toward the challenger's positions by a fraction fatigue_rate x fatigue (the fatigue driver); the bargaining set is recomputed every 12 months for the drift and at once after a leadership change.",
        ("fatigue_rate",),
    ),
    Rule(
        "desperation",
        "Economic distress raises the challenger's utility of engagement (it comes to the table) and, for the defender, the value of waiting.",
        ("desperation", "defender_wait"),
    ),
    Rule(
        "weakness_blocks_reciprocity",
        "Economic distress lowers the challenger's utility of conceding (quid pro quo), so talks brought by desperation stay limited: higher distress raises P(talks) but not P(substantive deal | talks).",
        ("weakness",),
    ),
    Rule(
        "talks_recency",
        "While talks are off, both veto players' utility of engaging has the term talks_recency x exp(-(w - 1) / talks_recency_months), w the months without talks since the last talks month (1 the month after talks ended; unknown, as if long ago, when neither the record nor the start says): the pull of talks that ended recently decays, so the hazard of talks falls with the time since the last talks, as the record's does. Off by default (talks_recency = 0): its fit on the training origins did not carry over (docs/dynamics.md).",
        ("talks_recency", "talks_recency_months"),
    ),
    Rule(
        "deadlines",
        "A case's events of kind deadline act as each declares (events.ID.effect): in the months of its window around each date, its size (by, in utility units, drawn per parameter group from its range) is added to both veto players' utility of engaging (raises: talks), of conceding (raises: agreement; a deal still needs a zone of agreement) or to the challenger's utility of a crisis (raises: crisis). A deadline declared inert, or with no effect, does nothing.",
        (),
    ),
    Rule(
        "crisis_communication",
        "The defender's interest in crisis communication raises its utility of engagement; talks can start and continue as limited talks without a zone of agreement, and a crisis can end in limited talks when both sides engage.",
        ("crisis_channel",),
    ),
    Rule(
        "third_party_push",
        "Third parties that choose engagement (a neighbour's efforts, a patron's economic lifeline) add a small term to the challenger's utility of engagement.",
        ("third_party_push",),
    ),
    Rule(
        "political_change",
        "Each capital has a monthly hazard of a dramatic political change: its change driver (a probability per month, re-centred so that its mean over the draws is the stated value), plus election_change in the months of its elections (events with kind election and that actor). A change moves the new leader's positions and red lines toward the other side with probability leader_shift_toward, else away from it, by a fraction drawn uniformly in [0, leader_shift_max]; the bargaining set is recomputed at once.",
        ("election_change", "leader_shift_max", "leader_shift_toward"),
    ),
    Rule(
        "pressure_before_talks",
        "Both veto players weigh pressure against engagement each month; talks start only when both choose engagement or concession, substantive talks only when the zone of agreement is non-empty and one side concedes, agreement when both concede.",
        ("talks_inertia", "zone_bonus"),
    ),
)


def rule(name: str) -> Rule:
    """The rule called ``name``."""
    for r in RULES:
        if r.name == name:
            return r
    raise KeyError(name)
