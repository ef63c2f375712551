"""Which font, script and shaping language a piece of text in a given UI language uses.

Vietnamese and English use Noto Sans. Khmer uses Kiosk Sans Khmer: Noto Sans
Khmer merged with the Latin, Vietnamese and digit glyphs of Noto Sans
(``kiosk.text.fontbuild``), because Noto Sans Khmer has no Latin letters or
digits and a Khmer label routinely holds "A012", "08:30" or a Vietnamese
place name. One font per label keeps Kivy (one font, one script per label)
and the Pillow ticket layout simple and identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.paths import FONT_FILES, FONTS

KHMER_UI_FONTS = {
    "regular": FONTS / "KioskSansKhmer-Regular.ttf",
    "bold": FONTS / "KioskSansKhmer-Bold.ttf",
}
LANGUAGES = ("vi", "km", "en")


@dataclass(frozen=True)
class FontSpec:
    """How to draw text of one language: a font file and HarfBuzz script/language."""

    lang: str
    path: Path
    bold: bool
    script: str  # ISO 15924, as Kivy's ``font_script_name`` wants it
    language: str  # BCP 47, for shaping (``text_language`` / Pillow ``language``)


def normalize_lang(lang: str | None) -> str:
    """``vi``, ``km`` or ``en``; anything else (``None``, ``km_KH``, ``fr``) by its prefix or vi."""
    if not lang:
        return "vi"
    short = lang.replace("-", "_").split("_", 1)[0].lower()
    return short if short in LANGUAGES else "vi"


def font_for(lang: str | None, bold: bool = False) -> FontSpec:
    """The font and shaping settings for text in ``lang`` (vi/km/en)."""
    code = normalize_lang(lang)
    weight = "bold" if bold else "regular"
    if code == "km":
        return FontSpec(code, KHMER_UI_FONTS[weight], bold, "Khmr", "km")
    path = FONT_FILES["latin-bold" if bold else "latin"]
    return FontSpec(code, path, bold, "Latn", code)


def all_font_files() -> list[Path]:
    """Every font file the UI and the printer may open."""
    return [font_for(lang, bold).path for lang in ("vi", "km") for bold in (False, True)]
