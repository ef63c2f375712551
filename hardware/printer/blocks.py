"""What goes on the paper, top to bottom: the layout's output, the encoder's input.

The same block list is turned into ESC/POS bytes (``encode``) and into the
picture of the paper (``paint``), so the preview printer shows what a real
printer would print from those bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import qrcode
import qrcode.constants
from PIL import Image

from hardware.printer.codepages import CodePage, encodable

Align = Literal["left", "center"]

# The printer's resident Font A: 12 x 24 dots per character at 203 dpi.
CELL_W = 12
CELL_H = 24

_QR_ECC = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


@dataclass(frozen=True, eq=False)
class PrinterText:
    """A line in the printer's own font, magnified ``mul`` times (1-8).

    ASCII, or any character of the printer's code ``pages`` (Vietnamese);
    ``inverse`` prints it white on black (``GS B``); ``smooth`` asks the printer
    to smooth the outline of magnified characters (``GS b``) instead of printing
    each dot as a block.
    """

    text: str
    mul: int = 1
    bold: bool = False
    align: Align = "center"
    pages: tuple[CodePage, ...] = ()
    inverse: bool = False
    smooth: bool = False

    def __post_init__(self) -> None:
        if not encodable(self.text, self.pages):
            raise ValueError("printer text must be printable ASCII or in the printer's code pages")
        if not 1 <= self.mul <= 8:
            raise ValueError("magnification must be 1 to 8")

    @property
    def height(self) -> int:
        return CELL_H * self.mul

    @property
    def width(self) -> int:
        return CELL_W * self.mul * len(self.text)


@dataclass(frozen=True, eq=False)
class Raster:
    """A 1-bit picture (mode "1", 1 = dot), sent with ``GS v 0``.

    ``scale`` 2 prints each bit as 2 x 2 dots (GS v 0 quadruple mode): a QR
    image then costs a quarter of the bytes.
    """

    image: Image.Image
    align: Align = "center"
    scale: Literal[1, 2] = 1

    @property
    def height(self) -> int:
        return self.image.height * self.scale

    @property
    def width(self) -> int:
        return self.image.width * self.scale


@dataclass(frozen=True)
class QRCode:
    """A QR code the printer draws itself from its data (``GS ( k``)."""

    data: str
    module: int = 5
    ecc: Literal["L", "M", "Q", "H"] = "M"
    align: Align = "center"

    @cached_property
    def matrix(self) -> list[list[bool]]:
        return qr_matrix(self.data, self.ecc)

    @property
    def height(self) -> int:
        return len(self.matrix) * self.module

    @property
    def width(self) -> int:
        return self.height


@dataclass(frozen=True)
class Feed:
    """Blank paper, in dots."""

    dots: int

    @property
    def height(self) -> int:
        return self.dots


@dataclass(frozen=True)
class Cut:
    """Feed past the cutter and cut (or only feed, on a printer without a cutter)."""

    mode: Literal["partial", "full", "none"] = "partial"
    feed_dots: int = 96

    @property
    def height(self) -> int:
        return self.feed_dots


Block = PrinterText | Raster | QRCode | Feed | Cut


def qr_matrix(data: str, ecc: str = "M") -> list[list[bool]]:
    """The QR modules (no quiet zone) a printer picks for ``data``: the smallest version."""
    code = qrcode.QRCode(version=None, error_correction=_QR_ECC[ecc], border=0)
    code.add_data(data.encode("utf-8"))
    code.make(fit=True)
    return code.get_matrix()


def qr_image(data: str, ecc: str = "M", module: int = 1) -> Image.Image:
    """The QR as a mode "1" image with 1 = dot, ``module`` pixels per module."""
    matrix = qr_matrix(data, ecc)
    n = len(matrix)
    bits = bytes(1 if cell else 0 for row in matrix for cell in row)
    img = Image.frombytes("L", (n, n), bits).point(lambda v: 255 if v else 0, mode="1")
    if module > 1:
        img = img.resize((n * module, n * module), Image.Resampling.NEAREST)
    return img


@dataclass
class Job:
    """One print job: blocks for a paper of ``width_px`` dots, and a name for logs/previews."""

    blocks: list[Block]
    width_px: int
    name: str = "job"
    _data: bytes | None = field(default=None, repr=False)

    @property
    def data(self) -> bytes:
        """The ESC/POS bytes (encoded once)."""
        if self._data is None:
            from hardware.printer.encode import encode

            self._data = encode(self.blocks)
        return self._data

    @property
    def length_dots(self) -> int:
        return sum(b.height for b in self.blocks)

    def __add__(self, other: Job) -> Job:
        return Job(self.blocks + other.blocks, self.width_px, self.name)
