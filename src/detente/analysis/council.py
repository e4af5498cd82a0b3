"""Forecasters of EU decisions built on institutional facts (:mod:`detente.data.eu`).

``council_weights`` is the compromise model (capability x salience weighted mean; Achen
2006, doi:10.1017/CBO9780511492082.011) with the Council's voting weights as the member
states' capabilities, in the regime of the proposal's year and by the issue's voting rule:

- on an issue decided by qualified majority (``counvte`` QMV), a member state's capability is
  its weighted votes (EU-15 or Nice rule) divided by the mean over the regime's members; under
  the Lisbon double majority (55% of members, 65% of the population) it is the mean of its
  share of the members and its share of the population, times the number of members
  (``(1 + n p) / 2``), so that the two criteria count equally;
- on an issue decided by unanimity, every member state has capability 1: each can block,
  and weights play no part;
- the Commission and the Parliament keep capability 1 (an average member state): their formal
  roles (``eu_procedures.tsv``) differ by procedure, and how much they weigh is what the
  learned forecasters may fit, not a fact.

``commission`` forecasts the Commission's position (actor ``com``), the proposal it tabled.

Both apply to a decision whose actors carry the DEU codes (``com``, ``ep`` and member states)
and whose year can be read; elsewhere they give no forecast (NaN), which the backtest counts.
"""

from __future__ import annotations

import re

import numpy as np

from ..data.eu import COUNCIL_REGIMES, council_regime, council_weights
from .outcomes import Decision

__all__ = [
    "EU_FORECASTERS",
    "council_capabilities",
    "council_capability_matrix",
    "decision_year",
    "eu_forecasts",
]

EU_FORECASTERS = {
    "council_weights": "compromise with the Council's voting weights of the period as the "
    "member states' capabilities (equal under unanimity)",
    "commission": "the Commission's position (its proposal)",
}
INSTITUTIONS = ("com", "ep")


def _members() -> frozenset[str]:
    return frozenset(m for r in COUNCIL_REGIMES for m in council_weights(r))


def decision_year(decision: Decision) -> int | None:
    """The year a proposal was introduced: a ``year`` cell, else the last field of ``intro``.

    DEU III writes ``intro`` as ``dd-mm-yy`` or ``dd-mm-yyyy``; some cells were damaged into
    ``20dd-mm-yy`` (``2014-07-04`` for 14 July 2004), whose last field is still the year.
    Without either, the DEU proposal id (a letter, then the two-digit year: ``d99083``) is
    read. None when nothing gives a year.

    >>> from types import SimpleNamespace as NS
    >>> decision_year(NS(attributes={"i": {"intro": "2014-07-04"}}, group="a04163"))
    2004
    >>> decision_year(NS(attributes={}, group="d99083"))
    1999
    """
    for cells in decision.attributes.values():
        if cells.get("year", "").strip().isdigit():
            return int(cells["year"])
        last = cells.get("intro", "").strip().split("-")[-1]
        if last.isdigit() and len(last) in (2, 4):
            y = int(last)
            return y if y >= 1000 else (2000 + y if y < 50 else 1900 + y)
    m = re.fullmatch(r"[a-z](\d\d)\w*", decision.group.strip().lower())
    if m:
        y = int(m.group(1))
        return 2000 + y if y < 50 else 1900 + y
    return None


def council_capabilities(
    actors: tuple[str, ...], regime: str, rule: str
) -> tuple[np.ndarray, list[str]]:
    """Each actor's capability under ``regime`` and voting ``rule``; and actors without one.

    >>> caps, _ = council_capabilities(("de", "lu", "com"), "eu15_1995", "QMV")
    >>> [round(float(c), 4) for c in caps]  # 10 and 2 votes over a mean of 87/15
    [1.7241, 0.3448, 1.0]
    """
    weights = council_weights(regime)
    caps = np.ones(len(actors))
    unknown: list[str] = []
    if rule.strip().lower().startswith("unan"):
        return caps, unknown
    n = len(weights)
    mean = sum(weights.values()) / n
    for k, a in enumerate(actors):
        if a in INSTITUTIONS:
            continue
        if a not in weights:
            unknown.append(a)
            continue
        caps[k] = (1 + n * weights[a] / 100) / 2 if regime == "lisbon_2014" else weights[a] / mean
    return caps, unknown


def council_capability_matrix(decision: Decision) -> np.ndarray | None:
    """Each actor's Council capability per issue (actors x issues); None where not applicable."""
    ids = tuple(decision.scenario.actor_ids)
    if (
        "com" not in ids
        or not set(ids) - set(INSTITUTIONS)
        or not set(ids) <= _members() | set(INSTITUTIONS)
    ):
        return None
    year = decision_year(decision)
    if year is None:
        return None
    regime = council_regime(year)
    iids = decision.scenario.issue_ids
    out = np.ones((len(ids), len(iids)))
    for j, iid in enumerate(iids):
        rule = decision.attributes.get(iid, {}).get("counvte", "QMV")
        out[:, j] = council_capabilities(ids, regime, rule)[0]
    return out


def eu_forecasts(decision: Decision) -> tuple[dict[str, np.ndarray], str | None]:
    """Each EU forecaster's outcome per issue of ``decision`` (NaN: not applicable), and why not.

    Returns the forecasts and None, or all-NaN forecasts and the reason they do not apply.
    """
    a = decision.scenario.to_arrays()
    nan = np.full(len(a.issue_ids), np.nan)
    empty = {name: nan.copy() for name in EU_FORECASTERS}
    ids = tuple(a.actor_ids)
    if (
        "com" not in ids
        or not set(ids) - set(INSTITUTIONS)
        or not set(ids) <= _members() | set(INSTITUTIONS)
    ):
        return empty, "the actors are not the EU's (com, ep and member-state codes)"
    year = decision_year(decision)
    if year is None:
        return empty, "no year (no 'year' or 'intro' column, and the proposal id has none)"
    caps = council_capability_matrix(decision)
    assert caps is not None  # the same conditions as above
    w = caps * a.capabilities[:, None] * a.saliences * a.has_stance
    total = w.sum(axis=0)
    out = np.where(total > 0, (w * a.positions).sum(axis=0) / np.where(total > 0, total, 1), np.nan)
    com = ids.index("com")
    commission = np.where(a.has_stance[com], a.positions[com], np.nan)
    return {"council_weights": out, "commission": commission}, None
