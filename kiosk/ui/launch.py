"""Starting the kiosk UI: Kivy settings for a locked-down kiosk, the backend, the app.

``run_kiosk`` is what ``kiosk ui --server URL`` and ``kiosk run`` call. Kivy
reads its settings when the window is created, so :func:`configure_kivy` runs
before anything imports ``kivy.core.window``.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from typing import Any

from kiosk.config import Config
from kiosk.errors import EXIT_TRY_LATER, UserError
from kiosk.ui.window import SignalStop, configure_window, skip_exit_collection

log = logging.getLogger(__name__)

WINDOW_SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}


def configure_kivy(cfg: Config, *, window: bool, size: tuple[int, int] | None = None) -> None:
    """Fullscreen at the screen's native size without a cursor, no way out by keys."""
    configure_window(window=window, windowed_size=size or WINDOW_SIZES[cfg.kiosk.orientation])
    from kivy.config import Config as KivyConfig

    KivyConfig.set("kivy", "log_level", "warning")


def build_app(
    cfg: Config,
    server_url: str,
    token: str | None,
    *,
    on_ready: Callable[[], None] | None = None,
    start_sync: bool = True,
) -> Any:
    """The KioskApp with its backend (client, catalogue, printer) and background sync."""
    from kiosk.catalogue import CatalogueError, open_catalogue
    from kiosk.catalogue.scheduler import SyncScheduler
    from kiosk.client import CentreClient
    from kiosk.ui.app import KioskApp
    from kiosk.ui.backend import CatalogueHolder, KioskBackend

    try:
        catalogue = open_catalogue(cfg)
    except CatalogueError as exc:  # look-up shows its fault screen; tickets still work
        log.error("the procedure catalogue cannot be opened: %s", exc)
        catalogue = None
    except Exception:
        log.exception("the procedure catalogue cannot be opened")
        catalogue = None
    backend = KioskBackend(cfg, CentreClient(server_url, token), CatalogueHolder(catalogue))
    app_box: dict[str, Any] = {}

    def new_catalogue(cat: Any) -> None:
        from kivy.clock import Clock

        Clock.schedule_once(lambda _dt: app_box["app"].use_catalogue(cat), 0)

    sync = None
    if cfg.catalogue.source and start_sync:
        sync = SyncScheduler(cfg, new_catalogue)
    app = KioskApp(cfg, backend, on_ready=on_ready, sync=sync)
    app_box["app"] = app
    return app


def run_kiosk(
    cfg: Config,
    server_url: str,
    token: str | None,
    *,
    window: bool,
    server_handle: Any = None,
    on_ready: Callable[[], None] | None = None,
    signals: SignalStop | None = None,
) -> int:
    """Run the kiosk UI in this (main) thread until the admin closes it; returns 0.

    ``server_handle`` (from ``kiosk.server.run.start_in_thread``) is stopped
    when the UI ends, so ``kiosk run`` never leaves a server without its kiosk.
    ``signals``: made by the caller before it started anything (``kiosk run``); a
    stop asked for while the window is being built ends the run before it shows.
    """
    # The lockdown refuses people, not the service manager.
    signals = signals or SignalStop()
    app = None
    try:
        if signals.requested.is_set():
            return 0
        configure_kivy(cfg, window=window)
        app = build_app(cfg, server_url, token, on_ready=on_ready)
        signals.attach(app.shut_down)
        if app.sync is not None:
            app.sync.start()
        if not signals.requested.is_set():
            app.run()
    finally:
        if app is not None:
            if app.sync is not None:
                app.sync.stop()
            app.backend.close()
            app.backend.catalogues.close()
        if server_handle is not None:
            server_handle.stop()
        skip_exit_collection()
    return 0


def _x_display_answers(display: str, timeout: float = 2.0) -> bool:
    """Whether the X server named by ``display`` (``:0``, ``unix:0``, ``host:0.0``) accepts."""
    host, _, rest = display.rpartition(":")
    number = rest.split(".", 1)[0]
    if not number.isdigit():
        return False
    try:
        if host in ("", "unix"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            address: Any = f"/tmp/.X11-unix/X{number}"  # noqa: S108 - where X servers listen
        else:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            address = (host, 6000 + int(number))
        with sock:
            sock.connect(address)
    except OSError:
        return False
    return True


def display_problem() -> UserError | None:
    """Why there is no screen to open a window on (None when there is one).

    Checked before anything starts: Kivy waits a long time on a display that does
    not answer, and `kiosk run` must not leave a server running without its kiosk.
    No DISPLAY is a mistake in how the kiosk is started (exit 2: systemd does not
    restart it); a display that does not answer yet is an X session still starting
    (EXIT_TRY_LATER: systemd tries again).
    """
    if os.environ.get("KIVY_WINDOW") or os.environ.get("SDL_VIDEODRIVER"):
        return None  # e.g. a framebuffer/KMS driver chosen on purpose
    wayland = os.environ.get("WAYLAND_DISPLAY")
    if wayland:
        runtime = os.environ.get("XDG_RUNTIME_DIR", "")
        if os.path.exists(wayland if wayland.startswith("/") else os.path.join(runtime, wayland)):
            return None
    display = os.environ.get("DISPLAY")
    if not display:
        return UserError(
            "there is no display to show the kiosk on (DISPLAY is not set); start it from the "
            "kiosk's graphical session, or use `xvfb-run -a` to try it without a screen"
        )
    if not _x_display_answers(display):
        return UserError(
            f"the display {display} does not answer (is the kiosk's X session running?); "
            "use `xvfb-run -a` to try it without a screen",
            exit_code=EXIT_TRY_LATER,
        )
    return None
