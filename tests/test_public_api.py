import os
import stat

import detente
from detente.scenario import load_bundled
from detente.scenario.io import write_atomic


def test_all_has_no_duplicates_and_every_name_resolves():
    # (ruff's RUF022 keeps the list sorted)
    assert len(set(detente.__all__)) == len(detente.__all__)
    for name in detente.__all__:
        assert getattr(detente, name) is not None, name


def test_lazy_analyses_are_the_real_functions():
    from detente.analysis.diagnosis import diagnose
    from detente.dynamics import simulate

    assert detente.diagnose is diagnose
    assert detente.simulate is simulate


def test_top_level_api_runs_end_to_end_on_a_bundled_scenario():
    s = detente.load_bundled("ec-emissions-1994")
    f = detente.get_model("compromise").forecast(s)
    assert abs(f.outcome_for("emission_standards") - 7.389955686853767) < 1e-12


def test_atomic_writes_get_the_mode_a_plain_open_would(tmp_path):
    target = tmp_path / "out.yaml"
    from detente.scenario import dump_yaml

    write_atomic(target, dump_yaml(load_bundled("ec-emissions-1994")))
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
