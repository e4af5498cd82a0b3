import numpy as np
import pytest

from detente.errors import ScenarioError, UnknownPathError
from detente.scenario import dump_yaml, load_bundled, read_yaml
from detente.scenario.arrays import ScenarioArrays
from detente.scenario.schema import Quantity


def test_bundled_ec_scenario_loads_with_provenance_for_every_number():
    s = load_bundled("ec-emissions-1994")
    assert s.n_actors == 10
    assert s.unsourced() == []


def test_to_arrays_shapes_and_salience_scale():
    a = load_bundled("ec-emissions-1994").to_arrays()
    assert a.positions.shape == (10, 1)
    assert a.saliences.max() <= 1
    assert a.capabilities.shape == (10,)


def test_sample_keeps_certain_numbers_fixed_and_is_reproducible():
    s = load_bundled("ec-emissions-1994")
    b1 = s.sample(50, seed=3)
    b2 = s.sample(50, seed=3)
    assert b1.positions.shape == (50, 10, 1)
    np.testing.assert_array_equal(b1.positions, b2.positions)
    np.testing.assert_array_equal(b1.positions[0], s.to_arrays().positions)


def test_sampled_uncertain_value_stays_in_range():
    s = load_bundled("ec-emissions-1994").with_value("belgium.emission_standards.position", 6)
    yaml_text = dump_yaml(s).replace("value: 6\n", "value: 6\n")
    s2 = read_yaml(yaml_text)
    data = s2.model_dump()
    data["actors"][1]["stances"]["emission_standards"]["position"] = {
        "value": 6,
        "range": [5, 8],
        "judgement": "test",
    }
    s3 = type(s2).model_validate(data)
    draws = s3.sample(2000, seed=1).positions[:, 1, 0]
    assert draws.min() >= 5 and draws.max() <= 8
    assert 5.9 < np.median(draws) < 6.8


def test_yaml_round_trip_keeps_everything():
    s = load_bundled("ec-emissions-1994")
    assert read_yaml(dump_yaml(s)) == s


def test_what_if_changes_value_and_rejects_unknown_path_with_hint():
    s = load_bundled("ec-emissions-1994")
    s2 = s.with_value("belgium.emission_standards.position", 5)
    assert s2.actor("belgium").stances["emission_standards"].position.value == 5
    assert s.actor("belgium").stances["emission_standards"].position.value == 7
    with pytest.raises(UnknownPathError, match="did you mean"):
        s.with_value("belgum.emission_standards.position", 5)


def test_position_outside_scale_is_reported_with_line():
    s = load_bundled("ec-emissions-1994")
    text = dump_yaml(s).replace("value: 4\n", "value: 40\n", 1)
    with pytest.raises(ScenarioError) as exc:
        read_yaml(text, "bad.yaml")
    lines = exc.value.lines()
    assert any("bad.yaml:" in line and "scale" in line for line in lines)


def test_cli_error_lines_are_printed_verbatim_even_with_markup_like_text():
    from typer.testing import CliRunner

    from detente.cli import app

    result = CliRunner().invoke(app, ["show", "ec-emissions-1994", "--set", "[bold]x.y=1"])
    assert result.exit_code == 2
    assert "[bold]x.y" in result.output
    assert "Traceback" not in result.output


def test_take_selects_draws_of_a_batch_consistently():
    s = load_bundled("us-dprk-2021")
    b = s.sample(20, seed=5)
    sub = b.take(np.array([3, 7]))
    assert sub.n_draws == 2
    np.testing.assert_array_equal(sub.positions, b.positions[[3, 7]])
    np.testing.assert_array_equal(sub.red_low, b.red_low[[3, 7]])
    for k in b.drivers:
        np.testing.assert_array_equal(sub.drivers[k], b.drivers[k][[3, 7]])
    with pytest.raises(ValueError, match="single scenario"):
        s.to_arrays().take(np.array([0]))


def test_a_bare_nan_is_reported_once_with_its_line():
    text = (
        "meta: {id: x, title: t}\n"
        "issues: [{id: a, label: A}]\n"
        "actors: [{id: b, label: B, capability: 1, stances: {a: {position: 40, salience: .nan}}}]\n"
    )
    with pytest.raises(ScenarioError) as exc:
        read_yaml(text, "nan.yaml")
    lines = exc.value.lines()
    assert len(lines) == 1
    assert lines[0].startswith("nan.yaml:3 actors.b.stances.a.salience")
    assert "finite" in lines[0]


def test_a_stance_priority_is_refused_with_one_located_message(tmp_path):
    """Issue 19: ``priority`` was a red line under another name; the schema refuses it and
    says to write a red line instead (one message, located, exit status 2)."""
    from typer.testing import CliRunner

    from detente.cli import app

    f = tmp_path / "p.yaml"
    f.write_text(
        "meta: {id: t, title: t}\n"
        "issues: [{id: x, label: x}]\n"
        "actors:\n"
        "- id: a\n"
        "  label: a\n"
        "  capability: 1\n"
        "  veto: true\n"
        "  stances:\n"
        "    x: {position: 10, salience: 1, priority: 40}\n"
        "- {id: b, label: b, capability: 1, veto: true, stances: {x: {position: 90, salience: 1}}}\n"
        "status_quo: {x: 50}\n"
    )
    res = CliRunner().invoke(app, ["validate", str(f)])
    assert res.exit_code == 2
    out = res.output
    assert "Traceback" not in out
    assert out.count("'priority' is not a stance field") == 1
    assert "actors.a.stances.x" in out and "red_lines" in out


def test_a_priority_path_in_set_points_to_the_red_line():
    from detente.errors import UnknownPathError
    from detente.scenario import load_bundled
    from detente.scenario.whatif import apply_sets

    with pytest.raises(UnknownPathError, match=r"set dprk\.red_lines\.denuclearization instead"):
        apply_sets(load_bundled("us-dprk-2021"), ["dprk.denuclearization.priority=40"])


def _two_drivers_with(s, first, second):
    d = dict(s.drivers)
    (a, da), (b, db) = list(d.items())[:2]
    d[a] = da.model_copy(update={"value": first})
    d[b] = db.model_copy(update={"value": second})
    return s.model_copy(update={"drivers": d}), (a, b)


def test_one_quantity_object_at_two_paths_draws_them_independently():
    # library code that shares one Quantity between two paths (model_copy(update=...)) must
    # get the draws of two separate equal numbers: draws are keyed by path, not by object
    base = load_bundled("us-dprk-2021")
    q = Quantity(value=0.5, low=0.2, high=0.8)
    shared, (a, b) = _two_drivers_with(base, q, q)
    separate, _ = _two_drivers_with(base, q, q.model_copy())
    assert shared.drivers[a].value is shared.drivers[b].value
    assert separate.drivers[a].value is not separate.drivers[b].value
    ds, dp = shared.sample(400, seed=11), separate.sample(400, seed=11)
    assert abs(np.corrcoef(ds.drivers[a], ds.drivers[b])[0, 1]) < 0.2
    for k in ds.drivers:
        np.testing.assert_array_equal(ds.drivers[k], dp.drivers[k])
    np.testing.assert_array_equal(ds.positions, dp.positions)
    # a designed experiment that varies only one of the two paths moves only that one
    u = {f"drivers.{a}": np.linspace(0.05, 0.95, 7)}
    es = ScenarioArrays.from_uniforms(shared, u)
    ep = ScenarioArrays.from_uniforms(separate, u)
    np.testing.assert_array_equal(es.drivers[b], np.full(7, 0.5))
    for k in es.drivers:
        np.testing.assert_array_equal(es.drivers[k], ep.drivers[k])
