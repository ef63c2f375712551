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
