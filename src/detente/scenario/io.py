"""Reading and writing scenarios: format registry, YAML with line numbers, safe writes.

Readers take ``(text, filename)`` and return a :class:`Scenario` or raise
:class:`ScenarioError` listing every problem with its line. Writers take a scenario and
return text. :func:`save` writes atomically, so a failed conversion leaves no file behind.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from .._outputs import check_output, write_atomic
from ..errors import FormatError, Problem, ScenarioError
from ._checks import size_problems, validate_all
from ._yaml_guards import (
    MAX_YAML_NODES,
    alias_cycle,
    bad_number,
    count_items,
    expanded_size,
    tree_size,
)
from ._yaml_lines import LineMap, UniqueKeyLoader, nearest_line, yaml_problem
from .schema import Scenario

__all__ = [
    "BINARY_READERS",
    "BINARY_WRITERS",
    "MAX_ACTORS",
    "MAX_FILE_BYTES",
    "MAX_ISSUES",
    "MAX_LABEL_CHARS",
    "MAX_TEXT_CHARS",
    "READERS",
    "WRITERS",
    "LineMap",
    "dump_yaml",
    "guarded_yaml",
    "load",
    "nearest_line",
    "read_bytes",
    "read_text",
    "read_yaml",
    "save",
    "scenario_from_data",
    "write_atomic",
]

#: Limits every reader enforces (YAML and every import format): beyond them a file is
#: almost surely not a negotiation scenario, and the engines' memory is only bounded up to them.
MAX_FILE_BYTES = 20 * 1024 * 1024
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MAX_ACTORS = 5000
MAX_ISSUES = 500
#: A label (of an actor, issue, anchor, tool ...) is a name, not a text.
MAX_LABEL_CHARS = 200
#: Any other text (notes, descriptions, quotes) in a scenario.
MAX_TEXT_CHARS = 20_000

Reader = Callable[[str, str], Scenario]
Writer = Callable[[Scenario], str]

READERS: dict[str, Reader] = {}
WRITERS: dict[str, Writer] = {}
#: Formats stored as bytes (XLSX): their readers take ``(bytes, filename)`` and their
#: writers return bytes.
BINARY_READERS: dict[str, Callable[[bytes, str], Scenario]] = {}
BINARY_WRITERS: dict[str, Callable[[Scenario], bytes]] = {}
EXTENSIONS: dict[str, str] = {".yaml": "yaml", ".yml": "yaml"}


#: What to write into an empty scenario file.
_EMPTY_HINT = "write a scenario into it"


def read_text(path: str | os.PathLike[str], *, empty_hint: str = _EMPTY_HINT) -> str:
    """Read a scenario file as text, refusing what cannot be one (missing, huge, binary, empty).
    ``empty_hint`` says what the file should hold when it is empty (a record's reader says
    what a record holds)."""
    name = str(path)
    raw = read_bytes(path, empty_hint=empty_hint)
    return _text_of(raw, name, empty_hint)


def read_bytes(path: str | os.PathLike[str], *, empty_hint: str = _EMPTY_HINT) -> bytes:
    """Read a scenario file's bytes (XLSX), refusing what cannot be one (missing, a folder, a
    device or FIFO, over :data:`MAX_FILE_BYTES`, unreadable, empty)."""
    name = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise FormatError(
            [
                Problem(
                    "no such file",
                    "check the path, or run 'detente scenarios' for bundled names",
                    file=name,
                )
            ]
        ) from None
    except OSError as err:
        raise FormatError(
            [Problem(f"cannot read it ({err.strerror})", "check the path", file=name)]
        ) from None
    if stat.S_ISDIR(st.st_mode):
        raise FormatError(
            [Problem("is a directory, not a scenario file", "name a file", file=name)]
        )
    if not stat.S_ISREG(st.st_mode):
        # devices (/dev/zero, /dev/urandom) never end and FIFOs block: never open them
        raise FormatError(
            [
                Problem(
                    "is not a regular file (a device, FIFO or socket)",
                    "give a scenario file saved on disk",
                    file=name,
                )
            ]
        )
    size = st.st_size
    if size > MAX_FILE_BYTES:
        raise FormatError(
            [
                Problem(
                    f"file is {size / 2**20:.1f} MiB, over the {MAX_FILE_BYTES // 2**20} MiB limit for a scenario",
                    "split it or check it is the right file",
                    file=name,
                )
            ]
        )
    try:
        with open(path, "rb") as fh:
            # read at most one byte past the limit: the file may have grown since stat
            raw = fh.read(MAX_FILE_BYTES + 1)
    except PermissionError:
        raise FormatError(
            [Problem("permission denied", "make the file readable or copy it", file=name)]
        ) from None
    except OSError as err:
        raise FormatError(
            [Problem(f"cannot read it ({err.strerror})", "check the file", file=name)]
        ) from None
    if len(raw) > MAX_FILE_BYTES:
        raise FormatError(
            [
                Problem(
                    f"file is over the {MAX_FILE_BYTES // 2**20} MiB limit for a scenario",
                    "split it or check it is the right file",
                    file=name,
                )
            ]
        )
    if not raw:
        raise FormatError([Problem("file is empty", empty_hint, file=name)])
    return raw


def _text_of(raw: bytes, name: str, empty_hint: str = _EMPTY_HINT) -> str:
    if b"\x00" in raw[:8192]:
        raise FormatError(
            [
                Problem(
                    "looks binary (contains NUL bytes)",
                    "give a text scenario file (YAML, CSV, XML or #A/#P/#M/#D)",
                    file=name,
                )
            ]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise FormatError(
            [
                Problem(
                    f"not valid UTF-8 text (byte {err.start})",
                    "save the file as UTF-8",
                    file=name,
                    line=line,
                )
            ]
        ) from None
    if not text.strip():
        raise FormatError([Problem("file is empty", empty_hint, file=name)])
    return text


def checked_scenario(data: Any) -> tuple[Scenario | None, Any]:
    """The input limits first (a huge table is refused before the schema reads it), then the
    schema: ``(scenario or None, [(loc, message, hint), ...])``. Every reader of scenario
    data (YAML, the spreadsheet tables) goes through it."""
    too_big = size_problems(
        data,
        max_actors=MAX_ACTORS,
        max_issues=MAX_ISSUES,
        max_label=MAX_LABEL_CHARS,
        max_text=MAX_TEXT_CHARS,
    )
    return (None, too_big) if too_big else validate_all(Scenario, data)


def scenario_from_data(
    data: Any, filename: str, lines: Callable[[tuple[Any, ...]], int | None] | None = None
) -> Scenario:
    """Validate a mapping into a Scenario, collecting every problem with its location."""
    if not isinstance(data, dict):
        raise ScenarioError(
            [
                Problem(
                    f"a scenario is a mapping with meta, issues and actors; got {type(data).__name__}",
                    "see docs/scenario-format.md",
                    file=filename,
                    line=1,
                )
            ]
        )
    scn, problems = checked_scenario(data)
    if problems:
        raise ScenarioError(
            Problem(
                msg,
                hint,
                file=filename,
                line=lines(loc) if lines else None,
                field=_loc_text(data, loc) if loc else None,
            )
            for loc, msg, hint in problems
        )
    assert isinstance(scn, Scenario)
    return scn


def _loc_text(data: Any, loc: tuple[Any, ...]) -> str:
    """Render a location, naming list items by their id where they have one."""
    out: list[str] = []
    cur = data
    for part in loc:
        if isinstance(part, int) and isinstance(cur, list) and 0 <= part < len(cur):
            item = cur[part]
            ident = item.get("id") if isinstance(item, dict) else None
            out.append(str(ident) if isinstance(ident, str) else f"[{part}]")
            cur = item
        else:
            out.append(str(part))
            cur = cur.get(part) if isinstance(cur, dict) else None
    return ".".join(out)


def guarded_yaml(
    text: str, filename: str, *, limits: dict[str, int] | None = None
) -> tuple[Any, LineMap]:
    """Parse YAML text from a user's file with every guard: the one reader of scenario,
    outcome-data and record YAML files.

    Refused with a located :class:`~detente.errors.ScenarioError`, before any data are
    built: more items than ``limits`` allows under a top-level key (e.g. ``{"actors":
    5000}``), alias cycles, documents whose aliases expand past :data:`MAX_YAML_NODES`
    values, numbers no model can compute with (see
    :func:`~detente.scenario._yaml_guards.number_problem`), duplicate keys, syntax errors
    and nesting too deep. Returns the data and the line map of its nodes.
    """

    def refuse(message: str, hint: str, line: int | None = None) -> ScenarioError:
        return ScenarioError([Problem(message, hint, file=filename, line=line)])

    loader = UniqueKeyLoader(text)
    try:
        if limits:
            count_items(text, refuse, limits)  # cheap: libyaml events, before any node
        node = loader.get_single_node()
        if node is not None:
            size = tree_size(node)
            if size is None:  # aliases (or deep nesting): walk them
                cycle = alias_cycle(node)
                if cycle is not None:
                    raise refuse(
                        "YAML aliases form a cycle (an anchored '&' block contains its own "
                        "alias '*')",
                        "write the values out instead of the alias",
                        cycle,
                    )
                size = expanded_size(node)
            if size > MAX_YAML_NODES:
                raise refuse(
                    f"the YAML expands to more than {MAX_YAML_NODES:,} values (aliases '*' "
                    "repeat anchored '&' blocks)",
                    "write the values out or use fewer aliases; is this the right file?",
                )
            bad = bad_number(node)
            if bad is not None:
                line, field, shown, why = bad
                raise ScenarioError(
                    [
                        Problem(
                            f"{shown!r}: {why}",
                            "give a number the models can compute with",
                            file=filename,
                            line=line,
                            field=field or None,
                        )
                    ]
                )
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as err:
        raise ScenarioError([yaml_problem(err, filename)]) from None
    except RecursionError:
        raise refuse("YAML nests too deeply", "flatten the file") from None
    finally:
        loader.dispose()
    lm = LineMap()
    try:
        if node is not None:
            lm.walk(node)
    except RecursionError:
        raise refuse("YAML nests too deeply", "flatten the file") from None
    return data, lm


def read_yaml(text: str, filename: str = "<yaml>") -> Scenario:
    """Read a YAML scenario through :func:`guarded_yaml` (limits :data:`MAX_ACTORS` and
    :data:`MAX_ISSUES`), then validate it."""
    data, lm = guarded_yaml(text, filename, limits={"actors": MAX_ACTORS, "issues": MAX_ISSUES})
    try:
        return scenario_from_data(data, filename, lm.line_for)
    except RecursionError:
        raise ScenarioError(
            [Problem("YAML nests too deeply", "flatten the file", file=filename)]
        ) from None


class _Dumper(yaml.SafeDumper):
    pass


def _str_rep(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_rep)
_Dumper.add_representer(tuple, lambda d, x: d.represent_list(list(x)))


def dump_yaml(s: Scenario) -> str:
    data = s.model_dump(exclude_defaults=True)
    data.setdefault("issues", [])
    data.setdefault("actors", [])
    # the title is a comment: one line, no control characters (it may hold anything)
    title = " ".join(_CONTROL.sub(" ", s.meta.title).split())
    header = f"# detente scenario: {title}\n"
    return header + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


READERS["yaml"] = read_yaml
WRITERS["yaml"] = dump_yaml


#: Extensions shared by several formats (KTAB and Bueno de Mesquita tables are both
#: ``.csv``): the content decides, the extension's entry in EXTENSIONS is the fallback.
AMBIGUOUS_EXTENSIONS: set[str] = set()


def detect_format(path: str, text: str | None = None) -> str:
    """The format of ``path``: by its extension, or by its content (``text``) when the
    extension is unknown or shared by several formats."""
    ext = Path(path).suffix.lower()
    if ext in EXTENSIONS and not (text is not None and ext in AMBIGUOUS_EXTENSIONS):
        return EXTENSIONS[ext]
    for fmt, sniff in SNIFFERS:
        if text is not None and sniff(text):
            return fmt
    if ext in EXTENSIONS:
        return EXTENSIONS[ext]
    raise FormatError(
        [
            Problem(
                f"cannot tell the format of {Path(path).name!r}",
                f"use one of the extensions {', '.join(sorted(EXTENSIONS))} or pass --from FORMAT ({', '.join(sorted(READERS))})",
                file=path,
            )
        ]
    )


SNIFFERS: list[tuple[str, Callable[[str], bool]]] = []


def load(path: str | os.PathLike[str], *, fmt: str | None = None) -> Scenario:
    """Load a scenario file in any known format (by extension, content or ``fmt``)."""
    from . import formats  # noqa: F401  registers the other readers

    name = str(path)
    if (fmt or EXTENSIONS.get(Path(name).suffix.lower())) in BINARY_READERS:
        return BINARY_READERS[fmt or EXTENSIONS[Path(name).suffix.lower()]](read_bytes(path), name)
    text = read_text(path)
    fmt = fmt or detect_format(name, text)
    if fmt not in READERS:
        raise FormatError(
            [
                Problem(
                    f"unknown format {fmt!r}",
                    f"known formats: {', '.join(sorted(READERS))}",
                    file=name,
                )
            ]
        )
    return READERS[fmt](text, name)


def save(s: Scenario, path: str | os.PathLike[str], *, fmt: str | None = None) -> str:
    """Write ``s`` to ``path`` atomically; returns the format used."""
    from . import formats  # noqa: F401

    name = str(path)
    fmt = fmt or detect_format(name)
    if fmt in BINARY_WRITERS:
        check_output(path)
        write_atomic(path, BINARY_WRITERS[fmt](s))
        return fmt
    if fmt not in WRITERS:
        raise FormatError(
            [
                Problem(
                    f"cannot write format {fmt!r}",
                    f"writable formats: {', '.join(sorted(WRITERS))}",
                    file=name,
                )
            ]
        )
    check_output(path)
    text = WRITERS[fmt](s)  # may raise before anything is written
    write_atomic(path, text)
    return fmt
