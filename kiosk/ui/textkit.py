"""The one thin Kivy adapter for text: fonts, shaped wrapped labels, the live language switch.

Screens never set fonts, scripts or wrapping themselves; they use these widgets:

* :class:`ShapedLabel`: a Label that shows ``msgid`` (translated, live) or
  ``text`` (already localised, e.g. a procedure name) in the font and
  HarfBuzz script of its language, wrapped by :func:`kiosk.text.wrap_lines`
  (Khmer between words, never inside a cluster).
* :class:`ShapedButton`: the same, clickable.
* :class:`ShapedTextField`: shows typed text (Khmer included) in a shaping
  label with a caret; Kivy's TextInput cannot shape Khmer.
* :data:`language`: an EventDispatcher whose ``lang`` mirrors
  ``kiosk.text.i18n.translator``; every shaped widget follows it.

Why the priming (see docs/text.md): Kivy 2.3.1's SDL2 provider applies
``font_script_name`` only when it draws, while it measures a label (its
texture size, its own wrapping) before drawing, with whatever script the
shared SDL font last drew with. A fresh font measures Khmer unshaped (far too
wide) and a Latin label measured after a Khmer one is clipped. Before each
measurement a shaped widget draws one dot with its own settings, so the SDL
font is in the right state. Light hinting keeps SDL's widths within a pixel
of Pillow's (full hinting rounds every advance and drifts by up to 12 px
per line), so lines wrapped by ``wrap_lines`` are not rewrapped by Kivy.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.core.text import LabelBase
from kivy.event import EventDispatcher
from kivy.graphics import Color, Rectangle
from kivy.properties import (
    BooleanProperty,
    DictProperty,
    NumericProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label

from kiosk.text import font_for, has_khmer, nfc, normalize_lang, wrap_lines
from kiosk.text.i18n import translator

log = logging.getLogger(__name__)

FAMILIES = {"km": "KioskKhmer", "vi": "KioskLatin", "en": "KioskLatin"}
# Pillow and SDL may round a line's width differently by a pixel; never let Kivy rewrap.
WRAP_SLACK_PX = 2
_registered = False


def register_fonts() -> None:
    """Register the font families (regular + bold) under FAMILIES' names; idempotent."""
    global _registered
    if _registered:
        return
    for lang in ("vi", "km"):
        regular, bold = font_for(lang).path, font_for(lang, bold=True).path
        LabelBase.register(FAMILIES[lang], str(regular), str(regular), str(bold), str(bold))
    _registered = True


def _sdl2_surface():  # type: ignore[no-untyped-def]
    try:
        from kivy.core.text._text_sdl2 import _SurfaceContainer
    except ImportError:
        return None
    return _SurfaceContainer if CoreLabel.__name__ == "LabelSDL2" else None


def prime_font_state(core_label: Any) -> None:
    """Put the shared SDL font of ``core_label`` in its script/hinting state (see module doc)."""
    surface = _sdl2_surface()
    if surface is None or core_label is None:
        return
    core_label.resolve_font_name()
    surface(2, 2).render(core_label, ".", 0, 0)


class LanguageState(EventDispatcher):
    """The UI language as a Kivy property (kv: ``#:import language kiosk.ui.textkit.language``)."""

    lang = StringProperty(translator.language)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        translator.add_listener(self._from_translator)

    def _from_translator(self, lang: str) -> None:
        if threading.current_thread() is threading.main_thread():
            self.lang = lang
        else:  # Kivy properties belong to the UI thread
            Clock.schedule_once(lambda _dt: setattr(self, "lang", lang), -1)

    def switch(self, lang: str) -> None:
        """Switch the whole UI (every shaped widget, the catalogs) to ``lang`` now."""
        translator.set_language(lang)

    def reset(self) -> None:
        """Back to Vietnamese (idle reset)."""
        translator.reset()


register_fonts()
language = LanguageState()


