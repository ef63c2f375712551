"""Queue ticket + centre config + language -> the printer's plain slips; print; report.

The kiosk UI calls :func:`open_kiosk_printer` once, :func:`print_ticket` after the
server has recorded a ticket, and sends :meth:`PrintResult.report` to
``POST /api/v1/tickets/{id}/print-result``. A failed print is a result, never an
exception: the kiosk then shows the number on screen and offers a reprint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import ImageFont

from hardware.printer import (
    ChecklistItem,
    ChecklistSlip,
    FontFiles,
    FontProblem,
    Printer,
    PrinterError,
    PrinterStatus,
    PrintReport,
    TicketSlip,
    Wrap,
)
from hardware.printer import open_printer as _open_printer
from kiosk.catalogue.model import Procedure
from kiosk.config import Config
from kiosk.paths import FONT_FILES
from kiosk.publicurl import resolve as public_url
from kiosk.text import format_when, native_digits

log = logging.getLogger(__name__)

# --- Ticket sentences -----------------------------------------------------
# MIGRATE to the gettext catalogs (issue #6) when kiosk i18n lands: the keys are
# the English msgids; replace _t/_nt with the translation layer's functions and
# delete this table. Until then every sentence printed on a slip lives here.
TICKET_TEXTS: dict[str, dict[str, str]] = {
    "Your number": {"vi": "Số thứ tự của bạn", "km": "លេខរបស់អ្នក", "en": "Your number"},
    "PRIORITY": {"vi": "ƯU TIÊN", "km": "អាទិភាព", "en": "PRIORITY"},
    "{n} person ahead of you": {
        "vi": "Trước bạn còn {n}\u00a0người",
        "km": "មានមនុស្ស\u00a0{n}\u00a0នាក់នៅមុនអ្នក",
        "en": "{n} person ahead of you",
        "en_plural": "{n} people ahead of you",
    },
    "You are next": {
        "vi": "Bạn là người tiếp theo",
        "km": "អ្នកជាអ្នកបន្ទាប់",
        "en": "You are next",
    },
    "Estimated wait: about {n} min": {
        "vi": "Thời gian chờ dự kiến: khoảng {n}\u00a0phút",
        "km": "រយៈពេលរង់ចាំប្រហែល {n}\u00a0នាទី",
        "en": "Estimated wait: about {n}\u00a0min",
    },
    "Scan to follow your turn": {
        "vi": "Quét mã để theo dõi lượt của bạn",
        "km": "ស្កេនដើម្បីតាមដានវេនរបស់អ្នក",
        "en": "Scan to follow your turn",
    },
    "Scan to apply online": {
        "vi": "Quét mã để nộp hồ sơ trực tuyến",
        "km": "ស្កេនដើម្បីដាក់ពាក្យតាមអនឡាញ",
        "en": "Scan to apply online",
    },
    "Please keep your ticket and listen for your number.": {
        "vi": "Vui lòng giữ phiếu và chú ý nghe gọi số.",
        "km": "សូមរក្សាសំបុត្រនេះ ហើយស្តាប់ការហៅលេខរបស់អ្នក។",
        "en": "Please keep your ticket and listen for your number.",
    },
    "Reprinted ticket": {"vi": "Phiếu in lại", "km": "សំបុត្របោះពុម្ពឡើងវិញ", "en": "Reprinted ticket"},
    "Documents to bring": {
        "vi": "Giấy tờ cần mang theo",
        "km": "ឯកសារដែលត្រូវយកមក",
        "en": "Documents to bring",
    },
    # A no-break space (U+00A0) keeps a count on the line of its word.
    "{n} original": {
        "vi": "{n}\u00a0bản chính",
        "km": "ច្បាប់ដើម\u00a0{n}",
        "en": "{n}\u00a0original",
        "en_plural": "{n}\u00a0originals",
    },
    "{n} copy": {
        "vi": "{n}\u00a0bản sao",
        "km": "ច្បាប់ចម្លង\u00a0{n}",
        "en": "{n}\u00a0copy",
        "en_plural": "{n}\u00a0copies",
    },
    "Code {code}": {"vi": "Mã thủ tục {code}", "km": "លេខកូដ {code}", "en": "Procedure code {code}"},
}


# Values printed as given: a procedure code is typed on the portal in Latin digits.
_VERBATIM = frozenset({"code"})


def _fill(template: str, lang: str, values: dict[str, object]) -> str:
    return template.format(
        **{k: v if k in _VERBATIM else native_digits(str(v), lang) for k, v in values.items()}
    )


def _t(msgid: str, lang: str, **values: object) -> str:
    texts = TICKET_TEXTS[msgid]
    return _fill(texts.get(lang, texts["vi"]), lang, values)


def _nt(msgid: str, n: int, lang: str, **values: object) -> str:
    """A sentence with a count: English has a plural form, Vietnamese and Khmer do not."""
    texts = TICKET_TEXTS[msgid]
    text = texts.get("en_plural" if lang == "en" and n != 1 else lang, texts["vi"])
    return _fill(text, lang, {"n": n, **values})


def _local(texts: Mapping[str, str] | str, lang: str) -> str:
    """A per-language text in ``lang``, Vietnamese (authoritative) when it has none."""
    if isinstance(texts, str):
        return texts
    return texts.get(lang) or texts.get("vi") or next(iter(texts.values()), "")


# --- Procedures on paper ----------------------------------------------------
@dataclass(frozen=True)
class PrintableDocument:
    """A document a procedure asks for, as the checklist slip prints it."""

    name: Mapping[str, str] | str
    originals: int = 0
    copies: int = 0
    case: Mapping[str, str] | str = ""


@dataclass(frozen=True)
class PrintableProcedure:
    """What the printer needs of a catalogue procedure (the UI builds it from the catalogue)."""

    code: str
    name: Mapping[str, str] | str
    online_url: str = ""
    documents: tuple[PrintableDocument, ...] = field(default_factory=tuple)
    note: Mapping[str, str] | str = ""


# --- The kiosk's word wrapper ------------------------------------------------
def ticket_wrapper() -> Wrap | None:
    """HOOK for kiosk.text.wrap_lines (issue #6): Khmer broken at word boundaries (ICU).

    Returns None until kiosk.text has it; the printer then breaks Khmer between
    clusters at spaces first. A wrapper that fails never loses a ticket: the
    line is handed back whole and the printer wraps it itself.
    """
    try:
        from kiosk.text import wrap_lines  # type: ignore[attr-defined]
    except ImportError:
        return None

    def wrap(text: str, lang: str, font: ImageFont.FreeTypeFont, width_px: int) -> list[str]:
        try:
            return list(wrap_lines(text, lang, font.size, width_px))
        except Exception:
            log.exception("kiosk.text.wrap_lines failed; the printer wraps this line itself")
            return [text]

    return wrap


# --- Building slips ----------------------------------------------------------
def status_url(cfg: Config, ticket_id: str) -> str:
    """The page a citizen's phone opens from the ticket's QR; "" when no phone can reach it.

    Never a loopback address: see :mod:`kiosk.publicurl`.
    """
    return public_url(cfg).ticket(ticket_id)


def _counters_text(cfg: Config, service_id: str, lang: str) -> str:
    # Counter names already say "Quầy"/"Counter": no label in front of them.
    return " · ".join(_local(c.name, lang) for c in cfg.counters if service_id in c.services)


def _issued(ticket: Mapping[str, Any], cfg: Config, lang: str) -> str:
    raw = ticket.get("issued_at")
    try:
        moment = datetime.fromisoformat(str(raw)) if raw else datetime.now(UTC)
    except ValueError:
        log.warning("ticket %s has an unreadable issued_at %r", ticket.get("id"), raw)
        moment = datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_when(moment, lang, cfg.tz, "datetime")


def _priority_text(ticket: Mapping[str, Any], cfg: Config, lang: str) -> str:
    if not ticket.get("priority"):
        return ""
    mark = _t("PRIORITY", lang)
    reason = ticket.get("priority_reason")
    for r in cfg.queue.priority_reasons:
        if r.id == reason:
            return f"{mark} · {_local(r.name, lang)}"
    return mark


def build_ticket_slip(
    ticket: Mapping[str, Any],
    cfg: Config,
    lang: str,
    procedure: PrintableProcedure | None = None,
    reprint: bool = False,
) -> TicketSlip:
    """The ticket as the printer prints it, every text in ``lang`` (staff's Vietnamese too).

    ``ticket`` is the server's ticket (id, number, service, priority,
    priority_reason, issued_at in UTC ISO, ahead, eta_minutes, ...).
    """
    service = cfg.service(str(ticket["service"]))
    number = str(ticket["number"])
    if cfg.kiosk.ticket_digits == "native":
        number = native_digits(number, lang)
    ahead = ticket.get("ahead")
    eta = ticket.get("eta_minutes")
    ahead_text = ""
    if isinstance(ahead, int):
        ahead_text = (
            _nt("{n} person ahead of you", ahead, lang) if ahead else _t("You are next", lang)
        )
    wait_text = ""
    if isinstance(eta, int | float) and eta > 0 and ahead:
        wait_text = _t("Estimated wait: about {n} min", lang, n=round(eta))
    qr_url, qr_caption = "", ""
    if cfg.kiosk.ticket_qr == "procedure" and procedure is not None and procedure.online_url:
        qr_url, qr_caption = procedure.online_url, _t("Scan to apply online", lang)
    elif cfg.kiosk.ticket_qr != "none" and ticket.get("id"):
        qr_url = status_url(cfg, str(ticket["id"]))
        qr_caption = _t("Scan to follow your turn", lang) if qr_url else ""
    return TicketSlip(
        centre_name=_local(cfg.centre.name, lang),
        number=number,
        service_name=_local(service.name, lang),
        service_name_vi="" if lang == "vi" else service.name["vi"],
        lang=lang,
        priority_text=_priority_text(ticket, cfg, lang),
        issued_text=_issued(ticket, cfg, lang),
        people_ahead_text=ahead_text,
        wait_text=wait_text,
        counters_text=_counters_text(cfg, service.id, lang),
        qr_url=qr_url,
        qr_caption=qr_caption,
        heading_text=_t("Your number", lang),
        footer_text=_t("Please keep your ticket and listen for your number.", lang),
        reprint_text=_t("Reprinted ticket", lang) if reprint else "",
    )


def _counts(doc: PrintableDocument, lang: str) -> str:
    parts = []
    if doc.originals:
        parts.append(_nt("{n} original", doc.originals, lang))
    if doc.copies:
        parts.append(_nt("{n} copy", doc.copies, lang))
    return ", ".join(parts)


def build_checklist_slip(procedure: PrintableProcedure, lang: str) -> ChecklistSlip:
    """The documents-to-bring slip for a procedure, in ``lang``."""
    return ChecklistSlip(
        title=_t("Documents to bring", lang),
        procedure_name=_local(procedure.name, lang),
        lang=lang,
        procedure_code=_t("Code {code}", lang, code=procedure.code) if procedure.code else "",
        items=tuple(
            ChecklistItem(_local(d.name, lang), _counts(d, lang), _local(d.case, lang))
            for d in procedure.documents
        ),
        note_text=_local(procedure.note, lang),
        qr_url=procedure.online_url,
        qr_caption=_t("Scan to apply online", lang) if procedure.online_url else "",
    )


# --- Printing ----------------------------------------------------------------
@dataclass(frozen=True)
class PrintResult:
    """What happened to one print; ``report()`` is the body of POST .../print-result."""

    ok: bool
    kind: str = ""
    error: str = ""
    bytes: int = 0
    status: PrinterStatus | None = None
    preview: Path | None = None

    @property
    def paper_near_end(self) -> bool:
        return self.status is not None and self.status.paper_near_end

    def report(self) -> dict[str, object]:
        return {"ok": self.ok, "error": None if self.ok else f"{self.kind}: {self.error}"}


def open_printer(url: str, paper_width_mm: int = 80, timeout: float = 10.0) -> Printer:
    """A printer for a device URL with the shipped fonts and the kiosk's word wrapper.

    Raises hardware.urls.DeviceURLError for a bad URL or profile and
    PrinterError("unsupported") when the transport's library is missing.
    """
    return _open_printer(
        url,
        FontFiles.from_mapping(dict(FONT_FILES)),
        paper_width_mm=paper_width_mm,
        timeout=timeout,
        wrap=ticket_wrapper(),
    )


def open_kiosk_printer(cfg: Config, url: str | None = None) -> Printer:
    """The kiosk's printer from config (``url`` overrides kiosk.printer)."""
    return open_printer(
        url or cfg.printer_url(), cfg.kiosk.paper_width_mm, cfg.kiosk.print_timeout_seconds
    )


def _print(printer: Printer, what: str, call: Callable[[], PrintReport]) -> PrintResult:
    try:
        report = call()
    except PrinterError as exc:
        log.warning("printing %s failed: %s: %s", what, exc.kind, exc)
        return PrintResult(ok=False, kind=exc.kind, error=str(exc))
    except FontProblem as exc:
        log.error("printing %s failed: %s", what, exc)
        return PrintResult(ok=False, kind="unsupported", error=str(exc))
    except Exception as exc:  # a ticket the server issued must never vanish silently
        log.exception("printing %s failed unexpectedly", what)
        return PrintResult(ok=False, kind="io", error=f"internal error: {type(exc).__name__}")
    return PrintResult(
        ok=True,
        bytes=report.bytes,
        status=report.after,
        preview=report.preview[0] if report.preview else None,
    )


def print_ticket(
    printer: Printer,
    ticket: Mapping[str, Any],
    cfg: Config,
    lang: str,
    procedure: PrintableProcedure | None = None,
    *,
    checklist: bool = False,
    reprint: bool = False,
) -> PrintResult:
    """Print a ticket (and, with ``checklist``, the procedure's documents slip) as one job."""
    number = str(ticket.get("number", "?"))
    ticket_id = str(ticket.get("id", ""))

    def run() -> PrintReport:
        slip = build_ticket_slip(ticket, cfg, lang, procedure, reprint=reprint)
        second = build_checklist_slip(procedure, lang) if checklist and procedure else None
        return printer.print_ticket(slip, second, name=f"{number}-{ticket_id[:8]}")

    return _print(printer, f"ticket {number}", run)


def reprint_ticket(
    printer: Printer,
    ticket: Mapping[str, Any],
    cfg: Config,
    lang: str,
    procedure: PrintableProcedure | None = None,
) -> PrintResult:
    """Print a ticket again (after a failure), marked as reprinted for staff."""
    return print_ticket(printer, ticket, cfg, lang, procedure, reprint=True)


def print_checklist(printer: Printer, procedure: PrintableProcedure, lang: str) -> PrintResult:
    """Only the documents-to-bring slip (a citizen browsing, without a ticket)."""
    return _print(
        printer,
        f"checklist {procedure.code}",
        lambda: printer.print_checklist(
            build_checklist_slip(procedure, lang), name=f"checklist-{procedure.code}"
        ),
    )


def printer_status(printer: Printer) -> PrinterStatus:
    """For the admin panel: state (ok, paper_near_end, paper_out, ...) and detail."""
    return printer.status()


def printable_procedure(proc: Procedure) -> PrintableProcedure:
    """What the checklist slip needs of a catalogue procedure (every language kept)."""
    docs = []
    for group in proc.documents:
        case = group.case.to_dict() if group.case else ""
        for item in group.items:
            docs.append(
                PrintableDocument(
                    item.name.to_dict(), originals=item.originals, copies=item.copies, case=case
                )
            )
    return PrintableProcedure(
        code=proc.code,
        name=proc.name.to_dict(),
        online_url=proc.online_url or "",
        documents=tuple(docs),
    )
