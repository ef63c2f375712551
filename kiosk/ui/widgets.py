"""Widgets the kiosk screens share: drawn icons, QR image, the on-screen keyboard, list rows.

Layout and colours are in ``kv/widgets.kv``; here is only behaviour. The
shipped fonts have no symbol glyphs (arrows, magnifier), so icons are drawn
with Kivy's vector instructions: crisp at any size and the same on every
machine.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Ellipse, Line, Rectangle, Triangle
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.recycleview.views import RecycleDataViewBehavior
from kivy.uix.widget import Widget

from kiosk.text.i18n import N_, gettext
from kiosk.ui.keyboards import BACKSPACE, CLEAR, HIDE, LAYOUTS, SPACE, QueryEditor
from kiosk.ui.qr import qr_texture
from kiosk.ui.textkit import ShapedButton
from kiosk.ui.theme import INK, ON_DARK, PRIMARY, theme


def make(kv_class: str, **values: Any) -> Any:
    """An instance of a kv dynamic class with its kv-declared properties set.

    (Kivy refuses kv-declared properties as constructor arguments.)
    """
    from kivy.factory import Factory

    widget = getattr(Factory, kv_class)()
    for name, value in values.items():
        setattr(widget, name, value)
    return widget


class Icon(Widget):
    """A simple line icon: back, home, search, ticket, backspace, print, check, clock."""

    name = StringProperty("")
    color = ListProperty([1, 1, 1, 1])
    line = NumericProperty(0)  # 0: proportional to the size

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for prop in ("name", "color", "pos", "size", "line"):
            self.fbind(prop, self._draw)
        self._draw()

    def _draw(self, *_args: Any) -> None:
        self.canvas.clear()
        s = min(self.width, self.height)
        if s <= 0 or not self.name:
            return
        x0, y0 = self.center_x - s / 2, self.center_y - s / 2
        w = self.line or max(1.5, s / 14)

        def p(fx: float, fy: float) -> tuple[float, float]:
            return x0 + fx * s, y0 + fy * s

        with self.canvas:
            Color(*self.color)
            draw = _ICONS.get(self.name)
            if draw is not None:
                draw(p, s, w)


def _pts(*points: tuple[float, float]) -> list[float]:
    return [c for point in points for c in point]


def _back(p: Callable[..., tuple[float, float]], s: float, w: float) -> None:
    Line(points=_pts(p(0.85, 0.5), p(0.2, 0.5)), width=w, cap="round")
    Line(
        points=_pts(p(0.45, 0.78), p(0.17, 0.5), p(0.45, 0.22)), width=w, cap="round", joint="round"
    )


def _home(p: Callable[..., tuple[float, float]], s: float, w: float) -> None:
    Line(points=_pts(p(0.1, 0.5), p(0.5, 0.88), p(0.9, 0.5)), width=w, cap="round", joint="round")
    Line(
        points=_pts(p(0.22, 0.58), p(0.22, 0.12), p(0.78, 0.12), p(0.78, 0.58)),
        width=w,
        joint="round",
    )
    Line(points=_pts(p(0.42, 0.12), p(0.42, 0.38), p(0.58, 0.38), p(0.58, 0.12)), width=w * 0.8)


def _search(p: Callable[..., tuple[float, float]], s: float, w: float) -> None:
    cx, cy = p(0.42, 0.58)
    Line(circle=(cx, cy, s * 0.28), width=w)
    Line(points=_pts(p(0.62, 0.38), p(0.88, 0.12)), width=w * 1.4, cap="round")


def _ticket(p: Callable[..., tuple[float, float]], s: float, w: float) -> None:
    # A ticket stub: outline with notches, a perforation, and the number's lines.
    Line(points=_pts(p(0.08, 0.24), p(0.92, 0.24), p(0.92, 0.42)), width=w, joint="round")
    Line(
        points=_pts(p(0.92, 0.58), p(0.92, 0.76), p(0.08, 0.76), p(0.08, 0.58)),
        width=w,
        joint="round",
    )
    Line(points=_pts(p(0.08, 0.42), p(0.08, 0.24)), width=w)
    cx, cy = p(0.92, 0.5)
    Line(circle=(cx, cy, s * 0.08, 180, 360), width=w)
    cx, cy = p(0.08, 0.5)
    Line(circle=(cx, cy, s * 0.08, 0, 180), width=w)
    for fy in (0.3, 0.4, 0.5, 0.6, 0.7):
        dot = s * 0.03
        x, y = p(0.66, fy)
        Ellipse(pos=(x - dot / 2, y - dot / 2), size=(dot, dot))
    Line(points=_pts(p(0.22, 0.6), p(0.52, 0.6)), width=w)
    Line(points=_pts(p(0.22, 0.44), p(0.46, 0.44)), width=w * 0.7)


def _backspace(p: Callable[..., tuple[float, float]], s: float, w: float) -> None:
    Line(
        points=_pts(p(0.3, 0.75), p(0.92, 0.75), p(0.92, 0.25), p(0.3, 0.25), p(0.06, 0.5)),
        close=True,
        width=w,
        joint="round",
    )
    Line(points=_pts(p(0.48, 0.62), p(0.74, 0.38)), width=w, cap="round")
    Line(points=_pts(p(0.48, 0.38), p(0.74, 0.62)), width=w, cap="round")


def _print(p: Callable[..., tuple[float, float]], s: float, w: float) -> None:
    Line(rectangle=(*p(0.1, 0.3), s * 0.8, s * 0.36), width=w)
    Line(points=_pts(p(0.28, 0.66), p(0.28, 0.9), p(0.72, 0.9), p(0.72, 0.66)), width=w)
    Rectangle(pos=p(0.28, 0.08), size=(s * 0.44, s * 0.3))


def _check(p: Callable[..., tuple[float, float]], s: float, w: float) -> None:
    Line(
        points=_pts(p(0.14, 0.5), p(0.4, 0.24), p(0.88, 0.76)),
        width=w * 1.3,
        cap="round",
        joint="round",
    )


def _clock(p: Callable[..., tuple[float, float]], s: float, w: float) -> None:
    cx, cy = p(0.5, 0.5)
    Line(circle=(cx, cy, s * 0.42), width=w)
    Line(points=_pts(p(0.5, 0.78), p(0.5, 0.5), p(0.7, 0.4)), width=w, cap="round")


def _people(p: Callable[..., tuple[float, float]], s: float, w: float) -> None:
    for fx, scale in ((0.34, 1.0), (0.7, 0.85)):
        r = 0.13 * scale
        Ellipse(pos=p(fx - r, 0.62), size=(2 * r * s, 2 * r * s))
        Triangle(points=_pts(p(fx - 0.22 * scale, 0.1), p(fx + 0.22 * scale, 0.1), p(fx, 0.55)))


def _star(p: Callable[..., tuple[float, float]], s: float, w: float) -> None:
    cx, cy = p(0.5, 0.5)
    outer, inner = s * 0.45, s * 0.19
    pts = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.pi / 2 + i * math.pi / 5
        pts += [cx + radius * math.cos(angle), cy + radius * math.sin(angle)]
    for i in range(0, 10, 2):
        j, k = (i + 1) % 10, (i - 1) % 10
        Triangle(points=[cx, cy, pts[2 * i], pts[2 * i + 1], pts[2 * j], pts[2 * j + 1]])
        Triangle(points=[cx, cy, pts[2 * i], pts[2 * i + 1], pts[2 * k], pts[2 * k + 1]])


def _stamp(p: Callable[..., tuple[float, float]], s: float, w: float) -> None:
    # A rubber stamp: handle, neck, base, and the mark it leaves.
    cx, cy = p(0.5, 0.8)
    Ellipse(pos=(cx - s * 0.12, cy - s * 0.12), size=(s * 0.24, s * 0.24))
    Rectangle(pos=p(0.44, 0.5), size=(s * 0.12, s * 0.2))
    Rectangle(pos=p(0.2, 0.36), size=(s * 0.6, s * 0.14))
    Line(points=_pts(p(0.1, 0.16), p(0.9, 0.16)), width=w, cap="round")


def _house(p: Callable[..., tuple[float, float]], s: float, w: float) -> None:
    # A house on a plot of land.
    Triangle(points=_pts(p(0.14, 0.52), p(0.86, 0.52), p(0.5, 0.86)))
    Line(rectangle=(*p(0.24, 0.2), s * 0.52, s * 0.32), width=w)
    Rectangle(pos=p(0.44, 0.2), size=(s * 0.12, s * 0.18))
    Line(points=_pts(p(0.04, 0.1), p(0.96, 0.1)), width=w, cap="round")


def _shop(p: Callable[..., tuple[float, float]], s: float, w: float) -> None:
    # A shop front with an awning.
    for i in range(4):
        x0 = 0.1 + i * 0.2
        Triangle(points=_pts(p(x0, 0.66), p(x0 + 0.2, 0.66), p(x0 + 0.1, 0.54)))
    Rectangle(pos=p(0.1, 0.66), size=(s * 0.8, s * 0.18))
    Line(points=_pts(p(0.16, 0.54), p(0.16, 0.12), p(0.84, 0.12), p(0.84, 0.54)), width=w)
    Line(rectangle=(*p(0.3, 0.12), s * 0.18, s * 0.28), width=w * 0.8)


def _heart(p: Callable[..., tuple[float, float]], s: float, w: float) -> None:
    r = s * 0.2
    for fx in (0.32, 0.68):
        cx, cy = p(fx, 0.62)
        Ellipse(pos=(cx - r, cy - r), size=(2 * r, 2 * r))
    Triangle(points=_pts(p(0.13, 0.56), p(0.87, 0.56), p(0.5, 0.12)))


_ICONS: dict[str, Callable[[Callable[..., tuple[float, float]], float, float], None]] = {
    "back": _back,
    "home": _home,
    "search": _search,
    "ticket": _ticket,
    "backspace": _backspace,
    "print": _print,
    "check": _check,
    "clock": _clock,
    "people": _people,
    "star": _star,
    "stamp": _stamp,
    "house": _house,
    "shop": _shop,
    "heart": _heart,
}


class TopBar(BoxLayout):
    """The bar above every screen but the attract one; languages on a 2nd row when needed."""

    visible = BooleanProperty(True)
    two_rows = BooleanProperty(False)
    row_height = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._arrange_trigger = Clock.create_trigger(self.arrange, -1)
        self.fbind("width", self._arrange_trigger)
        Clock.schedule_once(self._watch, 0)

    def _watch(self, _dt: float) -> None:
        ids = self.ids
        for widget in (ids.home, ids.textsize, *ids.langs.children):
            widget.fbind("width", self._arrange_trigger)
        ids.clock.fbind("text", self._arrange_trigger)
        self.arrange()

    def arrange(self, *_args: Any) -> None:
        """One row if home, the clock (its natural width), languages and A+ fit; else two."""
        ids = self.ids
        row1 = ids.row1
        clock = ids.clock
        natural_clock = clock.font_size * 0.56 * max(5, len(clock.text)) + theme.px(8)
        langs_width = sum(c.width for c in ids.langs.children) + ids.langs.spacing * 2
        needed = (
            ids.home.width
            + natural_clock
            + langs_width
            + ids.textsize.width
            + row1.padding[0] * 2
            + row1.spacing * 3
        )
        two = needed > self.width
        langs = ids.langs
        langs.width = sum(c.width for c in langs.children) + langs.spacing * (
            len(langs.children) - 1
        )
        if two and langs not in ids.row2.children:
            row1.remove_widget(langs)
            ids.row2.add_widget(langs)
        elif not two and langs not in row1.children:
            ids.row2.remove_widget(langs)
            row1.add_widget(langs, index=1)  # before the text size switch
        self.two_rows = two


class Btn(ShapedButton):
    """A big filled button (kv: colours, rounded corners, pressed and disabled looks)."""

    bg = ColorProperty(PRIMARY)
    fg = ColorProperty(ON_DARK)


class ChoiceCard(ButtonBehavior, BoxLayout):
    """A large pressable card: an icon and two translated lines."""

    bg = ColorProperty(PRIMARY)
    fg = ColorProperty(ON_DARK)
    icon = StringProperty("")
    title_msgid = StringProperty("")
    subtitle_msgid = StringProperty("")


class QRImage(Image):
    """Shows ``data`` as a QR code with sharp modules (empty data: nothing)."""

    data = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("fit_mode", "contain")
        super().__init__(**kwargs)
        self.fbind("data", self._update)
        self._update()

    def _update(self, *_args: Any) -> None:
        self.texture = qr_texture(self.data) if self.data else None
        self.opacity = 1 if self.data else 0


class KeyboardKey(ButtonBehavior, BoxLayout):
    """One key; ``key`` is what it types (or a special key), ``caption`` what it shows."""

    key = StringProperty("")
    caption = StringProperty("")
    caption_lang = StringProperty("")
    icon = StringProperty("")
    wide = NumericProperty(1.0)


class OnScreenKeyboard(BoxLayout):
    """The keys of one language's layout; presses edit ``editor`` and fire ``on_text``."""

    layout = StringProperty("vi")
    #: Another layout the citizen may switch to (e.g. Latin letters on a Khmer screen).
    alternate = StringProperty("")
    text = StringProperty("")
    #: Offer a key that folds the keyboard away (``on_hide``).
    can_hide = BooleanProperty(False)

    __events__ = ("on_key", "on_hide")

    def __init__(self, **kwargs: Any) -> None:
        self.editor = QueryEditor("vi")
        super().__init__(**kwargs)
        self.orientation = "vertical"
        self.fbind("can_hide", self._build)
        self._build()

    def set_text(self, text: str) -> None:
        self.editor.text = text
        self.text = text

    def press(self, key: str) -> None:
        if key == "switch":
            if self.alternate:
                self.layout, self.alternate = self.alternate, self.layout
                self._build()
            return
        if key == HIDE:
            self.dispatch("on_hide")
            return
        self.text = self.editor.press(key)
        self.dispatch("on_key", key)

    def on_key(self, key: str) -> None:
        pass

    def on_hide(self) -> None:
        pass

    def rebuild(self) -> None:
        """Draw the keys again (the captions of Space and Clear follow the UI language)."""
        self._build()

    def _build(self, *_args: Any) -> None:
        self.editor.lang = self.layout
        self.clear_widgets()
        rows = LAYOUTS[self.layout]
        for index, row in enumerate(rows):
            line = BoxLayout(orientation="horizontal")
            keys = list(row)
            last = index == len(rows) - 1
            if last and self.alternate:
                keys.insert(0, "switch")
            if last and self.can_hide:
                keys.append(HIDE)
            for key in keys:
                line.add_widget(self._key(key))
            self.add_widget(line)

    def _key(self, key: str) -> KeyboardKey:
        lang = self.layout if self.layout == "km" else "vi"
        if key == BACKSPACE:
            widget = KeyboardKey(key=key, icon="backspace", wide=1.5)
        elif key == SPACE:
            widget = KeyboardKey(key=key, caption=gettext(N_("Space")), wide=3.5)
        elif key == CLEAR:
            widget = KeyboardKey(key=key, caption=gettext(N_("Clear")), wide=2.5)
        elif key == HIDE:
            widget = KeyboardKey(key=key, caption=gettext(N_("Hide keyboard")), wide=3.0)
        elif key == "switch":
            target = self.alternate
            caption = "ក ខ គ" if target == "km" else "A B C"
            widget = KeyboardKey(key=key, caption=caption, caption_lang=target, wide=2.0)
        else:
            widget = KeyboardKey(key=key, caption=key, caption_lang=lang)
        widget.bind(on_release=lambda w: self.press(w.key))
        return widget