class ShapedLabel(Label):
    """A Label that is always shaped, in the right font, and wrapped between words.

    Text comes from ``msgid`` (+ ``msgid_plural`` and ``values``), translated
    into the label's language and kept live, or from ``text`` (any already
    localised string). ``lang`` empty means "the UI language"; set it to show
    a string in a fixed language (the Vietnamese authoritative text on a
    Khmer screen, the names on the language buttons). With ``wrap`` (default)
    the label wraps to its width; ``auto_height: True`` makes its height
    follow the wrapped text (for paragraphs in a ScrollView).
    """

    # Kivy properties inherited from Label (untyped), declared for the type checker.
    text_size: tuple[float | None, float | None]
    color: tuple[float, float, float, float]

    lang = StringProperty("")
    msgid = StringProperty("")
    msgid_plural = StringProperty("")
    values = DictProperty({})
    wrap = BooleanProperty(True)
    #: A one-line label (``wrap: False``) whose text is wider or taller than its box is
    #: drawn with a smaller font: keys and bar buttons keep their size at A+. A wrapped
    #: label with ``fit`` is wrapped at the largest size (up to the one asked for) whose
    #: lines fit its height: a long service name on the hall board's tile.
    fit = BooleanProperty(False)
    #: Grow/shrink the height with the wrapped text (sets ``size_hint_y`` to None).
    auto_height = BooleanProperty(False)
    #: The language actually used (``lang`` or the UI language); read-only.
    effective_lang = StringProperty("vi")
    #: The unwrapped text being shown (translated msgid or the text given).
    source_text = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        self._own_text = False
        self._given_text = ""  # the last text set from outside (kv, a screen)
        self._wanted_font = 0.0  # the font size asked for (kv), before any fitting
        self._own_font = False
        self._relayout_trigger = Clock.create_trigger(self._relayout, -1)
        kwargs.setdefault("font_hinting", "light")
        kwargs.setdefault("halign", "left")
        kwargs.setdefault("valign", "middle")
        super().__init__(**kwargs)
        language.bind(lang=self._on_ui_language)
        for name in ("width", "font_size", "padding", "wrap", "bold"):
            self.fbind(name, self._relayout_trigger)
        for name in ("lang", "msgid", "msgid_plural", "values"):
            self.fbind(name, self._refresh_source)
        self.fbind("texture_size", self._fit_height)
        self.fbind("texture_size", self._shrink_to_box)
        for name in ("width", "height", "fit"):
            self.fbind(name, self._refit)
        self.fbind("auto_height", self._fit_height)
        self._refresh_source()

    def on_font_size(self, _instance: Any, value: float) -> None:
        if not self._own_font:
            self._wanted_font = float(value)

    def _set_own_font(self, size: float) -> None:
        self._own_font = True
        try:
            self.font_size = size
        finally:
            self._own_font = False

    def _refit(self, *_args: Any) -> None:
        """The box changed: start again from the size asked for (then shrink if needed)."""
        if self.fit and self._wanted_font and float(self.font_size) != self._wanted_font:
            self._set_own_font(self._wanted_font)  # the new texture is fitted again
        else:
            self._shrink_to_box()

    def _shrink_to_box(self, *_args: Any) -> None:
        if self.fit and self.wrap:
            self._relayout_trigger()  # a new height: wrapped again at the size that fits
            return
        if not self.fit or self.wrap or not self.text or self.width <= 1 or self.height <= 1:
            return
        tex_w, tex_h = self.texture_size
        ratio = min(self.width / tex_w if tex_w else 1, self.height / tex_h if tex_h else 1)
        if ratio < 1:
            self._set_own_font(max(6.0, float(self.font_size) * ratio * 0.97))

    def _fit_height(self, *_args: Any) -> None:
        if self.auto_height:
            self.size_hint_y = None
            _left, top, _right, bottom = self._padding()
            self.height = max(self.texture_size[1], top + bottom)

    # -- language, font, script -----------------------------------------
    def _on_ui_language(self, _state: Any, _lang: str) -> None:
        if not self.lang:
            self._refresh_source()

    def _lang_code(self) -> str:
        return normalize_lang(self.lang or language.lang)

    def _apply_font(self) -> None:
        code = self._lang_code()
        spec = font_for(code)
        self.effective_lang = code
        self.font_name = FAMILIES[code]
        self.font_script_name = spec.script
        self.font_direction = "ltr"
        self.text_language = spec.language

    def _refresh_source(self, *_args: Any) -> None:
        self._apply_font()
        if self.msgid:
            code = self.effective_lang
            values = dict(self.values)
            if self.msgid_plural:
                count = int(values.pop("n", 0))
                text = translator.ngettext(self.msgid, self.msgid_plural, count, code, **values)
            else:
                text = translator.gettext(self.msgid, code, **values)
            self.source_text = text
        else:
            # No msgid (any more): what was given as text, never a stale translation.
            self.source_text = self._given_text
        self._relayout_trigger()

    # -- text and wrapping ----------------------------------------------
    def on_text(self, _instance: Any, value: str) -> None:
        if self._own_text:
            return
        # Somebody (kv, a screen) set the text: it is the source to wrap.
        self._given_text = value
        if self.msgid:
            return  # a msgid wins over a text (kv may set both)
        self.source_text = value
        self._relayout_trigger()

    def _padding(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) whatever form ``padding`` was given in."""
        p = [float(v) for v in self.padding]
        if len(p) == 1:
            p = p * 4
        elif len(p) == 2:
            p = [p[0], p[1], p[0], p[1]]
        return p[0], p[1], p[2], p[3]

    def _available_width(self) -> float:
        left, _top, right, _bottom = self._padding()
        return self.width - left - right - WRAP_SLACK_PX

    def line_count(self, text: str) -> int:
        """How many lines ``text`` takes in this label as it is now (0: not laid out yet)."""
        available = self._available_width()
        if available < 1:
            return 0
        return len(
            wrap_lines(text, self.effective_lang, float(self.font_size), available, bold=self.bold)
        )

    def _layout_pending(self) -> bool:
        """Whether a layout above this label is about to run (and may change its width)."""
        widget = self.parent
        while widget is not None and widget is not widget.parent:
            pending = getattr(widget, "_trigger_layout", None)
            if pending is not None and getattr(pending, "is_triggered", False):
                return True
            widget = widget.parent
        return False

    def _relayout(self, *_args: Any) -> None:
        source = self.source_text
        if self.wrap and source:
            if self._layout_pending():
                # Wrapping now would wrap at a width the layout is about to replace
                # (Kivy's default 100 px, before the parent has sized its children): in
                # the kiosk's flows that was most of the wrapping time. Try again once
                # the layouts of this frame have run.
                self._relayout_trigger()
                return
            available = self._available_width()
            if available < 1:
                return  # not laid out yet; the width binding calls again
            size = float(self.font_size)
            if self.fit:
                size = self._fitting_size(source, available)
            lines = wrap_lines(source, self.effective_lang, size, available, bold=self.bold)
            shown = "\n".join(lines)
            self.text_size = (self.width, self.text_size[1])
        else:
            shown = nfc(source)
        self._own_text = True
        try:
            self.text = shown
        finally:
            self._own_text = False
        if self.wrap and self.fit and source and size != float(self.font_size):
            self._set_own_font(size)  # wrapped again at this size: the same lines

    def _fitting_size(self, source: str, available: float) -> float:
        """The largest font size, from the one asked for down, whose wrapped lines fit."""
        wanted = self._wanted_font or float(self.font_size)
        _left, top, _right, bottom = self._padding()
        room = self.height - top - bottom
        if room <= 1:
            return wanted
        prime_font_state(self._label)
        # One line's height per font pixel, from the font's own metrics (Khmer's are tall).
        per_px = self._label.get_extents(source.split("\n", 1)[0] or "Ág")[1] / float(
            self.font_size
        )
        size = wanted
        while size > 6.0:
            lines = wrap_lines(source, self.effective_lang, size, available, bold=self.bold)
            if len(lines) * per_px * size * 1.02 <= room:
                break
            size = max(6.0, size * 0.94)
        return size

    def texture_update(self, *largs: Any) -> None:
        prime_font_state(self._label)
        super().texture_update(*largs)


class ShapedButton(ButtonBehavior, ShapedLabel):
    """A button whose caption is a :class:`ShapedLabel` (style it in kv with a canvas.before)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("halign", "center")
        super().__init__(**kwargs)


