"""Queue ticket + centre config + language -> the printer's plain slips; print; report.

The kiosk UI calls :func:`open_kiosk_printer` once, :func:`print_ticket` after the
server has recorded a ticket, and sends :meth:`PrintResult.report` to
``POST /api/v1/tickets/{id}/print-result``. A failed print is a result, never an
exception: the kiosk then shows the number on screen and offers a reprint.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from hardware.printer import (
    FontFiles,
    FontProblem,
    Job,
    Printer,
    PrinterError,
    PrinterStatus,
    PrintReport,
)
from hardware.printer import open_printer as _open_printer
from hardware.printer.blocks import CELL_W, Block
from hardware.printer.codepages import encodable
from hardware.printer.layout import LINE_GAP, NBSP, SECTION_GAP, Column, Page, Style, pitch
from hardware.printer.raster import Ink, draw_ink, wrap_lines
from kiosk.catalogue.model import Procedure
from kiosk.config import Config
from kiosk.paths import FONT_FILES
from kiosk.publicurl import resolve as public_url
from kiosk.text import (
    format_when,
    gettext,
    native_digits,
    ngettext,
    ticket_number_text,
    wrap_text,
)

log = logging.getLogger(__name__)

# --- Ticket sentences -----------------------------------------------------
# Every sentence printed on a slip is a msgid of the gettext catalogs, the same
# one the screen shows where the screen says the same thing.
_NUMBER_SPACE = re.compile(r"(?<=\d) | (?=\d)")


def _with_count(text: str) -> str:
    """A no-break space on each side of a count keeps it on the line of its word."""
    return _NUMBER_SPACE.sub(NBSP, text)


def _local(texts: Mapping[str, str] | str, lang: str) -> str:
    """A per-language text in ``lang``, Vietnamese (authoritative) when it has none."""
    if isinstance(texts, str):
        return texts
    return texts.get(lang) or texts.get("vi") or next(iter(texts.values()), "")


# --- The slips: plain data, every text already in the citizen's language -----
@dataclass(frozen=True)
class TicketSlip:
    """A queue ticket.

    ``service_name`` is in the citizen's language ``lang``; ``service_name_vi``
    is the Vietnamese name staff read (left out when it is the same text), and
    ``centre_name_vi`` and ``counters_text_vi`` the Vietnamese names on the
    centre's signs, likewise.
    ``priority_mark`` is the white-on-black mark staff spot (Vietnamese) and
    ``priority_text`` the same in the citizen's language when that differs; both
    are empty for a regular ticket. ``test_text`` marks a test print.
    """

    centre_name: str
    number: str
    service_name: str
    lang: str
    centre_name_vi: str = ""
    service_name_vi: str = ""
    priority_mark: str = ""
    priority_text: str = ""
    procedure_name: str = ""
    test_text: str = ""
    issued_text: str = ""
    people_ahead_text: str = ""
    wait_text: str = ""
    counters_text: str = ""
    counters_text_vi: str = ""
    qr_url: str = ""
    qr_caption: str = ""
    heading_text: str = ""
    footer_text: str = ""
    reprint_text: str = ""


@dataclass(frozen=True)
class ChecklistItem:
    """One document to bring; ``counts_text`` e.g. "1 bản chính, 2 bản sao".

    ``case`` names the case (trường hợp) it belongs to; items of one case
    follow each other and the case is printed once above them.
    """

    name: str
    counts_text: str = ""
    case: str = ""


@dataclass(frozen=True)
class ChecklistSlip:
    """The documents a chosen procedure needs: a second slip after the ticket."""

    title: str
    procedure_name: str
    lang: str
    items: tuple[ChecklistItem, ...] = field(default_factory=tuple)
    procedure_code: str = ""
    note_text: str = ""
    qr_url: str = ""
    qr_caption: str = ""


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
def ticket_wrap(text: str, lang: str, measure: Callable[[str], float], width_px: int) -> list[str]:
    """Lines for the printer: ICU break opportunities (Khmer words) measured with the
    printer's own fonts, so a line never breaks inside a word or a cluster."""
    return wrap_text(text, width_px, measure, lang)


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
    # The time's digits follow the ticket number's (kiosk.ticket_digits): Latin
    # digits print in the printer's own font, where Khmer ones would be drawn.
    when = format_when(moment, lang, cfg.tz, "datetime")
    return ticket_number_text(when, lang, cfg.kiosk.ticket_digits)


