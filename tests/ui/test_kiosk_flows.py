"""The kiosk in a real Kivy window under Xvfb, driven by touches, against a real centre server.

Every test starts a fresh app (and server on 127.0.0.1 with a temp database)
in the one window of this process. Waits are on conditions, never on time.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.printer.fakes import PAPER_OUT, Behaviour, TcpFakePrinter
from tests.ui.harness import (
    find,
    kiosk_rig,
    pump,
    result_rows,
    server_ticket,
    start,
    take_first_service,
    tap,
    tap_admin_corner,
    touch_at,
    type_on_keyboard,
    visible_text,
    wait_until,
)

pytestmark = [pytest.mark.ui, pytest.mark.usefixtures("ui_window")]


def test_khmer_lookup_typed_on_the_keyboard_to_a_printed_ticket(tmp_path: Path) -> None:
    with kiosk_rig(tmp_path, orientation="portrait") as rig:
        start(rig, "start_km")
        from kiosk.ui.textkit import language

        assert language.lang == "km"
        assert "យកលេខរៀង" in visible_text(rig.screen)  # "take a number", in Khmer

        tap(rig.ids("home").lookup)
        lookup = rig.wait_screen("lookup")
        assert lookup.keyboard.layout == "km"
        type_on_keyboard(rig, ["ក", "ំ", "ណ", "ើ", "ត"])  # កំណើត: birth
        wait_until(lambda: lookup.ids.query.field.value == "កំណើត", what="the typed query")
        rows = wait_until(lambda: result_rows(lookup), what="results")
        assert rows[0].code == "1.001193", [r.code for r in rows]
        assert rows[0].name == "ការចុះបញ្ជីកំណើត"

        tap(rows[0])
        proc = rig.wait_screen("procedure")
        assert proc.title == "ការចុះបញ្ជីកំណើត"
        page = visible_text(proc)
        assert "ឯកសារដែលត្រូវយកមក" in page  # documents to bring
        assert proc.ids.take.opacity == 1

        tap(proc.ids.take)
        confirm = rig.wait_screen("confirm")
        assert confirm.service == "ho-tich" and confirm.procedure == "1.001193"
        tap(confirm.ids.confirm)

        ticket = rig.wait_screen("ticket")
        wait_until(lambda: ticket.state != "printing", 120, "the print")
        assert ticket.state == "printed", ticket.outcome_kind
        assert ticket.number == "A001"
        assert ticket.ids.number.text == "A001"
        assert ticket.qr.endswith(ticket.ticket["id"])

        previews = rig.previews()
        assert any(p.suffix == ".png" for p in previews), previews
        assert any(p.suffix == ".bin" and p.stat().st_size > 1000 for p in previews), previews
        stored = server_ticket(rig, ticket.ticket["id"])
        assert stored["print_status"] == "ok"
        assert stored["lang"] == "km" and stored["procedure"] == "1.001193"
        assert stored["priority"] is False

        wait_until(lambda: ticket.done_ready, what="Done to take touches")
        tap(ticket.ids.done)
        rig.wait_screen("attract")  # the next citizen starts afresh


def test_priority_ticket_with_a_reason_in_landscape(tmp_path: Path) -> None:
    with kiosk_rig(tmp_path, orientation="landscape") as rig:
        start(rig, "start_vi")
        tap(rig.ids("home").take)
        services = rig.wait_screen("services")
        cards = wait_until(lambda: list(reversed(services.ids.grid.children)), what="services")
        assert [c.service for c in cards][:2] == ["ho-tich", "chung-thuc"]
        assert "Không phải chờ" in cards[0].wait or "phút" in cards[0].wait
        # Examples people recognise, and a picture per field, on every service button.
        from kiosk.ui.views import service_examples

        example = service_examples(rig.cfg.service("ho-tich"), rig.app.backend.catalogue, "vi")[0]
        assert cards[0].examples.startswith("Ví dụ: ") and example in cards[0].examples
        assert [c.icon for c in cards][:5] == ["people", "stamp", "house", "shop", "heart"]
        assert example in visible_text(cards[0])

        tap(cards[1])  # chứng thực
        confirm = rig.wait_screen("confirm")
        options = {o.reason: o for o in confirm.ids.reasons.children}
        assert set(options) == {"", "elderly", "disability", "pregnancy", "small-child", "merit"}
        assert options[""].selected  # no priority unless chosen
        tap(options["elderly"])
        assert confirm.reason == "elderly" and options["elderly"].selected
        assert not options[""].selected
        tap(confirm.ids.confirm)

        ticket = rig.wait_screen("ticket")
        wait_until(lambda: ticket.state == "printed", 120, "the print")
        assert ticket.number == "B001"
        assert ticket.priority == "Ưu tiên: Người cao tuổi"
        stored = server_ticket(rig, ticket.ticket["id"])
        assert stored["priority"] is True and stored["priority_reason"] == "elderly"
        assert stored["print_status"] == "ok"


def test_idle_warns_then_resets_to_the_attract_screen_in_vietnamese(tmp_path: Path) -> None:
    with kiosk_rig(tmp_path, idle=15, warning=3) as rig:
        now = [1000.0]
        rig.app.idle._clock = lambda: now[0]  # the app's own watch, on a clock we move
        rig.app.idle.touch()
        start(rig, "start_km")
        tap(rig.ids("home").lookup)
        rig.wait_screen("lookup")
        type_on_keyboard(rig, ["ក", "ា"])
        assert rig.app.screen("lookup").query == "កា"

        now[0] += 13  # 2 s left: the warning shows, with a countdown
        warning = wait_until(lambda: rig.app._warning, what="the idle warning")
        pump(3)
        assert warning.seconds == 2
        assert "តើអ្នកចង់បន្តទៀតទេ?" in visible_text(warning)
        tap(warning.ids.box.children[0])  # Continue
        wait_until(lambda: rig.app._warning is None, what="the warning to close")
        assert rig.app.current == "lookup"

        now[0] += 16  # gone for good
        rig.wait_screen("attract")
        from kiosk.ui.textkit import language

        assert language.lang == "vi"
        lookup = rig.app.screen("lookup")
        assert lookup.query == "" and lookup.results == []
        assert lookup.ids.query.field.value == ""


def test_printer_out_of_paper_shows_the_number_and_tells_staff(tmp_path: Path) -> None:
    with TcpFakePrinter(Behaviour(status=PAPER_OUT)) as printer:
        with kiosk_rig(tmp_path, printer=f"{printer.url}?timeout=60") as rig:
            start(rig)
            tap(rig.ids("home").take)
            services = rig.wait_screen("services")
            cards = wait_until(lambda: list(reversed(services.ids.grid.children)))
            tap(cards[0])
            confirm = rig.wait_screen("confirm")
            tap(confirm.ids.confirm)
            ticket = rig.wait_screen("ticket")
            wait_until(lambda: ticket.state != "printing", 120, "the print attempt")
            assert ticket.state == "failed" and ticket.outcome_kind == "paper_out"
            shown = visible_text(ticket)
            assert "Máy in đang gặp sự cố. Vui lòng ghi lại số thứ tự của bạn." in shown
            assert ticket.ids.number.text == "A001" and ticket.qr
            assert ticket.ids.again.opacity == 1
            stored = server_ticket(rig, ticket.ticket["id"])
            assert stored["print_status"] == "failed"
            assert stored["print_error"].startswith("paper_out")
            assert printer.core.job == bytearray()  # nothing was sent to an empty printer


def test_a_printer_fault_keeps_the_number_up_for_its_own_countdown_not_the_idle_one(
    tmp_path: Path,
) -> None:
    """The fault screen gives the citizen its 60 s to copy the number: the idle watch
    (here 15 s) neither asks "are you still there?" over it nor sends them home early."""
    with TcpFakePrinter(Behaviour(status=PAPER_OUT)) as printer:
        with kiosk_rig(tmp_path, idle=15, warning=5, printer=f"{printer.url}?timeout=60") as rig:
            now = [1000.0]
            rig.app.idle._clock = lambda: now[0]  # the app's own watch, on a clock we move
            rig.app.idle.touch()
            start(rig)
            ticket = take_first_service(rig)
            assert ticket.state == "failed" and ticket.seconds_left > 15

            now[0] += 16  # the citizen is still copying the number, untouched for 16 s
            wait_until(
                lambda: rig.app.idle.paused or rig.app.current != "ticket", what="an idle tick"
            )
            assert rig.app.current == "ticket" and rig.app._warning is None
            assert ticket.ids.number.text == "A001"

            ticket.seconds_left = 1  # its own countdown still ends the session
            rig.wait_screen("attract")
            assert rig.app.idle.state().phase == "active"  # the next citizen starts afresh


def test_a_double_tap_on_get_my_number_does_not_end_the_session_on_done(
    tmp_path: Path,
) -> None:
    """Done lies where "Get my number" was. A fast printer (the preview printer here, a
    USB one that buffers the job) is done within a double tap: its second touch must not
    send the citizen home before they have seen their number."""
    with kiosk_rig(tmp_path) as rig:
        start(rig)
        tap(rig.ids("home").take)
        services = rig.wait_screen("services")
        tap(wait_until(lambda: list(reversed(services.ids.grid.children)))[0])
        confirm = rig.wait_screen("confirm").ids.confirm
        confirm_button = confirm.to_window(*confirm.center)
        tap(confirm)
        ticket = rig.wait_screen("ticket")
        wait_until(lambda: ticket.state != "printing", 120, "the print")
        assert ticket.state == "printed"
        done = ticket.ids.done
        assert done.collide_point(*done.to_widget(*confirm_button))  # the same place
        touch_at(*confirm_button)  # the second touch of the double tap
        assert rig.app.current == "ticket" and ticket.ids.number.text == "A001"

        wait_until(lambda: ticket.done_ready, what="Done to take touches")
        tap(done)  # a deliberate touch ends the session
        rig.wait_screen("attract")


def test_server_down_offers_lookup_which_still_works(tmp_path: Path) -> None:
    with kiosk_rig(tmp_path, server=False) as rig:
        start(rig)
        wait_until(lambda: not rig.app.server_ok, what="the health check to fail")
        home = rig.app.screen("home")
        assert "Hiện tạm thời không lấy được số thứ tự" in visible_text(home)
        tap(home.ids.take)
        fault = rig.wait_screen("fault")
        assert fault.kind == "offline"
        tap(fault.ids.lookup)
        lookup = rig.wait_screen("lookup")
        type_on_keyboard(rig, list("khai"))
        rows = wait_until(lambda: result_rows(lookup), what="results without a server")
        assert any(r.code == "1.001193" for r in rows)


def test_a_kiosk_whose_token_is_refused_does_not_offer_numbers(tmp_path: Path) -> None:
    """The server is up but refuses this kiosk's token: the home screen says so at once."""
    with kiosk_rig(tmp_path, token="a-typo-in-kiosk-token") as rig:
        start(rig)
        wait_until(lambda: not rig.app.server_ok, what="the token check to fail")
        home = rig.app.screen("home")
        assert "Hiện tạm thời không lấy được số thứ tự" in visible_text(home)
        assert rig.server.engine.services()["services"][0]["issued_today"] == 0