class ShapedTextField(ShapedLabel):
    """Typed text shown through a shaping label, with a caret at the end.

    The on-screen keyboard calls :meth:`insert` and :meth:`backspace`;
    ``value`` is the NFC text typed so far. ``hint_msgid`` is shown (dimmed)
    while nothing is typed. Backspace removes the last code point of the NFC
    text, as Khmer keyboards do: a Khmer stack is typed key by key (consonant,
    COENG, consonant, vowel) and undone the same way, while a precomposed
    Vietnamese letter (one key) goes as a whole.
    """

    value = StringProperty("")
    hint_msgid = StringProperty("")
    caret_width = NumericProperty(2)
    caret_color = (0.1, 0.1, 0.1, 1)
    hint_alpha = 0.5

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("wrap", True)
        super().__init__(**kwargs)
        with self.canvas.after:
            self._caret_color = Color(*self.caret_color)
            self._caret = Rectangle(size=(0, 0))
        for name in ("value", "hint_msgid"):
            self.fbind(name, self._refresh_source)
        for name in ("texture_size", "pos", "size", "caret_width"):
            self.fbind(name, self._place_caret)
        self._refresh_source()

    def _lang_code(self) -> str:
        # The typed text decides the font, not the screen language: a Khmer query stays
        # Khmer (not boxes) after a switch to Vietnamese, and Latin letters typed on a
        # Khmer screen are drawn in the Latin font.
        if self.value:
            return "km" if has_khmer(self.value) else "vi"
        return super()._lang_code()

    def insert(self, text: str) -> None:
        self.value = nfc(self.value + text)

    def backspace(self) -> None:
        self.value = self.value[:-1]

    def clear(self) -> None:
        self.value = ""

    def _refresh_source(self, *_args: Any) -> None:
        self._apply_font()
        if self.value:
            self.source_text = self.value
        elif self.hint_msgid:
            self.source_text = translator.gettext(self.hint_msgid, self.effective_lang)
        else:
            self.source_text = ""
        r, g, b, _a = self.color
        self.color = (r, g, b, 1.0 if self.value else self.hint_alpha)
        self._relayout_trigger()

    def _place_caret(self, *_args: Any) -> None:
        if not hasattr(self, "_caret"):
            return
        tex_w, tex_h = self.texture_size
        left = self.center_x - tex_w / 2
        bottom = self.center_y - tex_h / 2
        pad_left, _top, _right, pad_bottom = self._padding()
        line_h = float(self.font_size) * 1.4
        if not self.value:
            x, y = left + pad_left, self.center_y - line_h / 2
        else:
            last = self.text.split("\n")[-1]
            prime_font_state(self._label)
            width = self._label.get_extents(last)[0] if last else 0
            x, y = left + pad_left + width, bottom + pad_bottom
        self._caret.pos = (x, y)
        self._caret.size = (self.caret_width, line_h)


def check_kivy_text() -> list[str]:
    """Plain problems with Kivy's text rendering (for the admin panel); [] when fine."""
    problems = []
    if _sdl2_surface() is None:
        problems.append(
            f"Kivy's text provider is {CoreLabel.__name__}, not SDL2: Khmer would not be "
            "shaped; unset KIVY_TEXT or set it to sdl2."
        )
        return problems
    probe = "ក្រៅ"
    widths = {}
    for script in ("Latn", "Khmr"):
        core = CoreLabel(
            text=probe, font_size=32, font_name=FAMILIES["km"], font_script_name=script
        )
        prime_font_state(core)
        widths[script] = core.get_extents(probe)[0]
    if widths["Khmr"] >= widths["Latn"]:
        problems.append(
            "Kivy's SDL2_ttf does not shape Khmer (built without HarfBuzz?): Khmer "
            "subscripts would be drawn side by side."
        )
    return problems


__all__ = [
    "FAMILIES",
    "LanguageState",
    "ShapedButton",
    "ShapedLabel",
    "ShapedTextField",
    "check_kivy_text",
    "language",
    "prime_font_state",
    "register_fonts",
]
