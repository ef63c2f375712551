"""Chromium and a real centre for the phone-page and terminal tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.console.centre import chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as p:
        b = chromium(p)
        yield b
        b.close()


def open_page(context: Any) -> Iterator[Page]:
    """A page of ``context`` that fails the test on any script error."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors
