"""The run store: every recorded run of detente in one embedded DuckDB file.

>>> store = RunStore(tmp / "runs.duckdb")                      # doctest: +SKIP
>>> run_id = store.record("diagnose", scenario=source, options={...}, result=d.to_dict())
>>> store.diff(1, run_id)["inputs"]                             # doctest: +SKIP

A run keeps what is needed to reproduce it (the scenario's full text, its format and hash,
every ``--set``, ``--pin`` and ``--what-if``, the seed, the sizes and the other options) and
what it gave: the whole result as JSON, for exact comparison on rerun, and its main numbers as
tables (``forecasts``, ``traces``, ``diagnosis``, ``levers``, ``outlook``, ``claims``) for
queries and :meth:`RunStore.diff`. A sweep (``detente sweep --store``) adds one table
``sweep_N`` with a row per variant (:meth:`RunStore.add_sweep_table`).
"""

from __future__ import annotations

import builtins
import datetime as _dt
import json
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import Problem
from . import _diff, _guard, _html, _schema, _tables
from ._guard import StoreError
from ._records import RunRecord, ScenarioSource, run_record

__all__ = ["RunRecord", "RunStore", "ScenarioSource", "StoreError", "default_store_path"]


def default_store_path() -> Path:
    """``$DETENTE_STORE``, else ``~/.local/share/detente/runs.duckdb``."""
    env = os.environ.get("DETENTE_STORE")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".local" / "share" / "detente" / "runs.duckdb"


_COLUMNS = (
    "id, command, created, detente_version, label, scenario_id, scenario_name, scenario_format, "
    "scenario_text, sets, pins, what_ifs, seed, sizes, options, timings, status"
)


