"""The report's "what drives it" on a case that is not the flagship: computed with the run's
changes, rendered in HTML with the sentence, the bar chart and the table (in the terminal: the
sentence and the command), and its command line gives the same numbers; a zone that never
varies says so without an empty table or chart."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from detente.cli import app
from detente.pipeline import run
from detente.report import render_html
from detente.scenario import apply_sets, resolve

STEEL = Path(__file__).resolve().parents[2] / "examples" / "steel-dispute.yaml"
SIZES = {"draws": 20, "runs": 10, "months": 3}


def _section(html: str) -> str:
    start = html.index('id="drivers"')
    return html[start : html.index("</section>", start)]


def test_the_section_has_words_chart_table_and_a_command_that_gives_its_numbers():
    sets = ["importer.red_lines.tariff=28"]
    s = apply_sets(resolve(str(STEEL)), sets)
    report = run(s, what_ifs=("steel-glut",), sets=sets, source=str(STEEL), seed=7, **SIZES)
    d = report.diagnosis["what_drives"]
    assert d["variance"] > 0 and d["method"] == "sobol"
    section = _section(render_html(report))
    assert d["words"].replace("'", "&#39;") in section
    # the chart: an inline SVG whose ids are prefixed (no clash with the report's figures)
    svg = re.search(r'<figure id="fig-drivers">\s*<svg.*?</svg>', section, flags=re.S)
    assert svg is not None and 'id="fig-drivers-' in svg.group(0)
    # the table: the inputs whose total index is above 0.005, at most 8, largest first
    shown = [r for r in d["inputs"] if r["total"] and r["total"] > 0.005][:8]
    rows = re.findall(r"<tr><td>(.*?)</td>", section)
    assert [r.replace("&#39;", "'") for r in rows] == [r["label"] for r in shown]
    assert f"{shown[0]['total']:.2f}" in section
    # the command names the file, the run's --set and --what-if and the seed, and reproduces
    command = d["command"]
    assert command.startswith(f"detente sensitivity {STEEL} --quantity zone.p_open")
    assert "--set importer.red_lines.tariff=28" in command
    assert "--what-if steel-glut" in command and "--seed 7" in command
    # the terminal report carries the sentence and the command
    from rich.console import Console

    from detente.report.terminal import render_terminal

    console = Console(record=True, width=400)
    render_terminal(report, console)
    text = console.export_text()
    assert f"What drives it: {d['words']}" in text and command in text
    args = shlex.split(command)[1:]
    res = CliRunner().invoke(app, [*args, "--json", "--executor", "inline", "--quiet"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == {k: v for k, v in d.items() if k != "command"}


def test_a_zone_that_never_varies_says_so_without_an_empty_table():
    sets = ["importer.red_lines.tariff=none", "exporter.red_lines.tariff=none"]
    s = apply_sets(resolve(str(STEEL)), sets)
    report = run(s, sets=sets, source=str(STEEL), **SIZES)
    d = report.diagnosis["what_drives"]
    assert d["variance"] == 0
    section = _section(render_html(report))
    assert "does not vary over the inputs" in section
    assert "<table>" not in section and "fig-drivers" not in section
