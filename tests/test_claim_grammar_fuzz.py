"""Property tests over the claim and what-if grammar: whatever values a file gives a claim's
arguments, its threshold or a what-if's changes, reading the steel-dispute scenario ends in
a Scenario or in located problems, never another exception; what is accepted is computable
(finite thresholds, changes that can apply)."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.errors import ScenarioError
from detente.scenario.io import scenario_from_data
from detente.scenario.whatif import apply_change

ROOT = Path(__file__).parents[1]
BASE = yaml.safe_load((ROOT / "examples" / "steel-dispute.yaml").read_text(encoding="utf-8"))

#: Any value a YAML file can hold (and a few it cannot write but Python callers pass).
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["abc", "none", "<=40", ">= 1e3", "tariff", "importer", "", "12", "nan"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["tariff", "quota", "x", "set", "to"]), inner, max_size=3)
    ),
    max_leaves=6,
)

QUANTITIES = [
    "position", "salience", "capability", "driver", "red_line_overlap", "in_win_set",
    "ideal_package", "zone_open", "p_zone", "p_talks", "effect", "no_such_quantity",
]  # fmt: skip
ARG_NAMES = ["actor", "issue", "driver", "package", "month", "of", "args", "change", "changes",
             "what_if", "kind", "role"]  # fmt: skip


def _read(data: dict[str, Any]) -> Any:
    try:
        return scenario_from_data(data, "fuzz.yaml")
    except ScenarioError as err:
        assert err.problems and all(p.message for p in err.problems)
        return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    quantity=st.sampled_from(QUANTITIES),
    args=st.dictionaries(st.sampled_from(ARG_NAMES), values, max_size=4),
    compare=st.sampled_from(["<", "<=", ">", ">=", "==", "!=", "~"]),
    threshold=values,
)
def test_any_claim_check_is_read_or_refused_with_located_problems(
    quantity: str, args: dict[str, Any], compare: str, threshold: Any
) -> None:
    data = copy.deepcopy(BASE)
    data["claims"][0]["check"] = [
        {"quantity": quantity, "args": args, "compare": compare, "threshold": threshold}
    ]
    s = _read(data)
    if s is not None:
        (cond,) = s.claims[0].check
        assert math.isfinite(cond.threshold)
        for v in cond.args.values():
            if isinstance(v, dict) and cond.quantity != "effect":
                assert all(isinstance(x, int | float) and math.isfinite(x) for x in v.values())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(
        ["importer.tariff.position", "importer.red_lines.tariff", "exporter.capability", "nope.x"]
    ),
    to=values,
    by=values,
    use_by=st.booleans(),
    changes_itself=st.one_of(st.none(), values),
)
def test_any_what_if_change_is_read_or_refused_and_what_is_read_applies(
    path: str, to: Any, by: Any, use_by: bool, changes_itself: Any
) -> None:
    data = copy.deepcopy(BASE)
    change = {"set": path, "by": by} if use_by else {"set": path, "to": to}
    data["what_ifs"][0]["changes"] = [change] if changes_itself is None else changes_itself
    s = _read(data)
    if s is not None:
        for c in s.what_ifs[0].changes:
            # a change that was accepted can be applied: it never becomes "not applicable"
            apply_change(s, c, why="fuzz")
