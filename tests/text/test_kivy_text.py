"""Real Kivy labels under Xvfb: Khmer shaped like HarfBuzz, wrapped between words, live switch.

All Kivy tests of the text area live in this one module (one window per process).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFont

from kiosk.text import font_for, translator, width_in, wrap_lines
from tests.text.kivy_render import (
    LONG_KHMER_NAME,
    crop_ink,
    ensure_window,
    grab,
    ink_box,
    overlap,
    pump,
    render_khmer_wrap,
)

pytestmark = pytest.mark.ui

SAMPLE = "ស្ត្រីក្រៅមន្ទីរពេទ្យ"  # subscripts (្ត ្រ ្ទ ្យ) and a pre-base vowel (េ)


@pytest.fixture(scope="module")
def window() -> Iterator[Any]:
    if not os.environ.get("DISPLAY"):
        pytest.skip("needs a display: run the tests under xvfb-run -a (make test does)")
    win = ensure_window()
    yield win
    for child in list(win.children):
        win.remove_widget(child)


@pytest.fixture
def ui_language() -> Iterator[None]:
    translator.reset()
    yield
    translator.reset()
    pump(1)


def show(window: Any, widget: Any, frames: int = 3) -> Any:
    window.add_widget(widget)
    pump(frames)
    return widget


def khmer_line(text: str, font_size: int, height: int = 120) -> Any:
    """An unwrapped black km label in a box wide enough for one line."""
    from kiosk.ui.textkit import ShapedLabel

    return ShapedLabel(
        text=text,
        lang="km",
        wrap=False,
        font_size=font_size,
        color=(0, 0, 0, 1),
        size_hint=(None, None),
        size=(600, height),
    )


def reference(text: str, lang: str, size: int) -> Image.Image:
    """The same text laid out by HarfBuzz (Pillow's RAQM) with the same font file."""
    spec = font_for(lang)
    font = ImageFont.truetype(str(spec.path), size, layout_engine=ImageFont.Layout.RAQM)
    image = Image.new("L", (int(width_in(text, lang, size)) + 40, size * 3), 255)
    ImageDraw.Draw(image).text((20, size // 2), text, font=font, fill=0, language=spec.language)
    return crop_ink(image)


def matches_reference(drawn: Image.Image, ref: Image.Image) -> bool:
    same_size = abs(drawn.width - ref.width) <= 2 and abs(drawn.height - ref.height) <= 2
    return same_size and overlap(drawn, ref) >= 0.6


def test_khmer_label_is_shaped_like_harfbuzz(window: Any) -> None:
    label = show(window, khmer_line(SAMPLE, 48))
    ref = reference(SAMPLE, "km", 48)
    shaped = crop_ink(grab(label))
    assert label.font_script_name == "Khmr"
    assert matches_reference(shaped, ref), (shaped.size, ref.size, overlap(shaped, ref))

    # The same label with Kivy's default script draws subscripts side by side:
    # this comparison is what fails when Khmer is not shaped.
    label.font_script_name = "Latn"
    pump()
    unshaped = crop_ink(grab(label))
    assert not matches_reference(unshaped, ref)
    assert unshaped.width > ref.width * 1.2
    window.remove_widget(label)


def test_first_measurement_of_a_fresh_font_size_is_shaped(window: Any) -> None:
    # Kivy 2.3.1 measures with the script the SDL font last drew with; a font
    # size never used before would measure Khmer unshaped (about 30% wider).
    from kivy.uix.label import Label

    from kiosk.ui.textkit import FAMILIES, ShapedLabel

    label = show(window, ShapedLabel(text=SAMPLE, lang="km", wrap=False, font_size=53))
    assert abs(label.texture_size[0] - width_in(SAMPLE, "km", 53)) <= 3
    bare = show(
        window,
        Label(text=SAMPLE, font_name=FAMILIES["km"], font_script_name="Khmr", font_size=57),
    )
    assert bare.texture_size[0] > width_in(SAMPLE, "km", 57) * 1.15, (
        "Kivy now measures Khmer shaped on a fresh font: prime_font_state may be dropped"
    )
    window.remove_widget(label)
    window.remove_widget(bare)


def test_latin_in_a_khmer_label_after_khmer_labels_is_whole(window: Any) -> None:
    # Same SDL font (Kiosk Sans Khmer, 40 px) for both: the second label must be
    # measured with its own settings, not the first one's, or it would be clipped.
    text = "Lịch Hội Thượng A012"
    khmer = show(window, khmer_line(SAMPLE, 40))
    latin = show(window, khmer_line(text, 40, height=80))
    measured = width_in(text, "km", 40)
    # Never wider on screen than wrap_lines measured (so never rewrapped) ...
    assert measured * 0.97 <= latin.texture_size[0] <= measured + 1
    # ... and every glyph drawn: the ink matches HarfBuzz's, nothing cut off.
    drawn = crop_ink(grab(latin))
    assert abs(drawn.width - reference(text, "km", 40).width) <= 6
    for widget in (khmer, latin):
        window.remove_widget(widget)


def test_narrow_label_wraps_between_words_and_kivy_keeps_the_lines(window: Any) -> None:
    from kiosk.ui.textkit import WRAP_SLACK_PX, ShapedLabel

    label = ShapedLabel(
        text=LONG_KHMER_NAME,
        lang="km",
        font_size=32,
        color=(0, 0, 0, 1),
        size_hint=(None, None),
        size=(260, 400),
    )
    show(window, label)
    expected = wrap_lines(LONG_KHMER_NAME, "km", 32, 260 - WRAP_SLACK_PX)
    assert label.text.split("\n") == expected
    assert len(label._label._cached_lines) == len(expected), "Kivy wrapped the lines again"
    assert label.texture_size[0] <= 260
    box = ink_box(grab(label))
    assert box is not None and box[2] <= 260
    window.remove_widget(label)


def test_label_rewraps_when_its_width_changes(window: Any) -> None:
    from kiosk.ui.textkit import ShapedLabel

    label = show(
        window,
        ShapedLabel(
            text=LONG_KHMER_NAME, lang="km", font_size=30, size_hint=(None, None), size=(900, 100)
        ),
    )
    wide = label.text.count("\n")
    label.width = 200
    pump()
    assert label.text.count("\n") > wide
    assert label.source_text == LONG_KHMER_NAME
    window.remove_widget(label)


def test_live_language_switch_updates_text_font_and_script_in_one_frame(
    window: Any, ui_language: None
) -> None:
    from kiosk.ui.textkit import FAMILIES, ShapedLabel, ShapedTextField, language

    follow = ShapedLabel(msgid="Touch the screen to start", font_size=30)
    plural = ShapedLabel(
        msgid="{n} person ahead of you",
        msgid_plural="{n} people ahead of you",
        values={"n": 3},
        font_size=30,
    )
    fixed = ShapedLabel(text="Tiếng Việt", lang="vi", font_size=30)
    field = ShapedTextField(hint_msgid="Type a few words of the procedure name", font_size=28)
    for widget in (follow, plural, fixed, field):
        window.add_widget(widget)
    pump()
    assert follow.text == "Chạm vào màn hình để bắt đầu"
    assert plural.text == "Trước bạn còn 3 người"

    language.switch("km")
    pump(1)
    assert follow.text == "សូមប៉ះអេក្រង់ ដើម្បីចាប់ផ្ដើម"
    assert plural.text == "មាន ៣ នាក់នៅមុនអ្នក"
    assert field.text == "សូមវាយពាក្យខ្លះៗនៃឈ្មោះនីតិវិធី"
    for widget in (follow, plural, field):
        assert (widget.font_name, widget.font_script_name) == (FAMILIES["km"], "Khmr")
    assert (fixed.font_name, fixed.font_script_name, fixed.text) == (
        FAMILIES["vi"],
        "Latn",
        "Tiếng Việt",
    )

    plural.values = {"n": 1}
    language.switch("en")
    pump(1)
    assert (follow.text, plural.text) == ("Touch the screen to start", "1 person ahead of you")
    assert follow.font_script_name == "Latn"

    language.reset()  # idle reset
    pump(1)
    assert follow.text == "Chạm vào màn hình để bắt đầu"
    for widget in (follow, plural, fixed, field):
        window.remove_widget(widget)


def test_text_field_shows_typed_khmer_shaped(window: Any, ui_language: None) -> None:
    from kiosk.ui.textkit import ShapedTextField

    field = show(
        window,
        ShapedTextField(
            lang="km", font_size=48, color=(0, 0, 0, 1), size_hint=(None, None), size=(500, 100)
        ),
    )
    for key in ("ស", "្", "ត", "្", "រ", "ី"):  # typed key by key, like a Khmer keyboard
        field.insert(key)
    pump()
    assert field.value == "ស្ត្រី" and field.text == "ស្ត្រី"
    with_caret = grab(field)
    field.caret_width = 0
    pump()
    text_only = grab(field)
    assert matches_reference(crop_ink(text_only), reference("ស្ត្រី", "km", 48))
    # The caret stands right after the last glyph.
    text_right = ink_box(text_only)[2]
    caret_left = ink_box(with_caret)[2] - 2
    assert 0 <= caret_left - text_right <= 8, (text_right, caret_left)
    field.backspace()
    assert field.value == "ស្ត្រ"
    field.clear()
    assert field.value == ""
    window.remove_widget(field)


def test_khmer_wrap_screenshot(window: Any, tmp_path: Path) -> None:
    shot = render_khmer_wrap(tmp_path / "khmer-wrap.png")
    assert (tmp_path / "khmer-wrap.png").exists()
    assert "".join(shot.lines).replace(" ", "") == LONG_KHMER_NAME.replace(" ", "")
    assert shot.kivy_lines == len(shot.lines) >= 4
    left, top, right, bottom = shot.label_box
    inside = shot.image.convert("L").crop((left + 2, top + 2, right - 2, bottom - 2))
    ink = ink_box(inside)
    assert ink is not None and ink[2] < inside.width  # nothing touches the frame


KV = """
#:import language kiosk.ui.textkit.language

<ProcedureCard@BoxLayout>:
    orientation: "vertical"
    name_km: ""
    ahead: 0
    ShapedLabel:
        id: title
        msgid: "Documents to bring"
        font_size: 30
    ShapedLabel:
        id: name
        text: root.name_km
        lang: "km"
        auto_height: True
        font_size: 28
    ShapedLabel:
        id: ahead
        msgid: "{n} person ahead of you"
        msgid_plural: "{n} people ahead of you"
        values: {"n": root.ahead}
    ShapedButton:
        id: back
        msgid: "Back"
    Label:
        id: code
        text: "lang=" + language.lang
"""


def test_kv_usage_as_documented(window: Any, ui_language: None) -> None:
    from kivy.factory import Factory
    from kivy.lang import Builder

    from kiosk.ui.textkit import language

    Builder.load_string(KV, filename="text-test.kv")
    card = Factory.ProcedureCard(size_hint=(None, None), size=(320, 600))
    show(window, card)
    card.name_km = LONG_KHMER_NAME
    card.ahead = 2
    pump()
    ids = card.ids
    assert ids.title.source_text == "Giấy tờ cần mang theo"
    assert ids.name.text.split("\n") == wrap_lines(LONG_KHMER_NAME, "km", 28, 318)
    assert ids.name.height == ids.name.texture_size[1] > 100
    assert ids.ahead.text == "Trước bạn còn 2 người"
    language.switch("km")
    pump(1)
    assert ids.title.source_text == "ឯកសារដែលត្រូវយកមក"
    assert ids.ahead.text == "មាន ២ នាក់នៅមុនអ្នក"
    assert ids.back.text == "ត្រឡប់ក្រោយ"
    assert ids.code.text == "lang=km"
    window.remove_widget(card)
    Builder.unload_file("text-test.kv")
