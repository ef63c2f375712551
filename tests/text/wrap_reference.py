"""Where the product's Khmer texts break, as a stored digest: speed work must not move a break.

``.venv/bin/python -m tests.text.wrap_reference`` rewrites
``tests/text/data/khmer_wrap_reference.json`` from the current code: run it only when
line breaks change on purpose (a new break rule, words added to the lexicon), and say
so in the commit. ``tests/text/test_wrap_reference.py`` compares against it.

The texts: every distinct Khmer text of the bundled catalogue (``assets/catalogue``) and
every sentence of the khPOS test corpus (``benchmarks/data``), each wrapped at the widths
of ``benchmarks/khmer_breaks.py`` in the UI's Khmer font at 28 px. One short digest per
text (all its widths), so a failure names the texts whose lines changed.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from benchmarks import khmer_breaks
from kiosk.text import wrap_lines

REFERENCE = Path(__file__).parent / "data" / "khmer_wrap_reference.json"
WIDTHS = (160, 240, 320, 420, 560, 700)
FONT_SIZE = 28


def _catalogue_texts() -> list[str]:
    texts = khmer_breaks.catalogue_khmer_texts("sample.json", "translations.json")
    return [t for t in texts if any("\u1780" <= ch <= "\u17ff" for ch in t)]


def _corpus_sentences() -> list[str]:
    return [sentence.text for sentence in khmer_breaks.load()]


def texts() -> list[str]:
    """The catalogue's Khmer texts, then the khPOS sentences (joined without separators)."""
    return list(dict.fromkeys(_catalogue_texts() + _corpus_sentences()))


def digest(text: str) -> str:
    """12 hex digits of SHA-256 over the text's lines at every width."""
    wrapped = ["\n".join(wrap_lines(text, "km", FONT_SIZE, width)) for width in WIDTHS]
    return hashlib.sha256("\f".join(wrapped).encode("utf-8")).hexdigest()[:12]


def key(text: str) -> str:
    """The text's own short digest: the reference names texts without holding them."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def current() -> dict[str, tuple[str, str]]:
    """key -> (text, digest of its lines)."""
    return {key(text): (text, digest(text)) for text in texts()}


def main() -> int:
    cases = {k: lines for k, (_text, lines) in current().items()}
    reference = {"widths": WIDTHS, "font_size": FONT_SIZE, "cases": cases}
    REFERENCE.write_text(json.dumps(reference, indent=0) + "\n", encoding="utf-8")
    print(f"{len(cases)} texts -> {REFERENCE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
