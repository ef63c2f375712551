"""The hall board: the centre's calls on the TV, said through the speaker.

Threads: the event feed (kiosk.ui.board.feed) long-polls the server on its own
thread and posts every result to the UI thread with ``Clock.schedule_once``;
:class:`BoardController` applies it there (screen + announcer). The voice
player plays on its own thread, one announcement after the other.

Languages: the board rotates its words between the hall's languages (the
voice languages, ``[voice] languages``, vi then km by default) every
``ROTATE_SECONDS``; numbers and counters read the same in every language.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from kivy.app import App
from kivy.clock import Clock

from kiosk.client import CentreClient
from kiosk.config import Config
from kiosk.text import format_when, ticket_number_text
from kiosk.text.i18n import N_, pick, translator
from kiosk.ui.board.calls import Call, RecentCalls
from kiosk.ui.board.feed import BoardFeed, Update
from kiosk.ui.board.screen import BoardScreen
from kiosk.ui.textkit import language
from kiosk.voice import Announcer
from kiosk.voice.player import AudioSink

log = logging.getLogger(__name__)

ROTATE_SECONDS = 12.0
# A call older than this when it reaches the board (it was made while the board
# was cut off) is shown but not announced or highlighted: that citizen has gone.
STALE_SECONDS = 60.0
REFUSED_MSGID = N_("This board is not allowed on the server: check its token.")
OFFLINE_MSGID = N_("Offline: reconnecting…")
# Chosen by an expression in screen.kv, which the extractor cannot read: listed here.
KV_MSGIDS = (N_("Now calling"), N_("Please wait for your number to be called."))


def hall_languages(cfg: Config) -> list[str]:
    """The languages the board shows in turn: the spoken ones the centre offers, vi first."""
    langs: list[str] = [lang for lang in cfg.voice.languages if lang in cfg.centre.languages]
    return langs or ["vi"]


def _config_info(cfg: Config) -> dict[str, Any]:
    """The names the board needs, from the local config, until the server has answered."""
    return {
        "centre": {"name": dict(cfg.centre.name)},
        "services": [{"id": s.id, "name": dict(s.name)} for s in cfg.services],
        "counters": [{"id": c.id, "name": dict(c.name)} for c in cfg.counters],
    }


class BoardController:
    """Applies feed updates to the screen and the announcer; UI thread only."""

    def __init__(self, cfg: Config, screen: BoardScreen, announcer: Announcer) -> None:
        self.cfg = cfg
        self.screen = screen
        self.announcer = announcer
        self.recent = RecentCalls(cfg.board.recent_calls)
        self.info: dict[str, Any] = _config_info(cfg)
        self.services: list[dict[str, Any]] = []
        self.clock_offset = 0.0
        self.online = False
        self.screen.online = False
        self.screen.status_msgid = OFFLINE_MSGID
        self.render_all()

    # -- names in the current language ---------------------------------------
    @property
    def lang(self) -> str:
        return translator.language

    def _name(self, kind: str, ident: str) -> str:
        for item in self.info.get(kind) or ():
            if item.get("id") == ident:
                return pick(item.get("name"), self.lang) or ident
        return ident

    def counter_text(self, counter: str) -> str:
        return self._name("counters", counter)

    def server_now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.clock_offset)

    # -- updates from the feed -------------------------------------------------
    def apply(self, update: Update) -> None:
        self.clock_offset = update.clock_offset
        if update.kind == "connected":
            self._connected(update)
        elif update.kind == "events":
            self._events(update.events)
        elif update.kind == "services":
            self.services = list(update.services)
            self.render_waiting()
        elif update.kind in ("offline", "refused"):
            self.online = False
            self.screen.online = False
            self.screen.status_msgid = REFUSED_MSGID if update.kind == "refused" else OFFLINE_MSGID

    def _connected(self, update: Update) -> None:
        if update.info:
            self.info = update.info
        if update.reset:
            self.recent.clear()
            for event in update.events:
                self.recent.apply(event)
        self.online = True
        self.screen.online = True
        self.screen.status_msgid = ""
        self.render_all()

    def _events(self, events: Sequence[Mapping[str, Any]]) -> None:
        fresh: Call | None = None
        changed = False
        for event in events:
            call = self.recent.apply(event)
            changed = changed or call is not None or event.get("type") == "day_reset"
            if call is not None and self._is_fresh(call):
                fresh = call
                log.info("board: %s to counter %s", call.number, call.counter)
                self.announcer.handle_event(event)
        if changed:
            self.render_calls(highlight=fresh is not None and fresh == self.recent.newest)

    def _is_fresh(self, call: Call) -> bool:
        return (self.server_now() - call.at).total_seconds() <= STALE_SECONDS

    # -- drawing ----------------------------------------------------------------
    def render_all(self) -> None:
        self.render_header()
        self.render_calls()
        self.render_waiting()
        self.tick_clock()

    def render_header(self) -> None:
        centre = self.info.get("centre") or {}
        self.screen.centre_name = pick(centre.get("name"), self.lang)
        notice = self.cfg.board.notice or {}
        self.screen.show_notice(
            [(notice[lang], lang) for lang in hall_languages(self.cfg) if notice.get(lang)]
        )

    def render_calls(self, *, highlight: bool = False) -> None:
        digits = self.cfg.kiosk.ticket_digits
        rows = [
            (ticket_number_text(c.number, self.lang, digits), self.counter_text(c.counter))
            for c in self.recent.calls
        ]
        seconds = self.cfg.board.highlight_seconds if highlight else 0
        self.screen.show_calls(rows, highlight_seconds=seconds)

    def render_waiting(self) -> None:
        self.screen.show_waiting(
            [(self._name("services", s["id"]), int(s.get("waiting") or 0)) for s in self.services]
        )

    def tick_clock(self, *_args: Any) -> None:
        now = self.server_now()
        self.screen.clock_text = format_when(now, self.lang, self.cfg.tz, "time")
        self.screen.date_text = format_when(now, self.lang, self.cfg.tz, "long_date")

    def on_language(self, *_args: Any) -> None:
        self.render_header()
        self.render_calls()
        self.render_waiting()
        self.tick_clock()


class BoardApp(App):
    """``kiosk board``: the controller, the feed and the voice, around one BoardScreen."""

    title = "Board"

    def __init__(
        self,
        cfg: Config,
        client: CentreClient,
        *,
        sink: AudioSink | None = None,
        rotate_seconds: float = ROTATE_SECONDS,
        feed_wait: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.cfg = cfg
        self.client = client
        self.sink = sink
        self.rotate_seconds = rotate_seconds
        self.feed_wait = feed_wait
        self.screen: BoardScreen | None = None
        self.controller: BoardController | None = None
        self.announcer: Announcer | None = None
        self.feed: BoardFeed | None = None
        self._clocks: list[Any] = []

    def build(self) -> BoardScreen:
        if self.sink is None:
            from kiosk.ui.audio import KivySoundSink

            self.sink = KivySoundSink()
        self.announcer = Announcer(self.cfg, self.sink)
        self.screen = BoardScreen(recent_calls=self.cfg.board.recent_calls)
        self.controller = BoardController(self.cfg, self.screen, self.announcer)
        return self.screen

    def on_start(self) -> None:
        self.start_board()

    def on_stop(self) -> None:
        self.stop_board()

    def start_board(self) -> None:
        """Voice, feed, clock and language rotation (after build)."""
        assert self.controller is not None and self.announcer is not None
        controller = self.controller
        langs = hall_languages(self.cfg)
        language.switch(langs[0])
        language.bind(lang=controller.on_language)
        self.announcer.start()
        if self.feed_wait is None:
            self.feed = BoardFeed(self.client, self._post)
        else:
            self.feed = BoardFeed(self.client, self._post, wait=self.feed_wait)
        self.feed.start()
        self._clocks = [Clock.schedule_interval(controller.tick_clock, 1.0)]
        if len(langs) > 1 and self.rotate_seconds > 0:
            self._clocks.append(Clock.schedule_interval(self._rotate, self.rotate_seconds))

    def stop_board(self) -> None:
        for event in self._clocks:
            event.cancel()
        self._clocks = []
        if self.feed is not None:
            self.feed.stop()
            self.feed = None
        if self.announcer is not None:
            interrupt = getattr(self.sink, "interrupt", None)
            if interrupt is not None:
                interrupt()
            self.announcer.stop()
        if self.controller is not None:
            language.unbind(lang=self.controller.on_language)
        if self.screen is not None:
            self.screen.ids.ticker.stop()

    def _post(self, update: Update) -> None:
        # Feed thread -> UI thread: Kivy's Clock is the one safe way across.
        Clock.schedule_once(lambda _dt: self._apply(update), 0)

    def _apply(self, update: Update) -> None:
        assert self.controller is not None
        try:
            self.controller.apply(update)
        except Exception:  # a bad event must not stop the board from drawing the next
            log.exception("board: cannot show update %s", update.kind)

    def _rotate(self, _dt: float) -> None:
        langs = hall_languages(self.cfg)
        current = translator.language
        nxt = langs[(langs.index(current) + 1) % len(langs)] if current in langs else langs[0]
        language.switch(nxt)


__all__ = ["ROTATE_SECONDS", "STALE_SECONDS", "BoardApp", "BoardController", "hall_languages"]
