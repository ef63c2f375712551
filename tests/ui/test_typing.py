"""Typing on the on-screen keyboards, in a real window: coverage, looks, caret, language switch."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from kiosk.text import fold_vi, has_khmer
from tests.ui.harness import Rig, find, key, kiosk_rig, pump, start, tap, wait_until

pytestmark = [pytest.mark.ui, pytest.mark.usefixtures("ui_window")]
CATALOGUES = Path(__file__).resolve().parents[2] / "assets" / "catalogue"


def catalogue_khmer_characters() -> set[str]:
    """Every Khmer character in the bundled catalogue(s), read now (the catalogue changes)."""
    chars: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            chars.update(c for c in unicodedata.normalize("NFC", value) if has_khmer(c))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in sorted(CATALOGUES.glob("*.json")):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return chars


def khmer_lookup(rig: Rig) -> Any:
    start(rig, "start_km")
    tap(rig.ids("home").lookup)
    lookup = rig.wait_screen("lookup")
    pump(3)
    return lookup


def test_every_khmer_character_of_the_catalogue_can_be_typed(tmp_path: Path) -> None:
    wanted = catalogue_khmer_characters()
    assert len(wanted) > 40  # the catalogue has Khmer text at all
    with kiosk_rig(tmp_path) as rig:
        lookup = khmer_lookup(rig)
        field = lookup.ids.query.field
        assert lookup.keyboard.layout == "km"
        for char in sorted(wanted):
            tap(key(rig, "⌧"))
            tap(key(rig, char))
            assert field.value == char, (char, field.value)
        tap(key(rig, "⌧"))
        for word in ("វិស័យ", "ព័ត៌មាន", "ព្រះរាជក្រឹត្យ"):
            for char in word:
                tap(key(rig, char))
            assert field.value == word
            tap(key(rig, "⌧"))


@pytest.mark.parametrize("large", [False, True], ids=["A", "A+"])
def test_key_captions_are_centred_and_whole(tmp_path: Path, large: bool) -> None:
    from kiosk.ui.textkit import ShapedLabel
    from kiosk.ui.theme import theme
    from kiosk.ui.widgets import KeyboardKey

    with kiosk_rig(tmp_path) as rig:
        lookup = khmer_lookup(rig)
        if large:
            pump(4)  # the bar is laid out
            tap(rig.app.root.bar.ids.textsize)
            wait_until(lambda: theme.scale > 1, what="A+")
        pump(6)
        keys = find(lookup.keyboard, lambda w: isinstance(w, KeyboardKey) and w.caption)
        assert {"ឿ", "ៀ", "switch"} <= {k.key for k in keys}
        for k in keys:
            label = next(w for w in k.children if isinstance(w, ShapedLabel))
            tex_w, tex_h = label.texture_size
            assert abs(label.center_x - k.center_x) <= 2, (k.key, label.center_x, k.center_x)
            assert tex_w <= k.width and tex_h <= k.height, (k.key, label.texture_size, k.size)
        if large:
            assert theme.scale >= 1.4


def test_a_khmer_query_stays_khmer_after_switching_to_vietnamese(tmp_path: Path) -> None:
    from kiosk.ui.textkit import FAMILIES

    with kiosk_rig(tmp_path) as rig:
        lookup = khmer_lookup(rig)
        field = lookup.ids.query.field
        for char in "កំណើត":
            tap(key(rig, char))
        assert field.font_name == FAMILIES["km"]
        vi = next(w for w in rig.app.root.bar.walk() if getattr(w, "code", "") == "vi")
        tap(vi)
        wait_until(lambda: lookup.keyboard.layout == "vi", what="the Vietnamese keyboard")
        pump(3)
        assert field.value == "កំណើត"
        assert field.font_name == FAMILIES["km"] and field.font_script_name == "Khmr"
        tap(key(rig, "⌧"))
        for char in "khai":
            tap(key(rig, char))
        assert field.value == "khai" and field.font_name == FAMILIES["vi"]


def test_a_khmer_screen_opens_with_the_khmer_keyboard(tmp_path: Path) -> None:
    with kiosk_rig(tmp_path) as rig:
        lookup = khmer_lookup(rig)
        tap(key(rig, "switch"))  # the Latin letters, to type a Vietnamese name
        assert lookup.keyboard.layout == "vi"
        tap(rig.app.root.bar.ids.home)
        rig.wait_screen("home")
        tap(rig.ids("home").lookup)
        rig.wait_screen("lookup")
        pump(3)
        assert lookup.keyboard.layout == "km" and lookup.keyboard.alternate == "vi"


def ink_right_edge(widget: Any) -> float:
    """The window x of the rightmost dark pixel drawn inside ``widget`` (its text)."""
    from kivy.core.window import Window
    from kivy.graphics.opengl import GL_RGBA, GL_UNSIGNED_BYTE, glReadPixels
    from PIL import Image

    pump(3)
    width, height = (int(v) for v in Window.size)
    data = glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE)
    image = Image.frombytes("RGBA", (width, height), data)  # bottom row first, as Kivy counts
    x0, y0 = (int(v) for v in widget.to_window(widget.x, widget.y))
    x1, y1 = x0 + int(widget.width), y0 + int(widget.height)
    pixels = image.load()
    assert pixels is not None
    right = -1
    for y in range(max(0, y0), min(height, y1)):
        for x in range(max(0, x0), min(width, x1)):
            r, g, b, _a = pixels[x, y]
            if r + g + b < 200:
                right = max(right, x)
    assert right >= 0, "no text drawn"
    return float(right)


@pytest.mark.parametrize("lang,word", [("km", "កំណើត"), ("vi", "khai sinh")])
def test_the_caret_sits_right_after_the_text(tmp_path: Path, lang: str, word: str) -> None:
    with kiosk_rig(tmp_path) as rig:
        start(rig, f"start_{lang}")
        tap(rig.ids("home").lookup)
        lookup = rig.wait_screen("lookup")
        pump(3)
        field = lookup.ids.query.field
        for char in word:
            tap(key(rig, "␣" if char == " " else char))
        caret_width = field.caret_width
        field.caret_width = 0  # measure the text alone
        right = ink_right_edge(field)
        field.caret_width = caret_width
        pump(2)
        caret_x, caret_y = field.to_window(*field._caret.pos)
        assert abs(caret_x - right) <= float(field.font_size) * 0.25, (caret_x, right)
        _x, y0 = field.to_window(field.x, field.y)
        assert y0 <= caret_y <= y0 + field.height


def test_long_names_wrap_fully_in_the_result_list_and_the_heading(tmp_path: Path) -> None:
    """A 25+ word procedure name: every line in the list row, first line first; the page title."""
    from kiosk.ui.textkit import ShapedLabel
    from kiosk.ui.theme import theme
    from kiosk.ui.widgets import _line_height
    from tests.ui.harness import result_rows

    with kiosk_rig(tmp_path) as rig:
        cat = rig.app.backend.catalogue
        longest = max(
            (s for f in cat.fields_with_counts() for s in cat.in_field(f.field.code)),
            key=lambda s: len(s.name.text("vi").text.split()),
        )
        name = longest.name.text("vi").text
        assert len(name.split()) >= 20
        words = fold_vi(name).split()
        query = next(
            q
            for q in (" ".join(words[i : i + 4]) for i in range(len(words) - 3))
            if cat.search(q, lang="vi", limit=1)[0].code == longest.code
        )
        for large in (False, True):
            start(rig, "start_vi")
            if large:
                rig.app.toggle_text_size()
            tap(rig.ids("home").lookup)
            lookup = rig.wait_screen("lookup")
            lookup.keyboard.set_text(query)
            lookup.typed(query)  # as the keyboard does
            row = wait_until(
                lambda screen=lookup: next(
                    (r for r in result_rows(screen) if r.code == longest.code), None
                ),
                what="the long name in the list",
            )
            pump(4)
            title = next(w for w in row.children if isinstance(w, ShapedLabel) and w.bold)
            lines = title.text.split("\n")
            assert len(lines) >= 2 and lines[0] and name.startswith(lines[0].strip())
            assert " ".join(line.strip() for line in lines) == name
            assert title.texture_size[1] <= title.height + 1, (title.texture_size, title.size)
            # Every line is drawn (not just the last two): the texture is as tall as all lines.
            line = _line_height("vi", float(title.font_size))
            assert title.texture_size[1] >= len(lines) * line * 0.9, (title.texture_size, lines)
            assert row.height >= title.texture_size[1]
            rig.app.go("procedure", code=longest.code, back="lookup")
            proc = rig.wait_screen("procedure")
            pump(4)
            heading = next(
                w
                for w in proc.walk()
                if isinstance(w, ShapedLabel) and w.text and w.source_text == name
            )
            assert heading.texture_size[1] <= heading.height + 1
            rig.app.reset_session()
            rig.wait_screen("attract")
            assert theme.scale == 1
