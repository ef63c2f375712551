"""Digits in the reader's script.

Babel never emits Khmer digits, so the mapping is ours. Ticket numbers keep the
form staff read unless config asks otherwise (``kiosk.ticket_digits``).
"""

from __future__ import annotations

_KHMER = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
_LATIN = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")


def native_digits(text: str, lang: str) -> str:
    """ASCII digits in ``text`` as the language writes them (Khmer: U+17E0-17E9)."""
    return text.translate(_KHMER) if lang == "km" else text


def latin_digits(text: str) -> str:
    """Khmer digits back to ASCII (for input typed on a Khmer keyboard)."""
    return text.translate(_LATIN)
