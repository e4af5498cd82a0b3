"""The scenarios shipped with detente."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from ..errors import Problem, ScenarioError
from .io import load, read_yaml
from .schema import Scenario

__all__ = ["bundled_names", "load_bundled", "resolve"]


def _dir() -> Path:
    return Path(str(resources.files("detente.scenario") / "bundled"))


def bundled_names() -> list[str]:
    """Names of the bundled scenarios: ``NAME.yaml`` files. A companion file whose stem has a
    dot (``NAME.case.yaml``: sections a scenario will carry once the schema takes them) is
    not a scenario of its own."""
    return sorted(p.stem for p in _dir().glob("*.yaml") if "." not in p.stem)


@cache
def load_bundled(name: str) -> Scenario:
    path = _dir() / f"{name}.yaml"
    if not path.exists():
        import difflib

        close = difflib.get_close_matches(name, bundled_names(), n=3)
        hint = (
            f"did you mean {', '.join(close)}?"
            if close
            else f"bundled: {', '.join(bundled_names())}"
        )
        raise ScenarioError([Problem(f"no bundled scenario or file named {name!r}", hint)])
    return read_yaml(path.read_text(encoding="utf-8"), f"{name}.yaml")


def resolve(name_or_path: str, *, fmt: str | None = None) -> Scenario:
    """A bundled scenario by name, or a scenario file by path."""
    p = Path(name_or_path)
    if p.exists() or any(sep in name_or_path for sep in ("/", "\\")) or p.suffix:
        return load(p, fmt=fmt)
    return load_bundled(name_or_path)


def bundled_dir() -> Path:
    """The directory of the bundled scenarios (public, for the run store's fingerprints)."""
    return _dir()
