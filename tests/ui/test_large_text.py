"""A+ on every screen, in three languages and two orientations: nothing overlaps or spills.

``layout_problems`` (tests/ui/harness.py) walks what is on screen: sibling boxes
that overlap, children that leave their parent, text larger than its box or cut
inside it. Every citizen screen and state is walked: results and nothing found
(the closest fields and the offer to ask staff), the ticket printed and the
printer fault (a real fake printer out of paper), the idle warning.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.printer.fakes import PAPER_OUT, Behaviour, TcpFakePrinter
from tests.ui.harness import Rig, kiosk_rig, layout_problems, pump, tap, wait_until

pytestmark = [pytest.mark.ui, pytest.mark.usefixtures("ui_window")]
QUERY = {"vi": "chung thuc", "km": "ការ", "en": "birth"}
# Found nowhere: the screen offers the closest fields and the staff instead.
NOT_FOUND = {"vi": "khai sinh xe may", "km": "កំណើត ឡាន", "en": "birth motorbike"}
LANGS = ("vi", "km", "en")


def type_query(rig: Rig, text: str) -> None:
    keyboard = rig.app.screen("lookup").keyboard
    for char in text:
        keyboard.press("␣" if char == " " else char)
    pump(6)


def at_large_text(rig: Rig, lang: str) -> None:
    """A citizen starts in ``lang`` and touches A+ in the bar."""
    from kiosk.ui.textkit import language
    from kiosk.ui.theme import theme

    rig.app.start_session(lang)
    pump(4)
    tap(rig.app.root.bar.ids.textsize)  # the A+ button
    assert theme.scale >= 1.4 and language.lang == lang


def every_screen(rig: Rig, lang: str) -> Iterator[str]:
    """Show each citizen screen in turn (the real app, real data); yield its name."""
    app = rig.app

    def show(name: str, **kwargs: Any) -> str:
        app.go(name, **kwargs)
        rig.wait_idle()
        pump(6)
        return name

    yield show("home")
    app.go("services")
    wait_until(lambda: app.screen("services").rows, what="services")
    yield show("services")
    yield show("confirm", service="ho-tich")
    yield show("lookup")
    type_query(rig, QUERY[lang])
    assert app.screen("lookup").results
    yield "lookup with results"
    app.screen("lookup").reset()
    type_query(rig, NOT_FOUND[lang])
    wait_until(lambda: app.screen("lookup").near, what="the closest fields")
    pump(6)
    yield "lookup: nothing found"
    yield show("fields")
    yield show("field", code="ho-tich")
    yield show("procedure", code="1.001193", back="lookup")
    yield show("fault", kind="offline")
    app.screen("confirm").confirm()
    ticket = rig.wait_screen("ticket")
    wait_until(lambda: ticket.state != "printing", 30, "the print")
    pump(6)
    yield "ticket"
    now = [1000.0]
    app.idle._clock = lambda: now[0]  # the app's own watch, on a clock we move
    app.idle.touch()
    now[0] += rig.cfg.kiosk.idle_seconds - 5
    wait_until(lambda: app._warning, what="the idle warning")
    pump(6)
    yield "idle warning"
    app.still_here()
    app.reset_session()
    pump(6)
    yield "attract"


def problems_on_screen(rig: Rig, where: str) -> list[str]:
    """What ``layout_problems`` finds in the window: the screens, and a dialog over them."""
    found = layout_problems(rig.app.root)
    if rig.app._warning is not None:
        found += layout_problems(rig.app._warning)
    return [f"[{where}] {p}" for p in found]


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_every_screen_holds_at_large_text(tmp_path: Path, orientation: str) -> None:
    problems = []
    seen = []
    with kiosk_rig(tmp_path, orientation=orientation) as rig:
        for lang in LANGS:
            at_large_text(rig, lang)
            for screen in every_screen(rig, lang):
                seen.append(screen)
                problems += problems_on_screen(rig, f"{lang} {screen}")
    assert len(seen) == 3 * 13, seen  # every screen in every language was really shown
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_the_printer_fault_holds_at_large_text(tmp_path: Path, orientation: str) -> None:
    """The red banner, "Try printing again", Listen and Done share the bottom row."""
    problems = []
    with (
        TcpFakePrinter(Behaviour(status=PAPER_OUT)) as printer,
        kiosk_rig(tmp_path, orientation=orientation, printer=f"{printer.url}?timeout=2") as rig,
    ):
        for lang in LANGS:
            at_large_text(rig, lang)
            rig.app.go("confirm", service="ho-tich")
            rig.wait_idle()
            rig.app.screen("confirm").confirm()
            ticket = rig.wait_screen("ticket")
            wait_until(lambda t=ticket: t.state == "failed", 30, "the printer fault")
            pump(6)
            assert ticket.ids.again.opacity == 1 and not ticket.ids.again.disabled
            problems += problems_on_screen(rig, f"{lang} printer fault")
            rig.app.reset_session()
            pump(4)
    assert not problems, "\n".join(problems)


def test_normal_text_holds_too(tmp_path: Path) -> None:
    problems = []
    with kiosk_rig(tmp_path, orientation="landscape") as rig:
        for lang in ("km", "en"):
            rig.app.start_session(lang)
            for screen in every_screen(rig, lang):
                problems += problems_on_screen(rig, f"{lang} {screen}")
    assert not problems, "\n".join(problems)


def test_a_plus_makes_every_text_and_button_at_least_1_4_times_larger(tmp_path: Path) -> None:
    from kiosk.ui.textkit import ShapedLabel
    from kiosk.ui.theme import theme
    from kiosk.ui.widgets import Btn

    def sizes(rig: Rig) -> dict[str, tuple[float, float]]:
        out = {}
        for screen in ("home", "procedure"):
            kwargs = {"code": "1.001193"} if screen == "procedure" else {}
            rig.app.go(screen, **kwargs)
            rig.wait_idle()
            pump(6)
            for i, w in enumerate(rig.app.screen(screen).walk(restrict=True)):
                if isinstance(w, ShapedLabel) and w.source_text and not w.fit:
                    out[f"{screen}/{i}"] = (
                        float(w.font_size),
                        w.height if isinstance(w, Btn) else 0,
                    )
        return out

    with kiosk_rig(tmp_path) as rig:
        rig.app.start_session("vi")
        normal = sizes(rig)
        theme.toggle_text_size()
        large = sizes(rig)
    assert normal.keys() == large.keys() and len(normal) > 20
    for key, (font, height) in normal.items():
        assert large[key][0] >= font * 1.4 - 0.01, key
        if height:
            assert large[key][1] >= height * 1.4 - 1, key
