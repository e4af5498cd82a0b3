"""detente's compiled kernels: built ahead of time by the install, else compiled by numba.

A kernel is a function written for numba's nopython mode (explicit loops over NumPy arrays).
:func:`njit` marks one, as ``numba.njit(cache=True, ...)`` would, but imports nothing:

- **Ahead of time.** ``make install`` runs :mod:`detente._aot_build`, which compiles the
  kernels a default ``detente run`` calls, with the argument types it calls them with, into one
  extension module (``detente/_aot_kernels*.so``, numba's ``pycc``) and writes a manifest beside
  it (``_aot_kernels.json``): each export's argument types and a fingerprint of the kernels'
  source files, NumPy's version and Python's. A call whose arguments have exactly those types
  runs the compiled export; numba is never imported (its import and first kernel load cost
  about 0.7 s of CPU, a quarter of a run).
- **Just in time.** Any other call (another dtype or layout, a kernel with no export), or
  every call when the extension is missing, stale (a kernel's source, or a constant it
  compiles in such as a tolerance imported from the core, changed since it was built) or
  fails to import, goes to numba's ``njit(cache=True)``, exactly as before: numba is
  imported then, every kernel module's functions become numba dispatchers (so kernels calling
  kernels resolve to compiled callees), and numba's on-disk cache serves later processes
  (:mod:`detente._numba_cache`).

Both compile the same Python source with the same LLVM and no fast-math, so they give the
same floats (``tests/test_aot_kernels.py`` checks them bit for bit). Set ``DETENTE_AOT=0`` to
ignore the extension.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ._numba_cache import MONTHLY_LOOP_NOTICE, NOTICE, announce_if_uncached, configure

__all__ = [
    "AOT_MODULE",
    "KERNEL_MODULES",
    "Kernel",
    "aot_status",
    "cpu_signature",
    "fingerprint",
    "frozen_values",
    "njit",
]

#: The modules whose kernels are compiled ahead of time (their sources make the fingerprint).
KERNEL_MODULES = (
    "detente.dynamics._month",
    "detente.dynamics._zone_kernel",
    "detente.models._exchange_kernel",
    "detente._special",
)
#: The extension module's import name (beside this file).
AOT_MODULE = "detente._aot_kernels"
_HERE = Path(__file__).resolve().parent
MANIFEST = _HERE / "_aot_kernels.json"

#: A scalar argument's kind in an export's argument types, and the Python types numba types
#: as that kind (a bool is not an int here, as in numba's typing).
_SCALARS: dict[str, tuple[type, ...]] = {
    "int64": (int, np.int64),
    "float64": (float, np.float64),
    "bool": (bool, np.bool_),
}

#: What numba says when it must compile a module's kernels (the first run on a machine).
_NOTICES = {
    "detente.dynamics._month": MONTHLY_LOOP_NOTICE,
    "detente.dynamics._zone_kernel": MONTHLY_LOOP_NOTICE,
    "detente.models._exchange_kernel": NOTICE,
}

_STATE: dict[str, Any] = {"table": None, "status": None}
_LOCK = threading.RLock()
_ALL: list[Kernel] = []


def fingerprint() -> str:
    """The sources the extension is compiled from, with the versions of Python, NumPy, and of
    numba and llvmlite (read from their version files: neither is imported)."""
    h = hashlib.sha256()
    h.update(f"{sys.version_info[:2]} numpy {np.__version__}".encode())
    import importlib.util

    for compiler in ("numba", "llvmlite"):
        spec = importlib.util.find_spec(compiler)
        version = Path(spec.origin).parent / "_version.py" if spec and spec.origin else None
        h.update(version.read_bytes() if version is not None and version.exists() else b"-")
    for name in (*KERNEL_MODULES, "detente._aot_build", "detente._kernels"):
        path = _HERE.joinpath(*name.split(".")[1:]).with_suffix(".py")
        h.update(name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def cpu_signature() -> str:
    """This processor's instruction sets, as the build depends on them (it compiles for the
    host processor): a digest of the flags Linux lists, else the machine's architecture."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(("flags", "Features")):
                    flags = " ".join(sorted(line.split(":", 1)[1].split()))
                    return hashlib.sha256(flags.encode()).hexdigest()
    except OSError:
        pass
    import platform

    return platform.machine()


