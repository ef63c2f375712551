"""Blocks to a picture of the paper: what the preview printer writes as PNG.

Raster and QR blocks are drawn dot for dot as the printer prints them. Text in
the printer's resident font is emulated: each character drawn into its 12 x 24
cell with Noto Sans and magnified by pixel repetition, as the printer does.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

from hardware.printer.blocks import (
    CELL_H,
    CELL_W,
    Block,
    Cut,
    Feed,
    PrinterText,
    QRCode,
    Raster,
    qr_image,
)

PAPER = 255
DOT = 0
CUT_MARK = 170


@lru_cache(maxsize=1024)
def _glyph_cell(font_path: str, ch: str, bold: bool, mul: int = 1) -> Image.Image:
    """One character of the emulated resident font: mode "1", 1 = dot, 12 x 24 x ``mul``.

    ``mul`` > 1 is a smoothed magnified character: the outline drawn at that size.
    A Vietnamese capital with a stacked tone mark is taller than the cell: it is
    squeezed into it, as the printers' own Vietnamese fonts draw it.
    """
    w, h = CELL_W * mul, CELL_H * mul
    font = ImageFont.truetype(font_path, (21 if bold else 20) * mul)
    cell = Image.new("L", (w * 2, h * 2), 0)
    ImageDraw.Draw(cell).text((w, h + 19 * mul), ch, font=font, fill=255, anchor="ms")
    box = cell.getbbox()
    out = Image.new("1", (w, h), 0)
    if box is None:
        return out
    left, top, right, bottom = box
    top, bottom = min(top, h), max(bottom, 2 * h)
    glyph = cell.crop((left, top, right, bottom))
    width = min(glyph.width, w - mul)  # squeeze wide letters (W, M) into the fixed pitch
    if glyph.size != (width, h):
        glyph = glyph.resize((width, h), Image.Resampling.BILINEAR)
    mono = glyph.point(lambda v: 255 if v >= 110 else 0, mode="1")
    out.paste(mono, ((w - mono.width) // 2, 0))
    return out


def printer_text_image(block: PrinterText, font_path: Path) -> Image.Image:
    """The dots of a line of resident-font text (mode "1", 1 = dot)."""
    if block.smooth and block.mul > 1:
        mul = block.mul
        line = Image.new("1", (CELL_W * mul * len(block.text), CELL_H * mul), 0)
        for i, ch in enumerate(block.text):
            line.paste(_glyph_cell(str(font_path), ch, block.bold, mul), (i * CELL_W * mul, 0))
        return line
    line = Image.new("1", (CELL_W * len(block.text), CELL_H), 0)
    for i, ch in enumerate(block.text):
        line.paste(_glyph_cell(str(font_path), ch, block.bold), (i * CELL_W, 0))
    if block.inverse:
        line = line.convert("L").point(lambda v: 0 if v else 255).convert("1", dither=None)
    if block.mul > 1:
        line = line.resize(
            (line.width * block.mul, line.height * block.mul), Image.Resampling.NEAREST
        )
    return line


def _x(align: str, width: int, paper_width: int) -> int:
    if align == "center":
        return max(0, (paper_width - width) // 2)
    return 0


def _dots(image: Image.Image) -> Image.Image:
    """Mode "1" (1 = dot) to paper: black dots on white."""
    return ImageChops.invert(image.convert("L"))


def paint(blocks: list[Block], width_px: int, text_font: Path) -> Image.Image:
    """The paper for ``blocks`` as a greyscale image ``width_px`` wide.

    A dashed grey line marks each cut (it is not printed; it shows where the
    paper is cut).
    """
    height = max(1, sum(b.height for b in blocks))
    paper = Image.new("L", (width_px, height), PAPER)
    y = 0
    for block in blocks:
        if isinstance(block, Feed):
            y += block.dots
            continue
        if isinstance(block, Cut):
            y += block.feed_dots
            if block.mode != "none":
                draw = ImageDraw.Draw(paper)
                for x in range(0, width_px, 16):
                    draw.line((x, y - 1, x + 8, y - 1), fill=CUT_MARK, width=2)
            continue
        if isinstance(block, PrinterText):
            image = printer_text_image(block, text_font)
            width = image.width
        elif isinstance(block, Raster):
            # A raster is sent in whole bytes: the printer centres the padded width.
            image = block.image
            width = (image.width + 7) // 8 * 8 * block.scale
            if block.scale == 2:
                image = image.resize((image.width * 2, image.height * 2), Image.Resampling.NEAREST)
        else:
            assert isinstance(block, QRCode)
            image = qr_image(block.data, block.ecc, block.module)
            width = image.width
        paper.paste(_dots(image), (_x(block.align, width, width_px), y))
        y += block.height
    return paper
