"""Take the README's screenshot of ``detente serve`` with Debian's headless Chromium.

Starts the workbench on a temporary store, opens the flagship, removes the US red line on
denuclearization, waits for the zone, the forecasts and the outlook, and saves
``docs/img/serve-workbench.png``; then opens the Iran case in the case editor, removes Russia and
saves ``docs/img/serve-author.png`` (validate's message for the roles still naming it). Needs ``chromium`` and ``chromedriver`` (``make browser-deps``).

    python scripts/serve_screenshot.py [OUTPUT.png]
"""

from __future__ import annotations

import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from detente.store import RunStore
from detente.web import create_app

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "img" / "serve-workbench.png"
    tmp = Path(tempfile.mkdtemp(prefix="detente-shot-"))
    # smaller background sizes than the defaults: the picture, not the precision
    app = create_app(
        RunStore(tmp / "runs.duckdb"), default_scenario="us-dprk-2021", draws=200, runs=500
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=srv.run, daemon=True).start()
    while not srv.started:
        time.sleep(0.05)
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "chromium"
    for f in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1400,1050", f"--user-data-dir={tmp / 'profile'}"):  # fmt: skip
        opts.add_argument(f)
    drv = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)

    def wait(script: str) -> None:
        t0 = time.monotonic()
        while not drv.execute_script(f"return ({script});"):
            if time.monotonic() - t0 > 600:
                raise SystemExit(f"timed out: {script}")
            time.sleep(0.2)

    try:
        drv.get(f"http://127.0.0.1:{port}/")
        wait("document.getElementById('job-step').textContent.includes('baseline: done')")
        drv.find_element("id", "rl-usa.red_lines.denuclearization").click()
        wait("document.querySelector('#zone-whatif .verdict[data-open=\"true\"]')")
        wait("document.getElementById('job-step').textContent.includes('what-if: done')")
        drv.execute_script("document.querySelector('#numbers tr[data-path] button.src').click()")
        out.parent.mkdir(parents=True, exist_ok=True)
        drv.save_screenshot(str(out))
        print(f"wrote {out}")
        # the case editor on a case that is not the flagship
        drv.execute_script(
            "const s = document.getElementById('scenario-select'); s.value = 'iran-jcpoa-2021';"
            " s.dispatchEvent(new Event('change'));"
        )
        wait("document.getElementById('scenario-title').textContent.includes('Iran')")
        wait("document.querySelector('#zone-whatif .verdict')")
        drv.find_element("id", "edit-case").click()
        wait("document.getElementById('author-verdict').textContent.startsWith('valid')")
        drv.find_element("css selector", 'button[aria-label="remove actor russia"]').click()
        wait("document.getElementById('author-verdict').textContent.startsWith('1 problem')")
        drv.execute_script(
            "document.getElementById('editor').scrollTop = 0; window.scrollTo(0, 0)"
        )
        author = out.with_name("serve-author.png")
        drv.save_screenshot(str(author))
        print(f"wrote {author}")
    finally:
        drv.quit()
        srv.should_exit = True
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
