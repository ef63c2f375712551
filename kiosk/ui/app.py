"""The kiosk application: screens, navigation, idle reset, lockdown, the admin way in.

``KioskApp`` is built by :func:`kiosk.ui.launch.run_kiosk` (``kiosk ui`` and
``kiosk run``) and, in tests, driven frame by frame in a real window. It owns
the background workers; screens ask it to run backend calls and get the
results on the UI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.catalogue import Catalogue
from kiosk.client import ServerError
from kiosk.config import Config
from kiosk.text import check_text_support, format_when, pick
from kiosk.ui import screens, widgets  # noqa: F401 - widgets registers its classes with Kivy
from kiosk.ui.admin import CornerTaps, PinGate
from kiosk.ui.backend import CatalogueState, KioskBackend
from kiosk.ui.idle import IdleWatch
from kiosk.ui.listen import ListenControl
from kiosk.ui.tasks import Worker
from kiosk.ui.textkit import check_kivy_text, language
from kiosk.ui.theme import PAGE, theme

log = logging.getLogger(__name__)

KV_DIR = Path(__file__).resolve().parent / "kv"
KV_FILES = (
    "widgets.kv",
    "root.kv",
    "attract.kv",
    "home.kv",
    "take.kv",
    "ticket.kv",
    "lookup.kv",
    "procedure.kv",
    "faults.kv",
    "admin.kv",
    "listen.kv",
)
HEALTH_SECONDS = 15.0
LISTEN_POLL_SECONDS = 0.25
IDLE_POLL_SECONDS = 0.25
_kv_loaded = False


def load_kv() -> None:
    """Load the layout files once per process (the rules are global to Kivy)."""
    global _kv_loaded
    if not _kv_loaded:
        for name in KV_FILES:
            Builder.load_file(str(KV_DIR / name))
        _kv_loaded = True


class KioskRoot(FloatLayout):
    """Top bar + screen manager; overlays (idle warning) go on top."""

    manager = ObjectProperty(None)
    bar = ObjectProperty(None)


class IdleWarning(ModalView):
    """ "Are you still there?" with a countdown and a big Continue button."""

    seconds = ObjectProperty(0)


class KioskApp(App):
    """The citizen-facing kiosk. ``backend`` does the work; this class does the screens."""

    title = "Kiosk"
    use_kivy_settings = False
    server_ok = BooleanProperty(True)
    centre_name = StringProperty("")
    clock_text = StringProperty("")
    date_text = StringProperty("")
    catalogue_state = ObjectProperty(None, allownone=True)
    current = StringProperty("attract")
    #: Problems with showing text (fonts, shaping, ICU), for the admin panel; "" when fine.
    text_problems = StringProperty("")
    #: The listen button of the current screen: can it read, is it reading (kiosk/ui/listen.py).
    listen_available = BooleanProperty(False)
    listen_speaking = BooleanProperty(False)

    def __init__(
        self,
        cfg: Config,
        backend: KioskBackend,
        *,
        on_ready: Callable[[], None] | None = None,
        sync: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.cfg = cfg
        self.backend = backend
        self.net = Worker("net", 2)
        self.printing = Worker("printer", 1)
        self.idle = IdleWatch(cfg.kiosk.idle_seconds, cfg.kiosk.idle_warning_seconds)
        self.corner = CornerTaps()
        self.pin_gate = PinGate(cfg.kiosk.admin_pin_hash)
        self.sync = sync
        self.listen = ListenControl(self)
        self._on_ready = on_ready
        self._allow_exit = False
        self._warning: IdleWarning | None = None
        self._events: list[Any] = []
        self.ticket_return_seconds = 20.0
        self.fault_return_seconds = 60.0

    # -- building ------------------------------------------------------------
    def build(self) -> KioskRoot:
        load_kv()
        root = KioskRoot()
        manager: ScreenManager = root.manager
        manager.transition = NoTransition()
        for name, cls in screens.SCREENS.items():
            screen = cls(name=name, app=self)
            screen.bind(shows_bar=self._bar_follows)
            manager.add_widget(screen)
        language.reset()  # the kiosk always starts in Vietnamese
        language.bind(lang=self._language_changed)
        self._language_changed(language, language.lang)
        self.refresh_catalogue_state()
        return root

    def on_start(self) -> None:
        Window.bind(on_request_close=self._on_request_close, on_keyboard=self._on_keyboard)
        Window.bind(on_touch_down=self._on_any_touch, size=self._fit)
        self._fit(Window, Window.size)
        Window.show_cursor = False
        Window.clearcolor = PAGE
        self._events = [
            Clock.schedule_interval(self._tick_idle, IDLE_POLL_SECONDS),
            Clock.schedule_interval(self._tick_clock, 1.0),
            Clock.schedule_interval(lambda _dt: self.check_server(), HEALTH_SECONDS),
            Clock.schedule_interval(lambda _dt: self._tick_listen(), LISTEN_POLL_SECONDS),
        ]
        self.listen.start()
        self._tick_clock(0)
        self.check_server()
        self.net.submit(
            check_text_support, list(self.cfg.centre.languages), on_done=self._text_checked
        )
        self.go("attract")
        if self._on_ready is not None:
            Clock.schedule_once(lambda _dt: self._on_ready(), 0)  # type: ignore[misc]

    def on_stop(self) -> None:
        current = self.manager.current_screen if self.root is not None else None
        if current is not None:
            current.leave()  # its polls and timers end with the app
        language.unbind(lang=self._language_changed)
        self._close_warning()
        for event in self._events:
            event.cancel()
        self.listen.close()
        self.net.shutdown()
        self.printing.shutdown()
        Window.unbind(on_request_close=self._on_request_close, on_keyboard=self._on_keyboard)
        Window.unbind(on_touch_down=self._on_any_touch, size=self._fit)

    def _fit(self, _window: Any, size: Any) -> None:
        theme.fit(*size)

    # -- navigation ------------------------------------------------------------
    @property
    def manager(self) -> ScreenManager:
        return self.root.manager

    def screen(self, name: str) -> screens.KioskScreen:
        return self.manager.get_screen(name)

    def go(self, name: str, **kwargs: Any) -> None:
        """Show a screen (its ``enter`` gets ``kwargs``); every step also counts as activity."""
        manager = self.manager
        old = manager.current_screen
        target = self.screen(name)
        if old is not None and old is not target:
            old.leave()
            self.listen.stop()  # what is read belongs to the screen being left
        target.enter(**kwargs)
        manager.current = name
        self.current = name
        self.root.bar.visible = target.shows_bar
        self.idle.touch()
        self._tick_listen()

    def _bar_follows(self, screen: screens.KioskScreen, shows_bar: bool) -> None:
        """A screen shown may fold the bar away (the look-up while typing at A+ in portrait)."""
        if screen is self.manager.current_screen:
            self.root.bar.visible = shows_bar

    def start_session(self, lang: str | None = None) -> None:
        """From the attract screen: a citizen arrived (in the language they touched)."""
        if lang:
            language.switch(lang)
        self.go("home")

    def set_language(self, lang: str) -> None:
        language.switch(lang)
        self.idle.touch()

    def toggle_text_size(self) -> None:
        theme.toggle_text_size()
        self.idle.touch()

    def reset_session(self) -> None:
        """The idle reset: forget the citizen, Vietnamese, normal text, attract screen."""

        self._close_warning()
        for screen in self.manager.screens:
            screen.reset()
        theme.reset()
        language.reset()
        self.go("attract")

    def _language_changed(self, _state: Any, lang: str) -> None:
        self.listen.stop()
        self.centre_name = pick(self.cfg.centre.name, lang)
        self._tick_clock(0)
        if self.root is not None:
            for screen in self.manager.screens:
                screen.on_language(lang)

    # -- listen ------------------------------------------------------------------
    def press_listen(self, screen: screens.KioskScreen) -> None:
        """The listen button: read this screen aloud, or stop reading."""
        self.listen.press(screen, language.lang)
        self.idle.touch()
        self._tick_listen()

    def _tick_listen(self) -> None:
        screen = self.manager.current_screen if self.root is not None else None
        speaking = self.listen.speaking
        if speaking:
            self.idle.touch()  # someone is listening: not idle
        self.listen_speaking = speaking
        self.listen_available = screen is not None and self.listen.available(screen, language.lang)

    # -- idle ------------------------------------------------------------------
    def _on_any_touch(self, window: Any, touch: Any) -> bool:
        self.idle.touch()
        # Timed by when the finger touched, not when this frame got round to it.
        if self.corner.tap(touch.x, touch.y, window.width, window.height, touch.time_start):
            Clock.schedule_once(lambda _dt: self.open_admin(), 0)
        return False

    def _tick_idle(self, _dt: float) -> None:
        screen = self.manager.current_screen
        self.idle.paused = bool(screen is None or screen.idle_exempt)
        state = self.idle.state()
        if state.phase == "expired":
            log.info("idle for %ss: back to the start", self.cfg.kiosk.idle_seconds)
            self.reset_session()
        elif state.phase == "warning":
            self._show_warning(state.seconds_left)
        else:
            self._close_warning()

    def _show_warning(self, seconds: int) -> None:
        if self._warning is None:
            self._warning = IdleWarning()
            self._warning.bind(on_dismiss=lambda *_a: self._warning_closed())
            self._warning.open(animation=False)
        self._warning.seconds = seconds

    def _warning_closed(self) -> None:
        self._warning = None
        self.idle.touch()

    def _close_warning(self) -> None:
        if self._warning is not None:
            warning, self._warning = self._warning, None
            warning.dismiss(animation=False)

    def still_here(self) -> None:
        self.idle.touch()
        self._close_warning()

    # -- lockdown ----------------------------------------------------------------
    def _on_request_close(self, *_args: Any, **_kwargs: Any) -> bool:
        """Window close, Alt+F4: refused unless the admin chose "exit"."""
        if self._allow_exit:
            return False
        log.info("a request to close the kiosk window was refused")
        return True

    def _on_keyboard(self, _window: Any, key: int, *_args: Any) -> bool:
        # Escape (27) and the Android back key (1001) would close a Kivy app.
        return key in (27, 1001)

    def open_settings(self, *_args: Any) -> bool:
        """Kivy opens its settings panel on F1: not on a public kiosk."""
        return False

    def shut_down(self) -> None:
        """Stop for the service manager (SIGTERM, SIGINT): not a way out for people."""
        self._allow_exit = True
        self.stop()

    def exit_kiosk(self) -> None:
        """The only way out: from the admin panel."""
        log.info("the kiosk app was closed from the admin panel")
        self._allow_exit = True
        self.stop()

    # -- admin ---------------------------------------------------------------------
    def open_admin(self) -> None:
        if self.current not in ("pin", "admin"):
            self.go("pin")

    def _text_checked(self, problems: list[str]) -> None:
        problems = [*problems, *check_kivy_text()]  # renders: on the UI thread
        for problem in problems:
            log.warning("text display: %s", problem)
        self.text_problems = " ".join(problems)

    # -- server and catalogue ------------------------------------------------------
    def check_server(self) -> None:
        def probe() -> bool:
            self.backend.flush_reports()
            return self.backend.takes_tickets()

        self.net.submit(probe, on_done=self._server_state)

    def _server_state(self, ok: bool) -> None:
        self.server_ok = bool(ok)

    def server_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ServerError):
            self.server_ok = False

    def refresh_catalogue_state(self) -> None:
        self.catalogue_state = self.backend.catalogue_state()

    def use_catalogue(self, catalogue: Catalogue) -> None:
        """A sync brought a new catalogue (called on the UI thread)."""
        self.backend.catalogues.swap(catalogue)
        self.refresh_catalogue_state()
        for screen in self.manager.screens:
            screen.catalogue_changed(language.lang)

    def data_state(self) -> CatalogueState | None:
        return self.catalogue_state

    def _tick_clock(self, _dt: float) -> None:
        now = datetime.now(UTC)
        lang = language.lang
        self.clock_text = format_when(now, lang, self.cfg.tz, "time")
        self.date_text = format_when(now, lang, self.cfg.tz, "date")
