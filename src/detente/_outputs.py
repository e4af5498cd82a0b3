"""Output targets: every file detente writes is checked before the work and written atomically.

One mechanism for every output (``run --html/--json``, ``diagnose --plot``, ``simulate
--plot``, ``convert``'s target and any future output):

- :func:`check_outputs` refuses, before any work starts, a target that could not be
  written or should not be replaced: a folder, a device, FIFO or socket, a path under
  ``/proc`` or ``/sys``, a missing or read-only folder, a read-only file, two outputs of
  one command naming the same file, or an output that is one of the command's inputs.
  A symbolic link is written through: the file it points to is replaced, the link kept.
- :func:`write_atomic` (text or bytes) and :func:`atomic_path` (for writers that need a
  file name, such as matplotlib) write to a temporary file in the target's folder,
  ``fsync`` it, give it the mode a plain ``open()`` would (or the replaced file's mode)
  and rename it into place. A failed write (``ENOSPC``, ``/dev/full``, ...) raises
  :class:`~detente.errors.OutputError`; the temporary file is removed on every exit,
  including ``KeyboardInterrupt`` and the ``SystemExit`` that the command line raises
  on SIGTERM (see :func:`install_signal_handlers`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType

from .errors import DetenteError, OutputError, Problem

__all__ = [
    "Refusal",
    "atomic_path",
    "check_folder",
    "check_name",
    "check_output",
    "check_outputs",
    "install_signal_handlers",
    "stat_target",
    "write_atomic",
]

#: How a check refuses a path: ``refuse(option, path, message, hint)`` builds the error
#: (an :class:`~detente.errors.OutputError` here, a ``StoreError`` for a run store).
Refusal = Callable[[str, str, str, str], DetenteError]

#: Pseudo file systems no report belongs in.
_FORBIDDEN_ROOTS = ("/proc", "/sys")


def _refuse(option: str, path: str, message: str, hint: str) -> OutputError:
    return OutputError([Problem(message, hint, field=f"{option} {path}".strip())])


def _real(path: str | os.PathLike[str]) -> Path:
    """The absolute path a write lands on (symbolic links followed where they exist)."""
    return Path(os.path.realpath(os.path.abspath(os.fspath(path))))


def check_name(name: str, option: str, refuse: Refusal) -> None:
    """Refuse, through ``refuse``, a target name that is empty or ends in a slash (a folder);
    shared by every output and the run store (:mod:`detente.store`)."""
    if not name or name.endswith(("/", os.sep)):
        raise refuse(option, name, "names a folder, not a file", "give a file name")


def stat_target(name: str, where: Path, option: str, refuse: Refusal) -> os.stat_result | None:
    """The ``stat`` of the file a target ``name`` lands on (``where``), or ``None`` if there
    is none yet. Refuses, through ``refuse``, a path that cannot be inspected (permission
    denied on a folder, a loop of links, ...)."""
    try:
        return os.stat(where)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise refuse(
            option, name, f"cannot be inspected ({err.strerror})", "check the path"
        ) from None


def check_folder(name: str, where: Path, option: str, refuse: Refusal, hint: str) -> None:
    """Refuse, through ``refuse``, a target ``name`` whose folder (``where``'s parent) does
    not exist or may not be written (``hint`` says what to do then)."""
    parent = where.parent
    if not parent.is_dir():
        raise refuse(option, name, f"the folder {parent} does not exist", "create it first")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise refuse(option, name, f"the folder {parent} is not writable", hint)


def check_output(path: str | os.PathLike[str], option: str = "") -> Path:
    """Check that ``path`` can be written as a regular file; return where the write lands.

    Raises :class:`~detente.errors.OutputError` naming ``option`` (e.g. ``--html``) and the
    path otherwise. Nothing is created.
    """
    name = os.fspath(path)
    check_name(name, option, _refuse)
    real = _real(name)
    for root in _FORBIDDEN_ROOTS:
        if real == Path(root) or Path(root) in real.parents:
            raise _refuse(
                option,
                name,
                f"is under {root}, where reports cannot be written",
                "write to a file in an ordinary folder",
            )
    st = stat_target(name, real, option, _refuse)
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise _refuse(option, name, "is a folder", "give a file name inside it")
        if not stat.S_ISREG(st.st_mode):
            raise _refuse(
                option,
                name,
                "is not a regular file (a device, FIFO or socket)",
                "write to an ordinary file",
            )
        if not os.access(real, os.W_OK):
            raise _refuse(option, name, "is read-only", "choose another file or change its mode")
    check_folder(name, real, option, _refuse, "write somewhere you may")
    return real


def check_outputs(
    outputs: Sequence[tuple[str, str | os.PathLike[str] | None]],
    inputs: Sequence[str | os.PathLike[str]] = (),
) -> list[Path | None]:
    """Check every ``(option, path)`` of one command before it starts; ``None`` and ``-``
    (standard output) are skipped. Two outputs naming the same file, or an output naming
    one of ``inputs``, are refused. Returns where each write lands (``None`` if skipped)."""
    seen: dict[Path, str] = {}
    sources = {}
    for src in inputs:
        with contextlib.suppress(OSError):
            if os.path.exists(src):
                sources[_real(src)] = os.fspath(src)
    out: list[Path | None] = []
    for option, path in outputs:
        if path is None or os.fspath(path) == "-":
            out.append(None)
            continue
        real = check_output(path, option)
        if real in seen:
            raise _refuse(
                option,
                os.fspath(path),
                f"is also the file of {seen[real]}",
                "give each output its own file",
            )
        if real in sources:
            raise _refuse(
                option,
                os.fspath(path),
                f"is the input {sources[real]}; writing would overwrite it",
                "write to another file",
            )
        seen[real] = f"{option} {os.fspath(path)}".strip()
        out.append(real)
    return out


def _mode_for(target: Path) -> int:
    """The replaced file's mode, or what ``open()`` under the current umask would give."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(os.stat(target).st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], option: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write to; on success it is fsynced and
    renamed onto ``path``. On any failure or interruption it is removed."""
    real = check_output(path, option)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".part", dir=real.parent)
    tmp = Path(tmp_name)
    try:
        os.close(fd)
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, _mode_for(real))
        os.replace(tmp, real)
    except OSError as err:
        raise _refuse(
            option,
            os.fspath(path),
            f"could not be written ({err.strerror or err})",
            "check the free space and permissions",
        ) from None
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: str | os.PathLike[str], data: str | bytes, option: str = "") -> None:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; see :func:`atomic_path`."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path, option) as tmp, open(tmp, "wb") as fh:
        fh.write(raw)
        fh.flush()


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def install_signal_handlers() -> None:
    """Turn SIGTERM (and SIGHUP) into ``SystemExit`` so ``finally`` blocks run and no
    temporary file is left behind; SIGINT already raises ``KeyboardInterrupt``."""
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            with contextlib.suppress(ValueError, OSError):  # not the main thread
                signal.signal(sig, _exit_on_signal)
