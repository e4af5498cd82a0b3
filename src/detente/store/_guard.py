"""Guards of the run store file: what may be opened, how, and how a busy store is waited for.

- :func:`check_store_path` refuses, before any work, a path that is not a regular DuckDB file
  or a new file in an existing folder: a folder, a FIFO, a device or socket, an empty file, a
  file of another kind (SQLite, JSON, ...), told apart by its first bytes so DuckDB never sees
  it. Read-only commands (``runs list``, ``show``, ``diff``, ``export``, ``rerun``) refuse a
  path where there is no store yet instead of creating one.
- :data:`DUCKDB_CONFIG`: every connection forbids DuckDB to load or install extensions, so a
  store never reaches for the network (a file beginning with SQLite's magic bytes makes DuckDB
  try to fetch its ``sqlite`` extension otherwise).
- :func:`connect`: DuckDB lets one process write a file at a time; a lock held by another
  process is retried with exponential backoff for ``timeout`` seconds, then refused loudly.
"""

from __future__ import annotations

import os
import random
import stat
import time
from pathlib import Path
from typing import Any

from .._outputs import check_folder, check_name, stat_target
from ..errors import DetenteError, Problem

__all__ = ["DUCKDB_CONFIG", "LOCK_TIMEOUT", "StoreError", "check_store_path", "connect"]

#: DuckDB settings of every store connection: no extension is ever loaded or installed.
DUCKDB_CONFIG: dict[str, Any] = {
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
}

#: Seconds a write waits for another process's lock before it fails.
LOCK_TIMEOUT = 30.0

#: A DuckDB database file carries these bytes at offset 8 (after an 8-byte checksum).
_MAGIC = b"DUCK"

_KNOWN_HEADERS = (
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"PK\x03\x04", "a ZIP archive (an XLSX workbook?)"),
    (b"PAR1", "a Parquet file"),
    (b"\x1f\x8b", "a gzip file"),
)


class StoreError(DetenteError):
    """A run store cannot be opened, read or written (wrong schema version, not a store, ...).

    ``problems`` holds the located problem (``--store PATH: ...; what to do``).
    """

    def __init__(self, message: str | Problem) -> None:
        self.problems = [message if isinstance(message, Problem) else Problem(message)]
        text = str(self.problems[0]) if isinstance(message, Problem) else message
        super().__init__(text)


def _refuse(option: str, path: str, message: str, hint: str) -> StoreError:
    return StoreError(Problem(message, hint, field=f"{option} {path}".strip()))


def _kind_of(header: bytes) -> str:
    for magic, kind in _KNOWN_HEADERS:
        if header.startswith(magic):
            return kind
    if header[:1] in (b"{", b"["):
        return "a JSON file"
    if header[:1] == b"<":
        return "an HTML or XML file"
    return "a file of another kind"


def check_store_path(
    path: str | os.PathLike[str], *, create: bool, option: str = "--store"
) -> Path:
    """Check that ``path`` is a run store to open (``create=False``) or may become one.

    Returns the path with ``~`` expanded. Raises :class:`StoreError` naming ``option`` and
    the path otherwise. Nothing is created or opened.
    """
    name = os.fspath(path)
    check_name(name, option, _refuse)
    p = Path(name).expanduser()
    st = stat_target(name, p, option, _refuse)
    if st is None:
        if not create:
            raise _refuse(
                option,
                name,
                "there is no run store here",
                "check the path, or record runs first with --store PATH on run, diagnose, ...",
            )
        check_folder(name, p.absolute(), option, _refuse, "give a store you may write")
        return p
    if stat.S_ISDIR(st.st_mode):
        raise _refuse(option, name, "is a folder", "give a store file (e.g. PATH/runs.duckdb)")
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(
            option,
            name,
            "is not a regular file (a device, FIFO or socket)",
            "give an ordinary DuckDB file",
        )
    if st.st_size == 0:
        raise _refuse(
            option, name, "is an empty file, not a run store", "remove it or give another path"
        )
    try:
        with open(p, "rb") as fh:
            header = fh.read(16)
    except OSError as err:
        raise _refuse(
            option, name, f"cannot be read ({err.strerror})", "check its permissions"
        ) from err
    if len(header) < 12 or header[8:12] != _MAGIC:
        raise _refuse(
            option,
            name,
            f"is {_kind_of(header)}, not a DuckDB run store",
            "give a run store written by detente (or a new file name)",
        )
    return p


def _is_lock_conflict(err: BaseException) -> bool:
    text = str(err)
    return "lock" in text.lower() and ("conflicting" in text.lower() or "could not set" in text)


def connect(
    path: Path, *, read_only: bool = False, timeout: float = LOCK_TIMEOUT, option: str = "--store"
) -> Any:
    """Open ``path`` with :data:`DUCKDB_CONFIG`, retrying another process's lock.

    The wait doubles from 10 ms up to 0.5 s (with jitter, so two waiting writers do not
    retry in step) until ``timeout`` seconds have passed; then :class:`StoreError` says
    which program holds the store.
    """
    import duckdb

    deadline = time.monotonic() + timeout
    wait = 0.01
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=DUCKDB_CONFIG)
        except duckdb.Error as err:
            if not _is_lock_conflict(err):
                raise _refuse(
                    option,
                    str(path),
                    f"cannot be opened as a run store ({_first_line(err)})",
                    "give another --store PATH (or DETENTE_STORE)",
                ) from err
            if time.monotonic() + wait > deadline:
                holder = _first_line(err).split("held in", 1)[-1].strip(" .")
                raise _refuse(
                    option,
                    str(path),
                    f"is still in use by another program after {timeout:g} s ({holder}); "
                    "nothing was recorded",
                    "wait for it to finish (or stop 'detente serve') and run again",
                ) from err
            time.sleep(wait * (0.5 + random.random()))
            wait = min(wait * 2, 0.5)


def _first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0]
