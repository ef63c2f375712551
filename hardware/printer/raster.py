"""One line of text as a 1-bit picture, and the default line wrapper.

A thermal printer only has ASCII in its resident fonts, so every line with
Vietnamese or Khmer letters is drawn here and sent as raster. The picture is
cropped to its ink: a narrow image is what keeps a ticket small on a 9600-baud
serial line (bytes = rows x ceil(width / 8)).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypedDict

from PIL import Image, ImageDraw, ImageFont

from hardware.printer.fonts import KHMER, FontBook

# (text, lang, font, width_px) -> lines; the kiosk passes its ICU word wrapper here.
Wrap = Callable[[str, str, ImageFont.FreeTypeFont, int], list[str]]

COENG = "\u17d2"
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


def clusters(text: str) -> list[str]:
    """Split ``text`` into user-perceived characters (never inside a Khmer cluster).

    A cluster starts at a character that is not a mark or joiner and does not
    follow a coeng (U+17D2, whose next consonant is written as a subscript).
    """
    out: list[str] = []
    prev = ""
    for ch in text:
        joins = (
            unicodedata.category(ch) in ("Mn", "Mc", "Me")
            or ch in "\u200c\u200d"
            or prev == COENG
            or prev == "\u200d"
        )
        if out and joins:
            out[-1] += ch
        else:
            out.append(ch)
        prev = ch
    return out


def _words(text: str) -> list[str]:
    """Pieces ending at a break opportunity: after a space, a hyphen, a dash or a ZWSP."""
    pieces: list[str] = []
    current = ""
    for ch in text:
        current += ch
        if ch in " \u200b-\u2013\u2014/":
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    return pieces


def _clean(line: str) -> str:
    return line.replace("\u200b", "").strip()


def split_to_fit(book: FontBook, text: str, size: int, bold: bool, width_px: int) -> list[str]:
    """Break one over-long piece between clusters so that each line fits."""
    lines: list[str] = []
    current = ""
    for cluster in clusters(text):
        if current and measure(book, current + cluster, size, bold) > width_px:
            lines.append(current)
            current = cluster
        else:
            current += cluster
    if current:
        lines.append(current)
    return lines


def wrap_text(book: FontBook, text: str, size: int, bold: bool, width_px: int) -> list[str]:
    """Greedy wrap at spaces, hyphens and ZWSP; a piece wider than a line is split
    between clusters (for Khmer without spaces this is the fallback the kiosk's
    dictionary word wrapper replaces)."""
    lines: list[str] = []
    current = ""
    for word in _words(text):
        candidate = current + word
        if not current or measure(book, _clean(candidate), size, bold) <= width_px:
            current = candidate
            continue
        lines.append(current)
        current = word
    if current:
        lines.append(current)
    return _fitted(book, lines, size, bold, width_px, split_to_fit)


def _fitted(
    book: FontBook,
    lines: list[str],
    size: int,
    bold: bool,
    width_px: int,
    split: Callable[[FontBook, str, int, bool, int], list[str]],
) -> list[str]:
    """Lines without break spaces, each too-wide one broken further by ``split``."""
    out: list[str] = []
    for line in lines:
        cleaned = _clean(line)
        if not cleaned:
            continue
        if measure(book, cleaned, size, bold) > width_px:
            out.extend(split(book, cleaned, size, bold, width_px))
        else:
            out.append(cleaned)
    return out


def wrap_lines(
    book: FontBook,
    text: str,
    lang: str,
    size: int,
    bold: bool,
    width_px: int,
    wrap: Wrap | None = None,
) -> list[str]:
    """Lines of ``text`` that each fit ``width_px``.

    ``wrap`` (the kiosk's word wrapper) decides where to break when given; any
    line it returns that is still too wide, measured with the fonts actually
    drawn, is split further between clusters, so nothing is ever cut off.
    """
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        return []
    if wrap is None:
        return wrap_text(book, text, size, bold, width_px)
    lines = wrap(text, lang, book.primary(lang, size, bold), width_px)
    return _fitted(book, list(lines), size, bold, width_px, wrap_text)
