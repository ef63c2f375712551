"""Start-up check: can this machine shape, wrap and translate Vietnamese and Khmer?

Used by the CLI and the kiosk's admin panel; every problem is one plain
sentence saying what breaks and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kiosk.paths import LOCALES
from kiosk.text.fonts import LANGUAGES, font_for

_KHMER_SAMPLE = "សម្រាប់កុមារ"  # "for children": two dictionary words, no space
_NEEDED = {"Khmr": "ករA0đư₫", "Latn": "Aađơư0₫"}


def _pillow_problems() -> list[str]:
    from PIL import features

    problems = []
    if not features.check("raqm"):
        problems.append(
            "Pillow has no RAQM text layout (libraqm): Khmer cannot be shaped, so Khmer "
            "tickets would print as broken letters; install libraqm0 or a Pillow wheel "
            "that includes it."
        )
    else:
        for lib, package in (("fribidi", "libfribidi0"), ("harfbuzz", "libharfbuzz0b")):
            if features.check(lib) is False:
                problems.append(
                    f"Pillow's RAQM layout cannot load {lib}: Khmer tickets would print "
                    f"unshaped; install {package}."
                )
    return problems


def _render(font, text: str) -> bytes:  # type: ignore[no-untyped-def]
    from PIL import Image, ImageDraw

    image = Image.new("L", (64, 64))
    ImageDraw.Draw(image).text((8, 8), text, font=font, fill=255)
    return image.tobytes()


def _missing_glyphs(path: Path, sample: str) -> str:
    """Characters of ``sample`` the font draws as .notdef (U+FFFF never has a glyph)."""
    from PIL import ImageFont

    font = ImageFont.truetype(str(path), 24, layout_engine=ImageFont.Layout.BASIC)
    notdef = _render(font, "\uffff")
    return "".join(ch for ch in dict.fromkeys(sample) if _render(font, ch) == notdef)


def _fonts(languages: Iterable[str]) -> list[str]:
    problems = []
    seen: set[Path] = set()
    for lang in languages:
        for bold in (False, True):
            spec = font_for(lang, bold)
            if spec.path in seen:
                continue
            seen.add(spec.path)
            if not spec.path.is_file():
                problems.append(
                    f"The font file {spec.path} is missing: {lang} text cannot be drawn; "
                    "restore assets/fonts from the project."
                )
                continue
            try:
                missing = _missing_glyphs(spec.path, _NEEDED[spec.script])
            except OSError as exc:
                problems.append(f"The font file {spec.path} cannot be read ({exc}).")
                continue
            if missing:
                problems.append(
                    f"The font {spec.path.name} has no glyph for {missing!r}: {lang} labels "
                    "would show empty boxes; rebuild it with `python -m kiosk.text.fontbuild`."
                )
    return problems


def _icu_problems() -> list[str]:
    try:
        from kiosk.text.segment import break_opportunities
    except ImportError:
        return ["ICU (icu4py) is not installed: Khmer lines cannot be broken between words."]
    from kiosk.text import khmer_lexicon, khmer_words

    problems = []
    if not break_opportunities(_KHMER_SAMPLE, "km"):
        problems.append(
            "ICU has no Khmer dictionary: Khmer lines would break only at spaces, "
            "so long Khmer names would overflow their labels."
        )
    try:
        khmer_words.preload()  # also spares the first Khmer page the model's load time
    except (OSError, ValueError, KeyError) as exc:
        problems.append(
            f"The Khmer word model ({khmer_words.MODEL_PATH}) cannot be read ({exc}): "
            "Khmer lines break at ICU's dictionary words, which splits more words."
        )
    try:
        khmer_lexicon.preload()
    except (OSError, EOFError, ValueError) as exc:
        problems.append(
            f"The Khmer word lists ({', '.join(map(str, khmer_lexicon.LEXICON_PATHS))}) "
            f"cannot be read ({exc}): "
            "Khmer lines may break inside known words; restore assets/text from the project."
        )
    return problems


def _catalog_problems(languages: Iterable[str], localedir: Path) -> list[str]:
    problems = []
    for lang in languages:
        base = localedir / lang / "LC_MESSAGES"
        if not (base / "kiosk.po").exists() and not (base / "kiosk.mo").exists():
            problems.append(
                f"No {lang} translations ({base / 'kiosk.po'}): the screens would show English."
            )
    return problems


def check_text_support(
    languages: Iterable[str] = LANGUAGES, *, localedir: Path = LOCALES
) -> list[str]:
    """One plain sentence per thing that would break text in ``languages``; [] when all is well."""
    langs = list(dict.fromkeys(languages))
    return (
        _pillow_problems()
        + _fonts(langs)
        + (_icu_problems() if "km" in langs else [])
        + _catalog_problems(langs, localedir)
    )
