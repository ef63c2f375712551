"""Where the project's shipped files live (fonts, sample catalogue, locales)."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ASSETS = PROJECT_ROOT / "assets"
FONTS = ASSETS / "fonts"
LOCALES = PROJECT_ROOT / "locales"

FONT_FILES = {
    "latin": FONTS / "NotoSans-Regular.ttf",
    "latin-bold": FONTS / "NotoSans-Bold.ttf",
    "khmer": FONTS / "NotoSansKhmer-Regular.ttf",
    "khmer-bold": FONTS / "NotoSansKhmer-Bold.ttf",
}
