"""escape_untrusted: what another system sent, shown on one safe line."""

from __future__ import annotations

import pytest

from kiosk.text.escape import escape_untrusted


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text", "plain text"),
        ("Thủ tục đăng ký khai sinh", "Thủ tục đăng ký khai sinh"),
        ("ការចុះបញ្ជីកំណើត\u200b", "ការចុះបញ្ជីកំណើត\u200b"),  # Khmer keeps its zero-width space
        ("a\x1b[2Jb", "a\\x1b[2Jb"),
        ("\x1b]8;;https://x/\x07link", "\\x1b]8;;https://x/\\x07link"),
        ("\x9b31m", "\\x9b31m"),  # the one-byte C1 CSI
        ("one\r\ntwo\u2028three", "one\\x0d\\x0atwo\\u2028three"),
        ("invoice\u202egpj.exe", "invoice\\u202egpj.exe"),
        ("\u2066x\u2069 \u200f \u061c \ufeff", "\\u2066x\\u2069 \\u200f \\u061c \\ufeff"),
        ("\ud800", "\\ud800"),
        ("Tie\u0302\u0301ng", "Tiếng"),  # NFC
        (404, "404"),
    ],
)
def test_controls_escapes_and_bidi_are_shown_escaped(raw: object, shown: str) -> None:
    assert escape_untrusted(raw) == shown


def test_long_text_is_cut_and_escaping_twice_changes_nothing() -> None:
    once = escape_untrusted("\x1b" * 1000, limit=50)
    assert len(once) == 50 and once.endswith("…") and "\x1b" not in once
    assert escape_untrusted(once, limit=50) == once
