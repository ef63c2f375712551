"""How many columns a text takes in a terminal, for the CLI's aligned tables.

``len()`` counts code points, but a Khmer subscript, a dependent vowel or a
Vietnamese combining mark takes no column of its own, so tables of Khmer names
padded by ``len()`` come out ragged. wcwidth knows the Unicode tables.
"""

from __future__ import annotations

from wcwidth import wcswidth


def terminal_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (code points where it holds a control character)."""
    width = wcswidth(text)
    return len(text) if width < 0 else width


def padded(text: str, width: int, *, left: bool) -> str:
    """``text`` padded with spaces to ``width`` terminal columns, on the right when ``left``."""
    fill = " " * max(0, width - terminal_width(text))
    return text + fill if left else fill + text


def wrapped(text: str, columns: int) -> list[str]:
    """``text`` in lines of at most ``columns`` terminal columns, broken where the UI breaks it.

    The same wrapper as the screens and the tickets (:func:`kiosk.text.wrap.wrap_text`:
    Khmer between words, Vietnamese and English at spaces), measured in columns.
    """
    from kiosk.text.normalize import has_khmer
    from kiosk.text.wrap import wrap_text

    return wrap_text(text, max(columns, 8), terminal_width, "km" if has_khmer(text) else "vi")
