"""The shipped Khmer UI font: Noto Sans Khmer + Noto Sans's Latin/Vietnamese, reproducible."""

from __future__ import annotations

from pathlib import Path

import pytest
import uharfbuzz as hb
from fontTools.ttLib import TTFont

from kiosk.paths import FONT_FILES
from kiosk.text import font_for
from kiosk.text.fontbuild import LATIN_RANGES, OUTPUTS, build_font

STYLES = {"Regular": ("khmer", "latin"), "Bold": ("khmer-bold", "latin-bold")}


def shape(path: Path, text: str, script: str | None = None) -> list[tuple[str, int]]:
    blob = hb.Blob.from_file_path(str(path))
    font = hb.Font(hb.Face(blob))
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    if script:
        buf.script = script
    hb.shape(font, buf)
    names = [font.glyph_to_string(info.codepoint) for info in buf.glyph_infos]
    return [(name, pos.x_advance) for name, pos in zip(names, buf.glyph_positions, strict=True)]


def test_font_choice_by_language() -> None:
    assert font_for("km").path == OUTPUTS["Regular"]
    assert font_for("km", bold=True).path == OUTPUTS["Bold"]
    assert font_for("vi").path == FONT_FILES["latin"]
    assert font_for("en", bold=True).path == FONT_FILES["latin-bold"]
    assert (font_for("km").script, font_for("vi").script) == ("Khmr", "Latn")
    assert font_for("fr").lang == "vi"


def test_noto_sans_khmer_alone_has_no_latin_letters() -> None:
    # The reason the merged font exists.
    cmap = TTFont(FONT_FILES["khmer"]).getBestCmap()
    assert ord("ក") in cmap
    assert not any(ord(ch) in cmap for ch in "Aa0đơ₫")


@pytest.mark.parametrize("style", STYLES)
def test_merged_font_covers_khmer_latin_and_vietnamese(style: str) -> None:
    merged = TTFont(OUTPUTS[style]).getBestCmap()
    khmer_src, latin_src = (TTFont(FONT_FILES[key]).getBestCmap() for key in STYLES[style])
    assert set(khmer_src) <= set(merged)
    wanted = {cp for lo, hi in LATIN_RANGES for cp in range(lo, hi + 1) if cp in latin_src}
    assert wanted <= set(merged)
    for ch in "Lịch Hội Thượng ĐƯỜNG A012 08:30 2.000₫ – “…”":
        assert ord(ch) in merged, ch


@pytest.mark.parametrize("style", STYLES)
def test_merged_font_shapes_like_its_sources(style: str) -> None:
    khmer_src, latin_src = (FONT_FILES[key] for key in STYLES[style])
    merged = OUTPUTS[style]
    khmer = "ស្ត្រីក្រៅមន្ទីរពេទ្យអ៊ី"
    assert [a for _n, a in shape(merged, khmer)] == [a for _n, a in shape(khmer_src, khmer)]
    assert len(shape(merged, khmer)) == len(shape(khmer_src, khmer))
    latin = "AVATAR Tư pháp Đường 1001193"  # no punctuation: the Khmer font has its own
    assert [a for _n, a in shape(merged, latin)] == [a for _n, a in shape(latin_src, latin)]
    # Shaped as one Khmr run (what Kivy does), Latin keeps its kerning ...
    kerned = "AVATAR WAVE Type 1.001193 (To)"
    assert shape(merged, kerned, "Khmr") == shape(merged, kerned, "Latn")
    # ... and Vietnamese, which HarfBuzz's Khmer shaper decomposes (ư -> u + horn,
    # placed by the shared mark feature), is never wider than Pillow measures it.
    viet = "Lịch Hội Thượng Đường ưu ỡ"
    as_khmer = sum(a for _n, a in shape(merged, viet, "Khmr"))
    assert as_khmer <= sum(a for _n, a in shape(merged, viet, "Latn"))


def test_rebuilding_gives_the_shipped_font(tmp_path: Path) -> None:
    out = build_font("Regular", tmp_path / OUTPUTS["Regular"].name)
    assert out.read_bytes() == OUTPUTS["Regular"].read_bytes(), (
        "assets/fonts is out of date: run `python -m kiosk.text.fontbuild`"
    )


def test_vietnamese_marks_are_positioned_inside_a_khmer_run() -> None:
    # HarfBuzz's Khmer shaper decomposes ờ into o + horn + grave; without the Latin
    # mark feature registered under khmr both marks would sit at the origin.
    font = hb.Font(hb.Face(hb.Blob.from_file_path(str(OUTPUTS["Regular"]))))
    buf = hb.Buffer()
    buf.add_str("Thượng ờ")  # a km label showing only a Vietnamese name
    buf.guess_segment_properties()
    buf.script = "Khmr"
    hb.shape(font, buf)
    marks = [pos for pos in buf.glyph_positions if pos.x_advance == 0]
    assert marks, "expected decomposed combining marks"
    assert all(pos.x_offset or pos.y_offset for pos in marks)