def _priority_text(ticket: Mapping[str, Any], cfg: Config, lang: str) -> str:
    if not ticket.get("priority"):
        return ""
    mark = gettext("PRIORITY", lang)
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
    test: bool = False,
) -> TicketSlip:
    """The ticket as the printer prints it, every text in ``lang`` (staff's Vietnamese too).

    ``ticket`` is the server's ticket (id, number, service, priority,
    priority_reason, issued_at in UTC ISO, ahead, eta_minutes, ...). ``procedure``
    is the one the citizen chose, if any: the ticket names it. ``test`` marks a
    test print, so that its number is never taken for a real one.
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
            _with_count(
                ngettext("{n} person ahead of you", "{n} people ahead of you", ahead, lang, n=ahead)
            )
            if ahead
            else gettext("You are next", lang)
        )
    wait_text = ""
    if isinstance(eta, int | float) and eta > 0 and ahead:
        minutes = round(eta)
        wait_text = _with_count(
            gettext("Estimated wait: about {minutes} min", lang, minutes=minutes)
        )
    qr_url, qr_caption = "", ""
    if cfg.kiosk.ticket_qr == "procedure" and procedure is not None and procedure.online_url:
        qr_url, qr_caption = procedure.online_url, gettext("Scan to apply online", lang)
    elif cfg.kiosk.ticket_qr != "none" and ticket.get("id"):
        qr_url = status_url(cfg, str(ticket["id"]))
        qr_caption = gettext("Scan to follow your turn", lang) if qr_url else ""
    return TicketSlip(
        centre_name=_local(cfg.centre.name, lang),
        centre_name_vi="" if lang == "vi" else _local(cfg.centre.name, "vi"),
        number=number,
        service_name=_local(service.name, lang),
        service_name_vi="" if lang == "vi" else service.name["vi"],
        lang=lang,
        priority_mark=_priority_text(ticket, cfg, "vi"),
        priority_text="" if lang == "vi" else _priority_text(ticket, cfg, lang),
        procedure_name=_local(procedure.name, lang) if procedure is not None else "",
        test_text=f"TEST / {gettext('Test print', 'vi').upper()}" if test else "",
        issued_text=_issued(ticket, cfg, lang),
        people_ahead_text=ahead_text,
        wait_text=wait_text,
        counters_text=_counters_text(cfg, service.id, lang),
        counters_text_vi="" if lang == "vi" else _counters_text(cfg, service.id, "vi"),
        qr_url=qr_url,
        qr_caption=qr_caption,
        heading_text=gettext("Your number", lang),
        footer_text=gettext("Please keep your ticket and listen for your number.", lang),
        reprint_text=gettext("Reprinted ticket", lang) if reprint else "",
    )


def _counts(doc: PrintableDocument, lang: str) -> str:
    parts = []
    if doc.originals:
        n = doc.originals
        parts.append(_with_count(ngettext("{n} original", "{n} originals", n, lang, n=n)))
    if doc.copies:
        n = doc.copies
        parts.append(_with_count(ngettext("{n} copy", "{n} copies", n, lang, n=n)))
    return ", ".join(parts)


def build_checklist_slip(procedure: PrintableProcedure, lang: str) -> ChecklistSlip:
    """The documents-to-bring slip for a procedure, in ``lang``."""
    return ChecklistSlip(
        title=gettext("Documents to bring", lang),
        procedure_name=_local(procedure.name, lang),
        lang=lang,
        procedure_code=gettext("Procedure code {code}", lang, code=procedure.code)
        if procedure.code
        else "",
        items=tuple(
            ChecklistItem(_local(d.name, lang), _counts(d, lang), _local(d.case, lang))
            for d in procedure.documents
        ),
        note_text=_local(procedure.note, lang),
        qr_url=procedure.online_url,
        qr_caption=gettext("Scan to apply online", lang) if procedure.online_url else "",
    )


# --- Slips on paper: the layout, top to bottom ------------------------------
HEADER = Style(22)
LABEL = Style(22)
BODY = Style(24)
# The procedure's name on the ticket: the kiosk's screen and the checklist slip hold it
# whole; the longest (919 characters) took 30 lines of a 58 mm roll.
PROCEDURE = Style(24, max_lines=3)
SERVICE = Style(30, bold=True)
PRIORITY = Style(26, bold=True, inverse=True)
SMALL = Style(20)
ITEM = Style(22, align="left", printer_text=False)
TITLE = Style(26, bold=True)
BIG_NUMBER_SIZE = 120
MAX_NUMBER_MUL = 6
ITEM_INDENT = 28
CHECKBOX = 16  # the side of a document's tick box


def _big_number(col: Column, number: str, lang: str) -> None:
    number = number.strip()
    if number.isascii() and number.isprintable():
        mul = max(1, min(MAX_NUMBER_MUL, col.page.width_px // (CELL_W * max(1, len(number)))))
        # The printer's own font, magnified and smoothed: sharp, and a few bytes.
        col.printer_text(number, mul=mul, bold=True, smooth=True)
        return
    # Native digits (Khmer): drawn, as the printer has no such glyphs.
    size = BIG_NUMBER_SIZE
    ink = draw_ink(col.page.fonts, number, size, True, lang)
    while ink is not None and ink.width > col.page.width_px and size > 40:
        size -= 10
        ink = draw_ink(col.page.fonts, number, size, True, lang)
    if ink is not None:
        col.raster(ink.image)


def _place_name(col: Column, text: str, text_vi: str, lang: str, style: Style) -> None:
    """A name on the centre's signs (the centre, its counters): in the printer's own
    font when it has the citizen's language, else the Vietnamese name the signs
    carry when it has that. Drawn, the Khmer centre and counter names were a third
    of a Khmer ticket's bytes."""
    pages = col.page.codepages
    if text_vi and not encodable(text, pages) and encodable(text_vi, pages):
        col.text(text_vi, "vi", style)
    else:
        col.text(text, lang, style)


