"""The exception tree of detente.

::

    DetenteError                  base of everything detente raises on purpose
    ├── ScenarioError             a scenario file or value is invalid; carries every Problem found
    │   └── UnknownPathError      a ``--set`` path names nothing in the scenario
    ├── FormatError               a file is not in a format detente can read (binary, empty, too big)
    ├── OutputError               an output file cannot or must not be written
    ├── UsageError                command-line options that contradict each other
    ├── ModelError                a model cannot run on this input (settings or degenerate scenario)
    │   └── WhatIfNotApplicable   a named what-if needs a driver, actor or issue the scenario lacks
    └── DataError                 packaged data are missing or inconsistent

Every error renders as one or more lines ``LOCATION: what is wrong; what to do``.
The command line prints them to standard error and exits with status 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "DataError",
    "DetenteError",
    "FormatError",
    "ModelError",
    "OutputError",
    "Problem",
    "ScenarioError",
    "UnknownPathError",
    "UsageError",
    "WhatIfNotApplicable",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, with where it stands and what to do about it."""

    message: str
    hint: str = ""
    file: str | None = None
    line: int | None = None
    field: str | None = None

    @property
    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.field:
            parts.append(self.field)
        return " ".join(parts) if parts else "input"

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        if self.hint:
            text += f"; {self.hint}"
        return text


class DetenteError(Exception):
    """Base class of every error detente raises on purpose."""

    def lines(self) -> list[str]:
        return [str(self)]


class ScenarioError(DetenteError, ValueError):
    """A scenario is invalid. ``problems`` lists every problem found, each with its location."""

    def __init__(self, problems: Iterable[Problem] | str, *, file: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems, file=file)]
        self.problems: list[Problem] = list(problems)
        if not self.problems:
            self.problems = [Problem("invalid scenario", file=file)]
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class UnknownPathError(ScenarioError, KeyError):
    """A what-if path (``--set``) names nothing in the scenario."""

    def __str__(self) -> str:  # KeyError would quote the message
        return "\n".join(str(p) for p in self.problems)


class FormatError(ScenarioError):
    """A file cannot be read at all in the expected format."""


class OutputError(DetenteError):
    """An output file cannot or must not be written (a folder, a device, the input, full disk).

    ``problems`` lists each refusal with the option and path that named the file.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class UsageError(DetenteError, ValueError):
    """Options of one command that cannot go together (``--quiet`` with nothing to write)."""

    def __init__(self, message: str, hint: str = "", *, field: str | None = None) -> None:
        self.problems = [Problem(message, hint, field=field)]
        super().__init__(str(self.problems[0]))


class ModelError(DetenteError, ValueError):
    """A model cannot run with these settings or on this input."""


class WhatIfNotApplicable(ModelError):
    """A named what-if needs a driver, actor or issue the scenario lacks.

    ``what_if`` is the what-if's name, ``missing`` what it needs (e.g. ``"driver
    china_dependency"``) and ``scenario`` the scenario's id.
    """

    def __init__(self, what_if: str, missing: str, scenario: str) -> None:
        self.what_if, self.missing, self.scenario = what_if, missing, scenario
        super().__init__(
            f"what-if {what_if} needs {missing}, which scenario {scenario} lacks; "
            "pick another what-if (detente simulate --list-what-ifs) or add it to the scenario"
        )


class DataError(DetenteError):
    """Packaged data are missing or inconsistent."""
