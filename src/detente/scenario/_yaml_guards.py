"""Guards run on a YAML document before its data are built.

- :func:`count_items`: more actors or issues than allowed, from libyaml's events alone;
- :func:`alias_cycle`: an anchored block that contains its own alias;
- :func:`expanded_size`: how many values the aliases expand to ("billion laughs");
- :func:`bad_number`: a number no model can compute with (more than :data:`MAX_DIGITS`
  digits, beyond :data:`MAX_ABS`, NaN or infinity), found on the nodes before Python
  converts it (a 5,000-digit integer would raise inside the YAML constructor);
- :func:`plain_number`: a quantity's number written as text (``1e300``, which YAML 1.1
  reads as text, or ``'7'``), refused with what to write instead (:func:`yaml_number`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import yaml

from ..errors import ScenarioError

__all__ = [
    "MAX_ABS",
    "MAX_DIGITS",
    "MAX_YAML_NODES",
    "alias_cycle",
    "bad_number",
    "count_items",
    "expanded_size",
    "number_problem",
    "plain_number",
    "yaml_number",
]

#: The largest magnitude of a number in any file detente reads.
MAX_ABS = 1e12
#: The most digits a number may have.
MAX_DIGITS = 30

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


def number_problem(text: str) -> str | None:
    """Why the number written as ``text`` cannot be read (None when it can).

    Refused: more than :data:`MAX_DIGITS` digits, NaN or infinity, beyond ±:data:`MAX_ABS`.
    """
    raw = text.strip()
    digits = sum(c.isdigit() for c in raw.split("e")[0].split("E")[0])
    if digits > MAX_DIGITS:
        return f"a number with {digits:,} digits (at most {MAX_DIGITS})"
    low = raw.lower().lstrip("+-")
    if low in (".nan", "nan"):
        return "NaN is not a finite number any model can use"
    if low in (".inf", "inf", "infinity"):
        return f"{raw} is not a finite number"
    try:
        value = float(raw.replace("_", ""))
    except ValueError:
        return None  # not written as a decimal number (YAML's 0x.., 0o..): left to the schema
    if value != value:
        return "NaN is not a finite number any model can use"
    if abs(value) > MAX_ABS:
        return f"{raw} is beyond ±{MAX_ABS:.0e}, more than any model can compute with"
    return None


def bad_number(root: yaml.Node) -> tuple[int, str, str, str] | None:
    """The first number of the document no model can compute with, as (line, field path,
    text, why); list items are named by their ``id`` when they have one (``actors.b``)."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple[str, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if node.tag in (_INT, _FLOAT):
                why = number_problem(str(node.value))
                if why is not None:
                    shown = node.value if len(node.value) <= 24 else node.value[:21] + "..."
                    return int(node.start_mark.line) + 1, ".".join(path), shown, why
        elif isinstance(node, yaml.MappingNode):
            for k, v in reversed(node.value):
                key = str(k.value) if isinstance(k, yaml.ScalarNode) else "?"
                stack.append((v, (*path, key)))
                stack.append((k, path))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in reversed(list(enumerate(node.value))):
                stack.append((v, (*path, _item_name(v, i))))
    return None


def _item_name(node: yaml.Node, index: int) -> str:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == "id" and isinstance(v, yaml.ScalarNode):
                return str(v.value)
    return str(index)


def alias_cycle(root: yaml.Node) -> int | None:
    """The line of a node that contains itself through aliases, or None (iterative DFS)."""
    state: dict[int, int] = {}  # 1: on the current path, 2: done
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        key = id(node)
        if leaving:
            state[key] = 2
            continue
        if state.get(key) == 2:
            continue
        if state.get(key) == 1:
            return int(node.start_mark.line) + 1
        state[key] = 1
        stack.append((node, True))
        if isinstance(node, yaml.MappingNode):
            children = [c for kv in node.value for c in kv]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            children = []
        for child in children:
            if state.get(id(child)) == 1:
                return int(child.start_mark.line) + 1
            if state.get(id(child)) != 2:
                stack.append((child, False))
    return None


def count_items(text: str, refuse: Callable[..., ScenarioError], limits: dict[str, int]) -> None:
    """Refuse more actors or issues than a scenario may have, from the parser's events
    alone (building the nodes of a 10,000-actor file takes seconds)."""
    depth = 0  # nesting of collections; the root mapping's keys sit at depth 1
    expect_key = False
    key: str | None = None
    counting: tuple[str, int] | None = None  # (section, depth of its items)
    count = 0
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for event in yaml.parse(text, Loader=loader):
        is_start = isinstance(event, yaml.CollectionStartEvent)
        is_item = is_start or isinstance(event, yaml.ScalarEvent | yaml.AliasEvent)
        if counting is not None and is_item and depth == counting[1]:
            count += 1
            if count > limits[counting[0]]:
                raise refuse(
                    f"{counting[0]}: more than the {limits[counting[0]]:,} {counting[0]} a "
                    "scenario may have",
                    "is this the right file? split the scenario",
                    event.start_mark.line + 1 if event.start_mark is not None else None,
                )
        if depth == 1 and is_item:
            if expect_key:
                key = event.value if isinstance(event, yaml.ScalarEvent) else None
            elif key in limits and isinstance(event, yaml.SequenceStartEvent):
                counting, count = (key, 2), 0
            expect_key = not expect_key
        if is_start:
            depth += 1
            if depth == 1:
                expect_key = isinstance(event, yaml.MappingStartEvent)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            if counting is not None and depth < counting[1]:
                counting = None


#: A bound on the values a YAML file may expand to through aliases ("billion laughs").
MAX_YAML_NODES = 1_000_000
#: Deepest nesting :func:`tree_size` walks; past it :func:`expanded_size` decides (its
#: recursion, not this walk, says when a document nests too deeply to count).
TREE_DEPTH = 50


def tree_size(root: yaml.Node) -> int | None:
    """How many nodes the document has, when no node is reached twice (it uses no alias)
    and none nests deeper than :data:`TREE_DEPTH`; else None.

    Such a document has no alias cycle (:func:`alias_cycle` is None) and expands to its own
    nodes (:func:`expanded_size` is this count): one walk instead of those two, for the
    files people write. A document with aliases, or nested deeper, is left to them.
    """
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        key = id(node)
        if key in seen or depth > TREE_DEPTH:
            return None
        seen.add(key)
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.append((k, depth + 1))
                stack.append((v, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((v, depth + 1) for v in node.value)
    return len(seen)


def expanded_size(root: yaml.Node) -> int:
    """How many nodes the document has once aliases are expanded (memoised, so cheap)."""
    memo: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in memo:
            return memo[key]
        memo[key] = 1  # a cycle counts once
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(v) for v in node.value)
        else:
            total = 1
        memo[key] = min(total, 2 * MAX_YAML_NODES)
        return memo[key]

    try:
        return size(root)
    except RecursionError:
        return 2 * MAX_YAML_NODES


def plain_number(x: Any, what: str) -> Any:
    """``x`` unchanged unless it is text or a boolean, which a quantity's value and range
    refuse (``what`` names which): pydantic would turn the text ``"1e300"`` into a number
    and skip the number guards (YAML 1.1 reads ``1e300`` as text: it reads an exponent as a
    number only with a dot and a signed exponent, ``1.0e+300``)."""
    if isinstance(x, bool):
        raise ValueError(f"{what}: expected a number, got a boolean")
    if not isinstance(x, str):
        return x
    try:
        number = float(x.replace("_", ""))
    except ValueError:
        raise ValueError(f"{what}: expected a number, got str {x!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{what}: expected a finite number, got str {x!r}")
    why = (
        " (YAML 1.1 reads an exponent as a number only with a dot and a sign, 1.0e+3)"
        if "e" in x.lower()
        else ""
    )
    how = yaml_number(number) + ("" if why else " without quotes")
    beyond = (
        f", though a number beyond ±{MAX_ABS:.0e} is refused: give one the models can use"
        if abs(number) > MAX_ABS
        else ""
    )
    raise ValueError(f"{what}: expected a number, got str {x!r}{why}; write {how}{beyond}")


def yaml_number(x: float) -> str:
    """``x`` written so YAML 1.1 reads it as a number: a plain integer where it is one,
    else a decimal with a dot and a signed exponent (``1.0e+300``)."""
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    text = repr(x)
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return f"{mantissa if '.' in mantissa else mantissa + '.0'}e{exponent}"
