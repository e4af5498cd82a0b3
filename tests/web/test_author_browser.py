"""Case authoring in a real headless Chromium: a three-actor, two-issue case built from an empty
workbench, checked live, saved as YAML that ``detente validate`` accepts, and run at once.

Skipped with a message when Chromium or its driver is absent (``make browser-deps``).
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from detente.cli import app as cli_app
from detente.scenario import load

from .conftest import console_errors, wait_for

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def driver(chromium: Any) -> Any:
    with chromium(width=1400, logs=("browser",)) as drv:
        yield drv


def _wait(drv: Any, script: str, timeout: float = 120) -> Any:
    return wait_for(
        drv,
        script,
        timeout=timeout,
        page="document.getElementById('author-verdict').textContent + '\\n' + "
        "document.getElementById('author-problems').innerText + '\\n' + "
        "document.getElementById('problems').innerText",
    )


def _fill(drv: Any, selector: str, text: str) -> None:
    """Type into the field (found afresh: the form is redrawn after structural edits)."""
    from selenium.webdriver.common.keys import Keys

    box = drv.find_element("css selector", selector)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    box.send_keys(text, Keys.TAB)


def _click(drv: Any, selector: str) -> None:
    # into the middle of the editor first: the sticky bar (verdict, download, run) covers its top
    target = drv.find_element("css selector", selector)
    drv.execute_script("arguments[0].scrollIntoView({block: 'center'});", target)
    target.click()


def _quantity(drv: Any, label: str, value: str, low: str, high: str, why: str) -> None:
    _fill(drv, f'input[aria-label="{label}"]', value)
    _fill(drv, f'input[aria-label="{label} range low"]', low)
    _fill(drv, f'input[aria-label="{label} range high"]', high)
    _fill(drv, f'input[aria-label="{label} provenance"]', why)


def _verdict(drv: Any) -> str:
    # the check is debounced: wait for the answer to the last edit
    _wait(drv, "!document.getElementById('author-verdict').textContent.startsWith('checking')")
    return str(drv.find_element("id", "author-verdict").text)


def test_build_a_case_from_an_empty_workbench_save_validate_and_run(
    live_server: str, driver: Any, tmp_path: Path
) -> None:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.get(live_server + "/")
    _wait(driver, "document.querySelector('#zone-baseline .verdict')")
    _click(driver, "#new-case")
    _wait(driver, "!document.getElementById('author').hidden")
    # an empty case: validate's own messages, located
    assert "problem" in _verdict(driver)
    problems = driver.find_element("id", "author-problems").text
    assert "my-case.yaml:" in problems and "a scenario needs at least one issue" in problems
    _fill(driver, "#author-name", "border-talks")
    _fill(driver, "#author-id", "border-talks")
    _fill(driver, "#author-title", "Border talks between two states and a mediator")

    for _ in range(2):
        _click(driver, "#add-issue")
    for k, (iid, label) in enumerate((("border", "Border line"), ("trade", "Trade access"))):
        _fill(driver, f".issue-id[value='issue{k + 1}']", iid)
        _fill(driver, f"[data-field='issues.{iid}'] .issue-label", label)
    # scale anchors on the first issue
    driver.find_element("css selector", "[data-field='issues.border'] .anchors button.add").click()
    _fill(driver, 'input[aria-label="anchor label of border at 0"]', "the old line")
    driver.find_element("css selector", "[data-field='issues.border'] .anchors button.add").click()
    _fill(driver, 'input[aria-label="anchor label of border at 100"]', "the claimed line")

    actors = (("north", "North", True), ("south", "South", True), ("mediator", "Mediator", False))
    for _ in actors:
        _click(driver, "#add-actor")
    for k, (aid, label, veto) in enumerate(actors):
        _fill(driver, f".actor-id[value='actor{k + 1}']", aid)
        block = f"[data-field='actors.{aid}']"
        _fill(driver, f"{block} .actor-label", label)
        if veto:
            _click(driver, f"{block} .actor-veto")
        _quantity(driver, f"{aid} capability", "0.5", "0.3", "0.7", "comparable armies")
        for iid, pos in (("border", 20 + 30 * k), ("trade", 80 - 20 * k)):
            _quantity(
                driver,
                f"{aid} position on {iid}",
                str(pos),
                str(pos - 10 if pos >= 10 else 0),
                str(pos + 10),
                "stated aim",
            )
            _quantity(
                driver, f"{aid} salience on {iid}", "0.6", "0.4", "0.8", "how much it matters"
            )
    # a red line, refused first with validate's located message, then corrected
    _click(driver, "[data-field='actors.north'] details.red-lines summary")
    Select = pytest.importorskip("selenium.webdriver.support.select").Select
    Select(
        driver.find_element("css selector", 'select[aria-label="north red line on border"]')
    ).select_by_value("<=")
    _fill(driver, 'input[aria-label="north red line bound on border"]', "140")
    assert "problem" in _verdict(driver)
    inline = driver.find_element(
        "css selector", "[data-field='actors.north.red_lines.border'] .field-error"
    ).text
    assert "within the scale of border" in inline, driver.find_element("id", "author-problems").text
    assert "border-talks.yaml:" in driver.find_element("id", "author-problems").text
    _quantity(driver, "north red line bound on border", "40", "30", "50", "its parliament's vote")
    # the status quo on both issues
    for iid, v in (("border", "30"), ("trade", "50")):
        driver.find_element(
            "css selector", f"[data-field='status_quo.{iid}'] button.add-sq"
        ).click()
        _quantity(driver, f"status quo of {iid}", v, "", "", "the line today")
    # a named what-if and a claim
    _click(driver, "#add-what-if")
    _fill(
        driver,
        "[data-field='what_ifs.what-if1'] input[aria-label='label']",
        "North drops its red line",
    )
    _fill(driver, "[data-field='what_ifs.what-if1'] .change-path", "north.red_lines.border")
    _fill(driver, "[data-field='what_ifs.what-if1'] .change-to", "none")
    _click(driver, "#add-claim")
    _fill(
        driver,
        "[data-field='claims.claim1'] input[aria-label=\"the claim in the source's words\"]",
        "No deal is possible",
    )
    Select(
        driver.find_element("css selector", "[data-field='claims.claim1'] .claim-compare")
    ).select_by_value("==")
    _fill(driver, "[data-field='claims.claim1'] .claim-threshold", "0")

    verdict = _verdict(driver)
    assert verdict.startswith("valid: 3 actors, 2 issues, 2 veto players"), verdict
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "serve-author.png"))
    # save: the download is the YAML that was checked, and validate accepts it
    _click(driver, "#author-download")
    saved = downloads / "border-talks.yaml"
    t0 = time.monotonic()
    while not saved.exists():
        assert time.monotonic() - t0 < 60, f"no download in {list(downloads.iterdir())}"
        time.sleep(0.1)
    result = CliRunner().invoke(cli_app, ["validate", str(saved)])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output
    s = load(saved)
    assert s.actor_ids == ("north", "south", "mediator") and s.issue_ids == ("border", "trade")
    assert s.veto_players == ("north", "south")
    assert s.actor("north").red_lines["border"].bound.value == 40
    assert s.issue("border").anchors == {0.0: "the old line", 100.0: "the claimed line"}
    assert s.status_quo["trade"].value == 50 and s.claims[0].text == "No deal is possible"
    assert s.actor("south").stances["trade"].salience.provenance is not None
    # run it at once: the workbench opens it like an upload and computes its zone
    _click(driver, "#author-run")
    _wait(driver, "document.getElementById('scenario-select').value.startsWith('upload-')")
    _wait(driver, "document.querySelector('#zone-baseline .verdict')")
    assert driver.find_element("id", "scenario-title").text.startswith("Border talks")
    errors = console_errors(driver)
    assert errors == [], f"console errors: {errors}"
    driver.save_screenshot(str(ARTIFACTS / "serve-author-run.png"))


def test_edit_a_bundled_case_remove_an_actor_and_see_what_still_names_it(
    live_server: str, driver: Any
) -> None:
    """The Iran case (not the flagship) opened in the case editor reads as valid; removing
    Russia leaves the dynamics' roles naming it, which validate's message locates."""
    driver.get(live_server + "/")
    _wait(driver, "document.querySelector('#zone-baseline .verdict')")
    driver.execute_script(
        "const s = document.getElementById('scenario-select'); s.value = 'iran-jcpoa-2021';"
        " s.dispatchEvent(new Event('change'));"
    )
    _wait(driver, "document.getElementById('scenario-title').textContent.includes('Iran')")
    _click(driver, "#edit-case")
    _wait(driver, "!document.getElementById('author').hidden")
    assert _verdict(driver).startswith("valid: 7 actors, 6 issues, 2 veto players")
    assert "drivers" in driver.find_element("id", "author-form").text  # kept, not dropped
    _click(driver, 'button[aria-label="remove actor russia"]')
    verdict = _verdict(driver)
    problems = driver.find_element("id", "author-problems").text
    assert verdict.startswith("1 problem"), (verdict, problems)
    assert re.search(r"iran-jcpoa-2021\.yaml:\d+ roles\.patrons.*unknown actor 'russia'", problems)
    assert not driver.find_element("id", "author-run").is_enabled()
    assert "id: russia" not in driver.execute_script(
        "return document.getElementById('author-yaml').textContent"
    )
