"""Issue 14: every input, every command -- one located message and exit 2 (or it works), no
traceback, within 3 s, and no file left behind.

Most cases run in-process through typer's CliRunner on a small two-state river scenario
(not the flagship); the cases that need a real process (a FIFO, a signal) use one.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from detente.cli import app

runner = CliRunner()
SRC = Path(__file__).resolve().parents[2] / "src"

RIVER = textwrap.dedent(
    """\
    meta:
      id: river
      title: Two riparian states share a river (test scenario)
    issues:
      - {id: allocation, label: Share of the flow to the upstream state, low: 0, high: 100}
      - {id: fees, label: Transit fees, low: 0, high: 10}
    status_quo:
      allocation: {value: 50, low: 40, high: 60}
      fees: 5
    actors:
      - id: upstream
        label: Upstream state
        capability: {value: 1, low: 0.8, high: 1.2}
        veto: true
        red_lines: {allocation: '>= 40'}
        stances:
          allocation: {position: 80, salience: 0.9}
          fees: {position: 8, salience: 0.3}
      - id: downstream
        label: Downstream state
        capability: 0.7
        veto: true
        stances:
          allocation: {position: 20, salience: 0.8}
          fees: {position: 2, salience: 0.6}
      - id: lender
        label: Development bank
        capability: 0.3
        stances:
          allocation: {position: 50, salience: 0.2}
    """
)

TINY = ["--draws", "2", "--runs", "1", "--months", "1"]


@pytest.fixture
def river(tmp_path: Path) -> Path:
    p = tmp_path / "river.yaml"
    p.write_text(RIVER)
    return p


def invoke(*args: object, limit: float = 3.0):
    start = time.perf_counter()
    r = runner.invoke(app, [str(a) for a in args])
    elapsed = time.perf_counter() - start
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert elapsed < limit, f"took {elapsed:.1f} s"
    return r


def refused(*args: object, must: tuple[str, ...] = (), limit: float = 3.0):
    """The command exits 2 with one message naming ``must``, no traceback, in time."""
    r = invoke(*args, limit=limit)
    assert r.exit_code == 2, r.output
    text = " ".join(r.output.split())  # rich may wrap the usage box
    for fragment in must:
        assert fragment in text, (fragment, r.output)
    return r


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


# ------------------------------------------------------------------ --set out of bounds
SETS = [
    ("upstream.allocation.position=400", "within the scale of allocation"),
    ("upstream.capability=-1", "capability must be >= 0"),
    ("upstream.allocation.salience=5", "salience value must be in [0, 1]"),
    ("upstream.red_lines.allocation=500", "red line bound value"),
    ("status_quo.fees=-3", "status quo value must be within the scale of fees"),
]


@pytest.mark.parametrize("command", ["show", "diagnose", "run", "claims", "forecast"])
@pytest.mark.parametrize(("assignment", "message"), SETS)
def test_set_out_of_bounds_names_the_path_typed(river, command, assignment, message):
    path = assignment.split("=")[0]
    r = refused(command, river, "--set", assignment, must=(f"--set {path}", message))
    assert "actors.0" not in r.output and "status_quo.fees.value" not in r.output


def test_set_out_of_bounds_on_a_driver_names_the_path_typed():
    refused(
        "show",
        "us-dprk-2021",
        "--set",
        "drivers.economic_distress=9",
        must=("--set drivers.economic_distress", "within [0, 1]"),
    )


# ------------------------------------------------------------------ argument limits
@pytest.mark.parametrize(
    "args",
    [
        ["run", "--seed", "-1"],
        ["simulate", "--seed", "-1"],
        ["diagnose", "--seed", "-1"],
        ["claims", "--seed", "-1"],
        ["forecast", "--seed", "-1"],
        ["run", "--seed", str(2**32)],
        ["run", "--draws", "1000000000"],
        ["diagnose", "--draws", "1000000000"],
        ["claims", "--draws", "1000000000"],
        ["run", "--runs", "1000000000"],
        ["simulate", "--runs", "1000000000"],
        ["forecast", "--rounds", "1000000000"],
        ["simulate", "--months", "1000000000"],
        ["run", "--months", "1000000000"],
    ],
)
def test_argument_limits_are_stated_before_any_work(river, args):
    command, option, value = args
    refused(command, river, option, value, must=(option, "Invalid value"))


@pytest.mark.parametrize("command", [["backtest", "dynamics"], ["backtest", "outcomes"]])
def test_the_backtests_use_the_same_seed_limits(river, command):
    refused(*command, river, "--seed", "-1", must=("--seed", "Invalid value"))


def test_the_limits_table_drives_the_help():
    from detente.cli._limits import LIMITS

    r = invoke("run", "--help")
    text = " ".join(r.output.split())
    assert f"From 2 to {LIMITS['--draws'][1]:,}" in text
    assert f"From 0 to {LIMITS['--seed'][1]:,}" in text


# ------------------------------------------------------------------ output targets
def test_outputs_that_cannot_be_written_are_refused_before_the_work(river, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    before = files_in(tmp_path)
    refused("run", river, "--html", folder, must=("--html", "is a folder"))
    refused("run", river, "--json", "/proc/x.json", must=("--json /proc/x.json", "/proc"))
    refused("run", river, "--html", tmp_path / "missing" / "r.html", must=("does not exist",))
    refused("convert", river, "/proc/x.yaml", must=("/proc",))
    refused("simulate", river, "--plot", tmp_path / "missing" / "f.png", must=("--plot",))
    refused("simulate", river, "--plot", "/proc/f.png", must=("/proc",))
    refused("diagnose", river, "--plot", folder / "", must=("--plot",))
    assert files_in(tmp_path) == before and not list(folder.iterdir())


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_device_is_never_replaced_by_a_regular_file(river):
    refused("run", river, "--html", "/dev/full", must=("not a regular file",))
    refused("run", river, "--json", "/dev/null", must=("not a regular file",))
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_fifo_target_is_refused(river, tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    refused("run", river, "--json", fifo, must=("not a regular file",))
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_symlink_is_written_through(river, tmp_path):
    real = tmp_path / "real.yaml"
    real.write_text("old\n")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    r = invoke("convert", river, link)
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and "river" in real.read_text()


def test_two_outputs_naming_one_file_are_refused(river, tmp_path):
    same = tmp_path / "same.out"
    refused("run", river, "--html", same, "--json", same, must=("is also the file of --html",))
    assert not same.exists()


def test_convert_refuses_to_overwrite_its_input(river):
    before = river.read_text()
    refused("convert", river, river, must=("is the input",))
    assert river.read_text() == before


def test_a_failed_write_is_an_error_and_leaves_no_file(river, tmp_path, monkeypatch):
    import detente._outputs as outputs

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outputs.os, "fsync", full)
    before = files_in(tmp_path)
    refused("convert", river, tmp_path / "copy.yaml", must=("No space left on device",))
    assert files_in(tmp_path) == before


def test_sigterm_mid_write_leaves_no_part_file(tmp_path):
    target = tmp_path / "out.json"
    script = textwrap.dedent(
        f"""
        import sys, time
        from detente._outputs import atomic_path, install_signal_handlers
        install_signal_handlers()
        with atomic_path({str(target)!r}) as tmp:
            tmp.write_text("half")
            print("writing", flush=True)
            time.sleep(30)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env
    ) as proc:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
        proc.terminate()
        assert proc.wait(timeout=10) != 0
    assert list(tmp_path.iterdir()) == []


