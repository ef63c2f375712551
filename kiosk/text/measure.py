"""Width of shaped text in pixels, with the real font, as Pillow's RAQM layout draws it.

RAQM (HarfBuzz + FriBiDi) is what shapes Khmer: without it Pillow lays glyphs
out one by one and Khmer widths are meaningless. ``check_text_support`` says
so plainly at start-up; measuring still works (approximately) without it.

The width of a line is its full horizontal extent: the advance, widened by any
ink that hangs out on the right (a "T" or "f" at the end) or on the left. Font
objects and measurements are cached: a procedure page wraps dozens of
paragraphs made of the same few hundred words.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont, features

from kiosk.text.fonts import font_for, normalize_lang

log = logging.getLogger(__name__)

_CACHE_LIMIT = 50_000


@lru_cache(maxsize=1)
def has_raqm() -> bool:
    """Whether Pillow can shape complex scripts (Khmer) with libraqm."""
    return bool(features.check("raqm"))


@lru_cache(maxsize=64)
def load_font(font_path: str | Path, font_size: int) -> ImageFont.FreeTypeFont:
    """A cached Pillow font at an integer pixel size, with RAQM layout when available."""
    if has_raqm():
        layout = ImageFont.Layout.RAQM
    else:
        log.warning("Pillow has no RAQM layout: Khmer cannot be shaped (see check_text_support)")
        layout = ImageFont.Layout.BASIC
    return ImageFont.truetype(str(font_path), int(font_size), layout_engine=layout)


def font_px(font_size: float) -> int:
    """The pixel size fonts are opened at: Kivy's SDL2 provider truncates to an int."""
    return max(1, int(font_size))


class Measurer:
    """Measures strings in one font at one size, caching every answer.

    ``advance(text)`` is the pen advance (fast; used to estimate); calling the
    measurer gives the full extent (advance and overhanging ink).
    Thread-safe enough for a UI thread and a printer thread sharing it: the
    caches are plain dicts whose worst race is measuring a string twice.
    """

    def __init__(self, font_path: str | Path, font_size: float, language: str | None) -> None:
        self.font_path = Path(font_path)
        self.font_size = font_px(font_size)
        self.language = language
        self._font = load_font(str(self.font_path), self.font_size)
        self._advance: dict[str, float] = {}
        self._extent: dict[str, float] = {}

    def advance(self, text: str) -> float:
        width = self._advance.get(text)
        if width is None:
            if len(self._advance) > _CACHE_LIMIT:
                self._advance.clear()
            width = self._advance[text] = self._font.getlength(text, language=self.language)
        return width

    def __call__(self, text: str) -> float:
        width = self._extent.get(text)
        if width is None:
            if len(self._extent) > _CACHE_LIMIT:
                self._extent.clear()
            advance = self.advance(text)
            if text.strip():
                left, _top, right, _bottom = self._font.getbbox(text, language=self.language)
                width = max(advance, right) - min(0, left)
            else:
                width = advance
            self._extent[text] = width
        return width


_measurers: dict[tuple[str, int, str | None], Measurer] = {}
_measurers_lock = threading.Lock()


def measurer(font_path: str | Path, font_size: float, language: str | None = None) -> Measurer:
    """The shared, cached :class:`Measurer` for a font file, pixel size and shaping language."""
    key = (str(font_path), font_px(font_size), language)
    found = _measurers.get(key)
    if found is None:
        with _measurers_lock:
            found = _measurers.get(key)
            if found is None:
                found = _measurers[key] = Measurer(font_path, font_size, language)
    return found


def text_width(
    text: str, font_path: str | Path, font_size: float, *, language: str | None = None
) -> float:
    """Width in pixels of ``text`` on one line, drawn with ``font_path`` at ``font_size`` px.

    Needs no kiosk config; the printer layer can be handed this function.
    """
    return measurer(font_path, font_size, language)(text)


def width_in(text: str, lang: str, font_size: float, *, bold: bool = False) -> float:
    """Width in pixels of ``text`` in the UI font of ``lang``."""
    spec = font_for(normalize_lang(lang), bold)
    return text_width(text, spec.path, font_size, language=spec.language)
