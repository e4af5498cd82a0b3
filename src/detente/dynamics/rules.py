"""The mechanisms of the source essay as named rules, each with its basis.

Each :class:`Rule` names a mechanism, says what it does in the monthly simulation and quotes
the sentence of the essay (Snyder 2021, ``us-dprk-impasse-2021``) it rests on, with its
locator (paragraph and sentence). The simulation kernel in
:mod:`detente.dynamics.simulation` implements each rule in a block commented with its
name; :data:`RULES` is what ``docs/dynamics.md`` and ``detente simulate --rules`` list.

Utilities are in logit units: the choice probability of option ``k`` is
``exp(U_k / tau) / sum_j exp(U_j / tau)`` with ``tau = parameters.logit_noise``
(McKelvey & Palfrey 1995, doi:10.1006/game.1995.1023).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RULES", "Rule", "rule"]


@dataclass(frozen=True)
class Rule:
    """A named mechanism: what it does, the parameters it uses, and its basis in the essay."""

    name: str
    does: str
    parameters: tuple[str, ...]
    quote: str
    at: str

    def describe(self) -> str:
        return f'{self.name}: {self.does} Basis: "{self.quote}" ({self.at}).'


RULES: tuple[Rule, ...] = (
    Rule(
        "obduracy",
        "The challenger's utility of engaging or conceding falls with the gap between the "
        "veto players' acceptable sets (the bargaining-set gap G in [0, 1]); holding out "
        "(its delay tool) is the reference option. When the zone opens (G = 0) the penalty "
        "vanishes.",
        ("obduracy", "us_obduracy"),
        "Until the Biden administration waters down its demands for the North to pursue "
        "denuclearization or reframes talks to exclude denuclearization as the main focus, "
        "North Korea will remain obdurate in its unwillingness to pursue meaningful "
        "diplomatic negotiations with the United States.",
        "¶7 s3",
    ),
    Rule(
        "crisis_threat",
        "Each month the challenger first decides whether to manufacture a crisis (its "
        "pressure tool), a binary logit whose intercept, exercise-month, talks and "
        "persistence terms are fitted to the record of strategic provocations "
        "(nuclear tests, IRBM/ICBM/space launches). A crisis begins when the defender "
        "answers with pressure (escalation) and lasts while the challenger keeps pressing.",
        ("crisis_base", "crisis_exercise", "crisis_talks", "crisis_persistence", "us_escalation"),
        "The threat to instigate a crisis remains a standard North Korean tactic",
        "¶7 s2",
    ),
    Rule(
        "crisis_inhibition",
        "The crisis utility falls with economic distress and with dependency on China, "
        "measured from reference levels (the historical average the crisis terms were "
        "fitted at).",
        ("inhibit_distress", "inhibit_china", "reference_distress", "reference_china_dependency"),
        "resort to such tools is inhibited by the North's own internal economic "
        "difficulties and extensive political and economic dependency on China",
        "¶7 s2",
    ),
    Rule(
        "adversary_fatigue",
        "Each month the defender's positions and red-line bounds drift toward the "
        "challenger's positions by a fraction fatigue_rate x adversary_fatigue; the "
        "bargaining set is recomputed (every recompute_every months, for runs whose "
        "stances moved by more than recompute_threshold points) and after any "
        "leadership change.",
        ("fatigue_rate", "recompute_every", "recompute_threshold"),
        "North Korea's main tools remain its obduracy, the threat to manufacture a crisis, "
        "and the political fatigue of its adversaries.",
        "¶6 s2",
    ),
    Rule(
        "desperation",
        "Economic distress raises the challenger's utility of engagement (it comes to the "
        "table) and, for the defender, the value of waiting.",
        ("desperation", "us_wait"),
        "North Korea's economic desperation could drive North Korea back to the negotiating "
        "table, even despite Kim's desire to return to negotiations from a position of "
        "strength.",
        "¶8 s2",
    ),
    Rule(
        "weakness_blocks_reciprocity",
        "Economic distress lowers the challenger's utility of conceding (quid pro quo), so "
        "talks brought by desperation stay limited: higher distress raises P(talks) but not "
        "P(substantive deal | talks).",
        ("weakness",),
        "the negotiating record of the 1990s suggests that North Korea's weakness itself may "
        "become a major obstacle to substantive negotiations. At that time, North Korea "
        "demanded economic assistance for its participation in negotiations but refused to "
        "accept the principle of reciprocity",
        "¶8 s3-4",
    ),
    Rule(
        "crisis_communication",
        "The defender's interest in crisis communication raises its utility of engagement; "
        "talks can start and continue as limited talks without a zone of agreement, and a "
        "crisis can end in limited talks when both sides engage.",
        ("crisis_comm",),
        "The marriage of North Korea's economic distress and the Biden administration's "
        "possible interest in maintaining effective channels for crisis communication with "
        "North Korea could generate space for U.S.-North Korea talks, but it remains to be "
        "seen what scope or form such talks might take.",
        "¶9 s1",
    ),
    Rule(
        "seoul_push",
        "Third parties that choose engagement (Seoul's efforts, economic concessions) add a "
        "small term to the challenger's utility of engagement.",
        ("seoul_push",),
        "offers for dialogue have gone unanswered in Pyongyang, despite the Moon Jae-in "
        "administration's efforts to jumpstart talks",
        "¶1 s3",
    ),
    Rule(
        "political_change",
        "Each capital has a monthly hazard of a dramatic political change: its "
        "political_change driver (a probability per month), plus election_change in its "
        "election months. A change moves the leader's positions and red "
        "lines toward the other side by a fraction drawn uniformly in [0, leader_shift_max] "
        "(the new leader's stance), and the bargaining set is recomputed.",
        ("election_change", "leader_shift_max"),
        "Absent a dramatic change in political circumstances in either Washington or "
        "Pyongyang, the impasse seems set to continue.",
        "¶9 s5",
    ),
    Rule(
        "pressure_before_talks",
        "Both veto players weigh pressure against engagement each month; talks start only "
        "when both choose engagement or concession, substantive talks only when the zone "
        "of agreement is non-empty and one side concedes, agreement when both concede.",
        ("talks_inertia", "zone_bonus"),
        "both the United States and North Korea continue efforts to shape the other's "
        "security environment to force concessions prior to negotiations rather than to "
        "define a diplomatic solution involving quid pro quos at the negotiating table.",
        "¶6 s1",
    ),
)


def rule(name: str) -> Rule:
    """The rule called ``name``."""
    for r in RULES:
        if r.name == name:
            return r
    raise KeyError(name)
