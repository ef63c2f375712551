"""Slips -> ESC/POS bytes -> decoded back to a picture: fits, scans, shaped, small."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont

from hardware.printer import FontProblem, open_printer
from hardware.printer.blocks import PrinterText
from hardware.printer.fonts import KHMER, LATIN, FontBook
from hardware.printer.raster import draw_ink, measure, wrap_lines
from kiosk.printing import SERVICE, render, ticket_wrap
from tests.printer.escpos_decoder import decode
from tests.printer.reference import render as hb_render
from tests.printer.reference import similarity
from tests.printer.samples import (
    CHECKLIST_KM,
    FONTS,
    KHMER_SERVICE,
    ONLINE_URL,
    STATUS_URL,
    TICKETS,
)

BUDGET = 12 * 1024
TEXT_FONT = FONTS.latin_bold


def _printer(tmp_path, width_mm=80, query=""):
    url = f"file://{tmp_path}/t.bin{query}"
    return open_printer(url, FONTS, paper_width_mm=width_mm, wrap=ticket_wrap)


def _decode(job):
    return decode(job.data, job.width_px, TEXT_FONT)


def _scan(picture: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(picture)]


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
@pytest.mark.parametrize("width_mm", [58, 80])
def test_ticket_bytes_decode_to_the_preview_picture(tmp_path, lang, width_mm):
    printer = _printer(tmp_path, width_mm)
    job = render(printer, TICKETS[lang])
    decoded = _decode(job)
    assert decoded.overflow == []
    assert decoded.picture.width == {58: 384, 80: 576}[width_mm]
    # The decoder reads the bytes as a printer would; the preview paints the blocks.
    preview = printer.picture(job).point(lambda v: 255 if v < 128 else 0, mode="1")
    assert decoded.dots().size == preview.size
    assert decoded.dots().tobytes() == preview.tobytes()
    assert len(decoded.cuts) == 1


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
@pytest.mark.parametrize("width_mm", [58, 80])
def test_everything_fits_the_paper(tmp_path, lang, width_mm):
    job = render(_printer(tmp_path, width_mm), TICKETS[lang], CHECKLIST_KM)
    decoded = _decode(job)
    width = job.width_px
    for op in decoded.rasters:
        assert 0 <= op.x and op.x + op.width_dots <= width
    for op in decoded.texts:
        assert 0 <= op.x and op.x + len(op.text) * 12 * op.mul_w <= width
    for op in decoded.qrs:
        assert 0 <= op.x and op.x + op.size_dots <= width
    assert decoded.overflow == []


@pytest.mark.parametrize("qr", ["native", "image"])
@pytest.mark.parametrize("width_mm", [58, 80])
def test_qr_scans_to_the_status_url(tmp_path, qr, width_mm):
    job = render(_printer(tmp_path, width_mm, f"?qr={qr}"), TICKETS["km"])
    decoded = _decode(job)
    if qr == "native":
        assert [op.data for op in decoded.qrs] == [STATUS_URL]
    else:
        assert decoded.qrs == []
        assert any(op.scale == 2 for op in decoded.rasters)
    assert _scan(decoded.picture) == [STATUS_URL]


def test_ticket_and_checklist_in_one_job(tmp_path):
    job = render(_printer(tmp_path), TICKETS["km"], CHECKLIST_KM)
    decoded = _decode(job)
    assert len(decoded.cuts) == 2
    assert [op.data for op in decoded.qrs] == [STATUS_URL, ONLINE_URL]
    first, second = decoded.cuts
    assert _scan(decoded.picture.crop((0, 0, job.width_px, first))) == [STATUS_URL]
    assert _scan(decoded.picture.crop((0, first, job.width_px, second))) == [ONLINE_URL]


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
@pytest.mark.parametrize("width_mm", [58, 80])
@pytest.mark.parametrize("qr", ["native", "image"])
def test_standard_ticket_within_byte_budget(tmp_path, lang, width_mm, qr):
    job = render(_printer(tmp_path, width_mm, f"?qr={qr}"), TICKETS[lang])
    assert len(job.data) <= BUDGET


@pytest.mark.parametrize("lang", ["vi", "km"])
def test_priority_ticket_within_byte_budget(tmp_path, lang):
    reason = {"vi": "", "km": "អាទិភាព · មនុស្សចាស់"}[lang]
    slip = dataclasses.replace(
        TICKETS[lang], priority_mark="ƯU TIÊN · Người cao tuổi", priority_text=reason
    )
    job = render(_printer(tmp_path), slip)
    assert len(job.data) <= BUDGET
    # The mark staff spot is white on black, in the printer's own font (GS B).
    decoded = _decode(job)
    marks = [op for op in decoded.texts if op.inverse]
    assert [op.text for op in marks] == [" ƯU TIÊN · Người cao tuổi "]


def test_big_number_is_magnified_printer_text(tmp_path):
    decoded = _decode(render(_printer(tmp_path), TICKETS["vi"]))
    numbers = [op for op in decoded.texts if op.text == "B007"]
    assert len(numbers) == 1
    assert numbers[0].mul_w >= 4 and numbers[0].mul_h >= 4 and numbers[0].align == 1
    assert numbers[0].smooth  # GS b: the printer smooths the magnified outline
    # The issued time is ASCII: printer text too, a few bytes instead of a raster.
    assert any(op.text == "09:41 05/03/2025" for op in decoded.texts)


def test_native_digit_number_is_drawn(tmp_path):
    slip = dataclasses.replace(TICKETS["km"], number="B០០៧")
    decoded = _decode(render(_printer(tmp_path), slip))
    assert not any("B" in op.text for op in decoded.texts)
    tallest = max(decoded.rasters, key=lambda op: op.image.height)
    assert tallest.image.height >= 60


def _best_match(decoded, reference: Image.Image) -> float:
    return max(similarity(op.image.crop(op.image.getbbox()), reference) for op in decoded.rasters)


def _unshaped(text: str, size: int, bold: bool) -> Image.Image:
    path = FONTS.khmer_bold if bold else FONTS.khmer
    font = ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)
    canvas = Image.new("L", (size * len(text) * 2, size * 3), 0)
    ImageDraw.Draw(canvas).text((size, size * 2), text, font=font, fill=255, anchor="ls")
    mono = canvas.point(lambda v: 255 if v >= 110 else 0, mode="1")
    return mono.crop(mono.getbbox())


def test_khmer_line_matches_the_harfbuzz_shaped_reference(tmp_path):
    decoded = _decode(render(_printer(tmp_path), TICKETS["km"]))
    reference = hb_render(FONTS.khmer_bold, KHMER_SERVICE, SERVICE.size)
    assert _best_match(decoded, reference) >= 0.97
    # The same comparison tells an unshaped drawing apart (coeng shown, vowels misplaced).
    assert similarity(_unshaped(KHMER_SERVICE, SERVICE.size, True), reference) < 0.93


def test_footer_khmer_matches_reference_at_its_size(tmp_path):
    decoded = _decode(render(_printer(tmp_path), TICKETS["km"]))
    text = "ស្កេនដើម្បីតាមដានវេនរបស់អ្នក"  # the QR caption: subscripts and stacked vowels
    reference = hb_render(FONTS.khmer, text, 20)
    assert _best_match(decoded, reference) >= 0.97


def test_khmer_without_raqm_is_refused():
    book = FontBook(FONTS, raqm=False)
    with pytest.raises(FontProblem, match="raqm"):
        draw_ink(book, KHMER_SERVICE, 24, False, "km")
    assert draw_ink(book, "Chứng thực", 24, False, "vi") is not None


def test_mixed_line_is_drawn_in_per_script_runs():
    book = FontBook(FONTS)
    text = "ឃុំ Lịch Hội Thượng ១២"
    assert list(book.runs(text)) == [
        ("ឃុំ ", KHMER),
        ("Lịch Hội Thượng ", LATIN),
        ("១២", KHMER),
    ]
    # Noto Sans Khmer has no Latin letters: the Latin run must not come out as boxes.
    latin_part = draw_ink(book, "Lịch Hội Thượng", 24, False, "vi")
    mixed = draw_ink(book, text, 24, False, "km")
    assert latin_part is not None and mixed is not None
    assert mixed.width > latin_part.width
    expected = measure(book, "ឃុំ ", 24) + measure(book, "Lịch Hội Thượng ", 24)
    assert abs(measure(book, text, 24) - expected - measure(book, "១២", 24)) <= 2


KHMER_LONG = "មជ្ឈមណ្ឌលបម្រើសេវារដ្ឋបាលសាធារណៈឃុំការចុះបញ្ជីកំណើតអត្រានុកូលដ្ឋាន"


COENG = "\u17d2"


def _check_khmer_lines(book, lines, text, width):
    assert "".join(lines) == text
    for i, line in enumerate(lines):
        assert measure(book, line, 24) <= width
        assert unicodedata.category(line[0]) not in ("Mn", "Mc")
        if i:
            assert not lines[i - 1].endswith(COENG)


def test_kiosk_wrap_breaks_khmer_between_words_only():
    book = FontBook(FONTS)
    lines = wrap_lines(book, KHMER_LONG, "km", 24, False, 200, ticket_wrap)
    assert len(lines) > 2
    _check_khmer_lines(book, lines, KHMER_LONG, 200)


_CLUSTERS = ["ក", "ម្រ", "ញ្ជ", "ដ្ឋ", "សា", "ធា", "រណៈ", "ឃុំ", "កើ", "ត", "ព្រះ", "ស្ត្រី", "អ៊ី"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(_CLUSTERS), min_size=1, max_size=40), st.integers(60, 400))
def test_khmer_wrap_property(parts, width):
    book = FontBook(FONTS)
    text = "".join(parts)
    lines = wrap_lines(book, text, "km", 24, False, width, ticket_wrap)
    _check_khmer_lines(book, lines, text, width)


def test_the_wrapper_measures_with_the_printer_fonts():
    book = FontBook(FONTS)
    calls = []

    def by_zwsp(text, lang, measure_px, width_px):
        calls.append((lang, measure_px("ការចុះបញ្ជី"), width_px))
        return text.split("\u200b")

    text = "ការចុះបញ្ជី\u200bកំណើត"
    assert wrap_lines(book, text, "km", 24, False, 400, by_zwsp) == ["ការចុះបញ្ជី", "កំណើត"]
    assert calls == [("km", measure(book, "ការចុះបញ្ជី", 24, False, "km"), 400)]


def test_a_failing_wrapper_never_loses_a_line(caplog):
    book = FontBook(FONTS)

    def broken(text, lang, measure_px, width_px):
        raise RuntimeError("ICU data missing")

    assert wrap_lines(book, "ការចុះបញ្ជីកំណើត", "km", 24, False, 400, broken) == ["ការចុះបញ្ជីកំណើត"]
    assert "word wrapper failed" in caplog.text


def test_vietnamese_wraps_at_spaces():
    book = FontBook(FONTS)
    text = TICKETS["vi"].centre_name
    lines = wrap_lines(book, text, "vi", 22, False, 300, ticket_wrap)
    assert " ".join(lines) == text
    assert all(measure(book, line, 22) <= 300 for line in lines)


def test_printer_text_is_ascii_only():
    with pytest.raises(ValueError, match="ASCII"):
        PrinterText("Quầy")


def test_paper_width_from_url_profile_and_config(tmp_path):
    assert open_printer(f"file://{tmp_path}/x", FONTS, paper_width_mm=58).width_px == 384
    assert open_printer(f"file://{tmp_path}/x", FONTS, paper_width_mm=80).width_px == 576
    assert open_printer(f"file://{tmp_path}/x?profile=POS-5890", FONTS).width_px == 384
    assert open_printer(f"file://{tmp_path}/x?width=512", FONTS).width_px == 512
    simple = open_printer(f"file://{tmp_path}/x?profile=POS-5890", FONTS)
    assert not simple.settings.qr_native and simple.settings.cut == "none"
