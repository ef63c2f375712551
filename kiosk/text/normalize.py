"""NFC at every boundary, and the Vietnamese folding that search relies on.

NFD does not decompose đ/Đ (they are letters of their own), so folding drops
combining marks after NFD and then maps đ -> d by hand. Khmer is never folded:
its combining signs carry meaning (a Khmer vowel sign is not a tone mark).
"""

from __future__ import annotations

import re
import unicodedata

_D = str.maketrans({"đ": "d", "Đ": "D"})
# What text from elsewhere (a catalogue, a citizen's comment) may not carry: control
# characters (C0, DEL, C1) except the line break, lone surrogates (json.loads accepts
# "\ud800"), and the invisible characters that reorder or hide text. Zero-width space
# and joiners stay: Khmer uses them.
UNWANTED = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


def nfc(text: str) -> str:
    """The one normal form stored and shown everywhere."""
    return unicodedata.normalize("NFC", text)


def _is_khmer(ch: str) -> bool:
    return "\u1780" <= ch <= "\u17ff" or "\u19e0" <= ch <= "\u19ff"


def has_khmer(text: str) -> bool:
    """Whether ``text`` has any Khmer letter or sign (it must then be drawn in a Khmer font)."""
    return any(_is_khmer(ch) for ch in text)


def fold_vi(text: str) -> str:
    """Lower-case, tone- and đ-insensitive form of Latin text; Khmer is left intact.

    ``fold_vi("Đăng ký KHAI SINH") == "dang ky khai sinh"``; both tone placements
    (hòa / hoà) fold to the same string because the marks are dropped.
    """
    out: list[str] = []
    prev_khmer = False
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.category(ch) == "Mn" and not prev_khmer:
            continue
        prev_khmer = _is_khmer(ch) or (prev_khmer and unicodedata.category(ch) in ("Mn", "Mc"))
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)).translate(_D).casefold()
