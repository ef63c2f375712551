"""The window of every Kivy program of the product (kiosk UI, hall board).

Fullscreen means the screen's native size at its origin, with or without a
window manager: under a bare X session (no WM, as docs/deployment.md sets up)
nobody honours a fullscreen request, and SDL's window would stay 800x600 in a
corner. So the window is made borderless at the monitor's own geometry, and
still asks for fullscreen for a WM that is there. Portrait or landscape is the
screen's own setting (X rotation): the window follows whatever the screen is.

Kivy reads these settings when its window is created: call
:func:`configure_window` before anything imports ``kivy.core.window``.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType

log = logging.getLogger(__name__)

Geometry = tuple[int, int, int, int]  # x, y, width, height


def screen_geometry() -> Geometry | None:
    """Where the primary monitor is (the first one when none is primary), or None."""
    from screeninfo import ScreenInfoError, get_monitors

    try:
        monitors = get_monitors()
    except (ScreenInfoError, OSError, ValueError) as exc:
        log.warning("cannot read the screen size (%s); the window may not fill the screen", exc)
        return None
    if not monitors:
        return None
    main = next((m for m in monitors if m.is_primary), monitors[0])
    return main.x, main.y, main.width, main.height


def kivy_environment() -> None:
    """Environment Kivy reads at import: it must not parse our argv nor log on its own."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    # Kivy's own mode adds a second console handler to the root logger (every line
    # twice) and captures stderr; PYTHON leaves logging to kiosk.logs.
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    # SDL turns SIGINT/SIGTERM into a window-close request, which a locked-down
    # kiosk refuses; stop_on_signals handles them instead.
    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")


def configure_window(*, window: bool, windowed_size: tuple[int, int]) -> None:
    """Fullscreen (native size, no cursor, no way out by keys) or a normal window."""
    kivy_environment()
    from kivy.config import Config as KivyConfig

    KivyConfig.set("kivy", "exit_on_escape", "0")
    KivyConfig.set("kivy", "pause_on_minimize", "0")
    KivyConfig.set("graphics", "allow_screensaver", "0")
    KivyConfig.set("graphics", "multisamples", "0")
    geometry = None if window else screen_geometry()
    if geometry is None:
        width, height = windowed_size
        KivyConfig.set("graphics", "position", "auto")
    else:
        left, top, width, height = geometry
        KivyConfig.set("graphics", "position", "custom")
        KivyConfig.set("graphics", "left", str(left))
        KivyConfig.set("graphics", "top", str(top))
    KivyConfig.set("graphics", "width", str(width))
    KivyConfig.set("graphics", "height", str(height))
    KivyConfig.set("graphics", "fullscreen", "0" if window else "auto")
    KivyConfig.set("graphics", "borderless", "0" if window else "1")
    KivyConfig.set("graphics", "show_cursor", "1" if window else "0")
    KivyConfig.set("graphics", "resizable", "1" if window else "0")
    # One input provider: a touchscreen under X arrives as the mouse; a second
    # provider (hidinput, mtdev) would deliver every touch twice.
    if KivyConfig.has_section("input"):
        for name, _value in list(KivyConfig.items("input")):
            KivyConfig.remove_option("input", name)
    else:
        KivyConfig.add_section("input")
    KivyConfig.set("input", "mouse", "mouse,disable_multitouch,disable_on_activity")
    KivyConfig.set("postproc", "double_tap_time", "0")


class SignalStop:
    """SIGTERM (``systemctl stop``) and SIGINT (Ctrl+C), from the moment it is made.

    A signal only sets :attr:`requested` and, once an app is :meth:`attach`-ed,
    schedules its ``stop`` on Kivy's loop (next frame). Made before anything
    starts, a signal that comes while the window is still being built (seconds
    on a loaded PC) is kept and acted on, never raised into whatever code was
    running then, and never the default action that kills the process.
    """

    def __init__(self) -> None:
        self.requested = threading.Event()
        self._stop: Callable[[], None] | None = None
        signal.signal(signal.SIGTERM, self._handle)
        signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        log.info("stopping on %s", signal.Signals(signum).name)
        self.requested.set()
        if self._stop is not None:
            self._schedule(self._stop)

    @staticmethod
    def _schedule(stop: Callable[[], None]) -> None:
        from kivy.clock import Clock

        Clock.schedule_once(lambda _dt: stop(), 0)

    def attach(self, stop: Callable[[], None]) -> None:
        """From now on a signal stops the app with ``stop`` (at once if one came already)."""
        self._stop = stop
        if self.requested.is_set():
            self._schedule(stop)


def stop_on_signals(stop: Callable[[], None]) -> SignalStop:
    """SIGTERM and SIGINT stop the app with ``stop`` on its own thread (see SignalStop)."""
    signals = SignalStop()
    signals.attach(stop)
    return signals


def skip_exit_collection() -> None:
    """Once the app has stopped and closed what it owns: no garbage collection at exit.

    The interpreter's last collection walks every widget, texture and cached page
    of a Kivy app: seconds on a kiosk PC, on top of the stop a service manager
    waits for. Everything that must be closed (databases, printer, server) is
    closed explicitly before this; the operating system frees the memory.
    """
    gc.freeze()
