"""The board app in this process's (Xvfb) Kivy window, with a fake speaker: for tests and docs.

Kivy is imported inside the functions, after tests/conftest.py has chosen a
temporary KIVY_HOME. One window per process: the board's screen is sized
explicitly (1080p or 4K) and grabbed through an FBO, whatever the window's size.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

from kiosk.config import Config
from kiosk.voice import FragmentCache, compose_for
from tests.console.centre import BOARD_TOKEN

MP3 = Path(__file__).resolve().parent.parent / "voice" / "fixtures" / "tone-440hz.mp3"
FULL_HD = (1920, 1080)
UHD = (3840, 2160)


class FakeSink:
    """A speaker that remembers what it played, in order, and never overlaps two clips."""

    def __init__(self, clip_seconds: float = 0.01) -> None:
        self.clip_seconds = clip_seconds
        self.played: list[tuple[Path, float]] = []
        self._playing = threading.Lock()
        self.overlapped = False

    def play(self, clip: Path) -> None:
        if not self._playing.acquire(blocking=False):
            self.overlapped = True
            self._playing.acquire()
        try:
            self.played.append((Path(clip), time.perf_counter()))
            time.sleep(self.clip_seconds)
        finally:
            self._playing.release()

    @property
    def clips(self) -> list[Path]:
        return [clip for clip, _ in self.played]


def record_voice(cfg: Config, calls: list[tuple[str, str]]) -> None:
    """Put a clip in the voice cache for every fragment of these calls (as `voice build` would)."""
    cache = FragmentCache.for_config(cfg)
    for number, counter in calls:
        for frag in compose_for(cfg, number, counter):
            if not frag.is_sound:
                cache.store(frag, MP3.read_bytes(), "gtts")


def ensure_window() -> Any:
    from tests.text.kivy_render import ensure_window as _ensure

    return _ensure(*FULL_HD)


def pump(seconds: float = 0.0, frames: int = 1) -> None:
    from kivy.base import EventLoop

    end = time.monotonic() + seconds
    for _ in range(frames):
        EventLoop.idle()
    while time.monotonic() < end:
        EventLoop.idle()


def pump_until(condition: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
    from kivy.base import EventLoop

    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what or condition}")
        EventLoop.idle()


def start_board(
    cfg: Config,
    url: str,
    sink: Any,
    size: tuple[int, int] = FULL_HD,
    *,
    token: str = BOARD_TOKEN,
    rotate_seconds: float = 0,
) -> Any:
    """A running BoardApp (built, on the window, feed started) as `kiosk board` runs it."""
    from kivy.core.window import Window

    from kiosk.client import CentreClient
    from kiosk.ui.board.app import BoardApp

    ensure_window()
    app = BoardApp(
        cfg, CentreClient(url, token), sink=sink, rotate_seconds=rotate_seconds, feed_wait=5
    )
    root = app.build()
    app.root = root
    root.size_hint = (None, None)
    root.size = size
    root.pos = (0, 0)
    Window.add_widget(root)
    app.start_board()
    return app


def stop_board(app: Any) -> None:
    from kivy.core.window import Window

    from kiosk.text.i18n import translator

    app.stop_board()
    Window.remove_widget(app.root)
    app.client.close()
    translator.reset()
    pump(frames=2)


def grab(widget: Any) -> Image.Image:
    """The widget as drawn (export_as_image renders it in an FBO, upright)."""
    texture = widget.export_as_image().texture
    return Image.frombytes("RGBA", texture.size, texture.pixels).convert("RGB")


def shaped_labels(widget: Any) -> list[Any]:
    from kiosk.ui.textkit import ShapedLabel

    return [w for w in widget.walk(restrict=True) if isinstance(w, ShapedLabel)]
