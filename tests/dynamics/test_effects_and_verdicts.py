"""Every named driver and tool is measured on the outlook (inert ones flagged, the
structural shortcut checked by simulation); stored backtest verdicts are refused when the
scenario or code differs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detente.dynamics.effects import element_effects, structural_reason
from detente.dynamics.verdicts import backtest_key, load_summary, save_summary
from detente.scenario import apply_sets, load, load_bundled
from detente.scenario.rename import all_ids, rename_ids

MINI = Path(__file__).with_name("mini-case.yaml")


@pytest.fixture(scope="module")
def mini():
    return load(MINI)


def test_structurally_inert_elements_change_no_run(mini):
    fast = element_effects(mini, month=12, runs=300, seed=4)
    full = element_effects(mini, month=12, runs=300, seed=4, verify=True)
    for a, b in zip(fast, full, strict=True):
        assert a.name == b.name
        if structural_reason(mini, a.kind, a.name):
            assert a.inert and b.change == a.change == dict.fromkeys(a.change, 0.0), a.name
        else:
            assert a.change == b.change
    names = {e.name: e for e in fast}
    # a driver the roles name and that moves the outlook is not inert
    assert not names["hardship"].inert and names["hardship"].size >= 0.005
    # the challenger can always engage: its engagement tool is inert, and says why
    assert (
        names["north/return"].inert and "always choose engagement" in names["north/return"].reason
    )


def test_every_iran_driver_and_tool_moves_the_outlook_or_is_flagged():
    s = load_bundled("iran-jcpoa-2021")
    effects = element_effects(s, month=12, runs=300, seed=1)
    assert {e.name for e in effects if e.kind == "driver"} == set(s.drivers)
    assert len([e for e in effects if e.kind == "tool"]) == sum(len(a.tools) for a in s.actors)
    for e in effects:
        assert e.inert == (e.size < 0.005)
        assert bool(e.reason) == e.inert
    assert any(not e.inert for e in effects)


def test_a_stored_summary_is_refused_for_another_scenario_or_code(tmp_path, monkeypatch):
    import detente.dynamics.verdicts as V

    s = load_bundled("us-dprk-2021")
    monkeypatch.setattr(V, "summary_path", lambda record: tmp_path / V.SUMMARY_FILE)
    settings = {"runs": 40, "seed": 3, "samples": ["test"]}
    save_summary({"settings": settings, "targets": {}}, "dprk", backtest_key(s, settings))
    assert load_summary("dprk", s).status == "current"
    # renaming every id keeps the key: it follows the case's structure, not its names
    ids = sorted(i for i in all_ids(s) if i not in s.parameters)
    renamed = rename_ids(s, {old: f"q{k:03d}" for k, old in enumerate(ids)})
    assert load_summary("dprk", renamed).status == "current"
    moved = apply_sets(s, [f"drivers.{next(iter(s.drivers))}=0.01"])
    assert load_summary("dprk", moved).status == "stale"
    # a summary without a key (written before keys) is stale too
    data = json.loads((tmp_path / "backtest.json").read_text())
    data.pop("key")
    (tmp_path / "backtest.json").write_text(json.dumps(data))
    assert load_summary("dprk", s).status == "stale"


def test_the_key_follows_the_code(monkeypatch):
    import detente.dynamics.verdicts as V

    s = load_bundled("us-dprk-2021")
    settings = {"runs": 40, "seed": 3}
    before = backtest_key(s, settings)
    files = V._code_files()
    assert any(f.name == "kernel.py" for f in files)
    original = Path.read_bytes

    def patched(self):
        data = original(self)
        return data + b"# changed" if self.name == "kernel.py" else data

    monkeypatch.setattr(Path, "read_bytes", patched)
    assert backtest_key(s, settings) != before
