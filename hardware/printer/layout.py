"""Laying text out on the paper: paragraphs to blocks, top to bottom.

The slips themselves (what goes where on a ticket or a checklist) are laid out
by the kiosk (kiosk.printing) with this column.

Each line of non-ASCII text becomes one raster cropped to its ink; the blank
space around it is sent as feeds (3 bytes) rather than white rows, so a line
costs only the bytes of its ink box. ASCII lines (the big number, times, most
of an English ticket) go as printer text, a few bytes each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from hardware.printer.blocks import CELL_W, Block, Cut, Feed, PrinterText, QRCode, Raster, qr_image
from hardware.printer.codepages import CodePage, encodable
from hardware.printer.fonts import FontBook
from hardware.printer.raster import Ink, Wrap, draw_ink, measure, wrap_paragraph


@dataclass(frozen=True)
class Page:
    """What the layout needs to know about the printer and the fonts."""

    width_px: int
    fonts: FontBook
    qr_native: bool = True
    cut: str = "partial"
    wrap: Wrap | None = None
    # The printer's Vietnamese code tables: lines in them are printer text, not raster.
    codepages: tuple[CodePage, ...] = ()

    @property
    def qr_module(self) -> int:
        return 5 if self.width_px >= 512 else 4


@dataclass(frozen=True)
class Style:
    size: int
    bold: bool = False
    align: str = "center"
    printer_text: bool = True  # lines the printer's own font has may be sent as text
    inverse: bool = False
    # At most this many lines (0: all), the last one ending in ELLIPSIS when cut.
    max_lines: int = 0


# Ends a paragraph cut at Style.max_lines (ASCII: every printer code page has it).
ELLIPSIS = "..."
CAPTION = Style(20)  # under a QR code

# Vertical rhythm, in dots (8 dots = 1 mm).
LINE_GAP = 6
SECTION_GAP = 18
BOX = 16  # the inverse label's inset


def pitch(size: int, lang: str) -> tuple[int, int]:
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
        self,
        text: str,
        mul: int = 1,
        bold: bool = False,
        align: str = "center",
        smooth: bool = False,
    ) -> None:
        self._emit(PrinterText(text, mul, bold, align, self.page.codepages, smooth=smooth))  # type: ignore[arg-type]

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
        self.text(caption, lang, CAPTION)

    def text(self, text: str, lang: str, style: Style) -> None:
        """One paragraph: wrapped to the paper, each line as printer text or raster."""
        text = text.strip()
        if not text:
            return
        if style.printer_text and encodable(text.replace(NBSP, " "), self.page.codepages):
            self._printer_text(text, lang, style)
            return
        drawn, printable = self._split_printable_end(text, style)
        if printable:
            # "... ឃុំ Lịch Hội Thượng": the place name in the printer's font, on a line of its own.
            self.text(drawn, lang, style)
            self._printer_text(printable, lang, style)
            return
        width = self.page.width_px - (2 * BOX if style.inverse else 0)
        fonts = self.page.fonts

        def width_of(piece: str) -> float:
            return measure(fonts, piece, style.size, style.bold, lang)

        center = style.align == "center"
        for line in self._lines(text, lang, width_of, width, center, style.max_lines):
            ink = draw_ink(fonts, line, style.size, style.bold, lang)
            if ink is not None:
                self.ink_line(ink, lang, style)

    def _split_printable_end(self, text: str, style: Style) -> tuple[str, str]:
        """A paragraph to draw that ends in words the printer has (4+ letters): split there."""
        if not style.printer_text or style.inverse:
            return text, ""
        pages = self.page.codepages
        for i, ch in enumerate(text):
            if ch == " " and encodable(text[i + 1 :], pages):
                tail = text[i + 1 :].strip()
                if sum(c.isalpha() for c in tail) >= 4 and text[:i].strip():
                    return text[:i].strip(), tail
                break
        return text, ""

    def _printer_text(self, text: str, lang: str, style: Style) -> None:
        """Lines in the printer's own font: wrapped by character cells, a few bytes each."""
        mul = 2 if style.size >= 30 else 1
        pad = " " if style.inverse else ""  # white on black needs a margin of black
        columns = self.page.width_px // (CELL_W * mul) - 2 * len(pad)
        for line in self._lines(text, lang, len, columns, style.align == "center", style.max_lines):
            plain = pad + line.replace(NBSP, " ") + pad
            pages = self.page.codepages
            block = PrinterText(plain, mul, style.bold, style.align, pages, style.inverse)  # type: ignore[arg-type]
            self._emit(block)
            self.space(LINE_GAP)

    def printer_item(self, text: str, lang: str, marker: str = "[ ] ") -> bool:
        """A list item in the printer's own font, its lines hanging under the ``marker``.

        False (nothing emitted) when the printer's font cannot print it: the caller draws it.
        """
        pages = self.page.codepages
        plain = text.strip().replace(NBSP, " ")
        if not plain or not encodable(marker + plain, pages):
            return False
        columns = self.page.width_px // CELL_W - len(marker)
        for i, line in enumerate(self._lines(text.strip(), lang, len, columns, False)):
            lead = marker if i == 0 else " " * len(marker)
            self._emit(PrinterText(lead + line.replace(NBSP, " "), 1, False, "left", pages))
        return True

    def _lines(
        self,
        text: str,
        lang: str,
        width_of: Callable[[str], float],
        limit: int,
        balance: bool,
        max_lines: int = 0,
    ) -> list[str]:
        lines = wrap_paragraph(text, lang, width_of, limit, self.page.wrap)
        if max_lines and len(lines) > max_lines:
            # Cut: the last line kept ends in ELLIPSIS, at a break the wrap allows.
            last = lines[max_lines - 1]
            room = limit - width_of(ELLIPSIS)
            if width_of(last) > room:
                last = wrap_paragraph(last, lang, width_of, int(room), self.page.wrap)[0]
            return [*lines[: max_lines - 1], last.rstrip() + ELLIPSIS]
        if not balance or len(lines) < 2:
            return lines
        # The narrowest wrap with as many lines: no lone word on a centred last line.
        count, lo, hi = len(lines), limit // len(lines), limit
        while lo < hi:
            mid = (lo + hi) // 2
            if len(wrap_paragraph(text, lang, width_of, mid, self.page.wrap)) <= count:
                hi = mid
            else:
                lo = mid + 1
        return wrap_paragraph(text, lang, width_of, hi, self.page.wrap)

    def ink_line(self, ink: Ink, lang: str, style: Style, indent: int = 0) -> None:
        line_pitch, ascent = pitch(style.size, lang)
        above = ascent + ink.top  # blank rows between the line's top and its ink
        image = ink.image
        if style.inverse:
            image = _inverse_label(image)
            above -= 6
        elif style.align == "left":
            image = shift(image, indent + max(0, ink.left))
        self.space(max(0, above))
        self.raster(image, style.align)
        self.space(max(0, line_pitch - max(0, above) - image.height))

    def rule(self) -> None:
        """A line across three quarters of the paper, 2 dots thick (sent at half size)."""
        line = Image.new("1", (self.page.width_px * 3 // 8, 1), 1)
        self.raster(line, scale=2)

    def cut(self) -> None:
        self._emit(Cut(self.page.cut))  # type: ignore[arg-type]


NBSP = "\u00a0"


def _inverse_label(ink: Image.Image) -> Image.Image:
    """White text in a black box: the priority mark staff spot from a distance."""
    pad = 6
    box = Image.new("1", (ink.width + 2 * pad, ink.height + 2 * pad), 1)
    box.paste(Image.new("1", ink.size, 0), (pad, pad), ink)
    return box


def shift(image: Image.Image, x: int) -> Image.Image:
    if x <= 0:
        return image
    out = Image.new("1", (image.width + x, image.height), 0)
    out.paste(image, (x, 0))
    return out
