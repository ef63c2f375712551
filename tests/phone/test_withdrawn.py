"""A number the kiosk withdrew (it could not learn the server's answer and took it back).

Its page says so, in the ticket's language, and asks for a new number; it
offers no rating and stops following the ticket; the rating API and the
rating form without JavaScript refuse it with one sentence. Real server,
real Chromium as a phone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from kiosk.server.phone.render import status_of
from tests.browser import open_page
from tests.console.centre import Centre, running_centre
from tests.phone.helpers import PHONE, ratings

LIVE_MS = 15_000  # below the page's 25 s long poll: the change brings it (tests/phone/test_page.py)
HEADLINE = {
    "vi": "Ki-ốt đã hủy số này",
    "km": "លេខនេះត្រូវបានគីយ៉ូសលុបចោល",
    "en": "This number was cancelled by the kiosk",
}
NEW_NUMBER = {
    "vi": "Vui lòng lấy số mới.",
    "km": "សូមយកលេខថ្មី។",
    "en": "Please take a new number.",
}


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Centre]:
    with running_centre(tmp_path) as c:
        yield c


def issue_with_key(centre: Centre, key: str, lang: str) -> dict[str, Any]:
    resp = centre.kiosk.post(
        f"{centre.url}/api/v1/tickets",
        json={"service": "ho-tich", "lang": lang},
        headers={"Idempotency-Key": key},
        timeout=10,
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


def withdraw(centre: Centre, key: str) -> None:
    """What the kiosk does when it gave up waiting for the issue's answer."""
    resp = centre.kiosk.post(
        f"{centre.url}/api/v1/tickets/withdraw", json={"idempotency_key": key}, timeout=10
    )
    assert resp.status_code == 200 and resp.json()["status"] == "withdrawn", resp.text


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    yield from open_page(browser.new_context(**PHONE, bypass_csp=True))


@pytest.mark.browser
def test_the_open_page_says_the_kiosk_cancelled_the_number(page: Page, centre: Centre) -> None:
    ticket = issue_with_key(centre, "answer-came-too-late", "vi")
    page.goto(f"{centre.url}/t/{ticket['id']}")
    expect(page.locator("#status h1")).to_have_text("Đang chờ đến lượt")
    expect(page.locator("#sound")).to_be_visible()

    withdraw(centre, "answer-came-too-late")
    status = page.locator("#status")
    expect(status.locator("h1")).to_have_text(HEADLINE["vi"], timeout=LIVE_MS)
    expect(status.locator("p")).to_have_text([NEW_NUMBER["vi"]])
    expect(status).to_have_attribute("data-kind", "withdrawn")
    expect(page.locator("#sound")).to_be_hidden()  # it will never be called
    expect(page.locator("#rating")).to_have_count(0)
    # The number, still large on the page, is struck through: it is no longer valid.
    expect(page.locator("#number")).to_have_css("text-decoration-line", "line-through")

    for lang in ("km", "en"):
        page.goto(f"{centre.url}/t/{ticket['id']}?lang={lang}")
        expect(page.locator("#status h1")).to_have_text(HEADLINE[lang])
        expect(page.locator("#status p")).to_have_text([NEW_NUMBER[lang]])
        expect(page.locator("#rating")).to_have_count(0)
        expect(page.locator("#sound")).to_have_count(0)
        # Nothing more will happen to it: the page neither polls nor refreshes itself.
        assert page.locator("body").get_attribute("data-live") is None
        assert page.locator("noscript").count() == 0
        expect(page.locator("#number")).to_have_css("text-decoration-line", "line-through")


def test_a_withdrawn_number_cannot_be_rated(centre: Centre) -> None:
    ticket = issue_with_key(centre, "gave-up-waiting", "km")
    withdraw(centre, "gave-up-waiting")
    r = requests.post(
        f"{centre.url}/api/v1/tickets/{ticket['id']}/rating", json={"score": 4}, timeout=10
    )
    assert (r.status_code, r.json()["error"]) == (409, "not_ratable")
    assert r.json()["detail"] == (
        f"ticket {ticket['number']} was cancelled by the kiosk before any call: "
        "no service took place, so there is nothing to rate"
    )
    # The form without JavaScript (a page kept from before): one sentence, in Khmer.
    form = requests.post(f"{centre.url}/t/{ticket['id']}/rating", data={"score": "4"}, timeout=10)
    assert form.status_code == 409
    assert "លេខនេះត្រូវបានគីយ៉ូសលុបចោល៖ គ្មានអ្វីត្រូវវាយតម្លៃទេ។" in form.text
    assert 'id="rating"' not in form.text
    assert ratings(centre) == []


def test_a_withdrawn_number_of_an_earlier_day_says_its_day(centre: Centre) -> None:
    view = {"state": "past", "status": "withdrawn", "day": "2026-12-01", "service": "ho-tich"}
    status = status_of(view, centre.cfg, "en")
    assert (status.kind, status.headline) == ("withdrawn", HEADLINE["en"])
    assert status.lines == ("This ticket is from 1 Dec 2026.",)
