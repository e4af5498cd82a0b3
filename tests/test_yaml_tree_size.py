"""A YAML document without aliases is checked by one walk (``tree_size``) instead of the
alias-cycle and expansion walks: it must count what they count, and leave to them every
document it cannot decide (aliases, deep nesting)."""

from __future__ import annotations

import yaml

from detente.scenario._yaml_guards import TREE_DEPTH, alias_cycle, expanded_size, tree_size
from detente.scenario._yaml_lines import UniqueKeyLoader
from detente.scenario.bundled import bundled_dir, bundled_names


def _node(text: str) -> yaml.Node:
    loader = UniqueKeyLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def test_a_document_without_aliases_counts_as_the_expansion_does():
    texts = [(bundled_dir() / f"{n}.yaml").read_text(encoding="utf-8") for n in bundled_names()]
    texts += ["a: 1", "- [1, 2, {x: y}]\n- z", "{}", "k: {a: [1, 2], b: {c: d}}"]
    for text in texts:
        node = _node(text)
        assert alias_cycle(node) is None
        assert tree_size(node) == expanded_size(node) > 0


def test_aliases_and_deep_nesting_are_left_to_the_full_walks():
    shared = _node("a: &x [1, 2, 3]\nb: *x\nc: *x")
    assert (
        tree_size(shared) is None and expanded_size(shared) == 1 + 3 + 3 * 4
    )  # root, keys, each list
    cyclic = _node("&a [*a]")
    assert tree_size(cyclic) is None and alias_cycle(cyclic) is not None
    deep = _node("[" * (TREE_DEPTH + 2) + "]" * (TREE_DEPTH + 2))
    shallow = _node("[" * TREE_DEPTH + "]" * TREE_DEPTH)
    assert tree_size(deep) is None
    assert tree_size(shallow) == expanded_size(shallow) == TREE_DEPTH
