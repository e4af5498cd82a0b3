"""The workbench's "what drives it" panel in a real headless Chromium, on the Iran case (not
the flagship) with an edited number: a small Morris job on an outlook probability runs as a
background job with progress, and the page shows the plain-words finding, the bar chart and
the table of mu* with intervals, the command line that reproduces it, and no console error.
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import console_errors
from .test_author_browser import ARTIFACTS, _wait
from .test_workbench_browser import _open_iran

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def driver(chromium: Any) -> Any:
    with chromium(width=1280, logs=("browser",)) as drv:
        yield drv


def _set(driver: Any, element_id: str, value: str) -> None:
    driver.execute_script(
        "const e = document.getElementById(arguments[0]); e.value = arguments[1];"
        " e.dispatchEvent(new Event('input')); e.dispatchEvent(new Event('change'));",
        element_id,
        value,
    )


def test_a_morris_job_shows_the_table_the_chart_and_the_words(
    live_server: str, driver: Any
) -> None:
    _open_iran(driver, live_server)
    # the quantities are the server's list for this case, grouped by kind
    _wait(driver, "document.querySelector('#sens-quantity option[value=\"outlook.talks@6\"]')")
    groups = driver.execute_script(
        "return [...document.querySelectorAll('#sens-quantity optgroup')].map(g => g.label)"
    )
    assert len(groups) == 4 and groups[0] == "Zone of agreement", groups
    # an edited case: the US salience of sanctions relief lowered (a what-if of the page)
    path = "usa.sanctions_relief.salience"
    box = driver.find_element("css selector", f'input[aria-label="{path}"]')
    box.clear()
    box.send_keys("0.5\n")
    _wait(driver, f"document.getElementById('changes').textContent.includes('{path}=0.5')")

    _set(driver, "sens-quantity", "outlook.talks@6")
    _set(driver, "sens-method", "morris")
    _set(driver, "sens-n", "2")
    _set(driver, "sens-runs", "20")
    hint = driver.find_element("id", "sens-hint").text
    assert "P(talks by month 6)" in hint and "runs the simulation 20 times" in hint, hint
    driver.find_element("id", "sens-run").click()
    _wait(
        driver,
        "document.getElementById('sens-words').textContent"
        " || /error|refused|cancelled/.test(document.getElementById('sens-step').textContent)",
        timeout=240,
    )
    step = driver.find_element("id", "sens-step").text
    assert "done" in step, step
    words = driver.find_element("id", "sens-words").text
    assert words.startswith("P(talks by month 6)"), words

    rows = driver.execute_script(
        "return [...document.querySelectorAll('#sens-table tr[data-input]')].map(r =>"
        " [r.dataset.input, r.cells[1].textContent])"
    )
    assert rows, driver.find_element("id", "sens-table").get_attribute("outerHTML")[:2000]
    # mu* with its interval, largest first; the edited number's path is among the inputs read
    assert all("[" in mu for _path, mu in rows)
    first = [float(mu.split(" ")[0]) for _path, mu in rows]
    assert first == sorted(first, reverse=True) and first[0] > 0
    meta = driver.find_element("id", "sens-meta").text
    assert "usa.sanctions_relief.salience=0.5" in meta and "morris, n=2" in meta, meta
    # the chart: one bar per listed input, the same order as the table (largest on top)
    bars = driver.execute_script(
        "const p = document.getElementById('sens-plot');"
        " return p.data ? [p.data.length, p.data[0].x.length, p.data[0].y.slice().reverse()] : null"
    )
    assert bars is not None and bars[0] == 1 and bars[1] == min(12, len(rows)), bars
    labels = driver.execute_script(
        "return [...document.querySelectorAll('#sens-table tr[data-input] td:first-child')]"
        ".map(td => td.firstChild.textContent)"
    )
    assert bars[2] == labels[: len(bars[2])]
    assert driver.execute_script("return !!document.querySelector('#sens-plot .main-svg .bars')")
    command = driver.find_element("id", "sens-command").text
    assert (
        "detente sensitivity iran-jcpoa-2021 --quantity outlook.talks@6 --method morris --n 2"
        in command
    ), command
    assert f"--set {path}=0.5" in command
    # the download (a blob: link, which the page's CSP lets no fetch read: its Blob is read)
    # is the job's JSON (the command's --json), its rows those of the table
    saved = driver.execute_script(
        "const a = document.getElementById('sens-download');"
        " return a.hidden || !a.href.startsWith('blob:') ? null : sens.blob.text()"
        ".then(JSON.parse).then(d => [d.quantity, d.inputs.map(r => r.input), 'command' in d,"
        " a.download])"
    )
    assert saved is not None and saved[0] == "outlook.talks@6" and not saved[2], saved
    assert saved[1][: len(rows)] == [p for p, _mu in rows]
    assert saved[3] == "what-drives-iran-jcpoa-2021-outlook.talks_6.json"
    driver.execute_script("document.getElementById('sens').scrollIntoView()")
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "serve-sensitivity-iran.png"))
    errors = console_errors(driver)
    assert errors == [], f"console errors: {errors}"


def test_a_sobol_job_shows_first_and_total_indices(live_server: str, driver: Any) -> None:
    _open_iran(driver, live_server)
    _wait(driver, "document.querySelector('#sens-quantity option[value=\"zone.gap\"]')")
    _set(driver, "sens-quantity", "zone.gap")
    _set(driver, "sens-method", "sobol")
    assert driver.find_element("id", "sens-n").get_attribute("value") == "64"  # its default
    _set(driver, "sens-n", "32")
    driver.find_element("id", "sens-run").click()
    _wait(
        driver,
        "document.getElementById('sens-words').textContent"
        " || /error|refused|cancelled/.test(document.getElementById('sens-step').textContent)",
        timeout=240,
    )
    assert "done" in driver.find_element("id", "sens-step").text
    head = driver.execute_script(
        "return [...document.querySelectorAll('#sens-table th')].map(h => h.textContent)"
    )
    assert head[:3] == ["input", "first order [95%]", "total [95%]"], head
    cells = driver.execute_script(
        "return [...document.querySelectorAll('#sens-table tr[data-input]')]"
        ".map(r => [r.cells[1].textContent, r.cells[2].textContent])"
    )
    assert cells and all("[" in a and "[" in b for a, b in cells), cells
    traces = driver.execute_script(
        "return document.getElementById('sens-plot').data.map(t => t.name)"
    )
    assert traces == ["first order", "total"], traces
    words = driver.find_element("id", "sens-words").text
    assert words.startswith("the gap between the win-sets"), words
    errors = console_errors(driver)
    assert errors == [], f"console errors: {errors}"
