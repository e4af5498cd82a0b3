"""A number pinned inside its stated range is the same scenario whether or not the whole
scenario is validated again (``apply_sets(..., pin=True)`` skips the validation there)."""

from __future__ import annotations

import pytest

from detente.errors import ScenarioError
from detente.scenario import apply_sets, load, load_bundled
from detente.scenario._pin import pinned_in_range
from detente.scenario.whatif import apply_set


@pytest.mark.parametrize(
    "case", ["us-dprk-2021", "iran-jcpoa-2021", "examples/steel-dispute.yaml", "ec-emissions-1994"]
)
def test_a_pin_inside_the_range_equals_the_validated_one(case):
    s = load(case) if case.endswith(".yaml") else load_bundled(case)
    kinds = set()
    for path, q in s.quantities():
        for v in {q.low, q.high, 0.5 * (q.low + q.high)}:
            why = f"pinned: {path} = {v!r}"
            fast = pinned_in_range(s, path, float(v), why)
            if fast is None:
                assert ".red_lines." in path or q.shift is not None
                continue
            kinds.add(path.split(".")[-1] if "." in path else path)
            slow = apply_set(s, path, repr(v), pin=True, why=why)
            assert fast == slow and fast.model_dump() == slow.model_dump(), path
    assert {"capability", "position", "salience"} <= kinds


def test_a_pin_outside_the_range_is_validated_and_refused_as_before():
    s = load_bundled("us-dprk-2021")
    path, q = next((p, q) for p, q in s.quantities() if p.endswith(".salience"))
    assert pinned_in_range(s, path, q.high + 1.0, "x") is None
    with pytest.raises(ScenarioError) as fast:
        apply_sets(s, [f"{path}={s.salience_max + 1}"], pin=True)
    with pytest.raises(ScenarioError) as slow:
        apply_set(s, path, str(s.salience_max + 1), pin=True, why="x")
    assert str(fast.value) == str(slow.value)
    # a number that is no number is refused by the validated path, with its message
    with pytest.raises(ScenarioError, match=r"finite|number"):
        apply_sets(s, [f"{path}=nan"], pin=True)
