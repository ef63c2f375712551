"""Ticket and checklist layout: slips to blocks, top to bottom.

Each line of non-ASCII text becomes one raster cropped to its ink; the blank
space around it is sent as feeds (3 bytes) rather than white rows, so a line
costs only the bytes of its ink box. ASCII lines (the big number, times, most
of an English ticket) go as printer text, a few bytes each.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from PIL import Image, ImageDraw

from hardware.printer.blocks import CELL_W, Block, Cut, Feed, PrinterText, QRCode, Raster, qr_image
from hardware.printer.fonts import FontBook
from hardware.printer.raster import Ink, Wrap, draw_ink, wrap_lines
from hardware.printer.slips import ChecklistSlip, TicketSlip


@dataclass(frozen=True)
class Page:
    """What the layout needs to know about the printer and the fonts."""

    width_px: int
    fonts: FontBook
    qr_native: bool = True
    cut: str = "partial"
    wrap: Wrap | None = None

    @property
    def qr_module(self) -> int:
        return 5 if self.width_px >= 512 else 4


@dataclass(frozen=True)
class Style:
    size: int
    bold: bool = False
    align: str = "center"
    printer_text: bool = True  # ASCII lines may use the printer's own font
    inverse: bool = False


HEADER = Style(22)
LABEL = Style(22)
BODY = Style(24)
SERVICE = Style(30, bold=True)
PRIORITY = Style(26, bold=True, inverse=True, printer_text=False)
SMALL = Style(20)
ITEM = Style(22, align="left", printer_text=False)
TITLE = Style(26, bold=True)

# Vertical rhythm, in dots (8 dots = 1 mm).
LINE_GAP = 6
SECTION_GAP = 18
BIG_NUMBER_SIZE = 120
MAX_NUMBER_MUL = 6
ITEM_INDENT = 28
BOX = 16


def _pitch(size: int, lang: str) -> tuple[int, int]:
    """(line height, baseline from the line's top) for a raster text line.

    Khmer stacks vowels above and subscripts below the consonant: it needs
    more room than Vietnamese, whose stacked tone marks need more than English.
    """
    if lang == "km":
        return round(size * 1.85), round(size * 1.2)
    return round(size * 1.45), round(size * 1.08)


class Column:
    """Builds the block list, tracking blank space so that it is sent as feeds."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.blocks: list[Block] = []
        self.pending = 0

    def space(self, dots: int) -> None:
        self.pending += dots

    def _emit(self, block: Block) -> None:
        if self.pending > 0:
            self.blocks.append(Feed(self.pending))
        self.pending = 0
        self.blocks.append(block)

    def raster(self, image: Image.Image, align: str = "center", scale: int = 1) -> None:
        self._emit(Raster(image, align, scale))  # type: ignore[arg-type]

    def printer_text(
        self, text: str, mul: int = 1, bold: bool = False, align: str = "center"
    ) -> None:
        self._emit(PrinterText(text, mul, bold, align))  # type: ignore[arg-type]

    def qr(self, data: str) -> None:
        if self.page.qr_native:
            self._emit(QRCode(data, module=self.page.qr_module))
        else:
            # As an image at half size, printed in GS v 0 quadruple mode: a quarter the bytes.
            module = (self.page.qr_module + 1) // 2
            self.raster(qr_image(data, "M", module), scale=2)

    def qr_block(self, url: str, caption: str, lang: str) -> None:
        """A QR code with its caption under it (nothing when there is no URL)."""
        if not url:
            return
        self.space(SECTION_GAP)
        self.qr(url)
        self.space(LINE_GAP)
        self.text(caption, lang, SMALL)

    def text(self, text: str, lang: str, style: Style) -> None:
        """One paragraph: wrapped to the paper, each line as printer text or raster."""
        text = text.strip()
        if not text:
            return
        if style.printer_text and _is_printer_text(text):
            mul = 2 if style.size >= 30 else 1
            for line in _printer_lines(text, self.page.width_px // (CELL_W * mul)):
                self._emit(PrinterText(line, mul, style.bold, style.align))  # type: ignore[arg-type]
                self.space(LINE_GAP)
            return
        width = self.page.width_px - (2 * BOX if style.inverse else 0)
        lines = self._wrap(text, lang, style, width)
        if len(lines) > 1 and style.align == "center":
            lines = self._balance(text, lang, style, width, len(lines))
        for line in lines:
            ink = draw_ink(self.page.fonts, line, style.size, style.bold, lang)
            if ink is not None:
                self.ink_line(ink, lang, style)

    def _wrap(self, text: str, lang: str, style: Style, width: int) -> list[str]:
        page = self.page
        return wrap_lines(page.fonts, text, lang, style.size, style.bold, width, page.wrap)

    def _balance(self, text: str, lang: str, style: Style, width: int, count: int) -> list[str]:
        """The narrowest wrap with the same number of lines: no lone word on the last line."""
        lo, hi = width // count, width
        while hi - lo > 8:
            mid = (lo + hi) // 2
            if len(self._wrap(text, lang, style, mid)) <= count:
                hi = mid
            else:
                lo = mid
        return self._wrap(text, lang, style, hi)

    def ink_line(self, ink: Ink, lang: str, style: Style, indent: int = 0) -> None:
        pitch, ascent = _pitch(style.size, lang)
        above = ascent + ink.top  # blank rows between the line's top and its ink
        image = ink.image
        if style.inverse:
            image = _inverse_label(image)
            above -= 6
        elif style.align == "left":
            image = _shift(image, indent + max(0, ink.left))
        self.space(max(0, above))
        self.raster(image, style.align)
        self.space(max(0, pitch - max(0, above) - image.height))

    def rule(self) -> None:
        line = Image.new("1", (self.page.width_px * 3 // 4, 2), 1)
        self.raster(line)

    def cut(self) -> None:
        self._emit(Cut(self.page.cut))  # type: ignore[arg-type]


NBSP = "\u00a0"
_GLUE = "\x00"  # stands for a no-break space while textwrap looks for spaces


def _is_printer_text(text: str) -> bool:
    plain = text.replace(NBSP, " ")
    return plain.isascii() and plain.isprintable()


def _printer_lines(text: str, columns: int) -> list[str]:
    """ASCII text wrapped to the printer's columns, the lines balanced like raster lines;
    a no-break space joins its words and prints as a space."""
    glued = text.replace(NBSP, _GLUE)

    def wrap(width: int) -> list[str]:
        return textwrap.wrap(glued, width, break_on_hyphens=False) or [glued[:width]]

    lines = wrap(columns)
    for narrower in range(len(glued) // len(lines), columns):
        balanced = wrap(narrower)
        if len(balanced) == len(lines):
            lines = balanced
            break
    return [line.replace(_GLUE, " ") for line in lines]


def _inverse_label(ink: Image.Image) -> Image.Image:
    """White text in a black box: the priority mark staff spot from a distance."""
    pad = 6
    box = Image.new("1", (ink.width + 2 * pad, ink.height + 2 * pad), 1)
    box.paste(Image.new("1", ink.size, 0), (pad, pad), ink)
    return box


def _shift(image: Image.Image, x: int) -> Image.Image:
    if x <= 0:
        return image
    out = Image.new("1", (image.width + x, image.height), 0)
    out.paste(image, (x, 0))
    return out


def _big_number(col: Column, number: str, lang: str) -> None:
    number = number.strip()
    if number.isascii() and number.isprintable():
        mul = max(1, min(MAX_NUMBER_MUL, col.page.width_px // (CELL_W * max(1, len(number)))))
        col.printer_text(number, mul=mul, bold=True)
        return
    # Native digits (Khmer): drawn, as the printer has no such glyphs.
    size = BIG_NUMBER_SIZE
    ink = draw_ink(col.page.fonts, number, size, True, lang)
    while ink is not None and ink.width > col.page.width_px and size > 40:
        size -= 10
        ink = draw_ink(col.page.fonts, number, size, True, lang)
    if ink is not None:
        col.raster(ink.image)


def ticket_blocks(slip: TicketSlip, page: Page) -> list[Block]:
    """The queue ticket, top to bottom, ending with a cut."""
    col = Column(page)
    lang = slip.lang
    col.text(slip.centre_name, lang, HEADER)
    col.space(LINE_GAP)
    col.rule()
    col.space(SECTION_GAP)
    col.text(slip.heading_text, lang, LABEL)
    col.space(LINE_GAP)
    _big_number(col, slip.number, lang)
    col.space(SECTION_GAP)
    if slip.priority_text:
        col.text(slip.priority_text, lang, PRIORITY)
        col.space(LINE_GAP)
    col.text(slip.service_name, lang, SERVICE)
    if slip.service_name_vi and slip.service_name_vi != slip.service_name:
        col.text(slip.service_name_vi, "vi", LABEL)
    col.text(slip.counters_text, lang, LABEL)
    col.space(LINE_GAP)
    col.rule()
    col.space(SECTION_GAP)
    col.text(slip.people_ahead_text, lang, BODY)
    col.text(slip.wait_text, lang, BODY)
    col.qr_block(slip.qr_url, slip.qr_caption, lang)
    col.space(SECTION_GAP)
    col.text(slip.footer_text, lang, SMALL)
    col.space(LINE_GAP)
    col.text(slip.issued_text, lang, SMALL)
    col.text(slip.reprint_text, lang, SMALL)
    col.cut()
    return col.blocks


def _checkbox(ink: Ink) -> tuple[Image.Image, int]:
    """A tick box standing on the baseline left of an item's first line.

    Returns the image and how far its top is above the ink's top.
    """
    x = ITEM_INDENT + max(0, ink.left)
    baseline = -ink.top  # from the ink's top
    box_top = baseline - BOX
    top = min(0, box_top)
    height = max(ink.height, baseline) - top
    out = Image.new("1", (x + ink.width, height), 0)
    ImageDraw.Draw(out).rectangle(
        (0, box_top - top, BOX - 1, baseline - top - 1), outline=1, width=2
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
    col.space(LINE_GAP)
    col.rule()
    col.space(SECTION_GAP)
    case = ""
    width = page.width_px - ITEM_INDENT
    for item in slip.items:
        if item.case and item.case != case:
            case = item.case
            col.space(LINE_GAP)
            col.text(case, lang, Style(ITEM.size, bold=True, align="left", printer_text=False))
        # The counts stay together on one line: "(1 bản chính, 1 bản sao)".
        counts = item.counts_text.replace(" ", NBSP)
        text = f"{item.name}{NBSP}({counts})" if counts else item.name
        lines = wrap_lines(page.fonts, text, lang, ITEM.size, False, width, page.wrap)
        for i, line in enumerate(lines):
            ink = draw_ink(page.fonts, line, ITEM.size, False, lang)
            if ink is None:
                continue
            if i == 0:
                pitch, ascent = _pitch(ITEM.size, lang)
                image, raised = _checkbox(ink)
                top = ascent + ink.top - raised
                col.space(max(0, top))
                col.raster(image, "left")
                col.space(max(0, pitch - max(0, top) - image.height))
            else:
                col.ink_line(ink, lang, ITEM, indent=ITEM_INDENT)
        col.space(LINE_GAP)
    if slip.note_text:
        col.space(LINE_GAP)
        col.text(slip.note_text, lang, SMALL)
    col.qr_block(slip.qr_url, slip.qr_caption, lang)
    col.cut()
    return col.blocks
