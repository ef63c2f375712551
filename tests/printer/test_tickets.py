"""The print-test ticket as `kiosk print-test` writes it: small, sharp, marked, and readable.

Every check reads the bytes back with the test decoder (escpos_decoder.py), as a
printer would, never the layout's own blocks.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import zxingcpp

from hardware.printer.codepages import encode_text, vietnamese_pages
from hardware.printer.layout import CAPTION
from kiosk.commands.printer import SAMPLE_PROCEDURE
from kiosk.config import load_config
from kiosk.printing import (
    BODY,
    SMALL,
    PrintableProcedure,
    build_checklist_slip,
    open_printer,
    render,
)
from kiosk.text import break_opportunities
from tests.conftest import run_cli, write_config
from tests.printer.escpos_decoder import decode
from tests.printer.reference import render as hb_render
from tests.printer.reference import similarity
from tests.printer.samples import FONTS

# Targets of the print-test ticket (issue #18), in bytes.
TARGET = {"vi": 4 * 1024, "km": 6 * 1024, "en": 1536}
STATUS = "http://192.168.1.10:8080/t/sample-7Qm4ZK2vXcR9pL3wTn8yBd"
LAN = {r'public_url = ""': 'public_url = "http://192.168.1.10:8080"'}  # phones can reach it


def _print_test(tmp_path: Path, lang: str, query: str = "") -> bytes:
    out = tmp_path / f"print-test-{lang}.bin"
    done = run_cli("print-test", "--config", str(write_config(tmp_path, **LAN)), "--printer",
                  f"file://{out}{query}", "--lang", lang)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_print_test_ticket_meets_its_byte_target(tmp_path: Path, lang: str) -> None:
    data = _print_test(tmp_path, lang)
    assert len(data) <= TARGET[lang]
    decoded = decode(data, 576, FONTS.latin_bold)
    assert decoded.overflow == [] and len(decoded.cuts) == 1
    assert [r.text for r in zxingcpp.read_barcodes(decoded.picture)] == [STATUS]
    # Nothing but the rule is drawn: every line is in the printer's own font.
    assert all(op.image.height == 1 for op in decoded.rasters)


def test_vietnamese_is_printer_text_in_the_profiles_code_page(tmp_path: Path) -> None:
    decoded = decode(_print_test(tmp_path, "vi"), 576, FONTS.latin_bold)
    texts = [op.text for op in decoded.texts]
    assert "Số thứ tự của bạn" in texts
    assert "Tư pháp – Hộ tịch" in texts
    assert "Đăng ký khai sinh" in texts  # the procedure the citizen chose
    assert " ƯU TIÊN · Người cao tuổi " in texts


def test_codepage_none_draws_vietnamese(tmp_path: Path) -> None:
    data = _print_test(tmp_path, "vi", "?codepage=none")
    decoded = decode(data, 576, FONTS.latin_bold)
    assert not any(op.text == "Số thứ tự của bạn" for op in decoded.texts)
    assert len(decoded.rasters) > 5
    assert [r.text for r in zxingcpp.read_barcodes(decoded.picture)] == [STATUS]


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_print_test_is_marked_and_the_number_is_sharp_printer_text(tmp_path, lang) -> None:
    decoded = decode(_print_test(tmp_path, lang), 576, FONTS.latin_bold)
    marks = [op for op in decoded.texts if op.inverse and "TEST" in op.text]
    assert [op.text for op in marks] == [" TEST / IN THỬ "] * 2
    (number,) = [op for op in decoded.texts if op.text == "A012"]
    assert number.mul_w == number.mul_h == 6 and number.smooth
    assert marks[0].y < number.y < marks[1].y  # above the number and at the end


def test_khmer_print_test_ticket_meets_its_byte_target(tmp_path: Path) -> None:
    data = _print_test(tmp_path, "km")
    assert len(data) <= TARGET["km"]
    decoded = decode(data, 576, FONTS.latin_bold)
    assert decoded.overflow == [] and len(decoded.cuts) == 1
    assert [r.text for r in zxingcpp.read_barcodes(decoded.picture)] == [STATUS]
    texts = [op.text for op in decoded.texts]
    assert "Tư pháp – Hộ tịch" in texts  # the Vietnamese name staff read, as text
    # The names on the centre's signs and the time: the printer's own font, not drawn.
    assert texts[:2] == ["Trung tâm Phục vụ hành chính", "công xã Lịch Hội Thượng"]
    assert "Quầy 1 – Ưu tiên · Quầy 2" in texts
    assert any(re.fullmatch(r"\d\d:\d\d \d\d/\d\d/\d{4}", t) for t in texts)
    # What the citizen reads in Khmer is drawn, shaped as HarfBuzz shapes it.
    # (The service line mixes in a Latin dash, which the reference cannot draw.)
    for text, style in [
        ("ការចុះបញ្ជីកំណើត", BODY),  # the procedure chosen
        ("រយៈពេលរង់ចាំប្រហែល ២៤ នាទី", BODY),  # the wait
        ("ស្កេនដើម្បីតាមដានវេនរបស់អ្នក", CAPTION),  # the QR's caption
        ("សូមរក្សាសំបុត្រនេះ ហើយស្ដាប់ការហៅលេខរបស់អ្នក។", SMALL),  # the footer
    ]:
        reference = hb_render(FONTS.khmer, text, style.size)
        assert max(similarity(crop(op.image), reference) for op in decoded.rasters) >= 0.97
    # Every drawn line is cropped to its ink: no white row or byte column is sent.
    for op in decoded.rasters:
        left, top, right, bottom = op.image.getbbox()
        assert (left, top, bottom) == (0, 0, op.image.height)
        assert op.image.width - right < 8  # only the padding of the last byte


def crop(image):
    return image.crop(image.getbbox())


def test_code_tables_switch_only_when_needed() -> None:
    pages = vietnamese_pages("default")
    assert [p.name for p in pages] == ["TCVN-3-1", "TCVN-3-2", "CP1258"]
    data, table = encode_text("Quầy 1 – Ưu tiên", pages)
    # ầ needs TCVN-3; – needs 1258, which also has Ư and ê: it stays there.
    assert data == b"Qu\x1bt\x1e\xc7y 1 \x1bt\x34\x96 \xddu ti\xean"
    assert table == 52
    assert encode_text("Hộ tịch", pages, 30)[0].count(b"\x1bt") == 0
    assert encode_text("Đ", pages)[0] == b"\x1bt\x1f\xa7"  # TCVN-3 capitals: Đ at 0xA7
    assert vietnamese_pages("POS-5890")[0].name == "CP1258"


NAMES = [
    {"vi": "Đăng ký kết hôn", "km": "ការចុះបញ្ជីអាពាហ៍ពិពាហ៍", "en": "Marriage registration"},
    {
        "vi": "Đăng ký kết hôn có yếu tố nước ngoài tại Ủy ban nhân dân cấp xã khu vực biên giới",
        "km": "ការចុះបញ្ជីអាពាហ៍ពិពាហ៍ដែលមានជនបរទេស នៅគណៈកម្មាធិការប្រជាជនឃុំតំបន់ព្រំដែន",
        "en": "Registration of a marriage with a foreign party in a border commune",
    },
]


@pytest.mark.parametrize("width_mm", [58, 80])
@pytest.mark.parametrize("lang", ["vi", "km", "en"])
@pytest.mark.parametrize("names", NAMES)
def test_checklist_headings_break_only_between_words(tmp_path, width_mm, lang, names) -> None:
    cfg = load_config(write_config(tmp_path))
    printer = open_printer(f"file://{tmp_path}/c.bin", width_mm, cfg.kiosk.print_timeout_seconds)
    procedure = PrintableProcedure("1.000894", names, documents=SAMPLE_PROCEDURE.documents)
    slip = build_checklist_slip(procedure, lang)
    name = slip.procedure_name
    page = printer.page
    lines = page_lines(page, name, lang)
    assert "".join(lines).replace(" ", "") == name.replace(" ", "")
    ends, at = set(break_opportunities(name, lang)), 0
    for line in lines[:-1]:
        at = name.index(line, at) + len(line)
        assert at in ends or name[at] == " ", f"{line!r} ends inside a word of {name!r}"
    if len(lines) > 1:  # balanced: no line of one short word
        assert min(len(line) for line in lines) >= len(name) // (2 * len(lines))
    decoded = decode(render(printer, checklist=slip).data, printer.width_px, FONTS.latin_bold)
    assert decoded.overflow == []


def page_lines(page, text: str, lang: str) -> list[str]:
    """The lines the column prints ``text`` in as the checklist's procedure name (BODY)."""
    from hardware.printer.layout import Column, encodable
    from hardware.printer.raster import measure
    from kiosk.printing import BODY

    col = Column(page)
    if encodable(text, page.codepages):
        return col._lines(text, lang, len, page.width_px // 12, True)

    def width_of(piece: str) -> float:
        return measure(page.fonts, piece, BODY.size, BODY.bold, lang)

    return col._lines(text, lang, width_of, page.width_px, True)


def test_the_admin_panels_test_print_is_marked(tmp_path: Path) -> None:
    from kiosk.catalogue import open_catalogue
    from kiosk.client import CentreClient
    from kiosk.ui.backend import CatalogueHolder, KioskBackend
    from tests.printer.fakes import OK, Behaviour, TcpFakePrinter
    from tests.ui.harness import KIOSK_TOKEN, closed_port_url, rig_config

    with TcpFakePrinter(Behaviour(status=OK)) as printer:
        cfg = rig_config(tmp_path, printer=f"{printer.url}?timeout=60")
        client = CentreClient(closed_port_url(), KIOSK_TOKEN)
        backend = KioskBackend(cfg, client, CatalogueHolder(open_catalogue(cfg)))
        try:
            assert backend.test_print("km").ok
        finally:
            backend.close()
        decoded = decode(bytes(printer.core.job), 576, FONTS.latin_bold)
        assert [op.text for op in decoded.texts if op.inverse] == [" TEST / IN THỬ "] * 2


def test_checklist_items_the_printer_can_print_are_text(tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path))
    printer = open_printer(f"file://{tmp_path}/c.bin", 80, cfg.kiosk.print_timeout_seconds)
    vi = decode(render(printer, checklist=build_checklist_slip(SAMPLE_PROCEDURE, "vi")).data, 576,
                FONTS.latin_bold)  # fmt: skip
    texts = [op.text for op in vi.texts]
    first = texts.index("[ ] Tờ khai đăng ký khai sinh theo")
    assert texts[first + 1] == "    mẫu (1 bản chính)"  # hanging under the box, counts kept whole
    assert len(decoded_items(vi)) == len(SAMPLE_PROCEDURE.documents)
    assert "Giấy tờ phải nộp" in [op.text for op in vi.texts]  # the case heading
    km = decode(render(printer, checklist=build_checklist_slip(SAMPLE_PROCEDURE, "km")).data, 576,
                FONTS.latin_bold)  # fmt: skip
    assert decoded_items(km) == []  # Khmer names are drawn, each with its tick box
    assert len(km.rasters) > len(SAMPLE_PROCEDURE.documents)


