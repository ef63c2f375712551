"""`kiosk print-test`: a realistic sample ticket (and checklist slip) on any printer URL."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from hardware.printer import PrinterError
from hardware.urls import DeviceURLError
from kiosk.config import Config
from kiosk.errors import UserError
from kiosk.logs import setup_for
from kiosk.printing import (
    PrintableDocument,
    PrintableProcedure,
    open_kiosk_printer,
    print_ticket,
)
from kiosk.publicurl import SAMPLE_TICKET_ID

# The two cases of the sample's documents, as the catalogue groups them.
TO_HAND_IN = {"vi": "Giấy tờ phải nộp", "km": "ឯកសារត្រូវដាក់", "en": "To hand in"}
TO_SHOW = {"vi": "Giấy tờ phải xuất trình", "km": "ឯកសារត្រូវបង្ហាញ", "en": "To show"}

SAMPLE_PROCEDURE = PrintableProcedure(
    code="1.001193",
    name={"vi": "Đăng ký khai sinh", "km": "ការចុះបញ្ជីកំណើត", "en": "Birth registration"},
    online_url=(
        "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html"
        "?ma_thu_tuc=1.001193"
    ),
    documents=(
        PrintableDocument(
            {
                "vi": "Tờ khai đăng ký khai sinh theo mẫu",
                "km": "ពាក្យស្នើសុំចុះបញ្ជីកំណើតតាមគំរូ",
                "en": "Birth registration form (official template)",
            },
            originals=1,
            case=TO_HAND_IN,
        ),
        PrintableDocument(
            {
                "vi": "Giấy chứng sinh; nếu không có thì văn bản của người làm chứng",
                "km": "លិខិតបញ្ជាក់កំណើត ឬលិខិតរបស់សាក្សី ប្រសិនបើគ្មាន",
                "en": "Birth certificate from the hospital, or a witness statement",
            },
            originals=1,
            case=TO_HAND_IN,
        ),
        PrintableDocument(
            {
                "vi": "Căn cước hoặc hộ chiếu của người đi đăng ký",
                "km": "អត្តសញ្ញាណប័ណ្ណ ឬលិខិតឆ្លងដែនរបស់អ្នកមកចុះបញ្ជី",
                "en": "ID card or passport of the person registering",
            },
            case=TO_SHOW,
        ),
        PrintableDocument(
            {
                "vi": "Giấy chứng nhận kết hôn của cha mẹ (nếu có)",
                "km": "សំបុត្រអាពាហ៍ពិពាហ៍របស់ឪពុកម្ដាយ (ប្រសិនបើមាន)",
                "en": "Parents' marriage certificate (if any)",
            },
            copies=1,
            case=TO_SHOW,
        ),
    ),
    note={
        "vi": "Lệ phí: miễn phí khi đăng ký đúng hạn",
        "km": "ថ្លៃសេវា៖ ឥតគិតថ្លៃ បើចុះបញ្ជីទាន់ពេល",
        "en": "Fee: free when registered on time",
    },
)


def sample_ticket(cfg: Config, lang: str) -> dict[str, object]:
    """A ticket as the server returns it, for the first service of the centre."""
    service = cfg.services[0]
    number = f"{service.prefix}012" if service.prefix else str(service.band[0] + 11)  # type: ignore[index]
    return {
        "id": SAMPLE_TICKET_ID,
        "number": number,
        "service": service.id,
        "priority": True,
        "priority_reason": cfg.queue.priority_reasons[0].id,
        "lang": lang,
        "procedure": SAMPLE_PROCEDURE.code,
        "issued_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "ahead": 3,
        "eta_minutes": 24,
        "status": "waiting",
    }


def print_test(args: argparse.Namespace, cfg: Config | None) -> int:
    assert cfg is not None
    lang = args.lang or "vi"
    # Details go to the log file; the terminal gets one line per outcome.
    setup_for(cfg, "print-test", stderr=False)
    try:
        printer = open_kiosk_printer(cfg, args.printer)
    except DeviceURLError as exc:
        raise UserError(str(exc)) from None
    except PrinterError as exc:
        raise UserError(f"{exc.kind}: {exc}", exit_code=1) from None
    ticket = sample_ticket(cfg, lang)
    result = print_ticket(
        printer,
        ticket,
        cfg,
        lang,
        SAMPLE_PROCEDURE,
        checklist=bool(getattr(args, "checklist", False)),
        test=True,
    )
    printer.close()
    if not result.ok:
        raise UserError(f"printer {result.kind}: {result.error}", exit_code=1)
    where = f" -> {result.preview}" if result.preview else ""
    state = result.status.state if result.status else "unknown"
    print(
        f"printed sample ticket {ticket['number']} ({lang}) on {printer.url}: "
        f"{result.bytes} bytes, printer status {state}{where}"
    )
    if result.paper_near_end:
        print("warning: the paper roll is nearly finished")
    return 0
