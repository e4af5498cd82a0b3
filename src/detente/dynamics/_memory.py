"""A small memory of computed values shared by the simulations of one process.

The variants of a run (what-ifs, claims, corners, the drivers' effects) draw the same random
numbers and start from the same record, so :mod:`detente.dynamics` keeps the last few of
those (Latin hypercubes, monthly uniforms, the level's draws, posterior draws, the record's
history, start states). Each keeps at most ``size`` entries, forgetting the oldest first;
reads and writes hold a lock (the workbench simulates in threads), and a value stored is the
value returned, whatever another thread does to the memory meanwhile.

Private to :mod:`detente.dynamics`.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, ItemsView
from typing import Any

__all__ = ["Memory"]


class Memory:
    """At most ``size`` values by key, the oldest forgotten first, under a lock."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value kept under ``key``, else ``default``."""
        with self._lock:
            return self.entries.get(key, default)

    def put(self, key: Hashable, value: Any) -> Any:
        """Keep ``value`` under ``key`` (the newest entry) and return it."""
        with self._lock:
            self.entries.pop(key, None)
            while len(self.entries) >= self.size:
                self.entries.pop(next(iter(self.entries)))
            self.entries[key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()

    def items(self) -> ItemsView[Hashable, Any]:
        return self.entries.items()