def _load() -> dict[tuple[str, str], tuple[Callable[..., Any], tuple[Any, ...]]]:
    """The extension's exports, by (module, kernel), with their argument types; empty (and a
    reason in :func:`aot_status`) when it cannot serve."""
    table: dict[tuple[str, str], tuple[Callable[..., Any], tuple[Any, ...]]] = {}
    if os.environ.get("DETENTE_AOT", "1") == "0":
        _STATE["status"] = "switched off (DETENTE_AOT=0)"
        return table
    try:
        manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        _STATE["status"] = "not built (make install builds it)"
        return table
    if manifest.get("fingerprint") != fingerprint():
        _STATE["status"] = "stale: a kernel changed since it was built (make install rebuilds it)"
        return table
    if manifest.get("cpu") != cpu_signature():
        # compiled for the build machine's processor: another may lack its instructions
        _STATE["status"] = "stale: compiled for another processor (make install rebuilds it)"
        return table
    try:
        import importlib

        ext = importlib.import_module(AOT_MODULE)
    except ImportError as err:  # a NumPy or Python that the build did not see
        _STATE["status"] = f"cannot be imported ({err})"
        return table
    for e in manifest["exports"]:
        table[(e["module"], e["kernel"])] = (getattr(ext, e["symbol"]), _specs(e["args"]))
    _STATE["frozen"] = manifest.get("frozen", {})
    _STATE["status"] = f"built ({len(table)} kernels)"
    return table


def frozen_values(module: Any) -> str:
    """A digest of a kernel module's global numbers, strings, tuples and arrays: compiled code
    keeps them as constants, and some come from other modules (the core's tolerances), whose
    sources the fingerprint does not cover."""
    h = hashlib.sha256()
    for name, v in sorted(vars(module).items()):
        if name.startswith("__"):
            continue
        if isinstance(v, np.ndarray):
            h.update(f"{name}={v.dtype.str}{v.shape}".encode() + v.tobytes())
        elif isinstance(v, (bool, int, float, str, tuple, np.generic)):
            h.update(f"{name}={v!r}".encode())
    return h.hexdigest()


def _frozen_current(module: str) -> bool:
    """Whether ``module``'s constants are those the build compiled in (checked once)."""
    seen = _STATE.setdefault("frozen_checked", {})
    if module not in seen:
        seen[module] = _STATE.get("frozen", {}).get(module) == frozen_values(sys.modules[module])
        if not seen[module]:
            _STATE["status"] = (
                f"stale for {module}: a constant it compiles in changed since it was built "
                "(make install rebuilds it)"
            )
    return bool(seen[module])


def _specs(args: list[Any]) -> tuple[tuple[Any, ...], ...]:
    """Each argument's check: ``(None, types)`` for a scalar, ``(dtype, (ndim, writes))`` for
    a C-contiguous array (the manifest writes a scalar as its kind, an array as [dtype, ndim]
    or [dtype, ndim, "r"] when it was compiled read-only)."""
    return tuple(
        (None, _SCALARS[a])
        if isinstance(a, str)
        else (np.dtype(a[0]), (int(a[1]), len(a) < 3 or a[2] != "r"))
        for a in args
    )


def _matches(args: tuple[Any, ...], specs: tuple[tuple[Any, ...], ...]) -> bool:
    """Whether ``args`` have exactly the export's types: the compiled export reads its
    arguments as those types without checking them, so anything else goes to numba (which
    refuses, for one, a kernel writing into a read-only array; an export compiled for a
    writeable one would write into it)."""
    if len(args) != len(specs):
        return False
    for a, (dtype, rest) in zip(args, specs, strict=True):
        if dtype is None:
            if type(a) not in rest:
                return False
            continue
        if type(a) is not np.ndarray or a.dtype != dtype or a.ndim != rest[0]:
            return False
        flags = a.flags  # one flags object per array (each access makes one)
        if not (flags.c_contiguous and flags.aligned) or (rest[1] and not flags.writeable):
            return False
    return True