def _if_printer_text(col: Column, text: str, lang: str, style: Style) -> bool:
    """A line that only repeats what the ticket shows anyway (the heading over the big
    number, the citizen's-language copy of the priority mark), printed only where the
    printer's font has it: drawn in Khmer, these two were 1.1 KB, 12% of the ticket."""
    if not text or not encodable(text, col.page.codepages):
        return False
    col.text(text, lang, style)
    return True


def _end_section(col: Column) -> None:
    """The rule under a slip's heading and between its sections, with the gaps around it."""
    col.space(LINE_GAP)
    col.rule()
    col.space(SECTION_GAP)


def ticket_blocks(slip: TicketSlip, page: Page) -> list[Block]:
    """The queue ticket, top to bottom, ending with a cut."""
    col = Column(page)
    lang = slip.lang
    _place_name(col, slip.centre_name, slip.centre_name_vi, lang, HEADER)
    _end_section(col)
    if slip.test_text:
        col.text(slip.test_text, "vi", PRIORITY)
        col.space(LINE_GAP)
    if _if_printer_text(col, slip.heading_text, lang, LABEL):
        col.space(LINE_GAP)
    _big_number(col, slip.number, lang)
    col.space(SECTION_GAP)
    if slip.priority_mark:
        col.text(slip.priority_mark, "vi", PRIORITY)
        col.space(LINE_GAP)
        if _if_printer_text(col, slip.priority_text, lang, LABEL):
            col.space(LINE_GAP)
    col.text(slip.service_name, lang, SERVICE)
    if slip.service_name_vi and slip.service_name_vi != slip.service_name:
        col.text(slip.service_name_vi, "vi", LABEL)
    col.text(slip.procedure_name, lang, PROCEDURE)
    _place_name(col, slip.counters_text, slip.counters_text_vi, lang, LABEL)
    _end_section(col)
    col.text(slip.people_ahead_text, lang, BODY)
    col.text(slip.wait_text, lang, BODY)
    col.qr_block(slip.qr_url, slip.qr_caption, lang)
    col.space(SECTION_GAP)
    col.text(slip.footer_text, lang, SMALL)
    col.space(LINE_GAP)
    col.text(slip.issued_text, lang, SMALL)
    col.text(slip.reprint_text, lang, SMALL)
    if slip.test_text:
        col.space(LINE_GAP)
        col.text(slip.test_text, "vi", PRIORITY)
    col.cut()
    return col.blocks


