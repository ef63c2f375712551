"""The hall board's widgets (layout in screen.kv): the call panel, recent calls, waiting, notice.

Sizes are fractions of the screen height (``unit`` = 1 % of it), so the same
layout fills a 1080p and a 4K TV. Every word is a shaped label
(kiosk.ui.textkit); the screen follows the UI language, which the board app
rotates between the hall's languages.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kivy.animation import Animation
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.stencilview import StencilView
from kivy.uix.widget import Widget

from kiosk.ui.board.theme import TEXT
from kiosk.ui.textkit import ShapedLabel

PULSE_SECONDS = 0.6
TICKER_SPEED_UNITS = 9.0  # notice scroll speed, in units (1 % of the height) per second
TICKER_GAP = "          "


class Arrow(Widget):
    """A right-pointing arrow drawn with shapes: "number -> counter" needs no font glyph."""

    color = ListProperty([1, 1, 1, 1])
    length = NumericProperty(40)


class CallRow(BoxLayout):
    """One line of the recent calls: number -> counter."""

    number = StringProperty("")
    counter_text = StringProperty("")
    highlighted = BooleanProperty(False)
    pulse = NumericProperty(0)
    unit = NumericProperty(10)


class ServiceTile(BoxLayout):
    """A service and how many people wait for it."""

    service_name = StringProperty("")
    waiting = NumericProperty(0)
    unit = NumericProperty(10)


class NoticeTicker(StencilView):
    """A notice that scrolls right to left for ever, one shaped label per language."""

    unit = NumericProperty(10)
    texts = ListProperty([])  # [(text, lang), ...]
    strip = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._offset = 0.0
        self._event = Clock.schedule_interval(self._step, 0)
        self.fbind("texts", self._rebuild)
        self.fbind("unit", self._rebuild)
        self.fbind("pos", self._place)
        self.fbind("size", self._place)

    def _rebuild(self, *_args: Any) -> None:
        if self.strip is not None:
            self.remove_widget(self.strip)
        strip = BoxLayout(orientation="horizontal", size_hint=(None, None))
        # The sequence twice, so the strip can wrap around without a gap.
        for _copy in range(2):
            for text, lang in self.texts:
                label = ShapedLabel(
                    text=f"{text}{TICKER_GAP}",
                    lang=lang,
                    wrap=False,
                    font_size=self.unit * 3.2,
                    color=TEXT,
                    size_hint=(None, 1),
                )
                label.bind(texture_size=lambda lbl, size: setattr(lbl, "width", size[0]))
                strip.add_widget(label)
        strip.bind(minimum_width=strip.setter("width"))
        self.strip = strip
        self.add_widget(strip)
        self._place()

    def _place(self, *_args: Any) -> None:
        if self.strip is None:
            return
        self.strip.height = self.height
        self.strip.y = self.y
        self.strip.x = self.x + self.width - self._offset

    def _step(self, dt: float) -> None:
        if self.strip is None or not self.texts or self.strip.width <= 0:
            return
        half = self.strip.width / 2
        self._offset += TICKER_SPEED_UNITS * self.unit * min(dt, 0.1)
        if self._offset > self.width + half:
            self._offset -= half
        self._place()

    def stop(self) -> None:
        self._event.cancel()


class BoardScreen(FloatLayout):
    """The whole board. The app sets the properties; screen.kv draws them."""

    unit = NumericProperty(10)
    centre_name = StringProperty("")
    clock_text = StringProperty("")
    date_text = StringProperty("")
    now_number = StringProperty("")
    now_counter = StringProperty("")
    now_lang = StringProperty("vi")
    highlighted = BooleanProperty(False)
    pulse = NumericProperty(0)
    online = BooleanProperty(True)
    status_msgid = StringProperty("")
    recent_calls = NumericProperty(8)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pulse_anim: Animation | None = None
        self._highlight_end = None

    # -- calls ---------------------------------------------------------------
    def show_calls(self, rows: Sequence[tuple[str, str]], *, highlight_seconds: float = 0) -> None:
        """``rows``: (number text, counter text), newest first; highlight the newest a while.

        The big number first, then the list; the row widgets are made once and
        only their texts change, so a call is on screen in the next frame.
        """
        self.now_number, self.now_counter = rows[0] if rows else ("", "")
        for index, row in enumerate(self._rows()):
            row.number, row.counter_text = rows[index] if index < len(rows) else ("", "")
        if highlight_seconds > 0:
            self.highlight(highlight_seconds)

    def _rows(self) -> list[CallRow]:
        box = self.ids.calls
        wanted = int(self.recent_calls)
        if len(box.children) != wanted:
            box.clear_widgets()
            for _ in range(wanted):
                row = CallRow(unit=self.unit, pulse=self.pulse)
                self.bind(unit=row.setter("unit"), pulse=row.setter("pulse"))
                box.add_widget(row)
            self._set_first_row(self.highlighted)
        return list(reversed(box.children))

    def highlight(self, seconds: float) -> None:
        """Pulse the newest call for ``seconds``."""
        self.highlighted = True
        self._set_first_row(True)
        if self._pulse_anim is None:
            anim = Animation(pulse=1, duration=PULSE_SECONDS, t="in_out_sine") + Animation(
                pulse=0.55, duration=PULSE_SECONDS, t="in_out_sine"
            )
            anim.repeat = True
            anim.start(self)
            self._pulse_anim = anim
        if self._highlight_end is not None:
            self._highlight_end.cancel()
        self._highlight_end = Clock.schedule_once(lambda _dt: self.end_highlight(), seconds)

    def end_highlight(self) -> None:
        if self._pulse_anim is not None:
            self._pulse_anim.cancel(self)
            self._pulse_anim = None
        self.pulse = 0
        self.highlighted = False
        self._set_first_row(False)

    def _set_first_row(self, value: bool) -> None:
        rows = list(reversed(self.ids.calls.children))
        if rows:
            rows[0].highlighted = value

    # -- waiting and notice --------------------------------------------------
    def show_waiting(self, services: Sequence[tuple[str, int]]) -> None:
        box = self.ids.services
        if len(box.children) != len(services):
            box.clear_widgets()
            for _ in services:
                tile = ServiceTile(unit=self.unit)
                self.bind(unit=tile.setter("unit"))
                box.add_widget(tile)
        for tile, (name, waiting) in zip(reversed(box.children), services, strict=True):
            tile.service_name, tile.waiting = name, waiting

    def show_notice(self, texts: Sequence[tuple[str, str]]) -> None:
        self.ids.ticker.texts = list(texts)


Builder.load_file(str(Path(__file__).with_name("screen.kv")))

__all__ = ["Arrow", "BoardScreen", "CallRow", "NoticeTicker", "ServiceTile"]
