"""Where numba keeps detente's kernels when it compiles them, and the one notice while it does.

Without the ahead-of-time build (:mod:`detente._kernels`), numba compiles a kernel on its
first call (the exchange model's round 18-65 s on a small machine) and caches it. The cache
goes to the user's cache directory (``platformdirs``: ``~/.cache/detente/numba`` on Linux),
never into the installed source tree, unless ``NUMBA_CACHE_DIR`` is set, which wins.
:func:`configure` must run before numba is imported; :mod:`detente._kernels` calls it first.

While the compiled code is missing from the cache, :func:`announce_if_uncached` calls the
notice set by :func:`set_notice` once per process and notice ("compiling the exchange model,
first run only (about a minute)", or the crisis dynamics' monthly loop's); the command line
sets one that prints on standard error. The library prints nothing by itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import platformdirs

__all__ = [
    "MONTHLY_LOOP_NOTICE",
    "NOTICE",
    "announce_if_uncached",
    "cache_dir",
    "configure",
    "set_notice",
]

NOTICE = "compiling the exchange model, first run only (about a minute)"
#: The notice of the crisis dynamics' compiled monthly loop (:mod:`detente.dynamics`).
MONTHLY_LOOP_NOTICE = "compiling the simulation's monthly loop, first run only (a few seconds)"

_STATE: dict[str, Any] = {"notice": None, "announced": set()}


def cache_dir() -> Path:
    """The folder numba caches compiled code in: ``NUMBA_CACHE_DIR`` if set, else the user's
    cache directory for detente plus ``numba``."""
    given = os.environ.get("NUMBA_CACHE_DIR")
    return Path(given) if given else Path(platformdirs.user_cache_dir("detente")) / "numba"


def configure() -> Path:
    """Point numba's cache at :func:`cache_dir` (before numba is imported; if it already is,
    numba's configuration is reloaded so the setting still applies)."""
    path = cache_dir()
    os.environ["NUMBA_CACHE_DIR"] = str(path)
    if "numba" in sys.modules:  # imported before detente: re-read the environment
        from numba.core import config

        config.reload_config()
    return path


def set_notice(callback: Callable[[str], None] | None) -> None:
    """Call ``callback(text)`` the first time compiled code is found missing (None: silent)."""
    _STATE["notice"] = callback


def announce_if_uncached(dispatchers: Iterable[Any], text: str = NOTICE) -> bool:
    """Whether some numba dispatcher has no cached code yet; if so, give the notice ``text``
    (once per process and text)."""
    try:
        missing = any(not os.path.exists(d._cache._cache_file._index_path) for d in dispatchers)
    except AttributeError:  # numba's cache internals changed: no notice rather than a crash
        return False
    notice = _STATE["notice"]
    if missing and notice is not None and text not in _STATE["announced"]:
        _STATE["announced"].add(text)
        notice(text)
    return missing
