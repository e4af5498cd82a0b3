"""The workbench in a real headless Chromium (Debian's), driven over WebDriver (selenium).

Opens the flagship, removes the US red line on denuclearization, sees the zone of agreement
open and the levers change, compares with the baseline, and downloads the HTML report of the
what-if run. Skipped with a message when Chromium or its driver is absent (``make
browser-deps`` installs them). A screenshot is saved under ``test-artifacts/``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import console_errors, wait_for

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def server(live_server: str) -> str:
    """The workbench on a temporary store (``live_server`` in conftest)."""
    return live_server


@pytest.fixture(scope="module")
def driver(chromium: Any) -> Iterator[Any]:
    with chromium(width=1400, logs=("browser",)) as drv:
        yield drv


def _wait(drv: Any, script: str, timeout: float = 300) -> Any:
    """Poll a JavaScript expression until it is truthy; returns its value."""
    return wait_for(
        drv,
        script,
        timeout=timeout,
        page="['status', 'changes', 'job-step', 'zone-baseline', 'zone-whatif', 'runs']"
        ".map(id => id + ': ' + document.getElementById(id).innerText).join('\\n')"
        " + '\\nruns: ' + state.baselineRun + ' ' + state.whatifRun + ' job ' + state.job",
    )


def test_remove_a_red_line_see_the_zone_open_compare_and_download(
    server: str, driver: Any, tmp_path: Path
) -> None:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.get(server + "/")
    # the flagship opens with its zone closed, the baseline recorded by a background job
    _wait(driver, "document.querySelector('#zone-baseline .verdict')")
    assert (
        driver.execute_script("return document.getElementById('scenario-select').value")
        == "us-dprk-2021"
    )
    # read in one script: the panel may be redrawn between two WebDriver calls
    state = _wait(
        driver,
        "(() => { const v = document.querySelector('#zone-baseline .verdict');"
        " return v && [v.getAttribute('data-open'), v.textContent]; })()",
    )
    assert state[0] == "false" and "closed" in state[1]
    _wait(driver, "document.getElementById('job-step').textContent.includes('baseline: done')")
    levers_before = driver.find_element("id", "levers-whatif").text
    # remove the US red line on denuclearization
    box = driver.find_element("id", "rl-usa.red_lines.denuclearization")
    t0 = time.monotonic()
    box.click()
    _wait(driver, "document.querySelector('#zone-whatif .verdict[data-open=\"true\"]')")
    seconds = time.monotonic() - t0
    assert "open" in driver.find_element("css selector", "#zone-whatif .verdict").text
    assert "usa.red_lines.denuclearization=none" in driver.find_element("id", "changes").text
    # the levers changed, and the changes are highlighted against the baseline
    assert driver.find_element("id", "levers-whatif").text != levers_before
    assert driver.find_elements("css selector", "#levers-whatif tr.changed")
    assert (
        driver.find_element("css selector", "#zone-baseline .verdict").get_attribute("data-open")
        == "false"
    )
    # the models' forecasts are drawn (plotly from the server) and the job records the run
    _wait(driver, "document.querySelector('#forecast-plot .main-svg')")
    _wait(driver, "document.getElementById('job-step').textContent.includes('what-if: done')")
    # compare with the baseline
    driver.find_element("id", "compare").click()
    diff = _wait(
        driver,
        "document.getElementById('diff').innerText.includes('zone.zone_nonempty') && document.getElementById('diff').innerText",
    )
    assert "usa.red_lines.denuclearization=none" in diff
    # download the HTML report of the what-if run (the newest run)
    _wait(driver, "document.querySelectorAll('#runs tbody tr').length >= 2")
    link = driver.find_element("css selector", "#runs tbody tr:first-child a.download-html")
    run_id = link.get_attribute("data-run")
    link.click()
    target = downloads / f"detente-run-{run_id}.html"
    t1 = time.monotonic()
    while not target.exists():
        assert time.monotonic() - t1 < 300, f"no download in {list(downloads.iterdir())}"
        time.sleep(0.2)
    html = target.read_text(encoding="utf-8")
    assert (
        html.lstrip().lower().startswith("<!doctype html")
        and "usa.red_lines.denuclearization=none" in html
    )
    errors = console_errors(driver)
    assert errors == [], f"console errors: {errors}"
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "serve-what-if.png"))
    # reopen the baseline run: its inputs come back, the zone closes again
    driver.find_element("css selector", "#runs tbody tr:last-child button.reopen").click()
    _wait(driver, "document.getElementById('changes').textContent.startsWith('No changes')")
    _wait(driver, "document.querySelector('#zone-whatif .verdict[data-open=\"false\"]')")
    assert driver.find_element("id", "rl-usa.red_lines.denuclearization").is_selected()
    print(f"zone opened in the page {seconds:.2f} s after the click")
