"""Blocks to ESC/POS bytes: the small, widely supported subset of the command set.

ESC @ (reset), ESC a (justification: also applies to raster and QR), GS !
(magnification), ESC E (bold), ESC 3 (line spacing), ESC J (feed dots),
ESC t (code table, for Vietnamese), GS B (white on black), GS b (smoothing),
GS v 0 (raster image), GS ( k (QR code), ESC d + GS V (feed and cut).
"""

from __future__ import annotations

from PIL import Image

from hardware.printer.blocks import Block, Cut, Feed, PrinterText, QRCode, Raster
from hardware.printer.codepages import encode_text

ESC = b"\x1b"
GS = b"\x1d"
LF = b"\n"

INIT = ESC + b"@"
_ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01"}
_ECC = {"L": 48, "M": 49, "Q": 50, "H": 51}
# Fragments of at most this many rows: some printers have a small receive buffer
# and print a raster only once it has arrived whole.
MAX_RASTER_ROWS = 256


def _u16(value: int) -> bytes:
    return bytes((value & 0xFF, value >> 8))


def feed(dots: int) -> bytes:
    out = b""
    while dots > 0:
        step = min(dots, 255)
        out += ESC + b"J" + bytes((step,))
        dots -= step
    return out


def raster_rows(image: Image.Image) -> tuple[int, bytes]:
    """(bytes per row, packed rows) of a mode "1" image where 1 = dot."""
    if image.mode != "1":
        raise ValueError("raster images must be mode '1'")
    return (image.width + 7) // 8, image.tobytes("raw", "1")


def gs_v_0(image: Image.Image, scale: int = 1) -> bytes:
    """``GS v 0 m xL xH yL yH d...``; m = 0 normal, 3 = quadruple (2 x 2 dots per bit)."""
    width_bytes, data = raster_rows(image)
    mode = 3 if scale == 2 else 0
    out = b""
    for top in range(0, image.height, MAX_RASTER_ROWS):
        rows = min(MAX_RASTER_ROWS, image.height - top)
        chunk = data[top * width_bytes : (top + rows) * width_bytes]
        out += GS + b"v0" + bytes((mode,)) + _u16(width_bytes) + _u16(rows) + chunk
    return out


def _gs_k(fn: int, payload: bytes) -> bytes:
    return GS + b"(k" + _u16(len(payload) + 2) + b"1" + bytes((fn,)) + payload


def qr_commands(data: str, module: int, ecc: str) -> bytes:
    """``GS ( k``: model 2, module size, error correction, store data, print."""
    return (
        _gs_k(65, b"2\x00")
        + _gs_k(67, bytes((module,)))
        + _gs_k(69, bytes((_ECC[ecc],)))
        + _gs_k(80, b"0" + data.encode("utf-8"))
        + _gs_k(81, b"0")
    )


def _text(block: PrinterText, table: int) -> tuple[bytes, int]:
    """The line's bytes and the code table selected after them."""
    size = ((block.mul - 1) << 4) | (block.mul - 1)
    text, table = encode_text(block.text, block.pages, table)
    # Line spacing equal to the character height: the feed after the line is exact.
    out = (
        GS
        + b"!"
        + bytes((size,))
        + ESC
        + b"E"
        + (b"\x01" if block.bold else b"\x00")
        + ESC
        + b"3"
        + bytes((block.height,))
    )
    if block.inverse:
        text = GS + b"B\x01" + text + LF + GS + b"B\x00"
    else:
        text += LF
    if block.smooth:
        text = GS + b"b\x01" + text + GS + b"b\x00"
    return out + text, table


def _cut(block: Cut) -> bytes:
    out = feed(block.feed_dots)
    if block.mode == "full":
        out += GS + b"V\x00"
    elif block.mode == "partial":
        out += GS + b"V\x01"
    return out


def encode(blocks: list[Block]) -> bytes:
    """The whole job: reset, the blocks, and a final reset of text modes."""
    out = bytearray(INIT)
    align = None
    table = 0  # ESC @ selects code table 0
    for block in blocks:
        if isinstance(block, Feed):
            out += feed(block.dots)
            continue
        if isinstance(block, Cut):
            out += _cut(block)
            continue
        if block.align != align:
            out += _ALIGN[block.align]
            align = block.align
        if isinstance(block, PrinterText):
            line, table = _text(block, table)
            out += line
        elif isinstance(block, Raster):
            out += gs_v_0(block.image, block.scale)
        elif isinstance(block, QRCode):
            out += qr_commands(block.data, block.module, block.ecc)
        else:  # pragma: no cover - the Block union is closed
            raise TypeError(f"cannot encode {block!r}")
    out += GS + b"!\x00" + ESC + b"E\x00" + ESC + b"2" + _ALIGN["left"]
    return bytes(out)
