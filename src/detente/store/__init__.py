"""The run store: recorded runs of detente (inputs, results as JSON and tables) in DuckDB.

See :class:`RunStore`; ``detente runs`` is its command line and ``detente serve`` records
every result in it.
"""

from ._diff import canonical, diff_runs, same_results, value_differences
from ._guard import DUCKDB_CONFIG, check_store_path
from ._schema import SCHEMA_VERSION
from .store import RunRecord, RunStore, ScenarioSource, StoreError, default_store_path

__all__ = [
    "DUCKDB_CONFIG",
    "SCHEMA_VERSION",
    "RunRecord",
    "RunStore",
    "ScenarioSource",
    "StoreError",
    "canonical",
    "check_store_path",
    "default_store_path",
    "diff_runs",
    "same_results",
    "value_differences",
]
