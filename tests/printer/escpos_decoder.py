"""An ESC/POS decoder for tests: bytes back to what a printer would put on paper.

Independent of the encoder: it reads the byte stream as a printer does
(command by command, with its own state for justification, magnification,
line spacing) and draws a picture. Text in the resident font is drawn with the
same 12 x 24 emulation the preview uses, so a decoded picture and a preview can
be compared dot for dot. Any byte it does not understand is an error: the
encoder must not send what a printer would print as garbage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import qrcode
import qrcode.constants
from PIL import Image

from hardware.printer.blocks import CELL_H, CELL_W, PrinterText
from hardware.printer.codepages import decode_byte, vietnamese_pages
from hardware.printer.paint import printer_text_image

ESC, GS, DLE, LF, CR = 0x1B, 0x1D, 0x10, 0x0A, 0x0D

_ESC_2 = {ord("@"), ord("2")}
_ESC_3 = {ord(c) for c in "aE3Jd!tM-G"}
_GS_3 = {ord(c) for c in "!BHbhfwk"}
_QR_ECC = {
    48: qrcode.constants.ERROR_CORRECT_L,
    49: qrcode.constants.ERROR_CORRECT_M,
    50: qrcode.constants.ERROR_CORRECT_Q,
    51: qrcode.constants.ERROR_CORRECT_H,
}


class DecodeError(ValueError):
    pass


def command_length(buf: bytes | bytearray, pos: int) -> int | None:
    """Length of the command starting at ``pos``; None when it has not fully arrived."""
    have = len(buf) - pos

    def need(n: int) -> int | None:
        return n if have >= n else None

    b = buf[pos]
    if b in (LF, CR) or 0x20 <= b <= 0x7E or b >= 0x80:
        return 1  # a byte above 0x7F is a character of the selected code table
    if have < 2:
        return None
    c = buf[pos + 1]
    if b == ESC:
        if c in _ESC_2:
            return 2
        if c in _ESC_3:
            return need(3)
    elif b == GS:
        if c in _GS_3:
            return need(3)
        if c == ord("L") or c == ord("W"):
            return need(4)
        if c == ord("V"):
            if have < 3:
                return None
            return 3 if buf[pos + 2] in (0, 1, 48, 49) else need(4)
        if c == ord("v"):
            if have < 8:
                return None
            if buf[pos + 2] != ord("0"):
                raise DecodeError(f"GS v {buf[pos + 2]:#x} at {pos}")
            xb = buf[pos + 4] | buf[pos + 5] << 8
            rows = buf[pos + 6] | buf[pos + 7] << 8
            return need(8 + xb * rows)
        if c == ord("("):
            if have < 5:
                return None
            size = buf[pos + 3] | buf[pos + 4] << 8
            return need(5 + size)
    elif b == DLE:
        if c == 0x04 or c == 0x05:
            return need(3)
    raise DecodeError(f"unknown command {b:#04x} {c:#04x} at byte {pos}")


def iter_commands(data: bytes):
    pos = 0
    while pos < len(data):
        n = command_length(data, pos)
        if n is None:
            raise DecodeError(f"truncated command at byte {pos}")
        yield pos, data[pos : pos + n]
        pos += n


@dataclass
class TextOp:
    text: str
    mul_w: int
    mul_h: int
    bold: bool
    align: int
    x: int
    y: int
    inverse: bool = False
    smooth: bool = False


@dataclass
class RasterOp:
    image: Image.Image  # mode "1", 1 = dot, as sent
    scale: int
    align: int
    x: int
    y: int
    width_dots: int


@dataclass
class QROp:
    data: str
    module: int
    ecc: int
    align: int
    x: int
    y: int
    size_dots: int


@dataclass
class Decoded:
    width_px: int
    picture: Image.Image
    texts: list[TextOp] = field(default_factory=list)
    rasters: list[RasterOp] = field(default_factory=list)
    qrs: list[QROp] = field(default_factory=list)
    cuts: list[int] = field(default_factory=list)
    status_queries: int = 0
    overflow: list[str] = field(default_factory=list)

    def dots(self) -> Image.Image:
        """Mode "1" of where dots are (1 = dot)."""
        return self.picture.point(lambda v: 255 if v < 128 else 0, mode="1")


class _Printer:
    def __init__(self, width_px: int, text_font: Path, profile: str = "default") -> None:
        self.pages = vietnamese_pages(profile)
        self.width = width_px
        self.font = text_font
        self.y = 0
        self.items: list[tuple[int, int, Image.Image]] = []
        self.out = Decoded(width_px, Image.new("L", (1, 1), 255))
        self.reset()
        self.qr_data = b""
        self.qr_module = 3
        self.qr_ecc = 48

    def reset(self) -> None:
        self.table = 0
        self.reverse = False
        self.smooth = False
        self.align = 0
        self.mul_w = self.mul_h = 1
        self.bold = False
        self.spacing = 30
        self.line = ""

    def _x(self, width: int) -> int:
        if self.align == 1:
            return max(0, (self.width - width) // 2)
        if self.align == 2:
            return max(0, self.width - width)
        return 0

    def _place(self, image: Image.Image, width: int, what: str) -> int:
        if width > self.width:
            self.out.overflow.append(f"{what} is {width} dots on {self.width}-dot paper")
        x = self._x(width)
        self.items.append((x, self.y, image))
        return x

    def print_line(self, feed: int | None = None) -> None:
        height = CELL_H * self.mul_h
        if self.line:
            if self.mul_w != self.mul_h:
                raise DecodeError("the decoder draws square magnification only")
            block = PrinterText(
                self.line,
                self.mul_w,
                self.bold,
                "left",
                self.pages,
                inverse=self.reverse,
                smooth=self.smooth,
            )
            image = printer_text_image(block, self.font)
            x = self._place(image, image.width, f"text {self.line!r}")
            self.out.texts.append(
                TextOp(
                    self.line,
                    self.mul_w,
                    self.mul_h,
                    self.bold,
                    self.align,
                    x,
                    self.y,
                    self.reverse,
                    self.smooth,
                )
            )
        self.y += feed if feed is not None else max(self.spacing, height if self.line else 0)
        self.line = ""

    def raster(self, cmd: bytes) -> None:
        mode = cmd[3] & 0x03
        xb = cmd[4] | cmd[5] << 8
        rows = cmd[6] | cmd[7] << 8
        if mode not in (0, 3):
            raise DecodeError("only normal and quadruple raster modes are expected")
        image = Image.frombytes("1", (xb * 8, rows), bytes(cmd[8:]))
        scale = 2 if mode == 3 else 1
        shown = image.resize((xb * 8 * scale, rows * scale), Image.Resampling.NEAREST)
        x = self._place(shown, xb * 8 * scale, "raster")
        self.out.rasters.append(RasterOp(image, scale, self.align, x, self.y, xb * 8 * scale))
        self.y += rows * scale

    def qr(self, cmd: bytes) -> None:
        if cmd[5] != ord("1"):
            raise DecodeError("only QR codes (cn = 49) are expected")
        fn, payload = cmd[6], bytes(cmd[7:])
        if fn == 65:
            if payload[:1] != b"2":
                raise DecodeError("QR model 2 expected")
        elif fn == 67:
            self.qr_module = payload[0]
        elif fn == 69:
            self.qr_ecc = payload[0]
        elif fn == 80:
            self.qr_data = payload[1:]
        elif fn == 81:
            code = qrcode.QRCode(version=None, error_correction=_QR_ECC[self.qr_ecc], border=0)
            code.add_data(self.qr_data)
            code.make(fit=True)
            matrix = code.get_matrix()
            n = len(matrix)
            bits = bytes(255 if c else 0 for row in matrix for c in row)
            image = Image.frombytes("L", (n, n), bits).convert("1")
            size = n * self.qr_module
            image = image.resize((size, size), Image.Resampling.NEAREST)
            x = self._place(image, size, "QR code")
            self.out.qrs.append(
                QROp(
                    self.qr_data.decode("utf-8"),
                    self.qr_module,
                    self.qr_ecc,
                    self.align,
                    x,
                    self.y,
                    size,
                )
            )
            self.y += size
        else:
            raise DecodeError(f"unexpected QR function {fn}")

    def command(self, cmd: bytes) -> None:
        b = cmd[0]
        if 0x20 <= b <= 0x7E or b >= 0x80:
            self.line += chr(b) if b < 0x80 else decode_byte(b, self.pages, self.table)
            if len(self.line) * CELL_W * self.mul_w > self.width:
                self.out.overflow.append(f"text {self.line!r} wider than the paper")
        elif b == LF:
            self.print_line()
        elif b == CR:
            pass
        elif b == DLE:
            self.out.status_queries += 1
        elif b == ESC:
            c = cmd[1]
            if c == ord("@"):
                self.reset()
            elif c == ord("2"):
                self.spacing = 30
            elif c == ord("3"):
                self.spacing = cmd[2]
            elif c == ord("a"):
                self.align = cmd[2] % 48
            elif c == ord("E"):
                self.bold = bool(cmd[2] & 1)
            elif c == ord("J"):
                if self.line:
                    self.print_line(feed=cmd[2])
                else:
                    self._feed(cmd[2])
            elif c == ord("d"):
                if self.line:
                    self.print_line()
                self._feed(cmd[2] * self.spacing)
            elif c == ord("!"):
                self.mul_h = 2 if cmd[2] & 0x10 else 1
                self.mul_w = 2 if cmd[2] & 0x20 else 1
            elif c == ord("t"):
                if cmd[2] and not any(p.number == cmd[2] for p in self.pages):
                    raise DecodeError(f"code table {cmd[2]} is not one the profile declares")
                self.table = cmd[2]
        elif b == GS:
            c = cmd[1]
            if c == ord("!"):
                self.mul_w = (cmd[2] >> 4) + 1
                self.mul_h = (cmd[2] & 0x0F) + 1
            elif c == ord("v"):
                if self.line:
                    raise DecodeError("GS v 0 with text in the line buffer is ignored by printers")
                self.raster(cmd)
            elif c == ord("("):
                self.qr(cmd)
            elif c == ord("V"):
                self.out.cuts.append(self.y)
            elif c == ord("B"):
                if self.line:
                    raise DecodeError("GS B in the middle of a line")
                self.reverse = bool(cmd[2] & 1)
            elif c == ord("b"):
                self.smooth = bool(cmd[2] & 1)

    def _feed(self, dots: int) -> None:
        self.y += dots

    def finish(self) -> Decoded:
        if self.line:
            self.print_line()
        picture = Image.new("L", (self.width, max(1, self.y)), 255)
        for x, y, image in self.items:
            dots = image.convert("L").point(lambda v: 0 if v else 255)
            mask = image.convert("L")
            picture.paste(dots, (x, y), mask)
        self.out.picture = picture
        return self.out


def decode(data: bytes, width_px: int, text_font: Path, profile: str = "default") -> Decoded:
    """Decode a job's bytes as a printer ``width_px`` dots wide would print them.

    Bytes above 0x7F are read in the code table ``ESC t`` selected, as the
    python-escpos ``profile`` declares it.
    """
    printer = _Printer(width_px, text_font, profile)
    for _, cmd in iter_commands(data):
        printer.command(cmd)
    return printer.finish()
