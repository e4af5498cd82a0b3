"""The workbench's layout and bookkeeping in a real headless Chromium, on the Iran case (not the
flagship): no sideways scrolling, a resizable editor, a refused edit shown beside its number and
left out of the changes, one colour per model in the forecast plot (none the baseline's grey),
encoded claims marked, and one recorded baseline per scenario and settings across page loads.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from detente.plotting.palette import BASELINE

from .conftest import console_errors
from .test_author_browser import ARTIFACTS, _wait

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def driver(chromium: Any) -> Any:
    with chromium(width=1280, logs=("browser",)) as drv:
        yield drv


NO_SIDEWAYS = (
    "document.documentElement.scrollWidth <= window.innerWidth"
    " && document.getElementById('editor').scrollWidth <= document.getElementById('editor').clientWidth"
)


def _open_iran(driver: Any, server: str) -> None:
    driver.get(server + "/")
    _wait(driver, "document.querySelector('#zone-baseline .verdict')")
    driver.execute_script(
        "const s = document.getElementById('scenario-select'); s.value = 'iran-jcpoa-2021';"
        " s.dispatchEvent(new Event('change'));"
    )
    _wait(driver, "document.getElementById('scenario-title').textContent.includes('Iran')")
    _wait(driver, "document.querySelector('#zone-baseline .verdict')")


def test_layout_refused_edits_colours_and_encoded_claims(
    live_server: str, driver: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    _open_iran(driver, live_server)
    assert driver.execute_script(f"return {NO_SIDEWAYS};")
    # drag the bar: the editor widens by the drag, and nothing scrolls sideways
    before = driver.execute_script("return document.getElementById('editor').clientWidth")
    bar = driver.find_element("id", "splitter")
    ActionChains(driver).click_and_hold(bar).move_by_offset(220, 0).release().perform()
    after = driver.execute_script("return document.getElementById('editor').clientWidth")
    assert 180 < after - before < 260, (before, after)
    assert driver.execute_script(f"return {NO_SIDEWAYS};")

    # a salience off its scale is refused: shown beside the number, not listed as a change
    path = "usa.sanctions_relief.salience"
    box = driver.find_element("css selector", f'input[aria-label="{path}"]')
    box.clear()
    box.send_keys("7\n")
    refusal = _wait(
        driver,
        f"(() => {{ const r = document.querySelector('tr[data-refused=\"{path}\"]'); return r && r.innerText; }})()",
    )
    assert "refused" in refusal and "salience" in refusal
    changes = driver.find_element("id", "changes").text
    assert path not in changes and changes.startswith("No changes")

    # the forecast plot: one colour per model, none the baseline's grey
    _wait(driver, "document.querySelector('#forecast-plot .main-svg')")
    colours = driver.execute_script(
        "return document.getElementById('forecast-plot').data"
        ".filter(t => !t.name.endsWith('(baseline)')).map(t => t.marker.color)"
    )
    assert len(colours) >= 4 and len(set(colours)) == len(colours), colours
    assert BASELINE not in colours
    # the plotly legend lies beside the plot area, inside the figure (the matplotlib test's
    # check, on the page's own boxes)
    boxes = driver.execute_script(
        "const p = document.getElementById('forecast-plot');"
        " const r = (e) => { const b = e.getBoundingClientRect();"
        " return [b.left, b.top, b.right, b.bottom]; };"
        " return { legend: r(p.querySelector('.legend')), area: r(p.querySelector('.nsewdrag')),"
        " figure: r(p) };"
    )
    lx0, ly0, lx1, ly1 = boxes["legend"]
    ax0, ay0, ax1, ay1 = boxes["area"]
    fx0, fy0, fx1, fy1 = boxes["figure"]
    assert lx0 >= ax1 or lx1 <= ax0 or ly0 >= ay1 or ly1 <= ay0, boxes
    assert fx0 <= lx0 and lx1 <= fx1 + 1 and fy0 <= ly0 and ly1 <= fy1 + 1, boxes

    # the background job's claims: encoded ones are marked as such
    _wait(driver, "document.querySelector('#claims tr')")
    marked = driver.execute_script(
        "return [...document.querySelectorAll('#claims tr.encoded')].map(r => r.innerText)"
    )
    assert marked and all("encoded in the scenario" in m for m in marked), (
        driver.find_element("id", "claims").get_attribute("outerHTML")[:3000],
        driver.find_element("id", "job-step").text,
    )
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "serve-iran-refused.png"))
    # the refusal is the server's 400 to the refused edit; nothing else may fail
    errors = console_errors(driver, allowed=("/api/analyse - ",))
    assert errors == [], f"console errors: {errors}"

    # a second page load records no second baseline of the same scenario and settings
    t0 = time.monotonic()
    while _baselines(driver) == 0:  # the first page's baseline job, still running maybe
        assert time.monotonic() - t0 < 120, "the baseline was never recorded"
        time.sleep(0.5)
    assert _baselines(driver) == 1
    _open_iran(driver, live_server)
    _wait(driver, "document.getElementById('job-step').textContent.includes('baseline: done')")
    assert _baselines(driver) == 1


def _baselines(driver: Any) -> int:
    """How many baseline runs of the Iran case the store holds."""
    return int(
        driver.execute_script(
            "return fetch('/api/runs').then(r => r.json()).then(rs => rs.filter("
            "r => r.label === 'baseline' && r.scenario === 'iran-jcpoa-2021').length)"
        )
    )
