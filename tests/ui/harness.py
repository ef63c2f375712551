"""Drive the real kiosk app in a real Kivy window: a centre server on 127.0.0.1, touches, shots.

One Kivy window per process: the first rig creates it, later rigs resize and
reuse it. A rig is a fresh ``KioskApp`` on a temp config and data dir, with
the centre server (``kiosk.server.run.start_in_thread``) on an ephemeral port
(unless the test wants the server away). Touches are ``MotionEvent``s posted
to Kivy's event loop, so they go through the window's dispatch like a finger.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from kiosk.config import Config, load_config
from tests.conftest import write_config

# Window sizes: both fit the 1280x1024 screen of a plain `xvfb-run -a`; the
# layout is drawn in units of the short side, so it is the kiosk's layout scaled.
TEST_SIZES = {"portrait": (540, 960), "landscape": (960, 540)}
KIOSK_TOKEN = "dev-kiosk"  # the published development token of config/center.toml


def closed_port_url() -> str:
    """A URL where nothing listens (connection refused at once)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


def ensure_window(size: tuple[int, int]) -> Any:
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.base import EventLoop

    if EventLoop.window is None:
        from kivy.config import Config as KivyConfig

        KivyConfig.set("graphics", "width", str(size[0]))
        KivyConfig.set("graphics", "height", str(size[1]))
        KivyConfig.set("kivy", "exit_on_escape", "0")
        KivyConfig.set("graphics", "multisamples", "0")
        EventLoop.ensure_window()
    window = EventLoop.window
    if tuple(window.size) != tuple(size):
        window.size = size
        pump(3)
    return window


def pump(frames: int = 1) -> None:
    from kivy.base import EventLoop

    for _ in range(frames):
        EventLoop.idle()


def wait_until(condition: Callable[[], Any], timeout: float = 60.0, what: str = "") -> Any:
    """Run frames until ``condition()`` is truthy (background work lands via the clock).

    The deadline is generous: it costs nothing when the condition comes early, and a
    loaded CI machine draws the Khmer screens' first frames slowly."""
    deadline = time.monotonic() + timeout
    while True:
        pump(1)
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.005)


def touch_at(x: float, y: float, touched_at: float | None = None) -> None:
    """A tap at window coordinates; ``touched_at`` (``time.time()`` seconds, as Kivy
    stamps ``MotionEvent.time_start``) says when the finger touched, if not now."""
    from kivy.tests.common import UnitTestTouch

    touch = UnitTestTouch(x, y)
    if touched_at is not None:
        touch.time_start = touch.time_update = touched_at
    touch.touch_down()
    pump(1)
    touch.touch_up()
    pump(2)


def tap(widget: Any) -> None:
    """A finger on the middle of ``widget`` (window coordinates: hit-testing is real)."""
    assert widget.get_root_window() is not None, f"{widget} is not on screen"
    x, y = widget.to_window(*widget.center)
    touch_at(x, y)


def swipe(widget: Any, dy: float, steps: int = 8) -> None:
    from kivy.tests.common import UnitTestTouch

    x, y = widget.to_window(*widget.center)
    touch = UnitTestTouch(x, y - dy / 2)
    touch.touch_down()
    pump(1)
    for i in range(1, steps + 1):
        touch.touch_move(x, y - dy / 2 + dy * i / steps)
        pump(1)
    touch.touch_up()
    pump(2)


def find(root: Any, predicate: Callable[[Any], bool]) -> list[Any]:
    return [w for w in root.walk(restrict=True) if predicate(w)]


def visible_text(root: Any) -> str:
    """Every label's text under ``root`` that is visible (for asserting what a person reads)."""
    from kiosk.ui.textkit import ShapedLabel

    parts = []
    for w in root.walk(restrict=True):
        if isinstance(w, ShapedLabel) and w.opacity > 0 and w.source_text:
            parts.append(w.source_text)
    return "\n".join(parts)


def screenshot(path: Path) -> Path:
    """What the window shows right now, as a PNG (palette-reduced: small files)."""
    from kivy.core.window import Window
    from kivy.graphics.opengl import GL_RGBA, GL_UNSIGNED_BYTE, glReadPixels

    pump(2)
    width, height = (int(v) for v in Window.size)
    data = glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE)
    image = Image.frombytes("RGBA", (width, height), data).transpose(
        Image.Transpose.FLIP_TOP_BOTTOM
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    image.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE).save(path, optimize=True)
    return path


