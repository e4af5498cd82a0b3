"""The actor-issue table (XLSX and its CSV form): round trips against YAML, located errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from detente.cli import app
from detente.errors import ScenarioError
from detente.scenario import load, resolve, save
from detente.scenario.formats.table import SHEETS

ROOT = Path(__file__).resolve().parents[1]
STEEL = str(ROOT / "examples" / "steel-dispute.yaml")
runner = CliRunner()


@pytest.mark.parametrize(
    "name",
    [
        "us-dprk-2021",
        STEEL,
        "iran-jcpoa-2021",
        "ec-emissions-1994",
        str(ROOT / "examples" / "water-sharing.csv"),
    ],
    ids=["flagship", "steel", "iran", "ec", "bdm-table"],
)
@pytest.mark.parametrize("ext", ["xlsx", "csv"])
def test_yaml_to_table_and_back_is_the_same_scenario(tmp_path: Path, name: str, ext: str) -> None:
    s = resolve(name)
    target = tmp_path / f"case.{ext}"
    used = save(s, target, fmt=None if ext == "xlsx" else "table-csv")
    assert used == ("xlsx" if ext == "xlsx" else "table-csv")
    back = load(target)
    assert back == s
    # every number kept its range and its provenance
    assert [(p, q.low, q.high, q.provenance) for p, q in back.quantities()] == [
        (p, q.low, q.high, q.provenance) for p, q in s.quantities()
    ]


def test_convert_round_trip_through_the_command_line(tmp_path: Path) -> None:
    xlsx, yaml_back = tmp_path / "my-case.xlsx", tmp_path / "my-case.yaml"
    r = runner.invoke(app, ["convert", STEEL, str(xlsx)])
    assert r.exit_code == 0, r.output
    assert "wrote" in r.output and "no place for" not in r.output
    r = runner.invoke(app, ["convert", str(xlsx), str(yaml_back)])
    assert r.exit_code == 0, r.output
    assert resolve(str(yaml_back)) == resolve(STEEL)
    wb = load_workbook(xlsx, read_only=True)
    assert wb.sheetnames == list(SHEETS)
    header = next(wb["stances"].iter_rows(values_only=True))
    assert header[:5] == ("actor", "issue", "position", "position low", "position high")


def test_the_csv_form_is_found_by_its_content(tmp_path: Path) -> None:
    target = tmp_path / "case.csv"
    r = runner.invoke(app, ["convert", STEEL, str(target), "--to", "table-csv"])
    assert r.exit_code == 0, r.output
    assert target.read_text().startswith("#sheet about\n")
    r = runner.invoke(app, ["validate", str(target)])
    assert r.exit_code == 0 and r.output.startswith("ok"), r.output


def test_a_table_edited_in_a_spreadsheet_is_read(tmp_path: Path) -> None:
    """An analyst changes a salience and adds an actor's stance row; the scenario follows."""
    xlsx = tmp_path / "steel.xlsx"
    save(resolve(STEEL), xlsx)
    wb = load_workbook(xlsx)
    ws = wb["stances"]
    header = [c.value for c in ws[1]]
    col = header.index("salience") + 1
    actor, issue = ws.cell(2, 1).value, ws.cell(2, 2).value
    old = resolve(STEEL).actor(actor).stances[issue].salience
    ws.cell(2, col).value = old.low
    wb.save(xlsx)
    assert load(xlsx).actor(actor).stances[issue].salience.value == old.low


def _broken(tmp_path: Path) -> Path:
    xlsx = tmp_path / "bad.xlsx"
    save(resolve(STEEL), xlsx)
    wb = load_workbook(xlsx)
    wb["stances"]["C3"] = "lots"
    wb["actors"]["D2"] = "maybe"
    wb["red lines"]["C2"] = ">>"
    wb["stances"]["J4"] = 7  # salience 7 outside its range
    wb.save(xlsx)
    return xlsx


def test_every_problem_of_a_bad_workbook_is_located_by_sheet_row_and_column(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load(_broken(tmp_path))
    lines = info.value.lines()
    assert len(lines) == 4, lines
    assert any(
        "sheet 'stances', row 3, column 'position': expected a number, got 'lots'" in x
        for x in lines
    )
    assert any("sheet 'actors', row 2, column 'veto'" in x for x in lines)
    assert any("sheet 'red lines', row 2, column 'op'" in x for x in lines)
    assert any("sheet 'stances', row 4, column 'salience'" in x and "7" in x for x in lines)


def test_convert_refuses_a_bad_workbook_with_status_2_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    r = runner.invoke(app, ["convert", str(_broken(tmp_path)), str(target)])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "row 3, column 'position'" in r.output
    assert not target.exists()


def test_not_a_workbook_and_unknown_sheets_are_refused(tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("actor,issue\n")
    r = runner.invoke(app, ["validate", str(fake)])
    assert r.exit_code == 2 and "not an XLSX workbook" in r.output
    xlsx = tmp_path / "extra.xlsx"
    save(resolve(STEEL), xlsx)
    wb = load_workbook(xlsx)
    wb.create_sheet("notes")
    wb.save(xlsx)
    r = runner.invoke(app, ["validate", str(xlsx)])
    assert r.exit_code == 2 and "unknown sheet 'notes'" in r.output


def test_csv_errors_name_the_line_and_column(tmp_path: Path) -> None:
    target = tmp_path / "case.csv"
    save(resolve(STEEL), target, fmt="table-csv")
    lines = target.read_text().splitlines()
    k = next(i for i, x in enumerate(lines) if x.startswith("#sheet actors")) + 2
    cells = lines[k].split(",")
    cells[3] = "perhaps"
    lines[k] = ",".join(cells)
    target.write_text("\n".join(lines) + "\n")
    with pytest.raises(ScenarioError) as info:
        load(target)
    assert f"case.csv:{k + 1} sheet 'actors', column 'veto'" in str(info.value)


def test_labels_that_look_like_formulas_stay_text(tmp_path: Path) -> None:
    s = resolve(STEEL)
    data = s.model_dump(mode="json")
    data["actors"][0]["label"] = "=HYPERLINK(1)"
    data["meta"]["title"] = "-minus"
    from detente.scenario.io import scenario_from_data

    odd = scenario_from_data(data, "x")
    for fmt, name in (("xlsx", "odd.xlsx"), ("table-csv", "odd.csv")):
        save(odd, tmp_path / name, fmt=fmt)
        assert load(tmp_path / name) == odd
    wb = load_workbook(tmp_path / "odd.xlsx")
    assert wb["actors"]["B2"].data_type == "s"