# ResultRow's layout in units (kv/widgets.kv): side padding, top+bottom padding and
# spacing and the gap drawn between rows; the font sizes of the name and the detail.
ROW_SIDE_PAD, ROW_FIXED, ROW_NAME_FONT, ROW_DETAIL_FONT = 24.0, 12 * 2 + 4 + 8, 32.0, 26.0
ROW_MIN = 176.0
_line_heights: dict[tuple[str, float, bool], float] = {}


def _line_height(lang: str, size: float, bold: bool = True) -> float:
    """The height Kivy gives one line of text in ``lang``'s font at ``size`` px."""
    key = (lang, round(size, 1), bold)
    if key not in _line_heights:
        from kivy.core.text import Label as CoreLabel

        from kiosk.text import font_for
        from kiosk.ui.textkit import FAMILIES, prime_font_state

        code = "km" if lang == "km" else "vi"
        spec = font_for(code)
        core = CoreLabel(
            text="Ág ក្រៀ", font_size=size, font_name=FAMILIES[code], bold=bold,
            font_script_name=spec.script,
        )  # fmt: skip
        prime_font_state(core)
        core.refresh()
        _line_heights[key] = float(core.texture.height) if core.texture else size * 1.4
    return _line_heights[key]


def body_line_height(lang: str, size: float) -> float:
    """The height of one line of plain (not bold) text in ``lang`` at ``size`` px."""
    return _line_height(lang, size, bold=False)