def test_escape_alt_f4_and_window_close_do_not_leave_the_kiosk(tmp_path: Path) -> None:
    from kivy.app import App
    from kivy.core.window import Window

    with kiosk_rig(tmp_path) as rig:
        start(rig)
        Window.dispatch("on_key_down", 27, 9, "", [])  # Escape
        Window.dispatch("on_keyboard", 27, 9, "", [])
        pump(3)
        assert Window.dispatch("on_request_close") is True  # Alt+F4, the close button
        pump(3)
        assert App.get_running_app() is rig.app
        assert rig.app.root.get_root_window() is Window
        assert rig.app.current == "home"


def test_admin_gesture_then_wrong_and_right_pin(tmp_path: Path) -> None:
    with kiosk_rig(tmp_path) as rig:
        # Five taps a second apart (touched over 4 s) but handled in a quick run of
        # frames: the gesture is timed by the finger, so no PIN pad.
        tap_admin_corner(rig, pace=1.0, since=time.time() - 60)
        pump(3)  # the PIN pad would open on the next frame
        assert rig.app.current != "pin"
        tap_admin_corner(rig)
        pin = rig.wait_screen("pin")

        def enter(digits: str) -> None:
            keys = {k.key: k for k in find(pin.ids.pad, lambda w: getattr(w, "key", ""))}
            for d in digits:
                tap(keys[d])
            tap(keys["ok"])
            wait_until(lambda: not pin.checking, what="the PIN check")

        enter("1111")
        assert pin.message == "Sai mã PIN" and rig.app.current == "pin"
        enter("2468")  # the development admin PIN
        admin = rig.wait_screen("admin")
        wait_until(lambda: admin.server.startswith("OK"), what="the admin status")
        assert admin.disk.endswith("GB") and admin.last == "-"
        assert re.search(r"\d,\d GB", admin.disk), admin.disk  # Vietnamese decimal comma
        assert "preview" in admin.printer
        assert admin.catalogue.startswith("phiên bản 1")

        stopped = []
        rig.app.stop = lambda *a: stopped.append(True)  # keep this process's window
        tap(admin.ids.exit)
        assert stopped and rig.app._on_request_close() is False


