"""Colours, sizes and the text-size switch shared by every kiosk screen.

Sizes are in *units* (``theme.u``): one unit is one pixel on the reference
1080-pixel-wide portrait screen (1920x1080 landscape has the same unit), so a
smaller window (tests) draws the same layout scaled down. Touch targets also
have a floor in millimetres (``theme.target``): at least 15 mm whatever the
screen, as the issue asks for fingers that are old, wet or in a hurry.
"""

from __future__ import annotations

from typing import Any

from kivy.event import EventDispatcher
from kivy.metrics import mm
from kivy.properties import BooleanProperty, NumericProperty

REFERENCE_SHORT_SIDE = 1080.0
MIN_TARGET_MM = 15.0
TEXT_SCALES = (1.0, 1.4)

# High contrast: near-black on white, white on deep colours (all >= 7:1).
INK = (0.07, 0.07, 0.09, 1)
INK_SOFT = (0.22, 0.24, 0.28, 1)
PAGE = (0.93, 0.94, 0.96, 1)
CARD = (1, 1, 1, 1)
LINE = (0.70, 0.73, 0.78, 1)
BAR = (0.04, 0.15, 0.30, 1)  # header bar: navy
ON_DARK = (1, 1, 1, 1)
PRIMARY = (0.04, 0.31, 0.61, 1)  # look up: deep blue
TAKE = (0.02, 0.42, 0.24, 1)  # take a number: deep green
SELECTED = (0.98, 0.80, 0.18, 1)  # a chosen option: amber, with black text
WARN = (1.0, 0.84, 0.25, 1)
DANGER = (0.70, 0.10, 0.10, 1)
PRIORITY = (0.55, 0.10, 0.45, 1)
DISABLED = (0.62, 0.64, 0.68, 1)


class Theme(EventDispatcher):
    """Live layout figures; kv binds to them (``theme.u``, ``theme.scale``, ``theme.portrait``)."""

    u = NumericProperty(1.0)
    #: Text size multiplier: the A / A+ switch.
    scale = NumericProperty(TEXT_SCALES[0])
    portrait = BooleanProperty(True)
    #: The smallest touch target, in pixels (>= 15 mm).
    target = NumericProperty(60.0)

    def fit(self, width: float, height: float) -> None:
        """Follow the window: unit from its short side, orientation from its shape."""
        self.forget_dead_bindings()
        self.u = max(0.25, min(width, height) / REFERENCE_SHORT_SIDE)
        self.portrait = height >= width
        self.target = mm(MIN_TARGET_MM)

    def px(self, units: float) -> float:
        """A size in pixels, for Python code (kv writes ``theme.u * N``)."""
        return self.u * units

    def tap(self, units: float) -> float:
        """A touch target's size: ``units`` but never under 15 mm."""
        return max(self.u * units, self.target)

    def font(self, units: float) -> float:
        return self.u * units * self.scale

    @property
    def large_text(self) -> bool:
        return self.scale > TEXT_SCALES[0]

    def toggle_text_size(self) -> None:
        self.forget_dead_bindings()
        self.scale = TEXT_SCALES[1] if self.scale == TEXT_SCALES[0] else TEXT_SCALES[0]

    def reset(self, *_args: Any) -> None:
        self.forget_dead_bindings()
        self.scale = TEXT_SCALES[0]

    def forget_dead_bindings(self) -> None:
        """Drop kv bindings whose target has been freed.

        The theme outlives every widget, so kv rules of widgets long gone stay bound to
        it. Kivy unbinds them from a weakref callback, which CPython skips when the
        weakref dies inside a garbage cycle; the next A / A+ switch would then set a
        property on a dead proxy and raise ReferenceError out of the button press.
        """
        for name in ("u", "scale", "portrait", "target"):
            for _callback, largs, _kwargs, _is_ref, uid in self.get_property_observers(
                name, args=True
            ):
                target = largs[0][0] if largs and isinstance(largs[0], tuple) else None
                if target is None:
                    continue
                try:
                    getattr(target, "__class__")  # noqa: B009 - a dead WeakProxy raises here
                except ReferenceError:
                    self.unbind_uid(name, uid)


theme = Theme()
