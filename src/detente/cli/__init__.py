"""The ``detente`` command line: thin wrappers that parse, call the library and render.

Each command lives in its own module and registers itself on :data:`app`.
"""

from __future__ import annotations

from ._common import app, main

# Command modules register themselves on import.
from . import run_cmd, scenario_cmds  # noqa: F401  isort: skip

__all__ = ["app", "main"]
