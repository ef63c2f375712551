"""Screenshots of every kiosk screen in Vietnamese and Khmer, portrait and landscape.

    xvfb-run -a -s "-screen 0 1920x1920x24" .venv/bin/python -m tests.ui.make_screenshots

writes ``docs/screenshots/kiosk-<screen>-<lang>-<orientation>.png`` at the
kiosk's real sizes (1080x1920, 1920x1080): the real app, a real centre server
on 127.0.0.1 with a few people already waiting, the preview printer, and a
fake printer out of paper for the printer-fault screen.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))

from tests.printer.fakes import PAPER_OUT, Behaviour, TcpFakePrinter
from tests.ui.harness import Rig, kiosk_rig, pump, screenshot, wait_until

SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
QUERIES = {"vi": "khai sinh", "km": "កំណើត"}
# Found nowhere: the screen offers the closest fields and the staff instead.
NOT_FOUND = {"vi": "khai sinh xe may", "km": "កំណើត ឡាន"}
UNREACHABLE_SOURCE = "http://127.0.0.1:9"


def _shot(out: Path, screen: str, lang: str, orientation: str) -> None:
    path = screenshot(out / f"kiosk-{screen}-{lang}-{orientation}.png")
    print(path)


def _go(rig: Rig, name: str, **kwargs: object) -> None:
    rig.app.go(name, **kwargs)
    rig.wait_idle()
    pump(4)


def _ticket(rig: Rig, state: str) -> None:
    """Confirm on the confirm screen and wait for the print to end in ``state``."""
    rig.app.screen("confirm").confirm()
    ticket = rig.wait_screen("ticket")
    wait_until(lambda: ticket.state == state, 30, f"the ticket to be {state}")
    pump(4)


def _lookup(rig: Rig, lang: str, queries: dict[str, str] = QUERIES) -> None:
    """The look-up screen with the sample query typed on its keyboard."""
    _go(rig, "lookup")
    keyboard = rig.app.screen("lookup").keyboard
    for char in queries[lang]:
        keyboard.press("␣" if char == " " else char)
    pump(6)


def main_screens(rig: Rig, out: Path, lang: str, orientation: str) -> None:
    from kiosk.ui.textkit import language

    engine = rig.server.engine
    for service, n in (("ho-tich", 4), ("dat-dai", 2), ("kinh-doanh-cu-tru", 1)):
        for _ in range(n):
            engine.issue(service, lang="vi")
    _shot(out, "attract", lang, orientation)
    rig.app.start_session(lang)
    assert language.lang == lang
    rig.wait_idle()
    pump(4)
    _shot(out, "home", lang, orientation)

    _go(rig, "services")
    wait_until(lambda: rig.app.screen("services").rows, what="services")
    pump(4)
    _shot(out, "services", lang, orientation)

    _go(rig, "confirm", service="ho-tich")
    rig.app.screen("confirm").choose_reason("elderly")
    pump(4)
    _shot(out, "confirm", lang, orientation)

    _ticket(rig, "printed")
    _shot(out, "ticket", lang, orientation)
    _lookup(rig, lang)
    _shot(out, "lookup", lang, orientation)
    rig.app.screen("lookup").reset()
    _lookup(rig, lang, NOT_FOUND)
    wait_until(lambda: rig.app.screen("lookup").near, what="the closest fields")
    pump(4)
    _shot(out, "notfound", lang, orientation)

    _go(rig, "fields")
    _shot(out, "fields", lang, orientation)
    _go(rig, "field", code="ho-tich")
    _shot(out, "field", lang, orientation)
    _go(rig, "procedure", code="1.001193", back="lookup")
    _shot(out, "procedure", lang, orientation)

    _go(rig, "fault", kind="offline")
    _shot(out, "offline", lang, orientation)

    _go(rig, "home")
    now = [1000.0]
    rig.app.idle._clock = lambda: now[0]
    rig.app.idle.touch()
    now[0] += rig.cfg.kiosk.idle_seconds - 7
    wait_until(lambda: rig.app._warning, what="the idle warning")
    pump(6)
    _shot(out, "idle", lang, orientation)
    rig.app.still_here()
    rig.app.idle._clock = __import__("time").monotonic
    rig.app.idle.touch()

    _go(rig, "pin")
    rig.app.screen("pin").pin = "24"
    pump(3)
    _shot(out, "pin", lang, orientation)
    _go(rig, "admin")
    wait_until(lambda: rig.app.screen("admin").disk != "…", what="admin status")
    pump(4)
    _shot(out, "admin", lang, orientation)


def fault_screens(rig: Rig, out: Path, lang: str, orientation: str) -> None:
    rig.app.start_session(lang)
    _go(rig, "confirm", service="dat-dai")
    _ticket(rig, "failed")
    _shot(out, "printfault", lang, orientation)
    _lookup(rig, lang)
    _shot(out, "stale", lang, orientation)


def main(out: Path) -> None:
    from kivy.core.window import Window

    for orientation, size in SIZES.items():
        for lang in ("vi", "km"):
            with tempfile.TemporaryDirectory() as tmp:
                with kiosk_rig(
                    Path(tmp), orientation=orientation, size=size, rate_limit=1000
                ) as rig:
                    assert tuple(Window.size) == size, Window.size
                    main_screens(rig, out, lang, orientation)
            with (
                tempfile.TemporaryDirectory() as tmp,
                TcpFakePrinter(Behaviour(status=PAPER_OUT)) as printer,
            ):
                with kiosk_rig(
                    Path(tmp),
                    orientation=orientation,
                    size=size,
                    printer=f"{printer.url}?timeout=2",
                    source=UNREACHABLE_SOURCE,
                ) as rig:
                    fault_screens(rig, out, lang, orientation)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
