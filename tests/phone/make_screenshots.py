"""Screenshots of the citizen's phone page and the /rate/ terminal, from a real server.

``.venv/bin/python -m tests.phone.make_screenshots docs/screenshots`` writes
phone-{waiting,called,rating}-{vi,km}.png and phone-withdrawn-km.png (a 360x740
phone) and rate-terminal-km.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from tests.browser import chromium
from tests.console.centre import running_centre
from tests.phone.helpers import PHONE, counter


def make(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp, running_centre(Path(tmp)) as centre:
        for _ in range(3):
            centre.issue("dat-dai", lang="vi")
        mine = {lang: centre.issue("dat-dai", lang=lang) for lang in ("vi", "km")}
        with sync_playwright() as p:
            browser = chromium(p)
            context = browser.new_context(**PHONE, bypass_csp=True)
            page = context.new_page()

            def shot(name: str) -> None:
                page.evaluate("document.fonts.ready")
                written.append(out_dir / name)
                page.screenshot(path=written[-1], full_page=True)

            for lang, ticket in mine.items():
                page.goto(f"{centre.url}/t/{ticket['id']}")
                expect(page.locator("#status")).to_be_visible()
                shot(f"phone-waiting-{lang}.png")
            for lang, ticket in mine.items():
                while centre.handle.engine.follow(ticket["id"])["status"] == "waiting":  # type: ignore[union-attr]
                    counter(centre, "3", "next")
                page.goto(f"{centre.url}/t/{ticket['id']}")
                expect(page.locator("#status.called")).to_be_visible()
                page.wait_for_function("document.getAnimations().length === 0")
                shot(f"phone-called-{lang}.png")
                counter(centre, "3", "done")
                page.goto(f"{centre.url}/t/{ticket['id']}")
                page.locator(".level").nth(1).click()
                page.locator(".reason").first.click()
                shot(f"phone-rating-{lang}.png")
            # A number the kiosk withdrew (it never learnt the server's answer).
            key = {"Idempotency-Key": "screenshot-withdrawn"}
            ghost = centre.kiosk.post(
                f"{centre.url}/api/v1/tickets",
                json={"service": "ho-tich", "lang": "km"},
                headers=key,
            ).json()
            centre.kiosk.post(
                f"{centre.url}/api/v1/tickets/withdraw",
                json={"idempotency_key": key["Idempotency-Key"]},
            ).raise_for_status()
            page.goto(f"{centre.url}/t/{ghost['id']}")
            expect(page.locator("#status.withdrawn")).to_be_visible()
            shot("phone-withdrawn-km.png")
            context.close()

            terminal = browser.new_context(viewport={"width": 1024, "height": 768}, bypass_csp=True)
            page = terminal.new_page()
            page.goto(f"{centre.url}/rate/")
            page.fill("#login-pin", "3333")
            page.select_option("#login-counter", "3")
            page.click("#login button")
            expect(page.locator("#idle")).to_be_visible()
            km = centre.issue("dat-dai", lang="km")
            while centre.handle.engine.follow(km["id"])["status"] == "waiting":  # type: ignore[union-attr]
                counter(centre, "3", "next")
            counter(centre, "3", "done")
            expect(page.locator("#ask h2")).to_be_visible(timeout=10_000)
            page.evaluate("document.fonts.ready")
            written.append(out_dir / "rate-terminal-km.png")
            page.screenshot(path=written[-1])
            terminal.close()
            browser.close()
    return written


if __name__ == "__main__":
    for path in make(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")):
        print(path)