class RunStore:
    """Runs recorded in a DuckDB file, created on first use.

    Parameters
    ----------
    path : str or Path
        The store file: an existing run store, or a new file in an existing folder (the
        default store's folder is created). Checked at once; see :func:`check`.
    create : bool
        Whether a missing file may become a new store (the first write creates it). Readers
        (``runs list``, ``show``, ...) pass False, so a mistyped path is refused, not created.
    lock_timeout : float
        Seconds to wait for another process holding the file before failing.

    Notes
    -----
    Each call opens the file and closes it again, so the command line and a running
    ``detente serve`` can take turns on one store; a lock held by another process is retried
    with backoff (see :mod:`detente.store._guard`), and calls from threads of one process are
    serialised by a lock. DuckDB never loads or installs an extension for a store.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        lock_timeout: float = _guard.LOCK_TIMEOUT,
        option: str = "--store",
    ) -> None:
        self.path = Path(path).expanduser()
        self.create = create
        self.lock_timeout = lock_timeout
        self.option = option
        self._lock = threading.Lock()
        if create and self.path == default_store_path() and not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.check()

    def check(self) -> Path:
        """Refuse now a path that cannot be this store (see :func:`~._guard.check_store_path`)."""
        return _guard.check_store_path(self.path, create=self.create, option=self.option)

    def __repr__(self) -> str:
        return f"RunStore({str(self.path)!r})"

    @contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[Any]:
        import duckdb

        with self._lock:
            # a reader opens an existing store read-only; a store that may be created, or that
            # needs its schema migrated, is opened for writing
            writable = write or (self.create and not self.path.exists())
            _guard.check_store_path(self.path, create=self.create and writable, option=self.option)
            con = self._open(writable)
            try:
                try:
                    self._check_schema(con, writable=writable)
                except _NeedsWrite:
                    con.close()
                    con = self._open(True)
                    self._check_schema(con, writable=True)
                yield con
            except duckdb.Error as err:
                raise StoreError(f"{self.path}: run store error: {_first_line(err)}") from err
            finally:
                con.close()

    def _open(self, writable: bool) -> Any:
        return _guard.connect(
            self.path, read_only=not writable, timeout=self.lock_timeout, option=self.option
        )

    def _check_schema(self, con: Any, *, writable: bool) -> None:
        import detente

        tables = {
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        if not tables:
            if not writable:
                raise self._not_a_store("an empty DuckDB database")
            _schema.create(con, detente.__version__)
            return
        if "store_info" not in tables or "runs" not in tables:
            raise self._not_a_store(
                "a DuckDB database without detente's store_info and runs tables"
            )
        row = con.execute("SELECT schema_version, written_by FROM store_info").fetchone()
        if row is None or not isinstance(row[0], int):
            raise self._not_a_store("a DuckDB database whose store_info holds no schema version")
        version, written_by = row
        if version == _schema.SCHEMA_VERSION:
            return
        if version > _schema.SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: run store schema {version} (written by detente {written_by}) is "
                f"newer than this detente {detente.__version__} reads (schema "
                f"{_schema.SCHEMA_VERSION}); upgrade detente or give another --store PATH"
            )
        while version < _schema.SCHEMA_VERSION:
            migrate = _schema.MIGRATIONS.get(version)
            if migrate is None:
                raise StoreError(
                    f"{self.path}: run store schema {version} (written by detente {written_by}) "
                    f"cannot be migrated to schema {_schema.SCHEMA_VERSION}; export its runs "
                    "with that detente version or give another --store PATH"
                )
            if not writable:
                raise _NeedsWrite
            migrate(con)
            version += 1
            con.execute("UPDATE store_info SET schema_version = ?", [version])

    def _not_a_store(self, what: str) -> StoreError:
        return StoreError(
            Problem(
                f"is {what}, not a detente run store",
                "give a run store written by detente (or a new file name)",
                field=f"{self.option} {self.path}",
            )
        )

    # ----- writing ---------------------------------------------------------------------

    def record(
        self,
        command: str,
        *,
        source: ScenarioSource | None,
        result: dict[str, Any] | None,
        scenario_id: str | None = None,
        sets: Sequence[str] = (),
        pins: Sequence[str] = (),
        what_ifs: Sequence[str] = (),
        seed: int | None = None,
        sizes: dict[str, Any] | None = None,
        options: dict[str, Any] | None = None,
        timings: dict[str, Any] | None = None,
        status: str = "ok",
        label: str | None = None,
    ) -> int:
        """Record one run and its results; returns the new run's id."""
        import pandas as pd

        import detente

        result_json = (
            None if result is None else json.dumps(result, ensure_ascii=False, allow_nan=False)
        )
        if scenario_id is None and isinstance(result, dict):
            sid = result.get("scenario")
            scenario_id = sid if isinstance(sid, str) else None
        values = [
            command,
            _dt.datetime.now(_dt.UTC).replace(tzinfo=None),
            detente.__version__,
            label,
            scenario_id,
            source.name if source else None,
            source.fmt if source else None,
            source.hash if source else None,
            source.text if source else None,
            json.dumps(list(sets)),
            json.dumps(list(pins)),
            json.dumps(list(what_ifs)),
            seed,
            json.dumps(sizes or {}),
            json.dumps(options or {}, default=str),
            json.dumps(timings or {}),
            status,
            result_json,
        ]
        tables = _tables.rows(result) if isinstance(result, dict) else {}
        with self._connect(write=True) as con:
            con.execute("BEGIN")
            try:
                (run_id,) = con.execute(
                    "INSERT INTO runs (command, created, detente_version, label, scenario_id, "
                    "scenario_name, scenario_format, scenario_hash, scenario_text, sets, pins, "
                    "what_ifs, seed, sizes, options, timings, status, result_json) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    values,
                ).fetchone()
                for name, rows in tables.items():
                    if not rows:
                        continue
                    cols = [c.split()[0] for c in _schema.TABLES[name].split(", ")]
                    con.register("_rows", pd.DataFrame([(run_id, *r) for r in rows], columns=cols))
                    con.execute(f"INSERT INTO {name} SELECT * FROM _rows")
                    con.unregister("_rows")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return int(run_id)

    # ----- sweeps (one table per sweep; see detente.store.sweep) ---------------------------

    def add_sweep_table(self, rows: Sequence[dict[str, Any]]) -> str:
        """Create the next table ``sweep_N`` holding ``rows`` (one per variant: ``run_id``,
        the grid's values, the main numbers) and return its name."""
        import pandas as pd

        frame = pd.DataFrame(list(rows))
        with self._connect(write=True) as con:
            con.execute("BEGIN")
            try:
                n = 1 + max((int(x[6:]) for x in self._sweep_names(con)), default=0)
                con.register("_sweep", frame)
                con.execute(f"CREATE TABLE sweep_{n} AS SELECT * FROM _sweep")
                con.unregister("_sweep")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return f"sweep_{n}"

    @staticmethod
    def _sweep_names(con: Any) -> builtins.list[str]:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'sweep_%'"
        ).fetchall()]  # fmt: skip
        return sorted((x for x in names if x[6:].isdigit()), key=lambda x: int(x[6:]))

    def sweeps(self) -> builtins.list[str]:
        """The sweep tables, oldest first."""
        with self._connect() as con:
            return self._sweep_names(con)

    def sweep_table(self, name: str) -> builtins.list[dict[str, Any]]:
        """The rows of one sweep table (``sweep_N`` or ``N``)."""
        name = name if name.startswith("sweep_") else f"sweep_{name}"
        with self._connect() as con:
            if name not in self._sweep_names(con):
                known = ", ".join(self._sweep_names(con)) or "none yet"
                raise StoreError(f"{self.path}: no sweep table {name}; sweeps: {known}")
            cur = con.execute(f'SELECT * FROM "{name}" ORDER BY variant')
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def delete(self, run_id: int) -> None:
        """Remove a run and its result rows."""
        self.get(run_id)
        with self._connect(write=True) as con:
            for name in _schema.result_tables():
                con.execute(f"DELETE FROM {name} WHERE run_id = ?", [run_id])
            con.execute("DELETE FROM runs WHERE id = ?", [run_id])

    # ----- reading ---------------------------------------------------------------------

    def list(self, *, limit: int | None = None, scenario: str | None = None) -> list[RunRecord]:
        """Recorded runs, newest first, without their results."""
        sql = f"SELECT {_COLUMNS}, NULL FROM runs"
        args: list[Any] = []
        if scenario:
            sql += " WHERE scenario_id = ?"
            args.append(scenario)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._connect() as con:
            return [run_record(r) for r in con.execute(sql, args).fetchall()]

    def get(self, run_id: int) -> RunRecord:
        """One run with its result; raises :class:`StoreError` naming the known ids if absent."""
        with self._connect() as con:
            row = con.execute(
                f"SELECT {_COLUMNS}, result_json FROM runs WHERE id = ?", [int(run_id)]
            ).fetchone()
            if row is None:
                last = con.execute("SELECT max(id), count(*) FROM runs").fetchone()
        if row is None:
            hint = f"ids go up to {last[0]}" if last and last[1] else "the store has no runs yet"
            raise StoreError(f"{self.path}: no run {run_id}; {hint} (see 'detente runs list')")
        return run_record(row)

    def table(self, name: str, run_id: int | None = None) -> builtins.list[dict[str, Any]]:
        """Rows of a result table (of one run, or of all), as dicts."""
        if name not in _schema.TABLES:
            raise StoreError(f"no result table {name!r}; tables: {', '.join(_schema.TABLES)}")
        sql = f"SELECT * FROM {name}" + (" WHERE run_id = ?" if run_id is not None else "")
        with self._connect() as con:
            cur = con.execute(sql, [] if run_id is None else [int(run_id)])
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def diff(self, a: int, b: int, *, show_noise: bool = False) -> dict[str, Any]:
        """What changed from run ``a`` to run ``b``: a ``summary``, then ``inputs`` and
        ``results`` rows side by side (see :func:`~detente.store.diff_runs`).

        Each row is ``{"what": ..., "a": ..., "b": ...}``; only differences are listed, and
        changes within Monte Carlo noise only with ``show_noise``.
        """
        ra, rb = self.get(a), self.get(b)
        tables = {n: (self.table(n, a), self.table(n, b)) for n in _schema.TABLES}
        return _diff.diff_runs(ra, rb, tables, show_noise=show_noise)

    def export(self, run_id: int, fmt: str = "json") -> str:
        """One run as text: ``json`` (the record and its result), ``scenario`` (the scenario
        text as recorded), ``csv-forecasts`` etc. (a result table), or ``html`` (a
        self-contained page of its inputs and result tables, for any command)."""
        rec = self.get(run_id)
        if fmt == "json":
            return json.dumps({**rec.summary(), "result": rec.result}, ensure_ascii=False, indent=2)
        if fmt == "scenario":
            if rec.source is None:
                raise StoreError(f"run {run_id} has no scenario text")
            return rec.source.text
        if fmt.startswith("csv-"):
            import csv
            import io

            rows = self.table(fmt[4:], run_id)
            buf = io.StringIO()
            # the header even for a run with no rows (e.g. no lever helps)
            columns = [c.strip().split()[0] for c in _schema.TABLES[fmt[4:]].split(",")]
            w = csv.DictWriter(buf, fieldnames=columns)
            w.writeheader()
            w.writerows(rows)
            return buf.getvalue()
        if fmt == "html":
            tables = {name: self.table(name, run_id) for name in _schema.TABLES}
            return _html.run_html(rec.summary(), tables)
        raise StoreError(
            f"unknown export format {fmt!r}; use json, scenario, html or "
            + ", ".join(f"csv-{t}" for t in _schema.TABLES)
        )


class _NeedsWrite(Exception):
    """A store opened read-only needs a migration: open it again for writing."""


def _first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0]