def decoded_items(decoded):
    return [op for op in decoded.texts if op.text.startswith("[ ] ")]


def _longest_names() -> dict[str, str]:
    """The bundled catalogue's longest procedure name in each language."""
    import json

    from tests.conftest import ROOT

    doc = json.loads((ROOT / "assets/catalogue/sample.json").read_text(encoding="utf-8"))
    names = [p["name"] for p in doc["procedures"]]
    return {lang: max((n.get(lang, "") for n in names), key=len) for lang in ("vi", "km", "en")}


@pytest.mark.parametrize("width_mm", [58, 80])
@pytest.mark.parametrize("lang", ["vi", "km"])
def test_a_long_procedure_name_takes_three_lines_of_the_ticket(
    tmp_path: Path, width_mm: int, lang: str
) -> None:
    """The longest name (919 characters in Vietnamese) printed whole took 30 lines of a
    58 mm roll; the ticket keeps three, cut at a word with '...'."""
    from hardware.printer.blocks import CELL_H
    from hardware.printer.layout import LINE_GAP, pitch
    from kiosk.commands.printer import sample_ticket
    from kiosk.printing import build_ticket_slip

    cfg = load_config(write_config(tmp_path, **LAN))
    longest = _longest_names()
    assert len(longest["vi"]) > 500 and len(longest["km"]) > 100
    printer = open_printer(f"file://{tmp_path}/t.bin", width_mm, cfg.kiosk.print_timeout_seconds)

    def ticket(name: str) -> object:
        procedure = PrintableProcedure("1.000894", {"vi": name, "km": name, "en": name})
        slip = build_ticket_slip(sample_ticket(cfg, lang), cfg, lang, procedure)
        decoded = decode(render(printer, ticket=slip).data, printer.width_px, FONTS.latin_bold)
        assert decoded.overflow == []
        return decoded

    long, short = ticket(longest[lang]), ticket(longest[lang][:12])
    if lang == "vi":  # printer text: the name's lines are the ones between service and counters
        lines = [op.text.strip() for op in long.texts]
        first = next(i for i, t in enumerate(lines) if longest["vi"].startswith(t))
        shown = lines[first : lines.index(next(t for t in lines if t.startswith("Quầy")))]
        assert len(shown) == 3, shown
        assert shown[-1].endswith("...")
        assert longest["vi"].startswith(" ".join(shown)[:-3].rstrip())
    # Two more lines than a name of one line, and no more.
    extra = long.picture.height - short.picture.height
    # A drawn Khmer line, or a line of the printer's font and the gap under it.
    line = pitch(BODY.size, lang)[0] if lang == "km" else CELL_H + LINE_GAP
    assert 2 * line - 8 <= extra <= 2 * line + 8, (extra, line)
