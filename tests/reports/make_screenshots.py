"""Screenshots of the director's dashboard and the A4 report for docs/ and the README.

    xvfb-run -a .venv/bin/python -m tests.reports.make_screenshots

Seeds a month (tests/reports/seed.py), serves it with `kiosk serve`, and has
Chromium take docs/screenshots/reports-*.png.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from kiosk.server.devsecrets import DEV_REPORTS_PIN
from tests.browser import chromium
from tests.reports.test_reports import Month
from tests.server.conftest import stop_process

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MONTH = "from=2026-11-01&to=2026-11-30"


def main() -> None:
    month = Month(Path(tempfile.mkdtemp(prefix="kiosk-shots-", dir="/dev/shm")))
    month.serve()
    try:
        with sync_playwright() as p:
            browser = chromium(p)
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(f"{month.url}/reports/?lang=vi")
            page.screenshot(path=str(OUT / "reports-signin-vi.png"))
            page.fill("#pin", DEV_REPORTS_PIN)
            page.click("button[type=submit]")
            for lang in ("vi", "km"):
                page.goto(f"{month.url}/reports/?{MONTH}&lang={lang}")
                page.screenshot(path=str(OUT / f"reports-dashboard-{lang}.png"), full_page=False)
            page.goto(f"{month.url}/reports/?{MONTH}&lang=vi")
            page.locator("#arrivals").screenshot(path=str(OUT / "reports-arrivals-vi.png"))
            page.locator("#ratings_services").screenshot(path=str(OUT / "reports-ratings-vi.png"))
            page.locator("#comments").screenshot(path=str(OUT / "reports-comments-vi.png"))
            a4 = browser.new_page(viewport={"width": 794, "height": 1123})
            a4.context.add_cookies(page.context.cookies())
            a4.goto(f"{month.url}/reports/print?{MONTH}&lang=vi")
            a4.emulate_media(media="print")
            a4.screenshot(path=str(OUT / "reports-print-a4-vi.png"), full_page=False)
            browser.close()
    finally:
        if month.proc is not None:
            stop_process(month.proc)
        shutil.rmtree(month.root, ignore_errors=True)


if __name__ == "__main__":
    main()
