"""QR codes as Kivy textures (the ticket's status link, a procedure's online service)."""

from __future__ import annotations

from functools import lru_cache

import qrcode
from kivy.graphics.texture import Texture


@lru_cache(maxsize=32)
def _modules(data: str) -> tuple[int, bytes]:
    """The QR matrix with its quiet zone, as one byte per module (0 dark, 255 light)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    # Kivy textures start at the bottom row.
    rows = [bytes(0 if dark else 255 for dark in row) for row in reversed(matrix)]
    return size, b"".join(rows)


def qr_texture(data: str) -> Texture:
    """A square luminance texture, one texel per module, drawn with sharp (nearest) edges."""
    size, pixels = _modules(data)
    rgb = bytes(b for value in pixels for b in (value, value, value))
    texture = Texture.create(size=(size, size), colorfmt="rgb")
    texture.blit_buffer(rgb, colorfmt="rgb", bufferfmt="ubyte")
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    return texture


def qr_matrix(data: str) -> list[list[bool]]:
    """The dark modules top row first (for tests that decode what the screen shows)."""
    size, pixels = _modules(data)
    rows = [pixels[i * size : (i + 1) * size] for i in range(size)]
    return [[v == 0 for v in row] for row in reversed(rows)]
