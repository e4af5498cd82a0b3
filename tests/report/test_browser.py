"""The HTML report opened in a real headless Chromium, driven over WebDriver (selenium).

Chromium and its driver come from Debian (``make browser-deps`` installs ``chromium`` and
``chromium-driver``). Checks: no console errors, no request leaves ``file://``/``data:``, every
figure renders with a non-empty box, the key texts are there. A full-page screenshot is saved
under ``test-artifacts/``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from detente.cli import app

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def driver(chromium: Any) -> Iterator[Any]:
    with chromium(width=1280, logs=("browser", "performance")) as drv:
        yield drv


def _report(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "report.html"
    res = CliRunner().invoke(
        app, ["run", *args, "--html", str(out), "--draws", "100", "--runs", "100", "-q"]
    )
    assert res.exit_code == 0, res.output
    return out


def _open(drv: Any, path: Path) -> dict[str, Any]:
    drv.get_log("browser")  # drop anything left from a previous page
    drv.get_log("performance")
    drv.get(path.as_uri())
    drv.execute_script("return document.readyState")
    boxes = drv.execute_script(
        """
        return Array.from(document.querySelectorAll('figure')).map(f => {
          const g = f.querySelector('svg, img');
          const r = g ? g.getBoundingClientRect() : {width: 0, height: 0};
          return {id: f.id, width: r.width, height: r.height,
                  shapes: g ? g.querySelectorAll('path, use, rect').length : 0};
        });"""
    )
    requests = []
    for entry in drv.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            requests.append(msg["params"]["request"]["url"])
    return {
        "console": drv.get_log("browser"),
        "boxes": boxes,
        "requests": requests,
        "text": drv.find_element("tag name", "body").text,
    }


def _screenshot(drv: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    height = drv.execute_script("return document.documentElement.scrollHeight")
    drv.set_window_size(1280, min(int(height) + 40, 16000))
    path = ARTIFACTS / f"{name}.png"
    assert drv.save_screenshot(str(path))
    drv.set_window_size(1280, 1000)
    return path


def _assert_clean(page: dict[str, Any]) -> None:
    errors = [e for e in page["console"] if e.get("level") in ("SEVERE", "ERROR")]
    assert errors == [], f"console errors: {errors}"
    outside = [u for u in page["requests"] if not u.startswith(("file://", "data:"))]
    assert outside == [], f"the report made network requests: {outside}"
    assert page["boxes"], "the report has no figures"
    for b in page["boxes"]:
        assert b["width"] > 50 and b["height"] > 50, f"figure {b['id']} rendered empty: {b}"
        assert b["shapes"] > 10, f"figure {b['id']} has nothing drawn in it: {b}"


def test_flagship_report_renders_in_chromium(driver: Any, tmp_path: Path) -> None:
    page = _open(driver, _report(tmp_path))
    _assert_clean(page)
    ids = {b["id"] for b in page["boxes"]}
    for fig in ("fig-forecasts", "fig-winset", "fig-levers", "fig-outlook", "fig-calibration"):
        assert fig in ids, f"{fig} missing; figures: {sorted(ids)}"
    assert any(i.startswith("fig-rounds-") for i in ids), "no positions-by-round figure"
    text = page["text"]
    assert "zone of agreement" in text.lower()
    assert driver.find_element("id", "verdict").text.strip()
    rows = driver.find_elements("css selector", "#claims-table tbody tr")
    assert len(rows) >= 14
    assert "C4" in driver.find_element("id", "claims-table").text
    assert driver.find_elements("css selector", "#provenance-table tbody tr")
    for label in ("P(talks)", "P(agreement)", "P(crisis)"):
        assert label in text
    shot = _screenshot(driver, "report-us-dprk-2021")
    assert shot.stat().st_size > 10_000


def test_report_without_veto_players_or_dynamics_renders(driver: Any, tmp_path: Path) -> None:
    page = _open(driver, _report(tmp_path, "ec-emissions-1994"))
    _assert_clean(page)
    assert "Not computed" in page["text"]
    _screenshot(driver, "report-ec-emissions-1994")
