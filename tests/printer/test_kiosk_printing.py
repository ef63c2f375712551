"""kiosk.printing and `kiosk print-test`: server ticket + config + language -> paper."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from kiosk.commands.printer import SAMPLE_PROCEDURE
from kiosk.config import load_config
from kiosk.printing import (
    PrintableProcedure,
    build_checklist_slip,
    build_ticket_slip,
    open_kiosk_printer,
    open_printer,
    print_checklist,
    print_ticket,
    printer_status,
    reprint_ticket,
)
from tests.conftest import run_cli, write_config
from tests.printer.escpos_decoder import decode
from tests.printer.samples import FONTS

TICKET = {
    "id": "t-9fK2mQ7xLp3vR8sZ",
    "number": "A012",
    "service": "ho-tich",
    "priority": True,
    "priority_reason": "elderly",
    "lang": "vi",
    "procedure": "1.001193",
    "issued_at": "2025-03-05T02:41:00+00:00",
    "ahead": 3,
    "eta_minutes": 24,
    "status": "waiting",
}


@pytest.fixture
def cfg(tmp_path):
    # Phones cannot reach this centre (127.0.0.1, no LAN listener): no status QR.
    return load_config(write_config(tmp_path, **{r'^phones = "lan"': 'phones = "off"'}))


def test_vietnamese_slip_from_config(cfg):
    slip = build_ticket_slip(TICKET, cfg, "vi")
    assert slip.centre_name == "Trung tâm Phục vụ hành chính công xã Lịch Hội Thượng"
    assert slip.number == "A012"
    assert slip.service_name == "Tư pháp – Hộ tịch"
    assert slip.service_name_vi == ""  # the same text once is enough
    assert slip.priority_mark == "ƯU TIÊN · Người cao tuổi"
    assert slip.priority_text == ""  # the mark is already in the citizen's language
    assert slip.issued_text == "09:41 05/03/2025"  # UTC 02:41 is 09:41 in Cần Thơ
    assert slip.people_ahead_text == "Trước bạn còn\u00a03\u00a0người"
    assert slip.wait_text == "Thời gian chờ dự kiến: khoảng\u00a024\u00a0phút"
    assert slip.counters_text == "Quầy 1 – Ưu tiên · Quầy 2"
    # The server is on 127.0.0.1 only (phones = "off"): no phone could open a status QR.
    assert (slip.qr_url, slip.qr_caption) == ("", "")
    assert slip.footer_text and slip.heading_text and not slip.reprint_text


def test_khmer_slip_has_khmer_digits_and_the_vietnamese_name(cfg):
    slip = build_ticket_slip(TICKET, cfg, "km")
    assert slip.service_name == "យុត្តិធម៌ – អត្រានុកូលដ្ឋាន"
    assert slip.service_name_vi == "Tư pháp – Hộ tịch"
    # The screen's sentence (one msgid), the count held to its words.
    assert slip.people_ahead_text == "មាន\u00a0៣\u00a0នាក់នៅមុនអ្នក"
    # The time's digits follow the number's (kiosk.ticket_digits): printer text, not drawn.
    assert slip.issued_text == "09:41 05/03/2025"
    assert slip.number == "A012"  # staff read the number as issued, unless config says native
    # The names on the centre's signs, for a printer whose font has no Khmer.
    assert slip.centre_name_vi == "Trung tâm Phục vụ hành chính công xã Lịch Hội Thượng"
    assert slip.counters_text_vi == "Quầy 1 – Ưu tiên · Quầy 2"
    assert slip.priority_text == "អាទិភាព · មនុស្សចាស់"
    assert slip.priority_mark == "ƯU TIÊN · Người cao tuổi"  # for staff
    assert slip.heading_text == "លេខរៀងរបស់អ្នក"  # what the screen says


def test_native_ticket_digits(tmp_path):
    cfg = load_config(
        write_config(tmp_path, **{r'ticket_digits = "latin"': 'ticket_digits = "native"'})
    )
    assert build_ticket_slip(TICKET, cfg, "km").number == "A០១២"
    assert build_ticket_slip(TICKET, cfg, "km").issued_text == "០៩:៤១ ០៥/០៣/២០២៥"
    assert build_ticket_slip(TICKET, cfg, "vi").number == "A012"


def test_english_counts_and_next_in_line(cfg):
    one = build_ticket_slip({**TICKET, "ahead": 1, "priority": False}, cfg, "en")
    assert one.people_ahead_text == "1\u00a0person ahead of you"
    assert one.priority_text == "" and one.priority_mark == ""
    nobody = build_ticket_slip({**TICKET, "ahead": 0, "eta_minutes": 0}, cfg, "en")
    assert nobody.people_ahead_text == "You are next"
    assert nobody.wait_text == ""


def test_qr_choice_from_config(tmp_path):
    procedure = PrintableProcedure("1.001193", {"vi": "Đăng ký khai sinh"}, "https://x.gov.vn/p")
    cfg = load_config(
        write_config(
            tmp_path,
            **{
                r'ticket_qr = "status"': 'ticket_qr = "procedure"',
                r'public_url = ""': 'public_url = "https://hcc.lichhoithuong.gov.vn/"',
            },
        )
    )
    assert build_ticket_slip(TICKET, cfg, "vi", procedure).qr_url == "https://x.gov.vn/p"
    # No procedure chosen: the status page is still worth a QR.
    assert (
        build_ticket_slip(TICKET, cfg, "vi").qr_url
        == "https://hcc.lichhoithuong.gov.vn/t/t-9fK2mQ7xLp3vR8sZ"
    )
    none = load_config(write_config(tmp_path, **{r'ticket_qr = "status"': 'ticket_qr = "none"'}))
    assert build_ticket_slip(TICKET, none, "vi").qr_url == ""


def test_checklist_slip_counts_per_language():
    vi = build_checklist_slip(SAMPLE_PROCEDURE, "vi")
    assert vi.items[0].counts_text == "1\u00a0bản chính"
    assert vi.items[0].case == "Giấy tờ phải nộp"
    assert vi.items[3].counts_text == "1\u00a0bản sao"
    km = build_checklist_slip(SAMPLE_PROCEDURE, "km")
    assert km.items[0].counts_text == "ច្បាប់ដើម\u00a0១"
    assert km.procedure_code == "លេខកូដនីតិវិធី 1.001193"  # typed on the portal: Latin digits
    en = build_checklist_slip(SAMPLE_PROCEDURE, "en")
    assert en.items[2].counts_text == ""
    assert en.title == "Documents to bring"


def _scan(path: Path) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(path))]


def test_print_to_preview_and_report(cfg):
    printer = open_kiosk_printer(cfg)
    assert printer_status(printer).state == "unknown"
    result = print_ticket(printer, TICKET, cfg, "km", SAMPLE_PROCEDURE, checklist=True)
    assert result.ok and result.report() == {"ok": True, "error": None}
    assert result.preview is not None and result.preview.parent == cfg.data_dir / "tickets"
    assert result.preview.with_suffix(".bin").stat().st_size == result.bytes
    # No status QR (the server is on 127.0.0.1); the checklist's QR is there.
    assert _scan(result.preview) == [SAMPLE_PROCEDURE.online_url]
    again = reprint_ticket(printer, TICKET, cfg, "km")
    assert again.ok and again.preview != result.preview
    only = print_checklist(printer, SAMPLE_PROCEDURE, "vi")
    assert only.ok and _scan(only.preview) == [SAMPLE_PROCEDURE.online_url]


def test_failed_print_is_a_result_for_the_server(cfg, tmp_path):
    dead = open_printer("tcp://127.0.0.1:9", timeout=1)
    result = print_ticket(dead, TICKET, cfg, "vi")
    assert not result.ok and result.kind == "offline"
    assert result.report()["ok"] is False
    assert result.report()["error"].startswith("offline: ")
    nothing = print_ticket(open_printer("none"), TICKET, cfg, "vi")
    assert nothing.kind == "no_printer" and not nothing.ok
    missing_dir = open_printer(f"file://{tmp_path}/no/such/dir/t.bin")
    assert print_ticket(missing_dir, TICKET, cfg, "vi").kind == "io"


def test_cli_print_test_khmer_to_a_file(tmp_path):
    out = tmp_path / "t.bin"
    lan = {r'public_url = ""': 'public_url = "http://192.168.1.10:8080"'}
    done = run_cli("print-test", "--config", str(write_config(tmp_path, **lan)), "--printer",
                  f"file://{out}", "--lang", "km")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1 and done.stderr == ""
    data = out.read_bytes()
    assert len(data) <= 12 * 1024
    decoded = decode(data, 576, FONTS.latin_bold)
    assert decoded.overflow == [] and len(decoded.cuts) == 1
    assert [q.data for q in decoded.qrs] == [
        "http://192.168.1.10:8080/t/sample-7Qm4ZK2vXcR9pL3wTn8yBd"
    ]
    assert [r.text for r in zxingcpp.read_barcodes(decoded.picture)] == [decoded.qrs[0].data]


def test_cli_print_test_preview_with_checklist(tmp_path):
    done = run_cli("print-test", "--config", str(write_config(tmp_path)), "--checklist")
    assert done.returncode == 0, done.stderr
    pngs = list((tmp_path / "var" / "tickets").glob("*.png"))
    assert len(pngs) == 1 and str(pngs[0]) in done.stdout


@pytest.mark.parametrize(
    ("url", "code", "words"),
    [
        ("tcp://127.0.0.1:9", 1, "offline"),
        ("none", 1, "no printer"),
        ("usb://epson", 2, "VID:PID"),
        ("file:///tmp/x.bin?profile=TM-NOPE", 2, "unknown printer profile"),
        ("serial:///dev/ttyUSB0?flow=maybe", 2, "flow must be"),
    ],
)
def test_cli_print_test_errors_are_one_line(tmp_path, url, code, words):
    done = run_cli("print-test", "--config", str(write_config(tmp_path)), "--printer", url)
    assert done.returncode == code
    assert words in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def _fake_lp(tmp_path: Path, exit_code: int = 0) -> dict[str, str]:
    """A stand-in for CUPS's lp: records its arguments and the job it was given."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    lp = bin_dir / "lp"
    lp.write_text(
        "#!/bin/sh\n"
        f'echo "$@" > "{tmp_path}/lp.args"\n'
        f'cat > "{tmp_path}/lp.job"\n'
        + (
            'echo "lp: The printer or class does not exist." >&2\n'
            if exit_code
            else 'echo "request id is TM-T20-7 (1 file(s))"\n'
        )
        + f"exit {exit_code}\n"
    )
    lp.chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}"}


