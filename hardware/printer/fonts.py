"""Fonts for raster lines, and the split of mixed text into per-script runs.

Noto Sans Khmer has no Latin letters or ASCII digits, and Noto Sans has no
Khmer, so a line such as "ឃុំ Lịch Hội Thượng" is drawn as runs, each with the
font that has its glyphs. Khmer runs must be shaped (coeng subscripts,
pre-base vowels), which Pillow only does with its RAQM layout engine.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError
from PIL import ImageFont, features

KHMER = "khmer"
LATIN = "latin"


class FontProblem(RuntimeError):
    """The fonts or the text engine cannot draw what was asked (one plain sentence)."""


@dataclass(frozen=True)
class FontFiles:
    """The four font files a slip is drawn with (paths are passed in, never guessed)."""

    latin: Path
    latin_bold: Path
    khmer: Path
    khmer_bold: Path

    @classmethod
    def from_mapping(cls, files: dict[str, Path | str]) -> FontFiles:
        """Build from a mapping with keys latin, latin-bold, khmer, khmer-bold."""
        try:
            return cls(
                latin=Path(files["latin"]),
                latin_bold=Path(files["latin-bold"]),
                khmer=Path(files["khmer"]),
                khmer_bold=Path(files["khmer-bold"]),
            )
        except KeyError as exc:
            raise FontProblem(f"the font set has no {exc.args[0]!r} font") from None

    def path(self, script: str, bold: bool) -> Path:
        if script == KHMER:
            return self.khmer_bold if bold else self.khmer
        return self.latin_bold if bold else self.latin


def raqm_available() -> bool:
    """True when Pillow can shape complex scripts (libraqm with HarfBuzz and FriBiDi)."""
    return bool(features.check("raqm"))


@lru_cache(maxsize=64)
def _load(path: str, size: int, raqm: bool) -> ImageFont.FreeTypeFont:
    engine = ImageFont.Layout.RAQM if raqm else ImageFont.Layout.BASIC
    try:
        return ImageFont.truetype(path, size, layout_engine=engine)
    except OSError as exc:
        raise FontProblem(f"cannot load the font {path} ({exc})") from None


@lru_cache(maxsize=8)
def _cmap(path: str) -> frozenset[int]:
    """The code points a font file has glyphs for (read once per file, by fontTools)."""
    try:
        with TTFont(path, lazy=True) as font:
            best = font.getBestCmap()
    except (OSError, TTLibError, KeyError, AssertionError) as exc:
        raise FontProblem(f"cannot read the character map of {path} ({exc})") from None
    if not best:
        raise FontProblem(f"{path} has no Unicode character map")
    return frozenset(best)


def _is_khmer(ch: str) -> bool:
    return "\u1780" <= ch <= "\u17ff" or "\u19e0" <= ch <= "\u19ff"


def _is_attached(ch: str) -> bool:
    """Marks and joiners belong to the run of the character before them."""
    return unicodedata.category(ch) in ("Mn", "Mc", "Me", "Cf")


@dataclass(frozen=True)
class FontBook:
    """Loaded fonts by (script, bold, size), and script runs for a text (hashable: the
    raster layer caches drawn lines per book)."""

    files: FontFiles
    raqm: bool = field(default_factory=raqm_available)

    def font(self, script: str, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
        return _load(str(self.files.path(script, bold)), size, self.raqm)

    def primary(self, lang: str, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
        """The font a language is mostly written in (what a word wrapper measures with)."""
        return self.font(KHMER if lang == "km" else LATIN, size, bold)

    def runs(self, text: str) -> Iterator[tuple[str, str]]:
        """Split ``text`` into (run, script) pieces, each drawable with one font.

        Khmer letters go to the Khmer font; everything else to Noto Sans unless
        only the Khmer font has it. Spaces and punctuation both fonts have stay
        in the current run, so a Khmer sentence is not cut at every space.
        """
        khmer_cmap = _cmap(str(self.files.khmer))
        latin_cmap = _cmap(str(self.files.latin))
        current = ""
        script = ""
        for ch in text:
            if _is_khmer(ch):
                want = KHMER
            elif _is_attached(ch) and script:
                want = script
            elif ord(ch) in latin_cmap and ord(ch) in khmer_cmap and script:
                want = script
            elif ord(ch) in latin_cmap:
                want = LATIN
            elif ord(ch) in khmer_cmap:
                want = KHMER
            else:
                want = script or LATIN
            if want != script and current:
                yield current, script
                current = ""
            script = want
            current += ch
        if current:
            yield current, script

    def needs_shaping(self, text: str) -> bool:
        return any(_is_khmer(ch) for ch in text)

    def check_can_draw(self, text: str) -> None:
        if not self.raqm and self.needs_shaping(text):
            raise FontProblem(
                "Khmer text needs Pillow built with libraqm (check PIL.features.check('raqm'));"
                " install libraqm0 / libfribidi0 and reinstall Pillow"
            )
