"""The board's colours (used by screen.kv): light text on deep navy, amber for the newest call."""

from __future__ import annotations

from collections.abc import Sequence

Color = tuple[float, float, float, float]

BACKGROUND: Color = (0.043, 0.122, 0.227, 1)  # deep navy: white and yellow read well on it
PANEL: Color = (0.075, 0.176, 0.310, 1)
ROW: Color = (0.090, 0.210, 0.360, 1)
TICKER: Color = (0.027, 0.078, 0.149, 1)
HIGHLIGHT: Color = (0.961, 0.620, 0.043, 1)  # amber
NUMBER: Color = (1.0, 0.851, 0.239, 1)  # warm yellow
TEXT: Color = (1, 1, 1, 1)
MUTED: Color = (0.690, 0.765, 0.859, 1)
ALERT: Color = (0.757, 0.110, 0.110, 1)
CLEAR: Color = (0, 0, 0, 0)


def mix(a: Sequence[float], b: Sequence[float], t: float) -> list[float]:
    """The colour between ``a`` (t = 0) and ``b`` (t = 1)."""
    return [x + (y - x) * t for x, y in zip(a, b, strict=True)]