def open_admin_panel(rig: Any) -> Any:
    """Five taps in the top-left corner, then the development admin PIN."""
    tap_admin_corner(rig)
    pin = rig.wait_screen("pin")
    keys = {k.key: k for k in find(pin.ids.pad, lambda w: getattr(w, "key", ""))}
    for d in "2468":
        tap(keys[d])
    tap(keys["ok"])
    return rig.wait_screen("admin")


@pytest.mark.parametrize(
    ("lang", "words"),
    [("vi", "mã truy cập bị từ chối"), ("km", "លេខកូដសម្ងាត់ត្រូវបានបដិសេធ"), ("en", "token refused")],
)
def test_the_admin_panel_tells_a_refused_token_from_an_unreachable_server(
    tmp_path: Path, lang: str, words: str
) -> None:
    """The server answers 401 to a mistyped KIOSK_TOKEN: reachable, its token refused."""
    with kiosk_rig(tmp_path, token="a-typo-in-kiosk-token") as rig:
        rig.app.start_session(lang)  # the panel speaks the language on screen
        admin = open_admin_panel(rig)
        wait_until(lambda: admin.server != "…", what="the admin status")
        assert admin.server.startswith(f"{words} · {rig.server.url}"), admin.server
        assert "401" in admin.server and "unreachable" not in admin.server
        # The preview printer prints but cannot report: said in words, not a state name.
        assert not admin.printer.startswith("unknown")
        if lang == "en":
            assert admin.printer.startswith("prints, reports no status: ")


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("vi", "tin nhắn gửi máy chủ chỉ đang được giữ trong bộ nhớ"),
        ("km", "សម្រាប់ម៉ាស៊ីនមេ កំពុងរក្សាទុកតែក្នុងអង្គចងចាំប៉ុណ្ណោះ"),
        ("en", "1 message for the server is held in memory only"),
    ],
)
def test_the_admin_panel_says_when_the_outbox_is_held_in_memory_only(
    tmp_path: Path, lang: str, words: str
) -> None:
    """The outbox file cannot be written (here a folder stands where it goes; a full disk
    is tested in test_outbox_full_disk): the disk line says what a restart would lose.
    No server: one would refuse the made-up ticket's report and empty the outbox before
    the panel reads it (a CI run saw that race)."""
    from kiosk.ui.backend import OUTBOX_FILE

    with kiosk_rig(tmp_path, server=False) as rig:
        rig.app.start_session(lang)
        path = rig.cfg.data_path(OUTBOX_FILE)
        path.unlink(missing_ok=True)
        (path / "in-the-way").mkdir(parents=True)
        rig.app.backend.outbox.add_report("t-1", {"ok": False, "error": "paper out"})
        admin = open_admin_panel(rig)
        wait_until(lambda: admin.disk != "…", what="the admin status")
        assert words in admin.disk and "(Is a directory)" in admin.disk, admin.disk
        (path / "in-the-way").rmdir()
        path.rmdir()  # the folder goes: the next status writes the file and says nothing
        admin.refresh()
        wait_until(lambda: "GB" in admin.disk and words not in admin.disk, what="the refresh")
        assert "t-1" in json.loads(path.read_text(encoding="utf-8"))["print_results"]


