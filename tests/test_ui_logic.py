"""Kiosk UI logic that needs no window: idle reset, on-screen keyboard editing."""

from __future__ import annotations

import unicodedata

import pytest

from kiosk.ui.idle import IdleWatch
from kiosk.ui.keyboards import BACKSPACE, CLEAR, LAYOUTS, SPACE, QueryEditor


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_idle_warns_then_expires_and_a_touch_resets() -> None:
    clock = FakeClock()
    watch = IdleWatch(60, 10, clock)
    assert watch.state().phase == "active"
    clock.now += 49
    assert watch.state().phase == "active"
    clock.now += 2
    state = watch.state()
    assert state.phase == "warning" and state.seconds_left == 9
    watch.touch()
    assert watch.state().phase == "active"
    clock.now += 61
    assert watch.state().phase == "expired"
    with pytest.raises(ValueError):
        IdleWatch(10, 10, clock)


def test_vietnamese_keyboard_composes_telex_and_tone_keys() -> None:
    ed = QueryEditor("vi")
    for key in "ddawng kys":
        ed.press(SPACE if key == " " else key)
    assert ed.text == "đăng ký"
    ed.press(CLEAR)
    for key in ["h", "o", "a", "à"]:
        ed.press(key)
    assert ed.text == "hòa"
    ed.press(BACKSPACE)
    assert ed.text == "hò"


def test_khmer_keyboard_types_code_points_in_order() -> None:
    ed = QueryEditor("km")
    for key in ["ក", "ំ", "ណ", "ើ", "ត"]:
        ed.press(key)
    assert ed.text == "កំណើត"
    assert unicodedata.is_normalized("NFC", ed.text)
    ed.press(BACKSPACE)
    assert ed.text == "កំណើ"


def test_layouts_have_every_special_key_and_no_duplicates() -> None:
    for lang, rows in LAYOUTS.items():
        keys = [k for row in rows for k in row]
        assert BACKSPACE in keys and SPACE in keys and CLEAR in keys, lang
        assert len(keys) == len(set(keys)), lang
    khmer = {k for row in LAYOUTS["km"] for k in row}
    assert "្" in khmer  # coeng, for subscript consonants


def test_query_length_is_capped() -> None:
    ed = QueryEditor("en", max_length=5)
    for key in "abcdefgh":
        ed.press(key)
    assert ed.text == "abcde"