def key(rig: Rig, char: str) -> Any:
    keyboard = rig.app.screen("lookup").keyboard
    found = [k for k in keyboard.walk(restrict=True) if getattr(k, "key", None) == char]
    assert found, f"no key {char!r} on the {keyboard.layout} keyboard"
    return found[0]


def type_on_keyboard(rig: Rig, keys: list[str]) -> None:
    pump(3)  # the keyboard is laid out
    for char in keys:
        tap(key(rig, char))


def result_rows(screen: Any) -> list[Any]:
    from kiosk.ui.widgets import ResultRow

    rows = find(screen.ids.results, lambda w: isinstance(w, ResultRow) and w.code)
    return sorted(rows, key=lambda r: -r.y)  # top of the list first


def server_ticket(rig: Rig, ticket_id: str) -> dict[str, Any]:
    return rig.server.engine.ticket(ticket_id)


def start(rig: Rig, lang_button: str = "start_vi") -> None:
    tap(rig.ids("attract")[lang_button])
    rig.wait_screen("home")


def tap_admin_corner(rig: Rig, pace: float = 0.2, since: float | None = None) -> None:
    """Five taps in the top-left corner, a finger's pace (``pace`` s) apart.

    The gesture must land within three seconds of when the finger touched: each
    touch carries its own time (``time_start``, as a touchscreen's driver stamps
    it), so the fifteen frames the taps take to draw on a loaded CI machine (the
    Khmer screen's first frames most of all) do not count against it.
    """
    from kivy.core.window import Window

    first = time.time() if since is None else since
    for i in range(5):
        touch_at(4, Window.height - 4, touched_at=first + i * pace)


def take_first_service(rig: Rig) -> Any:
    """From the home screen: take a number for the first service; the ticket screen once
    the print is over (printed or failed)."""
    tap(rig.ids("home").take)
    services = rig.wait_screen("services")
    cards = wait_until(lambda: list(reversed(services.ids.grid.children)), what="services")
    tap(cards[0])
    tap(rig.wait_screen("confirm").ids.confirm)
    ticket = rig.wait_screen("ticket")
    wait_until(lambda: ticket.state != "printing", 120, "the print attempt")
    return ticket


def session_state(app: Any) -> dict[str, Any]:
    """What one citizen could leave behind for the next, screen by screen, as plain values.

    Every screen's own properties (not the app's wiring), every text shown or typed,
    every scroll position, list length and keyboard layout; the clock and the live
    service figures (people waiting) are left out: they change by themselves.
    """
    from kivy.uix.recycleview import RecycleView
    from kivy.uix.screenmanager import Screen
    from kivy.uix.scrollview import ScrollView

    from kiosk.ui.textkit import ShapedLabel, ShapedTextField, language
    from kiosk.ui.theme import theme
    from kiosk.ui.widgets import OnScreenKeyboard

    wiring = set(Screen().properties()) | {"app", "keyboard", "shows_bar", "idle_exempt"}
    moving = {app.clock_text, app.date_text}
    state: dict[str, Any] = {
        "app.current": app.current,
        "language": language.lang,
        "text scale": theme.scale,
        "warning open": app._warning is not None,
    }
    for screen in app.manager.screens:
        for name in sorted(set(screen.properties()) - wiring):
            value = getattr(screen, name)
            if isinstance(value, str | int | float | bool | list | dict | tuple) or value is None:
                state[f"{screen.name}.{name}"] = repr(value)
        skip: set[int] = set()
        for index, w in enumerate(screen.walk(restrict=True)):
            parent = w.parent
            if type(w).__name__ == "ServiceCard" or id(parent) in skip:
                skip.add(id(w))  # live figures, refreshed on every visit
                continue
            key = f"{screen.name}/{index}:{type(w).__name__}"
            if isinstance(w, ShapedTextField):
                state[key + ".value"] = w.value
            elif isinstance(w, ShapedLabel) and w.source_text not in moving:
                state[key + ".text"] = w.source_text
            if isinstance(w, RecycleView):
                state[key + ".rows"] = len(w.data)
            if isinstance(w, ScrollView):
                state[key + ".scroll_y"] = round(float(w.scroll_y), 3)
            if isinstance(w, OnScreenKeyboard):
                state[key + ".layout"] = (w.layout, w.alternate, w.text)
    return state