def _checkbox(ink: Ink) -> tuple[Image.Image, int]:
    """A tick box standing on the baseline left of an item's first line.

    Returns the image and how far its top is above the ink's top.
    """
    x = ITEM_INDENT + max(0, ink.left)
    baseline = -ink.top  # from the ink's top
    box_top = baseline - CHECKBOX
    top = min(0, box_top)
    height = max(ink.height, baseline) - top
    out = Image.new("1", (x + ink.width, height), 0)
    ImageDraw.Draw(out).rectangle(
        (0, box_top - top, CHECKBOX - 1, baseline - top - 1), outline=1, width=2
    )
    out.paste(ink.image, (x, -top))
    return out, -top


def checklist_blocks(slip: ChecklistSlip, page: Page) -> list[Block]:
    """The documents-to-bring slip, ending with a cut."""
    col = Column(page)
    lang = slip.lang
    col.text(slip.title, lang, TITLE)
    col.space(LINE_GAP)
    col.text(slip.procedure_name, lang, BODY)
    col.text(slip.procedure_code, lang, SMALL)
    _end_section(col)
    case = ""
    width = page.width_px - ITEM_INDENT
    for item in slip.items:
        if item.case and item.case != case:
            case = item.case
            col.space(LINE_GAP)
            col.text(case, lang, Style(ITEM.size, bold=True, align="left"))
        # The counts stay together on one line: "(1 bản chính, 1 bản sao)".
        counts = item.counts_text.replace(" ", NBSP)
        text = f"{item.name}{NBSP}({counts})" if counts else item.name
        if col.printer_item(text, lang):  # Vietnamese, English: the printer's own font
            col.space(LINE_GAP)
            continue
        if counts and col.printer_item(item.name, lang):
            # A name the catalogue has only in Vietnamese, its counts in Khmer: each as it can.
            ink = draw_ink(page.fonts, f"({item.counts_text})", ITEM.size, False, lang)
            if ink is not None:  # under the name, past the "[ ] " of the printer's font
                col.ink_line(ink, lang, ITEM, indent=4 * CELL_W)
            col.space(LINE_GAP)
            continue
        lines = wrap_lines(page.fonts, text, lang, ITEM.size, False, width, page.wrap)
        for i, line in enumerate(lines):
            ink = draw_ink(page.fonts, line, ITEM.size, False, lang)
            if ink is None:
                continue
            if i == 0:
                line_pitch, ascent = pitch(ITEM.size, lang)
                image, raised = _checkbox(ink)
                top = ascent + ink.top - raised
                col.space(max(0, top))
                col.raster(image, "left")
                col.space(max(0, line_pitch - max(0, top) - image.height))
            else:
                col.ink_line(ink, lang, ITEM, indent=ITEM_INDENT)
        col.space(LINE_GAP)
    if slip.note_text:
        col.space(LINE_GAP)
        col.text(slip.note_text, lang, SMALL)
    col.qr_block(slip.qr_url, slip.qr_caption, lang)
    col.cut()
    return col.blocks


def render(
    printer: Printer,
    ticket: TicketSlip | None = None,
    checklist: ChecklistSlip | None = None,
    name: str = "ticket",
) -> Job:
    """The job for a ticket, a checklist slip, or both (each slip ends with a cut)."""
    blocks: list[Block] = []
    if ticket is not None:
        blocks += ticket_blocks(ticket, printer.page)
    if checklist is not None:
        blocks += checklist_blocks(checklist, printer.page)
    if not blocks:
        raise ValueError("nothing to print: give a ticket or a checklist")
    return Job(blocks, printer.width_px, name)


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
        wrap=ticket_wrap,
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
    test: bool = False,
) -> PrintResult:
    """Print a ticket (and, with ``checklist``, the procedure's documents slip) as one job.

    ``test`` marks it "TEST / IN THỬ" (kiosk print-test, the admin panel's test print).
    """
    number = str(ticket.get("number", "?"))
    ticket_id = str(ticket.get("id", ""))

    def run() -> PrintReport:
        slip = build_ticket_slip(ticket, cfg, lang, procedure, reprint=reprint, test=test)
        second = build_checklist_slip(procedure, lang) if checklist and procedure else None
        return printer.print_job(render(printer, slip, second, name=f"{number}-{ticket_id[:8]}"))

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
        lambda: printer.print_job(
            render(
                printer,
                checklist=build_checklist_slip(procedure, lang),
                name=f"checklist-{procedure.code}",
            )
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
