"""Compile detente's kernels ahead of time: ``python -m detente._aot_build`` (``make install``).

Writes ``detente/_aot_kernels*.so`` (numba's ``pycc``, a C compiler needed) and its manifest
``_aot_kernels.json`` (see :mod:`detente._kernels`). :data:`EXPORTS` lists each kernel with the
argument types a default ``detente run`` passes it (the three bundled cases and the examples
call the same ones); any other call goes to numba, compiled on first use as before.

When the build cannot be done (no compiler, a numba without ``pycc``), it says so and removes
any earlier manifest, so nothing stale is served; detente then works as without it, only its
start-up is slower. A fresh build is kept (``--force`` builds anyway); ``--check`` exits 1
unless a fresh build is in place.

numba marks ``pycc`` "pending deprecation" (numba 0.57) with no replacement yet; its warning is
silenced here, for this build only.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import sys
import sysconfig
import tempfile
import warnings
from pathlib import Path
from typing import Any

from . import _kernels

# Argument types: "int64", "float64", "bool" scalars; "DTYPE[N]" a C-contiguous N-d array,
# "DTYPE[N]r" a read-only one; results the same, "none", or "(T, T, ...)" a tuple.
_A = "float64[1]"
_B = "bool[1]"
_M2 = "float64[2]"
_U = "float64[2]r"  # the month's uniforms, read-only
_F3 = "float64[3]"

#: (module, kernel, argument types, result type) of every export.
EXPORTS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("detente.dynamics._month", "politics",
     ("int64", _U, _M2, _M2, "float64", "float64", "int64", "int64", _F3, _F3, _F3,
      "bool[3]", "bool[3]", _A, _A, _A, "bool", _B, _B, _B), "int64"),
    ("detente.dynamics._month", "decide",
     ("int64", _U, _M2, _M2, "bool", "bool", _B, _B, "int8[1]", _B, _B, _A, _B, _A, _A, _M2,
      "int64[1]", _F3, "int64[1]", "int8[2]", _B, _M2), "none"),
    ("detente.dynamics._month", "resolve",
     ("int64", _U, _M2, "bool", "bool", _M2, _B, _B, "int64", "int64", _M2, "int8[1]", _B, _B,
      _B, _B, _A, _A, _A, _A, "int8[2]", _A, _M2, _M2), "none"),
    ("detente.dynamics._month", "counts",
     (_U, _M2, _M2, _M2, _M2, _A, "int16[1]", "int16[1]"), "none"),
    ("detente.dynamics._month", "smoothed_history", (_A, _A), _A),
    ("detente.dynamics._zone_kernel", "zone_rows",
     ("int64[1]", _F3, _F3, _F3, "int64[1]", "bool[2]", _F3, _M2, _A, "bool[2]", _A, _A, _A,
      _B, _A), "none"),
    ("detente.models._exchange_kernel", "candidates", (_M2, _M2, _A), "int64[2]"),
    ("detente.models._exchange_kernel", "play_round",
     (_M2, _M2, _A, _M2, _M2, "int64[2]", _A, "int64"),
     "(int64[1], float64[2], float64[2], float64[2], int64)"),
    ("detente._special", "ndtri_kernel", (_A,), _A),
    ("detente._special", "gammaln_kernel", (_A,), _A),
    ("detente._special", "logit_kernel", (_A,), _A),
    ("detente._special", "expit_kernel", (_A,), _A),
    ("detente._special", "xlogy_kernel", (_A, _A), _A),
)  # fmt: skip

_NAME = _kernels.AOT_MODULE.rsplit(".", 1)[1]


def _array(text: str) -> tuple[str, int, bool]:
    """An array type text ``DTYPE[N]`` or ``DTYPE[N]r``: (dtype, dimensions, read-only)."""
    dtype, rest = text.split("[")
    ndim, flag = rest.split("]")
    return dtype, int(ndim), flag == "r"


def _type(text: str) -> Any:
    """numba's type for one of :data:`EXPORTS`' type texts."""
    from numba import types

    text = text.strip()
    if text == "none":
        return types.none
    if text.startswith("("):
        return types.Tuple([_type(t) for t in _split(text[1:-1])])
    if "[" not in text:
        return {"int64": types.int64, "float64": types.float64, "bool": types.boolean}[text]
    dtype, ndim, readonly = _array(text)
    return types.Array(getattr(types, "boolean" if dtype == "bool" else dtype), ndim, "C",
                       readonly=readonly)  # fmt: skip


def _split(text: str) -> list[str]:
    return [t for t in (p.strip() for p in text.split(",")) if t]


def _arg_spec(text: str) -> Any:
    """The manifest's form of an argument type: a scalar's kind, or [dtype, ndim] with "r"
    after them for a read-only array."""
    if "[" not in text:
        return text
    dtype, ndim, readonly = _array(text)
    return [dtype, ndim, *(["r"] if readonly else [])]


def _symbol(module: str, kernel: str) -> str:
    return f"{module.rsplit('.', 1)[1].lstrip('_')}__{kernel}"


def _host_cpu() -> str:
    """LLVM's name of this machine's processor (numba's ``NUMBA_CPU_NAME`` wins, as in its
    just-in-time compiles)."""
    from numba.core import config

    given = getattr(config, "CPU_NAME", None)  # set at run time from the environment
    if given:
        return str(given)
    import llvmlite.binding as ll

    return str(ll.get_host_cpu_name())


def _remove(where: Path) -> None:
    """Remove an earlier build (its manifest first: without it nothing is served)."""
    (where / _kernels.MANIFEST.name).unlink(missing_ok=True)
    for old in where.glob(f"{_NAME}.*"):
        if old.suffix in (".so", ".pyd"):
            old.unlink()


def build(where: Path = _kernels.MANIFEST.parent) -> str:
    """Compile :data:`EXPORTS` into ``where``; returns what was built, in words."""
    from numba.core.errors import NumbaPendingDeprecationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumbaPendingDeprecationWarning)
        from numba.pycc import CC

    for name in _kernels.KERNEL_MODULES:
        importlib.import_module(name)
    _kernels._jit_all()  # every kernel a numba dispatcher, so kernels calling kernels compile
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    with tempfile.TemporaryDirectory(prefix="detente-aot-") as tmp:
        cc = CC(_NAME)
        cc.output_dir = tmp
        cc.verbose = False
        # this machine's processor, as numba's just-in-time code uses (the build is made at
        # install, on the machine that runs it); a generic x86-64 ran the month's steps at
        # half the speed
        cc.target_cpu = _host_cpu()
        manifest: dict[str, Any] = {
            "fingerprint": _kernels.fingerprint(),
            "cpu": _kernels.cpu_signature(),
            "frozen": {m: _kernels.frozen_values(sys.modules[m]) for m in _kernels.KERNEL_MODULES},
            "exports": [],
        }
        for module, kernel, args, result in EXPORTS:
            fn = getattr(sys.modules[module], kernel).dispatcher.py_func
            sig = _type(result)(*[_type(a) for a in args])
            symbol = _symbol(module, kernel)
            cc.export(symbol, sig)(fn)
            manifest["exports"].append(
                {
                    "module": module,
                    "kernel": kernel,
                    "symbol": symbol,
                    "args": [_arg_spec(a) for a in args],
                }
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NumbaPendingDeprecationWarning)
            cc.compile()
        built = Path(tmp) / f"{_NAME}{suffix}"
        _remove(where)
        shutil.copy2(built, where / built.name)
        text = json.dumps(manifest, indent=1) + "\n"
        part = where / f"{_kernels.MANIFEST.name}.part"
        part.write_text(text, encoding="utf-8")
        os.replace(part, where / _kernels.MANIFEST.name)
    return f"{len(EXPORTS)} kernels compiled ahead of time into {where / built.name}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m detente._aot_build",
        description="Compile detente's kernels ahead of time (numba pycc); --check tells "
        "whether a fresh build is in place.",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 unless a fresh build serves")
    parser.add_argument("--force", action="store_true", help="build even if a fresh build serves")
    opts = parser.parse_args(argv)
    status = _kernels.aot_status(full=True)
    if opts.check:
        print(f"detente's ahead-of-time kernels: {status}")
        return 0 if status.startswith("built") else 1
    if status.startswith("built") and not opts.force:
        print(f"detente's ahead-of-time kernels are up to date: {status}")
        return 0
    try:
        print(build())
    except Exception as err:  # any failure: say it, serve nothing stale
        _remove(_kernels.MANIFEST.parent)
        print(
            f"note: detente's kernels were not compiled ahead of time ({type(err).__name__}: "
            f"{err}); numba compiles them on first use instead (slower start-up). The "
            "ahead-of-time build needs a C compiler (gcc), Python's headers and setuptools.",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