def state_differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    keys = sorted(set(before) | set(after))
    return [
        f"{k}: {before.get(k)!r} -> {after.get(k)!r}" for k in keys if before.get(k) != after.get(k)
    ]


@dataclass
class Rig:
    cfg: Config
    tmp: Path
    app: Any
    server: Any = None
    printed: list[Path] = field(default_factory=list)

    @property
    def screen(self) -> Any:
        return self.app.manager.current_screen

    def ids(self, name: str | None = None) -> Any:
        return (self.app.screen(name) if name else self.screen).ids

    def wait_screen(self, name: str, timeout: float = 60.0) -> Any:
        wait_until(lambda: self.app.current == name, timeout, f"the {name} screen")
        pump(2)
        return self.app.screen(name)

    def wait_idle(self, timeout: float = 60.0) -> None:
        wait_until(
            lambda: self.app.net.busy == 0 and self.app.printing.busy == 0, timeout, "workers"
        )
        pump(2)

    def previews(self) -> list[Path]:
        folder = self.tmp / "var" / "tickets"
        return sorted(folder.glob("*")) if folder.exists() else []


def rig_config(
    tmp: Path,
    *,
    idle: int = 60,
    warning: int = 10,
    printer: str | None = None,
    orientation: str = "portrait",
    source: str | None = None,
    rate_limit: int | None = None,
    lan_port: int | None = None,
) -> Config:
    edits = {
        # The ticket's status QR needs an address phones can open (never 127.0.0.1):
        # a centre LAN address, or with lan_port the server really serves the LAN.
        r'^public_url = ""': 'public_url = "http://192.168.1.10:8080"',
        r"^idle_seconds = \d+": f"idle_seconds = {idle}",
        r"^idle_warning_seconds = \d+": f"idle_warning_seconds = {warning}",
        r'^orientation = "portrait"': f'orientation = "{orientation}"',
    }
    if printer is not None:
        edits[r'^printer = "preview://tickets"'] = f'printer = "{printer}"'
    if source is not None:
        edits[r'^source = ""'] = f'source = "{source}"'
    if rate_limit is not None:
        edits[r"^kiosk_rate_limit = \d+"] = f"kiosk_rate_limit = {rate_limit}"
    if lan_port is not None:
        del edits[r'^public_url = ""']
        edits[r'^host = "127.0.0.1"'] = 'host = "0.0.0.0"'
        edits[r"^port = 8080"] = f"port = {lan_port}"
    tmp.mkdir(parents=True, exist_ok=True)
    return load_config(write_config(tmp, **edits))


@contextmanager
def kiosk_rig(
    tmp: Path,
    *,
    orientation: str = "portrait",
    server: bool = True,
    size: tuple[int, int] | None = None,
    token: str = KIOSK_TOKEN,
    **config: Any,
) -> Iterator[Rig]:
    """A running kiosk app (and, unless ``server=False``, its centre server)."""
    from kiosk.server.run import start_in_thread

    cfg = rig_config(tmp, orientation=orientation, **config)
    lan = config.get("lan_port") is not None
    handle = (
        (start_in_thread(cfg) if lan else start_in_thread(cfg, host="127.0.0.1", port=0))
        if server
        else None
    )
    url = handle.url if handle else closed_port_url()
    ensure_window(size or TEST_SIZES[orientation])
    from kivy.lang import global_idmap

    from kiosk.ui.launch import build_app
    from kiosk.ui.theme import theme

    # A new kiosk process starts at normal text size; the theme is this process's
    # singleton, so a test that ended at A+ (or failed there) must not leak it.
    theme.reset()
    # kv's `app` caches the first running app it sees; each rig is a new app.
    object.__setattr__(global_idmap["app"], "_obj", None)
    app = build_app(cfg, url, token, start_sync=False)
    app._run_prepare()
    rig = Rig(cfg, tmp, app, handle)
    try:
        pump(3)
        wait_until(lambda: app.current == "attract", 60, "the attract screen")
        yield rig
    finally:
        from kivy.core.window import Window

        app.dispatch("on_stop")
        if app.root is not None and app.root.parent is not None:
            Window.remove_widget(app.root)
        app.backend.close()
        app.backend.catalogues.close()
        pump(2)
        if handle is not None:
            handle.stop()


