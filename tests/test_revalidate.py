"""A what-if validates only the parts it changed (``scenario._revalidate``): the changed
scenario must equal the one a full validation of its dump gives, and a change the schema
refuses must be refused with the same message.

Each test runs every kind of change twice, once through the fast path and once with it
switched off (``revalidated`` returning None, so the whole dump is validated as before),
and compares the two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from detente.scenario import _revalidate, load, load_bundled, whatif
from detente.scenario.bundled import bundled_names
from detente.scenario.case import Change
from detente.scenario.schema import Scenario

CASES = [*bundled_names(), "examples/steel-dispute.yaml"]


def _load(case: str) -> Scenario:
    return load(case) if case.endswith(".yaml") else load_bundled(case)


def _changes(s: Scenario) -> Iterator[tuple[str, Change | tuple[str, str]]]:
    """One change of every kind a what-if (or ``--set PATH=VALUE``) can make, at every
    place ``s`` has for it."""
    first = s.issues[0]
    for path, q in s.quantities():
        if ".red_lines." in path:
            iid = path.split(".")[-1]
            issue = s.issue(iid)
            mid = (issue.low + issue.high) / 2
            yield "red line moved", Change(set=path, by=-1.0)
            yield "red line written anew", Change(set=path, to=f">={mid:g}")
            yield "red line removed", Change(set=path, to="none")
            continue
        kind = path.split(".")[-1] if path.split(".")[0] not in ("drivers", "parameters") else ""
        kind = kind or path.split(".")[0]
        if q.shift is None and q.high > q.low:
            yield f"{kind} within range", Change(set=path, to=(q.low + q.value) / 2)
        yield f"{kind} by", Change(set=path, by=0.5)
        if kind == "position":  # off the scale: refused by the cross-field checks
            yield (
                "position off the scale",
                Change(set=path, to=s.issue(path.split(".")[1]).high + 1),
            )
        if kind == "salience":  # above the scenario's maximum
            yield "salience too high", Change(set=path, to=s.salience_max * 1.5)
        yield f"{kind} by a lot", Change(set=path, by=1e6)  # clipped to the bounds, if any
    for a in s.actors:
        # a what-if's change takes numbers; --set also takes the veto flag
        yield "veto", (f"{a.id}.veto", "false" if a.veto else "true")
        if not any(a.id == x for x in ("status_quo",)):
            yield "idle", Change(idle=a.id)
        other = next(b for b in s.actors if b.id != a.id)
        yield "shift by a number", Change(shift=a.id, toward=other.id, share=0.3)
        if s.parameters:
            name = next(iter(s.parameters))
            yield (
                "shift by a parameter",
                Change(shift=a.id, toward=other.id, share=f"parameters.{name}"),
            )
        if first.id not in a.red_lines and first.id in a.stances:
            yield (
                "red line added",
                Change(set=f"{a.id}.red_lines.{first.id}", to=f"<={first.high:g}"),
            )
    for iss in s.issues:
        if iss.id not in s.status_quo:
            yield "status quo given", Change(set=f"status_quo.{iss.id}", to=iss.low)
        if s.n_issues > 1:
            yield "drop issue", Change(drop_issue=iss.id)


def _both(
    monkeypatch: pytest.MonkeyPatch, apply: Callable[[], Scenario]
) -> tuple[Scenario | str, Scenario | str, bool]:
    """``apply()`` through the fast path and with it off: each result or its error text, and
    whether the fast path gave the result."""
    taken: list[bool] = []

    def watched(*args, **kwargs):
        out = real(*args, **kwargs)
        taken.append(out is not None)
        return out

    real = _revalidate.revalidated

    def run() -> Scenario | str:
        try:
            return apply()
        except ValueError as err:  # ScenarioError, or pydantic's for a dropped issue
            return f"{type(err).__name__}: {err}"

    with monkeypatch.context() as m:
        m.setattr(_revalidate, "revalidated", watched)
        fast = run()
    with monkeypatch.context() as m:
        m.setattr(_revalidate, "revalidated", lambda *a, **k: None)
        slow = run()
    return fast, slow, any(taken)


@pytest.mark.parametrize("case", CASES)
def test_every_kind_of_change_equals_the_fully_validated_scenario(case, monkeypatch):
    s = _load(case)
    fast_kinds, refused = set(), 0
    for kind, change in _changes(s):
        fast, slow, taken = _both(
            monkeypatch,
            lambda c=change: (
                whatif.apply_change(s, c, why="t")
                if isinstance(c, Change)
                else whatif.apply_set(s, *c)
            ),
        )
        if isinstance(slow, str):  # refused: refused the same way, word for word
            assert fast == slow, (kind, change)
            refused += 1
            continue
        assert isinstance(fast, Scenario), (kind, change, fast)
        assert fast == slow, (kind, change)
        assert fast.model_dump() == slow.model_dump(), (kind, change)
        # and the result is a scenario a full validation accepts as it stands
        assert Scenario.model_validate(fast.model_dump()) == fast, (kind, change)
        if taken:
            fast_kinds.add(kind)
    assert refused >= 2  # the numbers off their scales
    # the fast path is taken for every kind of change (not refused on the way)
    assert {"position by", "salience by", "capability by", "veto", "idle"} <= fast_kinds
    assert {"shift by a number", "drop issue"} & fast_kinds or s.n_issues == 1


@pytest.mark.parametrize("case", CASES)
def test_every_declared_what_if_equals_the_fully_validated_scenario(case, monkeypatch):
    s = _load(case)
    for w in s.what_ifs:
        fast, slow, _ = _both(monkeypatch, lambda w=w: whatif.apply_what_if(s, w.id))
        assert fast == slow, w.id
        if isinstance(fast, Scenario) and isinstance(slow, Scenario):
            assert fast.model_dump() == slow.model_dump(), w.id


@pytest.mark.parametrize("case", ["us-dprk-2021", "examples/steel-dispute.yaml"])
def test_a_refused_change_is_refused_with_the_full_validation_message(case, monkeypatch):
    s = _load(case)
    a = next(x for x in s.actors if x.stances)
    iid = next(iter(a.stances))
    issue = s.issue(iid)
    wrong = [
        (f"{a.id}.{iid}.position", issue.high + 10),  # off the scale
        (f"{a.id}.{iid}.salience", s.salience_max * 2),  # above the maximum
        (f"{a.id}.capability", -1),  # negative power
    ]
    for path, value in wrong:
        fast, slow, _ = _both(monkeypatch, lambda p=path, v=value: whatif.apply_set(s, p, v))
        assert isinstance(slow, str), path
        assert fast == slow, path
        assert f"--set {path}" in fast


def test_a_pinned_number_outside_its_range_goes_through_the_parts_and_equals(monkeypatch):
    s = load_bundled("us-dprk-2021")
    path, q = next((p, q) for p, q in s.quantities() if p.endswith(".position") and q.low > 0)
    fast, slow, taken = _both(
        monkeypatch, lambda: whatif.apply_sets(s, [f"{path}={q.low / 2}"], pin=True)
    )
    assert taken and isinstance(fast, Scenario)
    assert fast == slow and fast.model_dump() == slow.model_dump()
    assert dict(fast.quantities())[path].is_certain
