"""The console tests' centre (a real server on 127.0.0.1) and Chromium page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser import open_page
from tests.console.centre import Centre, running_centre


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Centre]:
    with running_centre(tmp_path) as c:
        yield c


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    # bypass_csp: Playwright's own wait helpers evaluate strings, which the console's CSP forbids.
    yield from open_page(
        browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
    )
