"""A+ on every screen, in three languages and two orientations: nothing overlaps or spills.

``layout_problems`` (tests/ui/harness.py) walks what is on screen: sibling boxes
that overlap, children that leave their parent, text larger than its box.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.harness import Rig, kiosk_rig, layout_problems, pump, tap, wait_until

pytestmark = [pytest.mark.ui, pytest.mark.usefixtures("ui_window")]
QUERY = {"vi": "chung thuc", "km": "ការ", "en": "birth"}


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
    keyboard = app.screen("lookup").keyboard
    for char in QUERY[lang]:
        keyboard.press("␣" if char == " " else char)
    pump(6)
    yield "lookup with results"
    yield show("fields")
    yield show("field", code="ho-tich")
    yield show("procedure", code="1.001193", back="lookup")
    yield show("fault", kind="offline")
    app.screen("confirm").confirm()
    ticket = rig.wait_screen("ticket")
    wait_until(lambda: ticket.state != "printing", 30, "the print")
    pump(6)
    yield "ticket"
    app.reset_session()
    pump(6)
    yield "attract"


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
@pytest.mark.xfail(
    reason="known, open: since the merge of the listen button (home, ticket) the home cards and "
    "the ticket card no longer fit at A+ in English/Khmer; the layout is not yet adjusted",
    strict=False,
)
def test_every_screen_holds_at_large_text(tmp_path: Path, orientation: str) -> None:
    from kiosk.ui.textkit import language
    from kiosk.ui.theme import theme

    problems = []
    with kiosk_rig(tmp_path, orientation=orientation) as rig:
        for lang in ("vi", "km", "en"):
            rig.app.start_session(lang)
            pump(4)
            tap(rig.app.root.bar.ids.textsize)  # the A+ button
            assert theme.scale >= 1.4 and language.lang == lang
            for screen in every_screen(rig, lang):
                problems += [f"[{lang} {screen}] {p}" for p in layout_problems(rig.app.root)]
    assert not problems, "\n".join(problems)


def test_normal_text_holds_too(tmp_path: Path) -> None:
    problems = []
    with kiosk_rig(tmp_path, orientation="landscape") as rig:
        for lang in ("km", "en"):
            rig.app.start_session(lang)
            for screen in every_screen(rig, lang):
                problems += [f"[{lang} {screen}] {p}" for p in layout_problems(rig.app.root)]
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
