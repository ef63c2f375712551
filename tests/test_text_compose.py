"""Vietnamese composition for the on-screen keyboard (kiosk.text.compose)."""

from __future__ import annotations

import pytest

from kiosk.text import fold_vi
from kiosk.text.compose import apply_tone, telex


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("ddawng kys khai sinh", "đăng ký khai sinh"),
        ("hoaf giair", "hòa giải"),
        ("thuyr", "thủy"),
        ("nguwowif", "người"),
        ("quas", "quá"),
        ("giuwx", "giữ"),
        ("chuwngs thuwcj", "chứng thực"),
        ("tieengs Vieejt", "tiếng Việt"),
        ("toans", "toán"),
        ("muaf", "mùa"),
        ("ass", "as"),  # the same tone key twice gives the letter back
        ("aaa", "aa"),
        ("ddd", "dd"),
        ("hoafz", "hoa"),  # z removes the tone
        ("DDAWNG KYS", "ĐĂNG KÝ"),
        ("1.001193", "1.001193"),
    ],
)
def test_telex(keys: str, expected: str) -> None:
    assert telex(keys) == expected


def test_tone_keys_place_the_mark_like_schoolbooks() -> None:
    assert apply_tone("nguoi", "grave") == "nguòi"
    assert apply_tone("người", "tilde") == "ngưỡi"
    assert apply_tone("hòa", None) == "hoa"
    assert apply_tone("xyz", "acute") == "xýz"
    assert apply_tone("trình", "dot") == "trịnh"


def test_composed_text_folds_to_what_was_meant() -> None:
    assert fold_vi(telex("ddawng kys thuwowngf trus")) == "dang ky thuong tru"
