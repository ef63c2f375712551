"""The product's Khmer texts break where the stored reference says (see wrap_reference.py)."""

from __future__ import annotations

import json

from kiosk.text.wrap import clear_caches
from tests.text import wrap_reference


def test_khmer_texts_break_where_the_reference_says() -> None:
    stored = json.loads(wrap_reference.REFERENCE.read_text(encoding="utf-8"))
    assert tuple(stored["widths"]) == wrap_reference.WIDTHS
    assert stored["font_size"] == wrap_reference.FONT_SIZE
    clear_caches()  # from scratch: nothing left over from other tests' wrapping
    now = wrap_reference.current()
    assert len(now) >= 1900  # the catalogue's Khmer texts and the khPOS sentences
    assert sorted(now) == sorted(stored["cases"])  # same texts (assets changed: regenerate)
    moved = [text for key, (text, found) in now.items() if stored["cases"][key] != found]
    assert moved == []
