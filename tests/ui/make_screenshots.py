"""Screenshots of every kiosk screen in Vietnamese, Khmer and English, portrait and landscape.

    xvfb-run -a -s "-screen 0 1920x1920x24" .venv/bin/python -m tests.ui.make_screenshots

writes ``docs/screenshots/kiosk-<screen>-<lang>-<orientation>.png`` at the
kiosk's real sizes (1080x1920, 1920x1080): the real app, a real centre server
on 127.0.0.1 with a few people already waiting, the preview printer, and a
fake printer out of paper for the printer-fault screen. The citizen screens
again with large text (A+) as ``...-<orientation>-large.png`` (home, services,
confirm, procedure, look-up with results and with nothing found, ticket; in portrait
also the results with the keyboard hidden, ``kiosk-results-...``), the printed
ticket as ``kiosk-printed-<lang>.png``, and the journey strip of the README
(``kiosk-journey.png``: attract, language, search, procedure, ticket, paper).
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
QUERIES = {"vi": "khai sinh", "km": "កំណើត", "en": "birth"}
LANGS = ("vi", "km", "en")
JOURNEY = ("attract", "home", "lookup", "procedure", "ticket")
STRIP_HEIGHT = 720
# Found nowhere: the screen offers the closest fields and the staff instead.
NOT_FOUND = {"vi": "khai sinh xe may", "km": "កំណើត ឡាន", "en": "birth motorbike"}
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
            engine.issue(service)
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
    printed = [p for p in rig.previews() if p.suffix == ".png" and "checklist" not in p.name]
    if printed and orientation == "portrait":
        paper = out / f"kiosk-printed-{lang}.png"
        paper.write_bytes(printed[-1].read_bytes())
        print(paper)
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


def large_screens(rig: Rig, out: Path, lang: str, orientation: str) -> None:
    """The citizen screens with A+ (1.4x text and targets)."""
    from kiosk.ui.theme import theme

    rig.app.start_session(lang)
    theme.toggle_text_size()
    for name, kwargs in (
        ("home", {}),
        ("services", {}),
        ("confirm", {"service": "ho-tich"}),
        ("procedure", {"code": "1.001193", "back": "lookup"}),
    ):
        _go(rig, name, **kwargs)
        if name == "services":
            wait_until(lambda: rig.app.screen("services").rows, what="services")
            pump(4)
        _shot(out, name, lang, f"{orientation}-large")
    _lookup(rig, lang)
    _shot(out, "lookup", lang, f"{orientation}-large")
    if orientation == "portrait":  # "Hide keyboard": the results have the whole height
        rig.app.screen("lookup").hide_keyboard()
        pump(4)
        _shot(out, "results", lang, f"{orientation}-large")
    rig.app.screen("lookup").reset()
    _lookup(rig, lang, NOT_FOUND)
    wait_until(lambda: rig.app.screen("lookup").near, what="the closest fields")
    pump(4)
    _shot(out, "notfound", lang, f"{orientation}-large")
    _go(rig, "confirm", service="ho-tich")
    _ticket(rig, "printed")
    _shot(out, "ticket", lang, f"{orientation}-large")
    rig.app.reset_session()


def journey_strip(out: Path, lang: str = "km") -> Path:
    """One picture of a citizen's way through the kiosk, for the README."""
    from PIL import Image

    frames = [Image.open(out / f"kiosk-{s}-{lang}-portrait.png") for s in JOURNEY]
    frames.append(Image.open(out / f"kiosk-printed-{lang}.png"))
    gap = 24
    scaled = [
        f.convert("RGB").resize((round(f.width * STRIP_HEIGHT / f.height), STRIP_HEIGHT))
        for f in frames
    ]
    strip = Image.new(
        "RGB",
        (sum(f.width for f in scaled) + gap * (len(scaled) + 1), STRIP_HEIGHT + 2 * gap),
        "white",
    )
    x = gap
    for frame in scaled:
        strip.paste(frame, (x, gap))
        x += frame.width + gap
    path = out / "kiosk-journey.png"
    strip.quantize(colors=256, dither=Image.Dither.NONE).save(path, optimize=True)
    print(path)
    return path


def fault_screens(rig: Rig, out: Path, lang: str, orientation: str) -> None:
    rig.app.start_session(lang)
    _go(rig, "confirm", service="dat-dai")
    _ticket(rig, "failed")
    _shot(out, "printfault", lang, orientation)
    _lookup(rig, lang)
    _shot(out, "stale", lang, orientation)


def main(out: Path, orientations: tuple[str, ...] = tuple(SIZES)) -> None:
    from kivy.core.window import Window

    for orientation in orientations:
        size = SIZES[orientation]
        for lang in LANGS:
            with tempfile.TemporaryDirectory() as tmp:
                with kiosk_rig(
                    Path(tmp), orientation=orientation, size=size, rate_limit=1000
                ) as rig:
                    assert tuple(Window.size) == size, Window.size
                    main_screens(rig, out, lang, orientation)
                    rig.app.reset_session()
                    large_screens(rig, out, lang, orientation)
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
    journey_strip(out)


if __name__ == "__main__":
    # [OUT_DIR [ORIENTATION...]]: e.g. `docs/screenshots landscape` redoes one orientation.
    main(
        Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"),
        tuple(sys.argv[2:]) or tuple(SIZES),
    )
