"""The ``detente`` command line: thin wrappers that parse, call the library and render.

Each command lives in its own module named ``*_cmd.py`` or ``*_cmds.py`` in this package and
registers itself on :data:`app` when imported; this module imports them all.
"""

from __future__ import annotations

import importlib
import pkgutil

from ._common import app, main
from ._conventions import apply_conventions

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name.endswith(("_cmd", "_cmds")):
        importlib.import_module(f"{__name__}.{_info.name}")
apply_conventions(app)

__all__ = ["app", "main"]
