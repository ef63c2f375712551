"""The counter-side /rate/ terminal in real headless Chromium against a real server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser import open_page
from tests.console.centre import Centre, running_centre
from tests.phone.helpers import counter, ratings

pytestmark = pytest.mark.browser
# The question follows "done" through the terminal's event long poll (25 s): seen within
# 15 s, the event brought it, and a loaded machine has room to draw it.
ASKED_MS = 15_000


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Centre]:
    # A short idle time so the test sees the terminal give up by itself.
    with running_centre(
        tmp_path, **{r"^terminal_idle_seconds = 30": "terminal_idle_seconds = 5"}
    ) as c:
        yield c


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    yield from open_page(
        browser.new_context(viewport={"width": 1024, "height": 768}, bypass_csp=True)
    )


def sign_in(page: Page, centre: Centre, c: str = "1", pin: str = "1111") -> None:
    page.goto(f"{centre.url}/rate")
    expect(page.locator("#login h2")).to_have_text("Máy đánh giá tại quầy")
    page.select_option("#login-counter", c)
    page.fill("#login-pin", pin)
    page.click("#login button")
    expect(page.locator("#idle")).to_be_visible()


def test_the_terminal_asks_after_done_in_the_tickets_language(page: Page, centre: Centre) -> None:
    sign_in(page, centre)
    expect(page.locator("#idle-counter")).to_have_text("Quầy 1 – Ưu tiên")
    expect(page.locator("#idle-texts p[lang=km]")).to_have_text(
        "បន្ទាប់ពីទទួលសេវា សូមប្រាប់យើងថាអ្នកពេញចិត្តកម្រិតណា។"
    )
    ticket = centre.issue("ho-tich", lang="km")
    other = centre.issue("dat-dai", lang="vi")
    counter(centre, "1", "next")
    counter(centre, "3", "next")
    counter(centre, "3", "done")  # another counter's ticket: not this terminal's question
    counter(centre, "1", "done")
    ask = page.locator("#ask")
    expect(ask.locator("h2")).to_have_text("តើអ្នកពេញចិត្តនឹងសេវានេះកម្រិតណា?", timeout=ASKED_MS)
    ask.locator(".level", has_text="ពេញចិត្តខ្លាំង").click()
    ask.locator("button.send").click()
    expect(page.locator("#thanks-text")).to_have_text("សូមអរគុណចំពោះការវាយតម្លៃរបស់អ្នក!")
    expect(page.locator("#idle")).to_be_visible(timeout=10_000)
    stored = ratings(centre)
    assert [(r["ticket_id"], r["score"], r["source"], r["counter"]) for r in stored] == [
        (ticket["id"], 4, "terminal", "1")
    ]
    assert other["id"] not in {r["ticket_id"] for r in stored}


def test_the_terminal_goes_idle_without_a_rating(page: Page, centre: Centre) -> None:
    sign_in(page, centre, "2", "2222")
    centre.issue("ho-tich", lang="en")
    counter(centre, "2", "next")
    counter(centre, "2", "done")
    expect(page.locator("#ask h2")).to_have_text(
        "How satisfied are you with this service?", timeout=ASKED_MS
    )
    expect(page.locator("#idle")).to_be_visible(timeout=15_000)  # idle time 5 s
    assert ratings(centre) == []


def test_a_wrong_pin_keeps_the_terminal_locked(page: Page, centre: Centre) -> None:
    page.goto(f"{centre.url}/rate/")
    page.fill("#login-pin", "0000")
    page.click("#login button")
    expect(page.locator("#login-error")).to_have_text("Sai mã PIN")
    expect(page.locator("#idle")).to_be_hidden()


def test_too_many_wrong_pins_are_told_in_vietnamese(page: Page, tmp_path: Path) -> None:
    """The server's refusal (429) in the staff's words, not its English sentence."""
    # The PIN throttle's clock stands still: the wait it asks for has not passed at the third try.
    with running_centre(tmp_path, auth_clock=lambda: 1000.0) as still:
        page.goto(f"{still.url}/rate/")
        for _ in range(2):
            page.fill("#login-pin", "0000")
            page.click("#login button")
            expect(page.locator("#login-error")).to_have_text("Sai mã PIN")
            page.locator("#login-error").evaluate("e => { e.textContent = ''; }")
        page.fill("#login-pin", "1111")
        page.click("#login button")
        expect(page.locator("#login-error")).to_have_text(
            re.compile(r"^Nhập sai mã PIN quá nhiều lần\. Vui lòng thử lại sau [12] giây\.$")
        )
        expect(page.locator("#idle")).to_be_hidden()