def test_run_quiet_with_nothing_to_write_is_refused_at_once(river):
    refused("run", river, "--quiet", must=("--quiet",), limit=1.5)


# ------------------------------------------------------------------ inputs
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_devices_are_not_read(device):
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    refused("validate", device, must=("not a regular file",))


def test_a_fifo_is_never_opened(tmp_path):
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    out = subprocess.run(
        [sys.executable, "-c", "from detente.cli import main; main()", "validate", str(fifo)],
        capture_output=True,
        text=True,
        timeout=20,
        env=env,
    )
    # validate prints its findings on standard output
    assert out.returncode == 2 and "not a regular file" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_an_unreadable_file_is_a_located_message(river, monkeypatch):
    import detente.scenario.io as scenario_io

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(scenario_io, "open", denied, raising=False)
    refused("validate", river, must=(f"{river}: permission denied",))


def test_yaml_alias_cycles_and_bombs_are_refused(tmp_path):
    cycle = tmp_path / "cycle.yaml"
    cycle.write_text("meta: &m\n  id: x\n  self: *m\nissues: []\nactors: []\n")
    refused("validate", cycle, must=("aliases form a cycle",))
    bomb = tmp_path / "bomb.yaml"
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 10) + "]" for k in range(1, 9)]
    bomb.write_text("\n".join(lines) + "\n")
    refused("validate", bomb, must=("expands to more than",))


def test_yaml_gets_the_actor_limit_of_every_format(tmp_path):
    big = tmp_path / "big.yaml"
    head = (
        "meta: {id: big, title: big}\nissues:\n  - {id: i1, label: I, low: 0, high: 100}\nactors:\n"
    )
    rows = "".join(
        f"  - {{id: a{k}, label: A, capability: 1, stances: {{i1: {{position: 5, salience: 0.5}}}}}}\n"
        for k in range(10_001)
    )
    big.write_text(head + rows)
    refused("validate", big, must=("more than the 5,000 actors",))


def test_a_huge_label_is_refused(tmp_path):
    f = tmp_path / "label.yaml"
    f.write_text(RIVER.replace("label: Upstream state", "label: " + "x" * 5_000_000))
    refused("validate", f, must=("a label of 5,000,000 characters",))


def test_a_salience_above_one_in_a_zero_to_one_table_is_located(tmp_path):
    f = tmp_path / "table.csv"
    f.write_text("Actor,Capability,Position,Salience\nA,1,10,0.5\nB,2,50,1.5\nC,1,90,0.7\n")
    refused("validate", f, must=(f"{f}:3", "salience 1.5 is above 1"))


def test_validate_reports_every_problem_at_once_with_did_you_mean(tmp_path):
    f = tmp_path / "three.yaml"
    text = RIVER.replace("capability: 0.7", "capabilty: 0.7")
    text = text.replace("capability: 0.3", "capability: -1")
    text = text.replace("fees: 5", "fees: 50")
    f.write_text(text)
    r = refused("validate", f, must=("did you mean 'capability'?", "capability must be >= 0"))
    assert "status_quo.fees" in r.output
    assert "missing field" not in r.output  # the misspelt key is one problem, not two


# ------------------------------------------------------------------ printed user strings
HOSTILE = (
    RIVER.replace("label: Upstream state", 'label: "Up [/] [bold]x \\e]0;pwned\\a"')
    .replace("label: Development bank", 'label: "=HYPERLINK(\\"http://x\\")"')
    .replace("high: 10}", 'high: 10, anchors: {0: "free [/] passage [red]"}}')
)


def test_markup_and_escape_sequences_in_labels_are_printed_harmlessly(tmp_path):
    f = tmp_path / "hostile.yaml"
    f.write_text(HOSTILE)
    r = invoke("show", f)
    assert r.exit_code == 0, r.output
    assert "Up [/] [bold]x" in r.output and "free [/] passage [red]" in r.output
    assert "\x1b" not in r.output and "\x07" not in r.output
    r = invoke("run", f, *TINY, limit=20)
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.output and "\x07" not in r.output


def test_csv_cells_that_look_like_formulas_are_neutralised(tmp_path):
    f = tmp_path / "hostile.yaml"
    f.write_text(HOSTILE)
    out = tmp_path / "out.csv"
    r = invoke("convert", f, out, "--to", "ktab-csv", "--rescale")
    assert r.exit_code == 0, r.output
    cells = [c for line in out.read_text().splitlines() for c in line.split(",")]
    assert not any(c.lstrip('"').startswith("=") for c in cells)
    assert any(c.lstrip('"').startswith("'=HYPERLINK") for c in cells)


def test_numbers_read_as_people_read_them():
    from detente.report import text as T

    assert T.pct(0.002) == "<1%" and T.pct(0.0) == "0%" and T.pct(0.999) == ">99%"
    assert T.pct(0.005) == "<1%" and T.pct(0.995) == ">99%" and T.pct(0.01) == "1%"
    assert T.span(-2.98, -2.01) == "-2.98 to -2.01"


