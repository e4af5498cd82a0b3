"""The tables of a run store, its schema version, and how an older store is brought up to date.

A store records its schema version in the one-row table ``store_info``. A store written by an
older schema is migrated in place by the functions of :data:`MIGRATIONS` (version -> a function
bringing it to version + 1); one written by a newer detente, or by an older schema without a
migration path, is refused with a message saying which versions are involved and what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "TABLES", "create", "result_tables"]

#: The schema this detente writes and reads.
SCHEMA_VERSION = 1

#: Result tables: name -> column definitions (``run_id`` first); rows come from
#: :mod:`detente.store._tables`.
TABLES: dict[str, str] = {
    "forecasts": "run_id INTEGER, model VARCHAR, issue VARCHAR, outcome DOUBLE",
    "traces": "run_id INTEGER, model VARCHAR, round INTEGER, actor VARCHAR, issue VARCHAR, "
    "position DOUBLE",
    "diagnosis": "run_id INTEGER, zone_nonempty BOOLEAN, p_zone_nonempty DOUBLE, gap DOUBLE, "
    "blockers VARCHAR",
    "levers": "run_id INTEGER, name VARCHAR, change VARCHAR, size DOUBLE, p_zone_nonempty DOUBLE, "
    "delta DOUBLE, zone_nonempty BOOLEAN",
    "outlook": "run_id INTEGER, month_index INTEGER, month VARCHAR, mode VARCHAR, "
    "probability DOUBLE",
    "claims": "run_id INTEGER, claim VARCHAR, verdict VARCHAR, robustness DOUBLE",
}

_RUNS = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY DEFAULT nextval('run_ids'),
    command VARCHAR NOT NULL,
    created TIMESTAMP NOT NULL,
    detente_version VARCHAR NOT NULL,
    label VARCHAR,
    scenario_id VARCHAR,
    scenario_name VARCHAR,
    scenario_format VARCHAR,
    scenario_hash VARCHAR,
    scenario_text VARCHAR,
    sets VARCHAR,
    pins VARCHAR,
    what_ifs VARCHAR,
    seed BIGINT,
    sizes VARCHAR,
    options VARCHAR,
    timings VARCHAR,
    status VARCHAR NOT NULL,
    result_json VARCHAR
)
"""


def create(con: Any, written_by: str) -> None:
    """Create every table of an empty store and stamp it with :data:`SCHEMA_VERSION`."""
    con.execute("CREATE TABLE store_info (schema_version INTEGER, written_by VARCHAR)")
    con.execute("INSERT INTO store_info VALUES (?, ?)", [SCHEMA_VERSION, written_by])
    con.execute("CREATE SEQUENCE run_ids START 1")
    con.execute(_RUNS)
    for name, cols in TABLES.items():
        con.execute(f"CREATE TABLE {name} ({cols})")


def result_tables() -> list[str]:
    """Names of the result tables, in the order they are written."""
    return list(TABLES)


#: version -> function(connection) migrating a store of that version to version + 1.
#: Schema 1 is the first: there is nothing to migrate from yet.
MIGRATIONS: dict[int, Callable[[Any], None]] = {}