def text_cut_inside(label: Any) -> str:
    """How a label's text is cut although its texture fits its box; "" when it is whole.

    Kivy drops the lines below a fixed ``text_size`` height and puts "…" in a
    ``shorten`` label: the texture is then exactly the box, so comparing sizes
    alone would not see it. The label's own text is laid out again with no
    height limit, in its own font and script.
    """
    from kivy.core.text import Label as CoreLabel

    from kiosk.text import nfc
    from kiosk.ui.textkit import prime_font_state

    if getattr(label, "is_shortened", False):
        return "shortened with …"
    width, height = label.text_size
    if height is None:
        return ""
    options = dict(label._label.options)
    options.update(text_size=(width, None), shorten=False)
    options.pop("text", None)
    whole = CoreLabel(text=nfc(label.text), **options)
    prime_font_state(whole)
    whole.refresh()
    needed = whole.texture.size[1] if whole.texture else 0
    return f"lines cut: {needed:.0f} high in {height:.0f}" if needed > height + 1.5 else ""


def layout_problems(root: Any) -> list[str]:
    """Boxes that overlap their siblings or leave their parent; text larger than its box or cut.

    Only what a person sees: widgets with a size and opacity; rows of a list that are
    on screen. A scroll view's content may be taller than the view (that is scrolling).
    Every label counts, whatever its class: its texture must fit its box and its text
    must not be cut inside the box (``text_cut_inside``).
    """
    from kivy.uix.label import Label
    from kivy.uix.recycleview import RecycleView
    from kivy.uix.scrollview import ScrollView

    tol = 1.5
    problems: list[str] = []

    def shown(w: Any) -> bool:
        return w.opacity > 0 and w.width > tol and w.height > tol

    def box(w: Any) -> tuple[float, float, float, float]:
        x, y = w.to_window(w.x, w.y)
        return x, y, x + w.width, y + w.height

    def name(w: Any) -> str:
        text = getattr(w, "source_text", "") or getattr(w, "msgid", "") or ""
        ident = next((k for k, v in getattr(w.parent, "ids", {}).items() if v is w), "")
        return f"{type(w).__name__}({ident or text[:24]!r})"

    def visit(w: Any, in_scroll: Any) -> None:
        if not shown(w):
            return
        if isinstance(w, Label) and w.text:
            tw, th = w.texture_size
            if tw > w.width + tol or th > w.height + tol:
                size = f"{tw:.0f}x{th:.0f} in {w.width:.0f}x{w.height:.0f}"
                problems.append(f"text overflows {name(w)}: {size}")
            cut = text_cut_inside(w)
            if cut:
                problems.append(f"text cut in {name(w)}: {cut}")
        kids = [c for c in w.children if shown(c)]
        if isinstance(w, ScrollView):
            view = box(w)
            kids_in_view = []
            for c in kids:
                for g in c.children if isinstance(w, RecycleView) else [c]:
                    _x0, gy0, _x1, gy1 = box(g)
                    if gy1 > view[1] and gy0 < view[3]:
                        kids_in_view.append(g)
            if isinstance(w, RecycleView):
                for g in kids_in_view:
                    visit(g, w)
                return
            for c in kids:
                visit(c, w)
            return
        x0, y0, x1, y1 = box(w)
        boxes = [(c, box(c)) for c in kids]
        for c, (a0, b0, a1, b1) in boxes:
            if not isinstance(w, ScrollView) and (
                a0 < x0 - tol or b0 < y0 - tol or a1 > x1 + tol or b1 > y1 + tol
            ):
                if in_scroll is None or (b1 > y1 + tol or b0 < y0 - tol) is False:
                    problems.append(f"{name(c)} leaves {name(w)}")
        for i, (c, (a0, b0, a1, b1)) in enumerate(boxes):
            for d, (p0, q0, p1, q1) in boxes[i + 1 :]:
                if min(a1, p1) - max(a0, p0) > tol and min(b1, q1) - max(b0, q0) > tol:
                    problems.append(f"{name(c)} overlaps {name(d)}")
        for c in kids:
            visit(c, in_scroll)

    visit(root, None)
    return problems
