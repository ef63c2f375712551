"""Text that another system sent, made safe to show in a terminal, a log or a status panel.

A server's status text, a ``Location`` header, an error body or a field value
may hold terminal escape sequences (``ESC [ 2 J`` clears an IT officer's
screen, OSC 8 plants a link), line breaks that forge extra log lines, or
bidirectional controls that make ``exe.txt`` read as ``txt.exe``. Cleaning
them away (as the catalogue does for what citizens read) would hide that
something odd was sent; for diagnostics they are *escaped* instead, visibly
and reversibly (``\\x1b``, ``\\u202e``), and the text is cut to a length.
"""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 controls and DEL (line breaks included: one message, one line), lone
# surrogates, and every invisible character that reorders or hides text: LRM/RLM, ALM,
# the bidi embeddings, overrides and isolates, line and paragraph separators, BOM.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]"
)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_untrusted(text: object, limit: int = 300) -> str:
    """``text`` (any value: str() is taken) as one safe line of at most ``limit`` characters."""
    value = text if isinstance(text, str) else str(text)
    if len(value) > limit * 4:  # enough for the cut below even if every character grows
        value = value[: limit * 4]
    value = _UNSAFE.sub(_escaped, unicodedata.normalize("NFC", value))
    return value if len(value) <= limit else value[: limit - 1] + "…"
