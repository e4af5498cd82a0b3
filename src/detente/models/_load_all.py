"""Import every model module in this package so each registers itself."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

_SKIP = {"base", "_load_all", "_kernels", "smp_reference"}

for _info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
    if _info.name not in _SKIP:
        importlib.import_module(f"{__package__}.{_info.name}")