def test_wrong_pins_lock_the_pad(tmp_path: Path) -> None:
    with kiosk_rig(tmp_path) as rig:
        rig.app.go("pin")
        pin = rig.wait_screen("pin")
        for _ in range(3):
            pin.pin = "0000"
            pin.submit()
            wait_until(lambda: not pin.checking)
        assert rig.app.pin_gate.locked_for() > 0
        assert "Nhập sai mã PIN quá nhiều lần" in pin.message
        pin.pin = "2468"
        pin.submit()  # even the right PIN waits out the lock
        assert rig.app.current == "pin"


def test_language_and_text_size_switch_live_on_a_procedure_page(tmp_path: Path) -> None:
    from kiosk.ui.textkit import language
    from kiosk.ui.theme import theme

    with kiosk_rig(tmp_path) as rig:
        start(rig, "start_vi")
        rig.app.go("procedure", code="1.001193", back="lookup")
        proc = rig.wait_screen("procedure")
        assert proc.title == "Thủ tục đăng ký khai sinh"
        assert "Giấy tờ cần mang theo" in visible_text(proc)
        bar = rig.app.root.bar
        km = next(w for w in bar.walk(restrict=True) if getattr(w, "code", "") == "km")
        tap(km)
        wait_until(lambda: proc.title == "ការចុះបញ្ជីកំណើត", what="the Khmer page")
        pump(3)
        assert language.lang == "km"
        page = visible_text(proc)
        assert "ឯកសារដែលត្រូវយកមក" in page and "Giấy tờ cần mang theo" not in page
        heading = proc.ids.sections.children[-2]  # the first heading after the draft note
        size = heading.children[0].font_size
        tap(bar.ids.textsize)
        pump(3)
        assert theme.scale > 1 and heading.children[0].font_size > size * 1.2
        tap(bar.ids.home)
        rig.wait_screen("home")
        rig.app.reset_session()
        assert theme.scale == 1 and language.lang == "vi"


def test_nothing_found_offers_the_closest_fields_and_the_staff(tmp_path: Path) -> None:
    with kiosk_rig(tmp_path) as rig:
        start(rig)
        tap(rig.ids("home").lookup)
        lookup = rig.wait_screen("lookup")
        type_on_keyboard(rig, [c if c != " " else "␣" for c in "khai sinh xe may"])
        wait_until(lambda: lookup.searched and lookup.near, what="the closest fields")
        assert lookup.results == []
        assert "Không tìm thấy thủ tục nào." in visible_text(lookup)
        cards = [w for w in lookup.ids.near_fields.children if getattr(w, "code", "")]
        assert cards and cards[-1].code == "ho-tich"  # first added is the closest
        assert "Các lĩnh vực gần nhất:" in visible_text(lookup)
        tap(lookup.ids.ask_staff)
        confirm = rig.wait_screen("confirm")
        assert confirm.service == "khac" and confirm.procedure == ""
        rig.app.go("lookup")
        lookup = rig.wait_screen("lookup")
        tap(next(c for c in lookup.ids.near_fields.children if c.code == "ho-tich"))
        field = rig.wait_screen("field")
        assert field.code == "ho-tich" and field.results
