"""/docs in headless Chromium with no internet: Swagger UI comes from the centre server itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser import open_page
from tests.console.centre import Centre, running_centre

pytestmark = pytest.mark.browser


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Centre]:
    with running_centre(tmp_path) as c:
        yield c


def test_the_api_docs_render_on_a_lan_without_internet(browser: Any, centre: Centre) -> None:
    context = browser.new_context()
    elsewhere: list[str] = []

    def only_the_centre(route: Any) -> None:
        # A centre LAN has no internet: any other host is unreachable, as a CDN would be.
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_centre)
    for page in open_page(context):
        page.goto(f"{centre.url}/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text(
            "Commune service-centre queue API"
        )
        expect(page.locator(".opblock-summary-path[data-path='/api/v1/tickets']")).to_have_count(1)
    assert elsewhere == []
