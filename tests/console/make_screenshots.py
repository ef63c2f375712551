"""Screenshots of the staff console for docs/console.md, from a real server and Chromium.

``.venv/bin/python -m tests.console.make_screenshots docs/screenshots`` writes
console-login.png, console-desk.png, console-transfer.png and console-offline.png
(1366x768, the common counter-PC screen).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from tests.browser import chromium
from tests.console.centre import Centre, running_centre

VIEWPORT = {"width": 1366, "height": 768}


def _busy_morning(centre: Centre) -> None:
    """A counter with a priority ticket in hand, people waiting and a recallable no-show."""
    assert centre.handle is not None
    engine = centre.handle.engine
    centre.issue("chung-thuc")
    engine.call_next("1")
    engine.no_show("1")
    centre.issue("ho-tich")
    engine.call_next("2")
    engine.done("2")
    first = centre.issue(
        "ho-tich", priority=True, priority_reason="elderly", procedure="1.001193", lang="km"
    )
    centre.print_failed(first["id"])
    for service in ("ho-tich", "ho-tich", "chung-thuc", "ho-tich", "chung-thuc"):
        centre.issue(service)


def make(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp, running_centre(Path(tmp)) as centre:
        _busy_morning(centre)
        with sync_playwright() as p:
            browser = chromium(p)
            page: Page = browser.new_context(viewport=VIEWPORT, bypass_csp=True).new_page()
            page.goto(f"{centre.url}/console/")
            expect(page.locator("body.ready")).to_have_count(1)
            page.fill("#login-pin", "1111")
            page.wait_for_timeout(300)  # fonts
            written.append(out_dir / "console-login.png")
            page.screenshot(path=written[-1])

            page.click("#login-submit")
            expect(page.locator("#desk")).to_be_visible()
            page.keyboard.press("F1")
            expect(page.locator("#cur-procedure")).to_contain_text("Thủ tục đăng ký khai sinh")
            page.keyboard.press("F2")
            expect(page.locator("#cur-called")).to_contain_text("2")
            written.append(out_dir / "console-desk.png")
            page.screenshot(path=written[-1])

            page.keyboard.press("F8")
            expect(page.locator("#transfer-dialog")).to_be_visible()
            written.append(out_dir / "console-transfer.png")
            page.screenshot(path=written[-1])
            page.keyboard.press("Escape")

            centre.stop()
            expect(page.locator("#offline")).to_be_visible()
            written.append(out_dir / "console-offline.png")
            page.screenshot(path=written[-1])
            browser.close()
    return written


if __name__ == "__main__":
    for path in make(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")):
        print(path)