def _table() -> dict[tuple[str, str], tuple[Callable[..., Any], tuple[Any, ...]]]:
    """The exports that serve, loaded on first use (:func:`_load`)."""
    if _STATE["table"] is None:
        _STATE["table"] = _load()
    return _STATE["table"]


def aot_status(full: bool = False) -> str:
    """Whether the ahead-of-time extension serves calls, in words; with ``full``, every
    kernel module is imported and its compiled-in constants compared with the build's too
    (otherwise each module's are checked on its first call)."""
    if _table() and full:
        import importlib

        for name in KERNEL_MODULES:
            importlib.import_module(name)
            if not _frozen_current(name):
                break
    return str(_STATE["status"])


def _jit_all() -> None:
    """Import numba and give every kernel without one its ``numba.njit(cache=True)``
    dispatcher (kernel modules imported later get theirs on their first call).

    Each dispatcher compiles a copy of the kernel's function whose globals are its module's
    with every kernel replaced by its dispatcher, so a kernel calling another compiles
    against the callee's dispatcher; the modules themselves keep their :class:`Kernel`
    objects (and calls through them keep going to the ahead-of-time exports that fit).
    """
    with _LOCK:
        todo = [k for k in _ALL if k.dispatcher is None]
        if not todo:
            return
        configure()  # numba reads NUMBA_CACHE_DIR when it is imported, on the next line
        import numba

        namespaces: dict[str, dict[str, Any]] = {}
        made: dict[int, Any] = {}
        for k in todo:
            g = namespaces.setdefault(k.module, dict(vars(sys.modules[k.module])))
            fn = types.FunctionType(k.py_func.__code__, g, k.name, k.py_func.__defaults__)
            fn.__qualname__, fn.__doc__ = k.py_func.__qualname__, k.py_func.__doc__
            fn.__module__ = k.module
            made[id(k)] = numba.njit(cache=True, **k.options)(fn)
        by_object = {id(k): made.get(id(k), k.dispatcher) for k in _ALL}
        for g in namespaces.values():
            for name, value in g.items():
                if isinstance(value, Kernel):
                    g[name] = by_object[id(value)]
        # published last: another thread that sees a dispatcher (Kernel.jit reads it without
        # the lock) must find its callees' namespaces already rewritten
        for k in todo:
            k.dispatcher = made[id(k)]


class Kernel:
    """A kernel, called through the ahead-of-time export when its arguments fit, else
    through numba's dispatcher (see the module's docstring)."""

    __slots__ = ("_call", "dispatcher", "module", "name", "options", "py_func")

    def __init__(self, py_func: Callable[..., Any], options: dict[str, Any]) -> None:
        self.py_func = py_func
        self.options = options
        self.module = str(py_func.__module__)
        self.name = str(py_func.__name__)
        self.dispatcher: Any = None
        self._call: Callable[..., Any] | None = None
        _ALL.append(self)

    def __repr__(self) -> str:
        return f"<kernel {self.module}.{self.name}>"

    def __call__(self, *args: Any) -> Any:
        call = self._call
        if call is None:
            call = self._call = self._bind()
        return call(*args)

    def jit(self) -> Any:
        """numba's dispatcher of this kernel (numba is imported and compiles or loads it)."""
        if self.dispatcher is None:
            _jit_all()
            text = _NOTICES.get(self.module)
            if text is not None:
                announce_if_uncached([self.dispatcher], text)
        return self.dispatcher

    def _bind(self) -> Callable[..., Any]:
        found = _table().get((self.module, self.name))
        if found is None or not _frozen_current(self.module):
            return self.jit()
        export, specs = found

        def call(*args: Any) -> Any:
            if _matches(args, specs):
                return export(*args)
            return self.jit()(*args)

        return call


def njit(**options: Any) -> Callable[[Callable[..., Any]], Kernel]:
    """Mark a kernel, as ``numba.njit(cache=True, **options)`` would (``inline="always"`` for
    a helper only kernels call)."""

    def mark(fn: Callable[..., Any]) -> Kernel:
        return Kernel(fn, options)

    return mark
