"""One line of text as a 1-bit picture, and lines wrapped by the kiosk's word wrapper.

A thermal printer only has ASCII in its resident fonts, so every line with
Vietnamese or Khmer letters is drawn here and sent as raster. The picture is
cropped to its ink: a narrow image is what keeps a ticket small on a 9600-baud
serial line (bytes = rows x ceil(width / 8)).
"""

from __future__ import annotations

import logging
import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypedDict

from PIL import Image, ImageDraw

from hardware.printer.fonts import KHMER, FontBook

# (text, lang, measure, width_px) -> lines, where measure(piece) is the drawn width
# in dots; the kiosk passes its ICU word wrapper (kiosk.printing.ticket_wrap).
Wrap = Callable[[str, str, Callable[[str], float], int], list[str]]

log = logging.getLogger(__name__)
# Grey level at or above which a pixel of the anti-aliased drawing becomes a dot.
INK_THRESHOLD = 110


@dataclass(frozen=True)
class Ink:
    """A drawn line cropped to its ink.

    ``image`` is mode "1" with 1 = a printed dot. ``left`` is the x of its first
    column from the pen start; ``top`` is the y of its first row from the baseline
    (negative: above it).
    """

    image: Image.Image
    left: int
    top: int
    advance: int

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height


class _LayoutOptions(TypedDict, total=False):
    features: list[str]
    language: str | None


def _options(book: FontBook, script: str, lang: str = "") -> _LayoutOptions:
    """Layout options for a run: language-specific glyphs (Vietnamese stacked marks in
    Noto Sans), and no "fi"/"fl" ligatures, which thin printer dots make look broken."""
    if not book.raqm:
        return {}  # Pillow refuses these without libraqm (Latin/Vietnamese still draw)
    if script == KHMER:
        return {"language": "km"}
    return {"features": ["-liga"], "language": "vi" if lang == "vi" else None}


@lru_cache(maxsize=4096)
def measure(book: FontBook, text: str, size: int, bold: bool = False, lang: str = "") -> int:
    """Advance width in pixels of ``text`` drawn as mixed-script runs."""
    total = 0.0
    for run, script in book.runs(text):
        total += book.font(script, size, bold).getlength(run, **_options(book, script, lang))
    return math.ceil(total)


# Most lines of a ticket (centre, headings, service, footer) repeat from ticket to
# ticket; FreeType drawing is the slowest step, so drawn lines are kept. Callers
# never draw into an Ink's image (the layout copies before changing one).
@lru_cache(maxsize=512)
def draw_ink(book: FontBook, text: str, size: int, bold: bool, lang: str) -> Ink | None:
    """Draw ``text`` on one line; None when it has no ink (blank text)."""
    book.check_can_draw(text)
    advance = measure(book, text, size, bold, lang)
    if advance <= 0:
        return None
    pad = size  # room for glyphs that overhang their advance box
    height = size * 3
    baseline = size * 2
    canvas = Image.new("L", (advance + 2 * pad, height), 0)
    draw = ImageDraw.Draw(canvas)
    x = float(pad)
    for run, script in book.runs(text):
        font = book.font(script, size, bold)
        options = _options(book, script, lang)
        draw.text((x, baseline), run, font=font, fill=255, anchor="ls", **options)  # type: ignore[arg-type]
        x += font.getlength(run, **options)  # type: ignore[arg-type]
    mono = canvas.point(lambda v: 255 if v >= INK_THRESHOLD else 0, mode="1")
    box = mono.getbbox()
    if box is None:
        return None
    left, top, _, _ = box
    return Ink(
        image=mono.crop(box),
        left=left - pad,
        top=top - baseline,
        advance=advance,
    )


def wrap_paragraph(
    text: str,
    lang: str,
    width_of: Callable[[str], float],
    limit: int,
    wrap: Wrap | None = None,
) -> list[str]:
    """Lines of ``text`` that each fit ``limit`` as ``width_of`` measures them.

    ``wrap`` (the kiosk's word wrapper) decides where lines break, measuring with
    ``width_of``: dots of the fonts drawn here, or character cells of the
    printer's own font. Without one (or if it fails) the paragraph stays one
    line: the device layer has no word segmentation of its own.
    """
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        return []
    lines = [text]
    if wrap is not None:
        try:
            lines = wrap(text, lang, width_of, limit)
        except Exception:  # a ticket the server issued must still print
            log.exception("the word wrapper failed; printing %r unwrapped", text)
    return [line for line in (ln.strip() for ln in lines) if line]


def wrap_lines(
    book: FontBook,
    text: str,
    lang: str,
    size: int,
    bold: bool,
    width_px: int,
    wrap: Wrap | None = None,
) -> list[str]:
    """Lines of ``text`` drawn at ``size`` that each fit ``width_px`` dots."""

    def width_of(piece: str) -> float:
        return measure(book, piece, size, bold, lang)

    return wrap_paragraph(text, lang, width_of, width_px, wrap)
