"""Headless Chromium for every browser test (console, phone page, /rate/, reports, board).

Playwright drives the system's /usr/bin/chromium (no downloaded browser); the
``browser`` fixture in tests/conftest.py starts it once per test module.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium(playwright: Any) -> Any:
    """A launched headless Chromium (skips, which CI counts as a failure, when it is missing)."""
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip("needs /usr/bin/chromium (scripts/system-deps test installs it)")
    # Playwright's 30 s for the start is short on a loaded CI machine; it is a hang guard.
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=180_000
    )


def running_browser() -> Iterator[Any]:
    """Playwright and a Chromium for the lifetime of the generator (a fixture's body)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = chromium(p)
        try:
            yield browser
        finally:
            browser.close()


def open_page(context: Any) -> Iterator[Any]:
    """A page of ``context`` that fails the test on any script error; the context closes after."""
    page = context.new_page()
    # Clicks wait for their element and loads for the page, not longer than needed: the
    # generous limits only keep a loaded machine from failing a test that would pass.
    page.set_default_timeout(60_000)
    page.set_default_navigation_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors
