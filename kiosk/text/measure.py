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
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import uharfbuzz as hb
from PIL import ImageFont, features

from kiosk.text.fonts import font_for, normalize_lang

log = logging.getLogger(__name__)

_CACHE_LIMIT = 50_000
# Pillow's extent (bounding_box_and_anchors in _imagingft.c) rounds each glyph's
# pen position to the nearest pixel and its box outward to whole pixels: at most
# 1.5 px on either side, so the exact float extent of HarfBuzz's layout is within
# 3 px of Pillow's (and at most 1 px above it). One more pixel each way for the
# script runs of mixed Khmer and Latin text, which RAQM may itemise differently.
_FITS_BELOW_PX = 4.0  # an estimate this far under the limit fits
_EXCEEDS_ABOVE_PX = 2.0  # an estimate this far over the limit does not
_EPSILON = 1e-6
# Khmer with subscripts and pre-base vowels, Vietnamese marks, digits, punctuation.
_CALIBRATION = "ការចុះបញ្ជីកំណើតស្ត្រី ២០២៦ Đăng ký khai sinh, A012 (08:30) — Tự"


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


class Ink(NamedTuple):
    """Where a piece of text puts its pen and its ink, in px from its own origin.

    Pieces laid end to end compose with :meth:`then`: the advances of a line's
    break segments add up to the line's in the kiosk's fonts (checked on the
    khPOS corpus and the catalogue), but not always (kerning across a ZWSP, a
    dotted circle under a mark that starts a piece), so a composed ink only
    picks candidate lines; whether a line fits is decided on the line itself.
    (A named tuple: the wrapper composes thousands per page, and a frozen
    dataclass costs three times as much to make.)
    """

    advance: float
    left: float  # leftmost ink (<= 0 when it hangs out before the origin)
    right: float  # rightmost ink

    def then(self, other: Ink) -> Ink:
        """This piece followed by ``other`` on the same line."""
        shift = self.advance
        return Ink(
            shift + other.advance,
            min(self.left, shift + other.left),
            max(self.right, shift + other.right),
        )

    @property
    def extent(self) -> float:
        """The width Pillow would report, before its pixel rounding (see Measurer.__call__)."""
        return max(self.advance, self.right) - min(0.0, self.left)


NO_INK = Ink(0.0, 0.0, 0.0)


def _is_khmer(ch: str) -> bool:
    return "\u1780" <= ch <= "\u17ff" or "\u19e0" <= ch <= "\u19ff"


# Runs of letters of one script: Khmer (its whole block, as RAQM's script data
# has it) or any other letters (Latin: the kiosk's texts have no third script).
_STRONG = re.compile("([\u1780-\u17ff\u19e0-\u19ff]+)|([^\\W\\d_\u1780-\u17ff\u19e0-\u19ff]+)")


def _script_runs(text: str) -> list[tuple[int, int, str]]:
    """(start, end, script) runs as RAQM itemises our texts: Khmer or Latin letters;
    spaces, digits and punctuation join the run before them (the first run at the start)."""
    runs: list[tuple[int, int, str]] = []
    start, current = 0, ""
    for match in _STRONG.finditer(text):
        script = "Khmr" if match.lastindex == 1 else "Latn"
        if not current:
            current = script
        elif script != current:
            runs.append((start, match.start(), current))
            start, current = match.start(), script
    runs.append((start, len(text), current or "Latn"))
    return runs


# A script run's buffer flags by (starts the text, ends the text), made once: combining
# two members of an enum.Flag costs more than a short segment's glyph loop.
_RUN_FLAGS = {
    (True, True): hb.BufferFlags.BOT | hb.BufferFlags.EOT,
    (True, False): hb.BufferFlags.BOT,
    (False, True): hb.BufferFlags.EOT,
    (False, False): hb.BufferFlags.DEFAULT,
}


def _freetype_advances(face: hb.Face, px: int) -> list[int]:
    """Each glyph's advance (26.6) as Pillow's RAQM layout gets it from FreeType.

    RAQM shapes with HarfBuzz's FreeType font functions (``hb-ft``, unhinted):
    FreeType scales an advance by a rounded 16.16 factor (``x_scale =
    FT_DivFix(px * 64, upem)``, then ``FT_MulDiv(units, x_scale, 64)``) and hb-ft
    rounds that 16.16 value to 26.6. HarfBuzz's own OpenType functions multiply by
    a truncated factor (``(scale << 16) / upem``) instead, so at some sizes a glyph
    whose exact advance ends in about half a 64th comes out a 64th of a pixel
    narrower (docs/text.md, "Advances to the 64th"). GPOS values are scaled alike
    by both.
    """
    upem = face.upem
    units = hb.Font(face)
    units.scale = (upem, upem)  # advances in font units, unscaled
    x_scale = (px * 64 * 65536 + upem // 2) // upem  # FT_DivFix
    return [
        ((units.get_glyph_h_advance(glyph) * x_scale + 32) // 64 + 512) >> 10  # FT_MulDiv, hb-ft
        for glyph in range(face.glyph_count)
    ]


class _Shaper:
    """HarfBuzz with the font file, pixel size and advances Pillow uses; glyph boxes
    cached per glyph."""

    def __init__(self, font_path: Path, px: int, language: str | None) -> None:
        face = hb.Face(hb.Blob.from_file_path(str(font_path)))
        self._font = hb.Font(face)
        self._font.scale = (px * 64, px * 64)  # 26.6 fixed point, as FreeType sizes it
        advances = _freetype_advances(face, px)
        if any(self._font.get_glyph_h_advance(g) != a for g, a in enumerate(advances)):
            # A sub-font with FreeType's advances; everything else (GPOS, boxes) from its
            # parent. Only at the sizes that need it: the call back costs ~10 % of shaping.
            funcs = hb.FontFuncs()
            funcs.set_glyph_h_advance_func(lambda _font, glyph, _data: advances[glyph], None)
            self._font = hb.Font(self._font)
            self._font.funcs = funcs
        self._language = language
        self._boxes: dict[int, tuple[int, int] | None] = {}

    def _box(self, glyph: int) -> tuple[int, int] | None:
        if glyph not in self._boxes:
            extents = self._font.get_glyph_extents(glyph)
            self._boxes[glyph] = (
                (extents.x_bearing, extents.x_bearing + extents.width)
                if extents and extents.width
                else None
            )
        return self._boxes[glyph]

    def ink(self, text: str) -> Ink:
        if not text:
            return NO_INK
        pen, left, right = 0, 0, 0  # 26.6
        boxes = self._boxes
        font, language, n = self._font, self._language, len(text)
        for start, end, script in _script_runs(text):
            buf = hb.Buffer()
            buf.add_str(text if end - start == n else text[start:end])
            # RAQM marks the text's ends, where HarfBuzz puts a dotted circle under
            # a mark that has no base
            buf.flags = _RUN_FLAGS[start == 0, end == n]
            buf.direction = "ltr"
            buf.script = script
            if language:
                buf.language = language
            hb.shape(font, buf)
            for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
                glyph = info.codepoint
                box = boxes[glyph] if glyph in boxes else self._box(glyph)
                if box is not None:
                    x = pen + pos.x_offset
                    if x + box[0] < left:
                        left = x + box[0]
                    if x + box[1] > right:
                        right = x + box[1]
                pen += pos.x_advance
        return Ink(pen / 64, left / 64, right / 64)


class Measurer:
    """Measures strings in one font at one size, caching every answer.

    ``advance(text)`` is the pen advance and ``ink(text)`` the pen and ink of
    HarfBuzz's layout (fast; used to estimate); calling the measurer gives
    Pillow's full extent (advance and overhanging ink), and ``fits`` says
    whether that extent is within a limit, asking Pillow only when the
    estimate cannot tell.
    Thread-safe enough for a UI thread and a printer thread sharing it: the
    caches are plain dicts whose worst race is measuring a string twice.
    """

    def __init__(self, font_path: str | Path, font_size: float, language: str | None) -> None:
        self.font_path = Path(font_path)
        self.font_size = font_px(font_size)
        self.language = language
        self._font = load_font(str(self.font_path), self.font_size)
        self._shaper = self._matching_shaper() if has_raqm() else None
        self._ink: dict[str, Ink] = {}
        self._extent: dict[str, float] = {}

    def _matching_shaper(self) -> _Shaper | None:
        """HarfBuzz set up as Pillow lays text out, or None if their advances still differ
        (a Pillow whose RAQM asks FreeType for hinted, rounded advances, or scales them
        otherwise than ``_freetype_advances``): then Pillow decides every line."""
        shaper = _Shaper(self.font_path, self.font_size, self.language)
        pillow = self._font.getlength(_CALIBRATION, language=self.language)
        if abs(shaper.ink(_CALIBRATION).advance - pillow) > _EPSILON:
            log.warning("%s: HarfBuzz and Pillow disagree on advances", self.font_path.name)
            return None
        return shaper

    def ink(self, text: str) -> Ink:
        """HarfBuzz's pen advance and ink of ``text`` (cached); without RAQM, Pillow's."""
        found = self._ink.get(text)
        if found is None:
            if len(self._ink) > _CACHE_LIMIT:
                self._ink.clear()
            if self._shaper is not None:
                found = self._shaper.ink(text)
            else:
                advance = self._font.getlength(text, language=self.language)
                found = Ink(advance, 0.0, advance)
            self._ink[text] = found
        return found

    def advance(self, text: str) -> float:
        return self.ink(text).advance

    def may_fit(self, ink: Ink, limit: float) -> bool:
        """False only when a line with this estimated ink surely exceeds ``limit``."""
        if self._shaper is None:
            return ink.advance <= limit + _EPSILON
        return ink.extent - _EXCEEDS_ABOVE_PX <= limit

    def fill(self, text: str, ink: Ink) -> float:
        """How much of a line ``text`` fills (the estimate: for proportions, not for fitting)."""
        return ink.extent

    def fits(self, text: str, limit: float) -> bool:
        """Whether ``self(text) <= limit``: Pillow measures only when HarfBuzz's layout of
        the same text is within Pillow's rounding of the limit."""
        if self._shaper is None:  # no HarfBuzz layout to estimate from
            return self(text) <= limit + _EPSILON
        estimate = self.ink(text).extent
        if estimate + _FITS_BELOW_PX <= limit:
            return True
        if estimate - _EXCEEDS_ABOVE_PX > limit:
            return False
        return self(text) <= limit + _EPSILON

    def __call__(self, text: str) -> float:
        width = self._extent.get(text)
        if width is None:
            if len(self._extent) > _CACHE_LIMIT:
                self._extent.clear()
            advance = self._font.getlength(text, language=self.language)
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