def sized_rows(rows: list[dict[str, Any]], list_width: float) -> list[dict[str, Any]]:
    """Give each result row the height its name and detail need, wrapped as the row wraps them."""
    from kiosk.text import wrap_lines
    from kiosk.ui.textkit import WRAP_SLACK_PX, language

    u, scale = theme.u, theme.scale
    width = list_width - theme.px(14) - 2 * theme.px(ROW_SIDE_PAD) - WRAP_SLACK_PX
    font, detail_font = u * ROW_NAME_FONT * scale, u * ROW_DETAIL_FONT * scale
    detail_lang = language.lang  # the detail label follows the UI language
    floor = max(u * ROW_MIN * scale, theme.target)

    def lines(text: str, lang: str, size: float, bold: bool) -> int:
        return len(wrap_lines(text, lang, size, width, bold=bold)) if width > 50 else 2

    for row in rows:
        lang = row.get("name_lang") or "vi"
        needed = lines(row["name"], lang, font, True) * _line_height(lang, font) + u * ROW_FIXED
        if row.get("detail"):
            detail_lines = lines(row["detail"], detail_lang, detail_font, False)
            needed += detail_lines * _line_height(detail_lang, detail_font, bold=False)
        row["row_size"] = (None, max(floor, needed))
    return rows


class ResultRow(RecycleDataViewBehavior, ButtonBehavior, BoxLayout):
    """A procedure in a result list: its name, code and field; tap to open it."""

    code = StringProperty("")
    name = StringProperty("")
    name_lang = StringProperty("")
    detail = StringProperty("")
    online = BooleanProperty(False)
    index = NumericProperty(0)
    on_open = ObjectProperty(None, allownone=True)

    def refresh_view_attrs(self, rv: Any, index: int, data: dict[str, Any]) -> Any:
        self.index = index
        return super().refresh_view_attrs(rv, index, data)

    def on_release(self) -> None:
        if self.on_open is not None:
            self.on_open(self.code)


__all__ = [
    "INK",
    "Btn",
    "ChoiceCard",
    "Icon",
    "KeyboardKey",
    "OnScreenKeyboard",
    "QRImage",
    "ResultRow",
    "TopBar",
    "make",
    "theme",
]
