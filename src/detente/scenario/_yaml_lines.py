"""YAML with line numbers: a map from each data path to the line it starts on, the nearest
line of a location, syntax errors as problems at their line, and a safe loader that refuses
duplicate keys (:mod:`.io` reads scenarios with them)."""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import Problem

__all__ = ["LineMap", "UniqueKeyLoader", "nearest_line", "yaml_problem"]


class LineMap:
    """Maps a data path (tuple of keys and list indices) to the line it starts on."""

    def __init__(self) -> None:
        self.lines: dict[tuple[Any, ...], int] = {}

    def walk(self, node: yaml.Node, path: tuple[Any, ...] = ()) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = k.value
                self.lines[(*path, key)] = k.start_mark.line + 1
                self.walk(v, (*path, key))
                # numeric keys (anchors) appear as floats after validation
                try:  # a try, not contextlib.suppress: no context manager per key of a file
                    number = float(key)
                except (TypeError, ValueError):
                    continue
                self.lines.setdefault((*path, number), k.start_mark.line + 1)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                self.walk(v, (*path, i))

    def line_for(self, loc: tuple[Any, ...]) -> int | None:
        return nearest_line(self.lines, loc)


def nearest_line(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int | None:
    """The line of ``loc``, or of its nearest enclosing location that has one."""
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())


def yaml_problem(err: yaml.YAMLError, filename: str) -> Problem:
    """A YAML syntax error as one problem at its line."""
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    what = getattr(err, "problem", None) or str(err).splitlines()[0]
    return Problem(
        f"YAML syntax error: {what}",
        "fix the syntax at that line (indentation, quotes, colons)",
        file=filename,
        line=line,
    )


_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present


class UniqueKeyLoader(_BaseLoader):
    """SafeLoader that refuses duplicate keys instead of silently keeping the last one."""


def _construct_mapping(
    loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first at line {seen[key]})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
