"""The listen button in a real kiosk window under Xvfb, against a real centre server.

The reader's sink is a recorder that holds each clip "playing" until it is cut
short, so the test sees what was queued, on which thread, and that a second
press or leaving the screen stops it. espeak-ng renders the Vietnamese for real.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

from kiosk.text.i18n import gettext
from kiosk.voice import FragmentCache, OfflineVoice, Speech
from kiosk.voice.scripts import listen_fragments
from tests.ui.harness import Rig, kiosk_rig, pump, tap, visible_text, wait_until

from .google_fake import MP3

NO_ESPEAK = "needs espeak-ng (scripts/system-deps test installs it)"
pytestmark = [
    pytest.mark.ui,
    pytest.mark.usefixtures("ui_window"),
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason=NO_ESPEAK),
]


class HeldSink:
    """Plays each clip until ``stop_current`` (a person listening to a long text)."""

    def __init__(self) -> None:
        self.played: list[Path] = []
        self.threads: set[str] = set()
        self.cut = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def play(self, clip: Path) -> None:
        with self._lock:
            self.played.append(clip)
            self.threads.add(threading.current_thread().name)
        self._stop.wait(60)
        self._stop.clear()

    def stop_current(self) -> None:
        self.cut += 1
        self._stop.set()


def held(rig: Rig) -> HeldSink:
    sink = HeldSink()
    rig.app.listen.reader.player.sink = sink
    return sink


def listen_button(rig: Rig) -> Any:
    return rig.screen.ids.listen


def press(rig: Rig) -> None:
    tap(listen_button(rig))


def stopped(rig: Rig) -> bool:
    return not rig.app.listen.speaking and not listen_button(rig).speaking


def test_listen_reads_home_then_a_second_press_stops(tmp_path: Path) -> None:
    with kiosk_rig(tmp_path) as rig:
        sink = held(rig)
        tap(rig.ids("attract").start_vi)
        home = rig.wait_screen("home")
        button = home.ids.listen
        assert not button.disabled and not button.speaking
        assert "Nghe đọc" in visible_text(button)
        assert sink.played == []  # never automatic
        press(rig)
        wait_until(lambda: sink.played, what="the first clip")
        # The Vietnamese was rendered by espeak-ng on the reader's thread, not the UI's.
        wav = sink.played[0]
        assert wav.read_bytes()[:4] == b"RIFF" and wav.stat().st_size > 20_000
        assert sink.threads == {"voice-player"}
        wait_until(lambda: button.speaking, what="the button to say Stop")
        assert "Dừng" in visible_text(button)
        script = rig.app.listen.script(home, "vi")
        first = rig.app.listen.reader.plan(script)[0]
        assert isinstance(first, Speech) and first.text == gettext("Take a queue number", "vi")
        press(rig)  # again: stop
        wait_until(lambda: stopped(rig), what="the reading to stop")
        assert sink.cut >= 1
        count = len(sink.played)
        pump(10)
        assert len(sink.played) == count  # nothing more was played after the stop


def test_leaving_the_screen_stops_the_reading(tmp_path: Path) -> None:
    with kiosk_rig(tmp_path) as rig:
        sink = held(rig)
        tap(rig.ids("attract").start_vi)
        rig.wait_screen("home")
        tap(rig.ids("home").take)
        services = rig.wait_screen("services")
        wait_until(lambda: services.rows, what="the services")
        press(rig)
        wait_until(lambda: sink.played, what="the services read")
        texts = [p.fragments[0].text for p in rig.app.listen.script(services, "vi")]
        assert texts[0] == gettext("Choose a service", "vi")  # the heading, then the services
        assert services.rows[0]["title"] in texts
        rig.app.go("home")
        wait_until(lambda: not rig.app.listen.speaking, what="the reading to stop")
        assert sink.cut >= 1


def test_ticket_and_procedure_pages_are_read(tmp_path: Path) -> None:
    with kiosk_rig(tmp_path) as rig:
        sink = held(rig)
        tap(rig.ids("attract").start_vi)
        rig.wait_screen("home")
        rig.app.go("procedure", code="1.001193")
        proc = rig.wait_screen("procedure")
        script = rig.app.listen.script(proc, "vi")
        assert script[0].fragments[0].text == proc.title
        assert len(script) > 3  # the title, the documents, time and fee
        assert not proc.ids.listen.disabled
        tap(proc.ids.take)
        confirm = rig.wait_screen("confirm")
        tap(confirm.ids.confirm)
        ticket = rig.wait_screen("ticket")
        wait_until(lambda: ticket.state != "printing", 30, "the print")
        press(rig)
        wait_until(lambda: sink.played, what="the ticket read")
        plan = rig.app.listen.reader.plan(rig.app.listen.script(ticket, "vi"))
        assert isinstance(plan[0], Speech)
        # The number read the way the hall's speaker will call it (letter, then digits).
        assert plan[0].text.endswith(", a không không một"), plan[0].text
        press(rig)
        wait_until(lambda: stopped(rig), what="the reading to stop")


def test_khmer_is_greyed_without_a_voice_pack_and_read_from_one(tmp_path: Path) -> None:
    with kiosk_rig(tmp_path) as rig:
        sink = held(rig)
        tap(rig.ids("attract").start_km)
        home = rig.wait_screen("home")
        wait_until(lambda: home.ids.listen.disabled, what="the greyed button")
        press(rig)
        pump(5)
        assert sink.played == [] and not rig.app.listen.speaking
        # What `kiosk voice build` renders (or a person records) for the Khmer listen texts.
        cfg = rig.cfg
        cache = FragmentCache.for_config(cfg)
        for frag in listen_fragments(cfg, OfflineVoice.for_config(cfg)):
            if frag.lang == "km":
                cache.store(frag, MP3, "gtts")
        wait_until(lambda: not home.ids.listen.disabled, what="the button to come alive")
        press(rig)
        wait_until(lambda: sink.played, what="the Khmer clips")
        assert sink.played[0].parent.name == "km" and sink.played[0].suffix == ".mp3"
        press(rig)
        wait_until(lambda: stopped(rig), what="the reading to stop")


def test_the_ticket_countdown_waits_while_the_ticket_is_read(tmp_path: Path) -> None:
    with kiosk_rig(tmp_path) as rig:
        sink = held(rig)
        rig.app.ticket_return_seconds = 2.0
        tap(rig.ids("attract").start_vi)
        rig.wait_screen("home")
        tap(rig.ids("home").take)
        services = rig.wait_screen("services")
        wait_until(lambda: services.rows, what="the services")
        rig.app.go("confirm", service=services.rows[0]["service"])
        tap(rig.wait_screen("confirm").ids.confirm)
        ticket = rig.wait_screen("ticket")
        press(rig)
        wait_until(lambda: sink.played, what="the ticket read")
        wait_until(lambda: ticket.state == "printed", 30, "the print")
        held_at = ticket.seconds_left
        ticks = ticket._countdown
        assert ticks is not None
        for _ in range(3):  # three ticks of the countdown while it is read
            ticket._tick(1.0)
        assert rig.app.current == "ticket" and ticket.seconds_left == held_at
        press(rig)
        wait_until(lambda: stopped(rig), what="the reading to stop")
        wait_until(lambda: rig.app.current != "ticket", 30, "the countdown to go on")
