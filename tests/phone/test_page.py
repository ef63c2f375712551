"""The citizen's phone page in real headless Chromium (a 360x740 phone) against a real server.

Tickets are issued over HTTP with the kiosk's token; counters act over HTTP
with their tokens. Every change must reach the open page without a reload
within 2 s (the issue's bound), by the page's own long-poll.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser import open_page
from tests.console.centre import Centre, running_centre
from tests.phone.helpers import PHONE, counter, ratings

pytestmark = pytest.mark.browser
# "Updates by itself at any change": the page's long poll waits 25 s, so a change seen
# within 15 s came with the change (not with the poll's own end), and a loaded machine
# has room to draw it.
LIVE_MS = 15_000


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Centre]:
    with running_centre(tmp_path) as c:
        yield c


def phone(browser: Any, **options: Any) -> Any:
    # bypass_csp: Playwright's wait helpers evaluate strings, which the page's CSP forbids.
    context = browser.new_context(**PHONE, bypass_csp=True, **options)
    # Record vibrations (a headless browser has no motor to ask).
    context.add_init_script("navigator.vibrate = (p) => { window.__vibrated = p; return true; };")
    return context


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    yield from open_page(phone(browser))


def headline(page: Page) -> Any:
    return page.locator("#status h1")


def test_the_page_follows_the_ticket_to_the_counter_and_takes_one_rating(
    page: Page, centre: Centre
) -> None:
    ticket = centre.issue("ho-tich", lang="vi", priority=True, priority_reason="pregnancy")
    centre.issue("ho-tich", lang="vi")
    page.goto(f"{centre.url}/t/{ticket['id']}")
    expect(page.locator("#number")).to_have_text("A001")
    expect(page.locator(".service")).to_have_text("Tư pháp – Hộ tịch")
    expect(headline(page)).to_have_text("Đang chờ đến lượt")
    expect(page.locator("#status")).to_contain_text("Bạn là người tiếp theo")
    assert "Phụ nữ mang thai" not in page.content()  # the priority reason stays private
    assert "pregnancy" not in page.content()
    page.evaluate("window.__same_page = true")

    counter(centre, "1", "next")
    expect(headline(page)).to_have_text(
        "Đến lượt bạn: xin mời đến Quầy 1 – Ưu tiên", timeout=LIVE_MS
    )
    assert page.evaluate("window.__vibrated") == [400, 200, 400, 200, 400]

    counter(centre, "1", "recall")
    expect(headline(page)).to_have_text(
        "Bạn được gọi lại: xin mời đến Quầy 1 – Ưu tiên ngay", timeout=LIVE_MS
    )

    counter(centre, "1", "transfer", {"service": "dat-dai"})
    expect(headline(page)).to_have_text(
        "Đã chuyển: đang chờ Đất đai – Xây dựng – Môi trường", timeout=LIVE_MS
    )
    expect(page.locator("#status")).to_contain_text("Bạn được chuyển từ Tư pháp – Hộ tịch")

    counter(centre, "3", "next")
    expect(headline(page)).to_have_text("Đến lượt bạn: xin mời đến Quầy 3", timeout=LIVE_MS)

    counter(centre, "3", "no-show")
    expect(headline(page)).to_have_text("Bạn đã được gọi nhưng chưa đến", timeout=LIVE_MS)
    expect(page.locator("#status")).to_contain_text("cán bộ còn có thể gọi lại đến")

    counter(centre, "3", "recall", {"ticket": "A001"})
    expect(headline(page)).to_have_text(
        "Bạn được gọi lại: xin mời đến Quầy 3 ngay", timeout=LIVE_MS
    )

    expect(page.locator("#sound")).to_be_visible()  # it may still be called back
    counter(centre, "3", "done")
    expect(headline(page)).to_have_text("Đã phục vụ xong. Xin cảm ơn!", timeout=LIVE_MS)
    # Never called again: no more offer to sound the call.
    expect(page.locator("#sound")).to_be_hidden()
    form = page.locator("#rating")
    expect(form.locator("h2")).to_have_text("Bạn hài lòng thế nào với việc phục vụ này?")
    expect(form.locator(".level")).to_have_count(4)
    assert page.evaluate("window.__same_page") is True  # never reloaded

    form.locator(".level").filter(has=page.get_by_text("Hài lòng", exact=True)).click()
    form.locator(".reason", has_text="Chờ quá lâu").click()
    form.locator("textarea").fill("Cán bộ nhiệt tình\u0007")
    form.locator("button.send").click()
    expect(page.locator(".thanks")).to_have_text("Cảm ơn bạn đã đánh giá!", timeout=LIVE_MS)

    stored = ratings(centre)
    assert [(r["score"], r["counter"], r["service"], r["source"]) for r in stored] == [
        (3, "3", "dat-dai", "phone")  # the second of four levels: score N - 1
    ]
    assert (stored[0]["reasons"], stored[0]["comment"]) == (
        '["waited-too-long"]',
        "Cán bộ nhiệt tình",
    )
    again = requests.post(
        f"{centre.url}/api/v1/tickets/{ticket['id']}/rating", json={"score": 1}, timeout=10
    )
    assert (again.status_code, again.json()["error"]) == (409, "already_rated")
    assert len(ratings(centre)) == 1


def test_the_offer_of_sound_goes_once_tapped(page: Page, centre: Centre) -> None:
    ticket = centre.issue("ho-tich", lang="vi")
    page.goto(f"{centre.url}/t/{ticket['id']}")
    sound = page.locator("#sound")
    expect(sound).to_be_visible()
    sound.click()
    expect(sound).to_be_hidden()


def test_the_level_chosen_needs_a_face(page: Page, centre: Centre) -> None:
    ticket = centre.issue("ho-tich", lang="en")
    counter(centre, "1", "next")
    counter(centre, "1", "done")
    page.goto(f"{centre.url}/t/{ticket['id']}")
    page.locator("#rating button.send").click()
    expect(page.locator("#rating .error")).to_have_text("Please choose one of the faces.")
    assert ratings(centre) == []


def test_khmer_page_switches_language(page: Page, centre: Centre) -> None:
    ticket = centre.issue("ho-tich", lang="km")
    page.goto(f"{centre.url}/t/{ticket['id']}")
    expect(page.locator("html")).to_have_attribute("lang", "km")
    expect(headline(page)).to_have_text("កំពុងរង់ចាំវេនរបស់អ្នក")
    # The Khmer font comes from the centre, not a CDN, and is used for Khmer text.
    font = requests.get(f"{centre.url}/t/fonts/NotoSansKhmer-Regular.ttf", timeout=10)
    assert font.status_code == 200 and font.headers["content-type"] == "font/ttf"
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px \"Kiosk Khmer\"', 'ក')")
    page.locator(".langs a", has_text="English").click()
    expect(headline(page)).to_have_text("Waiting for your turn")
    counter(centre, "1", "next")
    expect(headline(page)).to_have_text(
        "It is your turn: go to Counter 1 – Priority", timeout=LIVE_MS
    )


def test_without_javascript_the_page_refreshes_itself(browser: Any, centre: Centre) -> None:
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        ticket = centre.issue("ho-tich", lang="vi")
        page.goto(f"{centre.url}/t/{ticket['id']}")
        expect(headline(page)).to_have_text("Đang chờ đến lượt")
        counter(centre, "1", "next")
        # The <noscript> refresh (every 10 s) brings the news: a condition, not a sleep.
        expect(headline(page)).to_have_text(
            "Đến lượt bạn: xin mời đến Quầy 1 – Ưu tiên", timeout=20_000
        )
        counter(centre, "1", "done")
        page.reload()
        page.locator(".level", has_text="Rất hài lòng").click()
        page.locator("#rating button.send").click()
        expect(page.locator(".thanks")).to_have_text("Cảm ơn bạn đã đánh giá!")
        assert [r["score"] for r in ratings(centre)] == [4]
    finally:
        context.close()


def test_a_network_cut_is_caught_up_when_it_returns(page: Page, centre: Centre) -> None:
    ticket = centre.issue("ho-tich", lang="vi")
    page.goto(f"{centre.url}/t/{ticket['id']}")
    expect(headline(page)).to_have_text("Đang chờ đến lượt")

    def cut(route: Any) -> None:
        route.abort("internetdisconnected")

    page.route("**/t/*/live*", cut)
    counter(centre, "1", "next")  # the poll already on its way still brings this
    expect(headline(page)).to_contain_text("Đến lượt bạn", timeout=LIVE_MS)
    expect(page.locator("#offline")).to_be_visible()  # the next poll cannot get through
    counter(centre, "1", "done")
    expect(headline(page)).to_contain_text("Đến lượt bạn")  # the news cannot arrive yet

    page.unroute("**/t/*/live*", cut)
    expect(headline(page)).to_have_text("Đã phục vụ xong. Xin cảm ơn!", timeout=LIVE_MS)
    expect(page.locator("#offline")).to_be_hidden()
    expect(page.locator("#rating")).to_be_visible()
