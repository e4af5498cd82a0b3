"""Facts about EU law-making that forecasters of EU decisions use, with their sources.

Two packaged tables (sources and caveats in ``files/SOURCES.md``):

- ``eu_council_weights.tsv``: each member state's weighted votes in the Council under the
  EU-15 rule (1995-2004) and the Nice rule (2004-2014), and its share of the EU population
  under the Lisbon double majority (from 2014-11-01; the 2016 figures stand in for every
  year);
- ``eu_procedures.tsv``: the formal roles of the Commission (``com``), the Parliament
  (``ep``) and the Council under co-decision (``COD``) and consultation (``CNS``).

Member states carry the codes of the DEU datasets (``de``, ``fr``, ``bu`` for Bulgaria,
``cr`` for Croatia, ``el`` for Greece, ``uk`` ...).

>>> w = council_weights("nice_2004")
>>> w["de"], w["mt"], sum(w.values())
(29.0, 3.0, 352.0)
>>> council_regime(1999), council_regime(2006), council_regime(2016)
('eu15_1995', 'nice_2004', 'lisbon_2014')
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from ..errors import DataError
from .loaders import data_path

__all__ = [
    "COUNCIL_REGIMES",
    "council_regime",
    "council_weights",
    "load_council_weights",
    "load_procedures",
    "procedure_roles",
]

#: Regime -> (first year of introduction it is used for, what its value column holds).
COUNCIL_REGIMES = {
    "eu15_1995": (1995, "weighted votes (87; qualified majority 62)"),
    "nice_2004": (2004, "weighted votes (352 in EU-28; qualified majority 260)"),
    "lisbon_2014": (2014, "percent of the EU population (2016 figures)"),
}


def _table(name: str, required: tuple[str, ...]) -> pd.DataFrame:
    path = data_path(name)
    if not path.exists():
        raise DataError(f"{path}: packaged data file is missing; reinstall detente")
    df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataError(f"{path.name}: missing column(s) {', '.join(missing)}")
    return df


@cache
def _weights() -> pd.DataFrame:
    df = _table(
        "eu_council_weights.tsv",
        ("regime", "member", "name", "value", "unit", "in_force", "source"),
    )
    bad = sorted(set(df["regime"]) - set(COUNCIL_REGIMES))
    if bad:
        raise DataError(f"eu_council_weights.tsv: unknown regime(s) {', '.join(bad)}")
    try:
        df["value"] = df["value"].astype(float)
    except ValueError as err:
        raise DataError(f"eu_council_weights.tsv: a value is not a number ({err})") from err
    return df


def load_council_weights() -> pd.DataFrame:
    """One row per regime and member: ``regime, member, name, value, unit, in_force, source``."""
    return _weights().copy()


def load_procedures() -> pd.DataFrame:
    """One row per procedure and institution: ``procedure, actor, role, can_block, source``."""
    return _table("eu_procedures.tsv", ("procedure", "actor", "role", "can_block", "source"))


def council_weights(regime: str) -> dict[str, float]:
    """Member -> its value under ``regime`` (votes, or percent of the population)."""
    if regime not in COUNCIL_REGIMES:
        raise ValueError(
            f"The 'regime' parameter must be one of {', '.join(COUNCIL_REGIMES)}. Got {regime!r} instead."
        )
    df = _weights()
    rows = df[df["regime"] == regime]
    return dict(zip(rows["member"], rows["value"].astype(float), strict=True))


def council_regime(year: int) -> str:
    """The Council's voting regime for a proposal introduced in ``year``.

    By introduction year: before 2004 the EU-15 weights, 2004-2013 the Nice weights, from
    2014 the Lisbon double majority. Adoption comes one to three years after introduction,
    so a proposal introduced just before a change may have been decided under the next
    rule; the data give no reliable adoption date (``finact`` is damaged in DEU III).
    """
    chosen = "eu15_1995"
    for regime, (first, _) in COUNCIL_REGIMES.items():
        if year >= first:
            chosen = regime
    return chosen


def procedure_roles(procedure: str) -> dict[str, dict[str, str]]:
    """Institution -> ``{"role", "can_block", "source"}`` under ``procedure`` (COD, CNS)."""
    df = load_procedures()
    rows = df[df["procedure"] == procedure.upper()]
    if rows.empty:
        raise ValueError(
            f"The 'procedure' parameter must be one of {', '.join(sorted(set(df['procedure'])))}. "
            f"Got {procedure!r} instead."
        )
    return {
        str(r["actor"]): {k: str(r[k]) for k in ("role", "can_block", "source")}
        for r in rows.to_dict("records")
    }
