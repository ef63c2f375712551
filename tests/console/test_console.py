"""The staff console in real headless Chromium against a real centre server on 127.0.0.1.

Tickets are taken over HTTP with the kiosk's token, as the kiosk does; staff
act through the page only (clicks and F-keys). Texts are checked in
Vietnamese, the staff language.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.console.centre import Centre, running_centre

pytestmark = pytest.mark.browser
expect.set_options(timeout=20_000)


def open_console(page: Page, centre: Centre, query: str = "") -> None:
    page.goto(f"{centre.url}/{query}")  # / redirects to /console/
    expect(page.locator("body.ready")).to_have_count(1)


def sign_in(page: Page, centre: Centre, counter: str = "1", pin: str = "1111") -> None:
    open_console(page, centre)
    page.select_option("#login-counter", counter)
    page.fill("#login-pin", pin)
    page.click("#login-submit")
    expect(page.locator("#desk")).to_be_visible()


def test_wrong_pin_is_refused_then_the_right_one_opens_the_counter(
    page: Page, centre: Centre
) -> None:
    open_console(page, centre)
    expect(page.locator("#login h2")).to_have_text("Cán bộ đăng nhập")
    expect(page.locator("#login-counter option")).to_have_count(4)
    page.select_option("#login-counter", "3")
    page.fill("#login-pin", "9999")
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_have_text("Sai mã PIN")
    expect(page.locator("#desk")).to_be_hidden()

    page.fill("#login-pin", "3333")
    page.click("#login-submit")
    expect(page.locator("#counter-name")).to_have_text("Quầy 3")
    # Nothing in hand: only "call next" and "pause" make sense.
    expect(page.locator("#btn-next")).to_be_enabled()
    expect(page.locator("#btn-pause")).to_be_enabled()
    for button in ("#btn-recall", "#btn-no-show", "#btn-done", "#btn-transfer"):
        expect(page.locator(button)).to_be_disabled()
    expect(page.locator("#current-empty")).to_be_visible()

    # The session is bound to counter 3: it cannot act for counter 1.
    token = page.evaluate("sessionStorage.getItem('kiosk.console.token')")
    resp = centre.kiosk.post(
        f"{centre.url}/api/v1/counters/1/next",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert resp.status_code == 403


def test_a_short_wait_after_wrong_pins_is_told_in_seconds(page: Page, tmp_path: Path) -> None:
    """Two typos do not send staff away for a minute: the server asks for a second or two."""
    # The PIN throttle's clock stands still: the wait it asks for has not passed at the third try.
    with running_centre(tmp_path, auth_clock=lambda: 1000.0) as centre:
        open_console(page, centre)
        page.select_option("#login-counter", "3")
        for _ in range(2):
            page.fill("#login-pin", "9999")
            page.click("#login-submit")
            expect(page.locator("#login-error")).to_have_text("Sai mã PIN")
            page.locator("#login-error").evaluate("e => { e.textContent = ''; }")
        page.fill("#login-pin", "3333")
        page.click("#login-submit")
        expect(page.locator("#login-error")).to_have_text(
            re.compile(r"^Nhập sai mã PIN quá nhiều lần\. Vui lòng thử lại sau [12] giây\.$")
        )
        expect(page.locator("#desk")).to_be_hidden()


def test_call_next_recall_transfer_done(page: Page, centre: Centre) -> None:
    first = centre.issue("ho-tich", priority=True, priority_reason="elderly", procedure="1.001193")
    centre.print_failed(first["id"])
    centre.issue("chung-thuc")
    sign_in(page, centre)
    expect(page.locator("#waiting tr")).to_have_count(3)  # two services and the total
    expect(page.locator("#waiting tr.total td.n")).to_have_text("2")

    page.keyboard.press("F1")  # call next
    expect(page.locator("#cur-number")).to_have_text("A001")
    expect(page.locator("#cur-service")).to_have_text("Tư pháp – Hộ tịch")
    expect(page.locator("#cur-priority")).to_have_text("Ưu tiên: Người cao tuổi")
    expect(page.locator("#cur-procedure")).to_have_text("1.001193 · Thủ tục đăng ký khai sinh")
    expect(page.locator("#cur-print")).to_be_visible()
    expect(page.locator("#cur-waited")).to_have_text("0 phút")
    expect(page.locator("#waiting tr.total td.n")).to_have_text("1")
    called = [e for e in centre.events() if e["type"] == "called"]
    assert [(e["counter"], e["ticket"]["number"]) for e in called] == [("1", "A001")]

    page.click("#btn-recall")
    expect(page.locator("#cur-called")).to_contain_text("đã gọi 2 lần")
    assert [e["type"] for e in centre.events()][-1] == "recalled"

    page.keyboard.press("F8")  # transfer
    dialog = page.locator("#transfer-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#transfer-title")).to_have_text("Chuyển số A001 sang")
    # Every other service is offered, not the ticket's own.
    others = len(centre.cfg.services) - 1  # five in the default config, "Thủ tục khác" included
    expect(dialog.locator("button.choice")).to_have_count(others)
    dialog.locator("button[data-service='dat-dai']").click()
    expect(page.locator("#action-message")).to_have_text(
        "Số A001 đã được chuyển sang Đất đai – Xây dựng – Môi trường."
    )
    expect(page.locator("#current-empty")).to_be_visible()
    last = centre.events()[-1]
    assert last["type"] == "transferred" and last["data"]["to_service"] == "dat-dai"

    page.click("#btn-next")
    expect(page.locator("#cur-number")).to_have_text("B001")
    expect(page.locator("#cur-priority")).to_be_hidden()
    expect(page.locator("#cur-print")).to_be_hidden()
    page.keyboard.press("F4")  # done
    expect(page.locator("#current-empty")).to_be_visible()
    expect(page.locator("#btn-done")).to_be_disabled()
    today = page.locator("#today td.n")
    expect(today).to_have_text(["2", "1", "0", "1"])  # called, done, no-show, transferred

    page.click("#btn-next")
    expect(page.locator("#action-message")).to_have_text("Không có ai đang chờ.")


def test_no_show_waits_after_a_call_can_be_undone_and_called_back(
    page: Page, centre: Centre
) -> None:
    page.clock.install()  # the page's timers: the 20 s wait passes without sleeping
    centre.issue("chung-thuc")
    centre.issue("chung-thuc")
    sign_in(page, centre, "2", "2222")
    page.click("#btn-next")
    expect(page.locator("#cur-number")).to_have_text("B001")
    # Seconds after the call the citizen is still walking to the counter: no-show waits.
    expect(page.locator("#btn-no-show")).to_be_disabled()
    expect(page.locator("#no-show-wait")).to_have_text("(20)")
    page.keyboard.press("F3")
    page.clock.fast_forward(5_000)
    expect(page.locator("#no-show-wait")).to_have_text("(15)")
    assert [e["type"] for e in centre.events()][-1] == "called"  # F3 did nothing
    page.clock.fast_forward(16_000)
    expect(page.locator("#btn-no-show")).to_be_enabled()
    expect(page.locator("#no-show-wait")).to_have_text("")

    page.keyboard.press("F3")  # no-show
    expect(page.locator("#current-empty")).to_be_visible()
    assert [e["type"] for e in centre.events()][-1] == "no_show"
    # A mistaken no-show is undone with one click: the citizen is back in hand.
    expect(page.locator("#undo-text")).to_have_text("Số B001 đã được ghi là vắng mặt.")
    page.click("#btn-undo")
    expect(page.locator("#cur-number")).to_have_text("B001")
    expect(page.locator("#undo-box")).to_be_hidden()
    last = centre.events()[-1]
    assert last["type"] == "recalled" and last["data"]["from_no_show"] is True

    page.clock.fast_forward(21_000)
    page.keyboard.press("F3")
    expect(page.locator("#current-empty")).to_be_visible()
    expect(page.locator("#undo-box")).to_be_visible()
    page.clock.fast_forward(61_000)  # the undo offer ends; "Call back" stays in the list
    expect(page.locator("#undo-box")).to_be_hidden()
    back = page.locator("#no-shows button.call-back")
    expect(back).to_have_count(1)
    expect(page.locator("#no-shows li span")).to_have_text("B001 · Chứng thực")
    back.click()
    expect(page.locator("#cur-number")).to_have_text("B001")
    expect(page.locator("#no-shows-box")).to_be_hidden()


def test_staff_see_the_language_and_priority_of_the_ticket_they_call(
    page: Page, centre: Centre
) -> None:
    centre.issue("ho-tich", lang="km", priority=True, priority_reason="elderly")
    centre.issue("ho-tich", lang="vi")
    sign_in(page, centre)
    page.click("#btn-next")
    expect(page.locator("#cur-number")).to_have_text("A001")
    expect(page.locator("#cur-priority")).to_have_text("Ưu tiên: Người cao tuổi")
    lang = page.locator("#cur-lang")
    expect(lang).to_have_text("Ngôn ngữ: Tiếng Khmer (ភាសាខ្មែរ)")
    expect(lang).to_have_class("tag lang other")  # stands out: prepare for a Khmer speaker
    page.click("#btn-done")
    page.click("#btn-next")
    expect(page.locator("#cur-number")).to_have_text("A002")
    expect(page.locator("#cur-priority")).to_be_hidden()
    expect(lang).to_have_text("Ngôn ngữ: Tiếng Việt")
    expect(lang).to_have_class("tag lang")


def test_a_recalled_transferred_ticket_shows_the_time_of_its_last_call(
    page: Page, centre: Centre
) -> None:
    import sqlite3

    centre.issue("ho-tich")
    assert centre.handle is not None
    engine = centre.handle.engine
    engine.call_next("1")
    engine.transfer("1", "dat-dai")
    engine.call_next("3")
    # The first calls were long ago (written into the server's database).
    with sqlite3.connect(centre.db) as conn:
        conn.execute(
            "UPDATE tickets SET issued_at = '2000-01-01T01:00:00.000000Z', "
            "called_at = '2000-01-01T01:30:00.000000Z', "
            "last_called_at = '2000-01-01T01:30:00.000000Z'"
        )
    sign_in(page, centre, "3", "3333")
    expect(page.locator("#cur-called")).to_have_text("08:30")  # 01:30 UTC in Hồ Chí Minh City
    page.click("#btn-recall")
    expect(page.locator("#cur-called")).to_contain_text("đã gọi 2 lần")
    now = engine.counter_state("3")["current"]["last_called_at"]
    from datetime import datetime
    from zoneinfo import ZoneInfo

    local = datetime.fromisoformat(now.replace("Z", "+00:00")).astimezone(
        ZoneInfo("Asia/Ho_Chi_Minh")
    )
    expect(page.locator("#cur-called")).to_have_text(f"{local:%H:%M} · đã gọi 2 lần")


def test_pause_and_resume(page: Page, centre: Centre) -> None:
    centre.issue("dat-dai")
    sign_in(page, centre, "3", "3333")
    page.keyboard.press("F9")
    expect(page.locator("#paused-tag")).to_be_visible()
    expect(page.locator("#pause-label")).to_have_text("Tiếp tục")
    expect(page.locator("#btn-next")).to_be_disabled()
    page.keyboard.press("F1")  # ignored while paused: nobody is called
    page.keyboard.press("F9")
    expect(page.locator("#paused-tag")).to_be_hidden()
    expect(page.locator("#btn-next")).to_be_enabled()
    kinds = [e["type"] for e in centre.events() if e["type"] != "day_reset"]
    assert kinds == ["issued", "counter_paused", "counter_resumed"]


def test_live_without_reload(page: Page, centre: Centre) -> None:
    """Tickets taken at the kiosk and calls by another counter show up by themselves."""
    sign_in(page, centre, "1", "1111")
    expect(page.locator("#waiting tr.total td.n")).to_have_text("0")
    centre.issue("ho-tich")
    centre.issue("ho-tich")
    centre.issue("chung-thuc")
    expect(page.locator("#waiting tr.total td.n")).to_have_text("3")
    # Counter 2 serves the same services: its call takes one from our queue.
    assert centre.handle is not None
    centre.handle.engine.call_next("2")
    expect(page.locator("#waiting tr.total td.n")).to_have_text("2")
    centre.issue("dat-dai")  # not ours: the page does not need to care, but stays right
    expect(page.locator("#waiting tr.total td.n")).to_have_text("2")


def test_offline_banner_and_recovery_after_a_server_restart(page: Page, centre: Centre) -> None:
    centre.issue("ho-tich")
    sign_in(page, centre)
    expect(page.locator("#offline")).to_be_hidden()

    centre.stop()
    expect(page.locator("#offline")).to_be_visible()
    expect(page.locator("#offline")).to_have_text("Mất kết nối: đang kết nối lại…")
    expect(page.locator("#btn-next")).to_be_disabled()
    page.keyboard.press("F1")  # does nothing while offline

    centre.start()  # same port, same database; the staff session was in the old server's memory
    expect(page.locator("#offline")).to_be_hidden()
    expect(page.locator("#btn-next")).to_be_enabled()
    page.click("#btn-next")
    expect(page.locator("#cur-number")).to_have_text("A001")
    # A ticket issued after the restart reaches the page through the resumed long-poll.
    centre.issue("chung-thuc")
    expect(page.locator("#waiting tr.total td.n")).to_have_text("1")
    expect(page.locator("#desk")).to_be_visible()


def test_reload_keeps_the_session(page: Page, centre: Centre) -> None:
    sign_in(page, centre, "4", "4444")
    page.reload()
    expect(page.locator("body.ready")).to_have_count(1)
    expect(page.locator("#counter-name")).to_have_text("Quầy 4")
    page.click("#sign-out")
    expect(page.locator("#login")).to_be_visible()
    expect(page.locator("#login-counter")).to_have_value("4")


def test_khmer_console(page: Page, centre: Centre) -> None:
    open_console(page, centre, "console/?lang=km")
    expect(page.locator("#login h2")).to_have_text("បុគ្គលិកចូលប្រើ")
    expect(page.locator("#login-counter option").first).to_have_text("បញ្ជរ ១ – អាទិភាព")


def test_a_lost_session_without_the_pin_asks_to_sign_in_again(page: Page, centre: Centre) -> None:
    """After a reload the PIN is gone from memory; a server restart then needs a new sign-in."""
    sign_in(page, centre, "2", "2222")
    page.reload()
    expect(page.locator("#counter-name")).to_have_text("Quầy 2")
    centre.stop()
    expect(page.locator("#offline")).to_be_visible()
    centre.start()
    expect(page.locator("#login")).to_be_visible()
    expect(page.locator("#login-error")).to_have_text(
        "Phiên làm việc đã hết. Vui lòng đăng nhập lại."
    )
    expect(page.locator("#login-counter")).to_have_value("2")


def test_a_desk_left_open_overnight_works_in_the_morning(page: Page, tmp_path: Path) -> None:
    """Past the 8-hour session (a tab left open overnight, not reloaded), the first
    click renews the session with the PIN the tab kept and does what was asked."""
    now = [1000.0]
    with running_centre(tmp_path, auth_clock=lambda: now[0]) as centre:
        sign_in(page, centre)
        now[0] += 16 * 3600  # the next morning: the session has expired
        centre.issue("ho-tich")
        expect(page.locator("#waiting tr.total td.n")).to_have_text("1")
        page.click("#btn-next")
        expect(page.locator("#cur-number")).to_have_text("A001")
        expect(page.locator("#desk")).to_be_visible()
