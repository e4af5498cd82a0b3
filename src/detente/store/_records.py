"""What a recorded run is: the :class:`ScenarioSource` it read (enough to read the very same
scenario again) and the :class:`RunRecord` a row of ``runs`` holds (:mod:`.store` keeps them)."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._guard import StoreError

__all__ = ["RunRecord", "ScenarioSource", "run_record"]


@dataclass(frozen=True)
class ScenarioSource:
    """A scenario's full text as read: enough to read the very same scenario again.

    ``name`` is what the user gave (a bundled name, a file name or an upload's name),
    ``fmt`` the reader's format name, ``text`` the content.
    """

    name: str
    fmt: str
    text: str

    @property
    def hash(self) -> str:
        return "sha256:" + hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @classmethod
    def resolve(cls, name: str, fmt: str | None = None) -> ScenarioSource:
        """The text behind ``name``: a bundled scenario or a file (as ``resolve`` reads it)."""
        from ..scenario.bundled import bundled_dir
        from ..scenario.io import detect_format, read_text

        p = Path(name)
        if p.exists() or any(sep in name for sep in ("/", "\\")) or p.suffix:
            text = read_text(p)
            return cls(name=name, fmt=fmt or detect_format(name, text), text=text)
        path = bundled_dir() / f"{name}.yaml"
        if not path.exists():
            from ..scenario.bundled import load_bundled

            load_bundled(name)  # raises with the list of bundled names
        return cls(name=name, fmt="yaml", text=path.read_text(encoding="utf-8"))

    def load(self) -> Any:
        """Read the scenario from the stored text with the same reader."""
        from ..scenario import formats  # noqa: F401  registers every reader
        from ..scenario.io import READERS

        if self.fmt not in READERS:
            raise StoreError(
                f"the stored scenario is in format {self.fmt!r}, which this detente cannot read; "
                f"known formats: {', '.join(sorted(READERS))}"
            )
        filename = (
            self.name if self.fmt != "yaml" or self.name.endswith(".yaml") else self.name + ".yaml"
        )
        return READERS[self.fmt](self.text, Path(filename).name)


@dataclass(frozen=True)
class RunRecord:
    """One recorded run (a row of ``runs``), with its result JSON."""

    id: int
    command: str
    created: _dt.datetime
    detente_version: str
    label: str | None
    scenario_id: str | None
    source: ScenarioSource | None
    sets: list[str] = field(default_factory=list)
    pins: list[str] = field(default_factory=list)
    what_ifs: list[str] = field(default_factory=list)
    seed: int | None = None
    sizes: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, Any] = field(default_factory=dict)
    status: str = "ok"
    result: dict[str, Any] | None = None

    def summary(self) -> dict[str, Any]:
        """The row without the scenario text and the result: what ``runs list`` shows."""
        return {
            "id": self.id,
            "command": self.command,
            "created": self.created.isoformat(timespec="seconds"),
            "detente_version": self.detente_version,
            "label": self.label,
            "scenario": self.scenario_id,
            "scenario_name": self.source.name if self.source else None,
            "scenario_hash": self.source.hash if self.source else None,
            "sets": self.sets,
            "pins": self.pins,
            "what_ifs": self.what_ifs,
            "seed": self.seed,
            "sizes": self.sizes,
            "options": self.options,
            "timings": self.timings,
            "status": self.status,
        }


def run_record(r: Sequence[Any]) -> RunRecord:
    """A :class:`RunRecord` from a row of ``runs`` (its columns in ``store._COLUMNS`` order, then
    the result)."""
    (rid, command, created, version, label, sid, sname, sfmt, stext, sets, pins, what_ifs, seed,
     sizes, options, timings, status, result) = r  # fmt: skip
    source = ScenarioSource(sname, sfmt, stext) if stext is not None else None
    return RunRecord(
        id=int(rid),
        command=command,
        created=created,
        detente_version=version,
        label=label,
        scenario_id=sid,
        source=source,
        sets=json.loads(sets or "[]"),
        pins=json.loads(pins or "[]"),
        what_ifs=json.loads(what_ifs or "[]"),
        seed=seed,
        sizes=json.loads(sizes or "{}"),
        options=json.loads(options or "{}"),
        timings=json.loads(timings or "{}"),
        status=status,
        result=json.loads(result) if result else None,
    )
