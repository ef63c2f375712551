"""The phone page's fonts: Noto Sans Khmer for Khmer text, and a font of the language names.

A Khmer page downloads the whole Khmer font (WOFF2, one file per weight). A
Vietnamese or English page shows Khmer only in the language switch's
"ភាសាខ្មែរ": it downloads a font of just the glyphs of the language names,
made from the gettext catalogs where those names live, so a changed name is
in the font after the next start without anyone rebuilding anything.

The TrueType files stay as each face's second source for a browser without
WOFF2 (iOS 9 and older, Android 4.4's own browser): a browser fetches only the
first source whose format it knows, so the others never download them.
"""

from __future__ import annotations

from functools import partial

from kiosk.paths import FONT_FILES
from kiosk.server.pages import language_name
from kiosk.server.webfonts import WebFonts, woff2
from kiosk.text.fonts import LANGUAGES

WEEK = 604800
LABELS_FONT = "NotoSansKhmer-Labels.woff2"
TRUETYPE = frozenset({"NotoSansKhmer-Regular.ttf", "NotoSansKhmer-Bold.ttf"})


def labels_text() -> str:
    """Every language's name in itself, as the language switch shows them."""
    return "".join(language_name(code) for code in LANGUAGES)


def fonts_of_page(lang: str) -> tuple[str, ...]:
    """The web fonts a page in ``lang`` asks for (phone.css's faces its text uses)."""
    if lang == "km":
        return ("NotoSansKhmer-Regular.woff2", "NotoSansKhmer-Bold.woff2")
    return (LABELS_FONT,)


def _labels_font() -> bytes:
    return woff2(FONT_FILES["khmer"], labels_text())


PHONE_FONTS = WebFonts(
    {
        "NotoSansKhmer-Regular.woff2": partial(woff2, FONT_FILES["khmer"]),
        "NotoSansKhmer-Bold.woff2": partial(woff2, FONT_FILES["khmer-bold"]),
        LABELS_FONT: _labels_font,
    },
    # The label font follows the catalogs: revalidated (304) rather than kept a week.
    max_age={
        "NotoSansKhmer-Regular.woff2": WEEK,
        "NotoSansKhmer-Bold.woff2": WEEK,
        LABELS_FONT: 0,
    },
)