# ------------------------------------------------------------------ what-ifs
def test_two_what_ifs_are_both_applied_in_order():
    steel = Path(__file__).resolve().parents[2] / "examples" / "steel-dispute.yaml"
    r = invoke(
        "simulate",
        steel,
        "--what-if",
        "steel-glut",
        "--what-if",
        "importer-cuts-tariff-demand",
        "--runs",
        "20",
        "--months",
        "3",
        "--json",
        limit=20,
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["what_if"] == "steel-glut + importer-cuts-tariff-demand"


@pytest.mark.parametrize(
    "what_if",
    [
        "us-waters-down",
        "reframe-without-denuclearization",
        "partial-for-relief",
        "economic-collapse",
        "leadership-change-washington",
    ],
)
def test_another_cases_what_if_is_refused_with_one_message(river, what_if):
    # the river declares no what-ifs: the flagship's are never borrowed
    r = invoke("run", river, "--what-if", what_if, *TINY, "--json", "-", limit=20)
    assert r.exit_code == 2, r.output
    text = " ".join(r.output.split())
    assert f"unknown what-if '{what_if}'" in text and "declares no what-ifs" in text


# ------------------------------------------------------------------ the command line itself
def test_version_and_an_ordered_help_without_type_noise():
    from detente import __version__

    r = invoke("--version")
    assert r.exit_code == 0 and r.output.strip() == f"detente {__version__}"
    r = invoke("--help")
    assert "<bool>" not in r.output and "<str>" not in r.output
    found = [m.group(1) for m in re.finditer(r"│ (\w+) {2,}", r.output)]
    commands = [c for c in found if c in ("run", "show", "validate", "convert", "diagnose")]
    assert commands == ["run", "show", "validate", "convert", "diagnose"]


def test_help_imports_nothing_heavy():
    probe = (
        "import sys\nfrom detente.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "print([m for m in ('numpy', 'scipy', 'pandas', 'matplotlib', 'pydantic') "
        "if m in sys.modules])"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    out = subprocess.run(
        [sys.executable, "-c", probe, "--help"], capture_output=True, text=True, env=env
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_run_defaults_agree_with_the_report():
    from detente.cli import run_cmd
    from detente.report import build

    for name in ("DEFAULT_DRAWS", "DEFAULT_RUNS", "DEFAULT_MONTHS", "DEFAULT_SEED"):
        assert getattr(run_cmd, name) == getattr(build, name), name


def test_run_at_80_columns_cuts_no_identifier():
    import io

    from detente._text import SafeConsole
    from detente.report import build_report, render_terminal
    from detente.report.scenario_view import render_scenario
    from detente.scenario import load_bundled

    s = load_bundled("us-dprk-2021")
    report = build_report(s, draws=20, runs=20, months=24, seed=3, source="us-dprk-2021")
    outputs = []
    for render in (lambda c: render_terminal(report, c), lambda c: render_scenario(s, c)):
        buf = io.StringIO()
        render(SafeConsole(file=buf, width=80, color_system=None))
        outputs.append(buf.getvalue())
    for out in outputs:
        assert "…" not in out
        assert max(len(line.rstrip()) for line in out.splitlines()) <= 80
        words = set(re.findall(r"[\w.\-]+", out))
        for ident in [*s.actor_ids, *s.issue_ids]:
            assert ident in words, ident
    levers = (report.diagnosis or {}).get("levers", [])
    assert levers
    for lv in levers[:3]:  # the named levers, whole
        assert lv["name"] in set(re.findall(r"[\w.\-]+", outputs[0])), lv["name"]


# ------------------------------------------------------------------ property: --set never crashes
_PATHS = st.one_of(
    st.sampled_from(
        [
            "upstream.allocation.position",
            "upstream.allocation.salience",
            "upstream.capability",
            "upstream.veto",
            "upstream.red_lines.allocation",
            "upstream.red_lines.fees",
            "lender.fees.position",
            "status_quo.allocation",
            "drivers.rain",
            "parameters.x",
            "nobody.capability",
        ]
    ),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz._=-0123456789 ", max_size=30),
)
_VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**12), 10**12).map(str),
    st.sampled_from(["none", ">= 30", "<= 500", "true", "maybe", "", "1e400", "-0"]),
    st.text(max_size=12),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(path=_PATHS, value=_VALUES)
def test_any_set_through_run_json_never_shows_a_traceback(river, path, value):
    r = runner.invoke(app, ["run", str(river), "--set", f"{path}={value}", *TINY, "--json", "-"])
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert r.exit_code in (0, 2), r.output
    if r.exit_code == 0:
        assert json.loads(r.stdout)["settings"]["sets"] == [f"{path}={value}"]


def test_subpackages_are_reachable_after_import_detente():
    import detente

    assert detente.report.build_report is detente.build_report
    assert detente.scenario.Scenario is detente.Scenario
    assert detente.models.MODELS is detente.MODELS


def test_simulate_writes_its_fan_chart_atomically(tmp_path):
    mini = Path(__file__).resolve().parents[1] / "dynamics" / "mini-case.yaml"
    out = tmp_path / "fan.svg"
    r = invoke("simulate", mini, "--runs", "20", "--months", "3", "--plot", out, limit=30)
    assert r.exit_code == 0, r.output
    assert out.read_text().lstrip().startswith("<?xml") and files_in(tmp_path) == {"fan.svg"}