def test_cups_queue_through_lp(tmp_path, monkeypatch, cfg):
    for name, value in _fake_lp(tmp_path).items():
        monkeypatch.setenv(name, value)
    printer = open_printer("cups://TM-T20")
    assert printer.status().state == "unknown"  # CUPS cannot say if paper is left
    result = print_ticket(printer, TICKET, cfg, "vi")
    assert result.ok, result.error
    assert (tmp_path / "lp.args").read_text().split() == [
        "-d", "TM-T20", "-t", "A012-t-9fK2mQ", "-o", "raw",
    ]  # fmt: skip
    assert len((tmp_path / "lp.job").read_bytes()) == result.bytes


def test_cups_queue_refusing_the_job(tmp_path, monkeypatch, cfg):
    for name, value in _fake_lp(tmp_path, exit_code=1).items():
        monkeypatch.setenv(name, value)
    result = print_ticket(open_printer("cups://NOPE"), TICKET, cfg, "vi")
    assert not result.ok and result.kind == "offline"
    assert "does not exist" in result.error


def test_the_ticket_names_the_chosen_procedure(cfg, tmp_path):
    printer = open_printer(f"file://{tmp_path}/t.bin")
    assert print_ticket(printer, TICKET, cfg, "vi", SAMPLE_PROCEDURE).ok
    chosen = decode((tmp_path / "t.bin").read_bytes(), 576, FONTS.latin_bold)
    assert "Đăng ký khai sinh" in [op.text for op in chosen.texts]
    assert print_ticket(printer, TICKET, cfg, "vi").ok  # a number taken from the service list
    plain = decode((tmp_path / "t.bin").read_bytes(), 576, FONTS.latin_bold)
    assert "Đăng ký khai sinh" not in [op.text for op in plain.texts]
    assert not any("TEST" in op.text for op in chosen.texts + plain.texts)  # real tickets
