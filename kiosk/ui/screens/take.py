"""Taking a number: services with the live wait, priority with its reasons, confirm."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk.client import ServerRefused, ServerUnreachable
from kiosk.text import pick
from kiosk.text.i18n import N_
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.textkit import language
from kiosk.ui.views import service_texts
from kiosk.ui.widgets import make

REFRESH_SECONDS = 5.0
CONFIRM = N_("Get my number")
WAIT = N_("Please wait…")
NO_PRIORITY = N_("No, I do not need priority")


class ServicesScreen(KioskScreen):
    """The services as big buttons with people waiting and the wait, refreshed while shown."""

    rows = ListProperty([])
    loading = BooleanProperty(True)
    procedure = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._poll = None
        self._services: list[Any] = []

    def enter(self, procedure: str = "", **_kwargs: Any) -> None:
        self.procedure = procedure
        self.loading = not self._services
        self.refresh()
        self._poll = Clock.schedule_interval(lambda _dt: self.refresh(), REFRESH_SECONDS)

    def leave(self) -> None:
        if self._poll is not None:
            self._poll.cancel()
            self._poll = None

    def reset(self) -> None:
        super().reset()
        self.procedure = ""

    def refresh(self) -> None:
        self.app.net.submit(self.app.backend.services, on_done=self._got, on_error=self._failed)

    def _got(self, services: list[Any]) -> None:
        self.app.server_ok = True
        self._services = services
        self.loading = False
        self._show()

    def _failed(self, exc: BaseException) -> None:
        self.app.server_failed(exc)
        if self.app.current == self.name and isinstance(exc, ServerUnreachable | ServerRefused):
            self.app.go("fault", kind="offline")

    def on_language(self, lang: str) -> None:
        self._show()

    def _show(self) -> None:
        lang = language.lang
        rows = []
        for svc in self._services:
            waiting, wait = service_texts(svc.waiting, svc.eta_minutes, lang)
            rows.append(
                {
                    "service": svc.id,
                    "title": pick(svc.name, lang),
                    "subtitle": "" if lang == "vi" else svc.name.get("vi", ""),
                    "waiting": waiting,
                    "wait": wait,
                }
            )
        self.rows = rows

    def on_rows(self, _screen: Any, rows: list[dict[str, Any]]) -> None:
        grid = self.ids.grid
        cards = list(reversed(grid.children))
        if [c.service for c in cards] == [r["service"] for r in rows]:
            for card, row in zip(cards, rows, strict=True):  # refresh in place: no flicker
                for key, value in row.items():
                    setattr(card, key, value)
            return
        grid.clear_widgets()
        for row in rows:
            card = make("ServiceCard", **row)
            card.bind(on_release=lambda c: self.choose(c.service))
            grid.add_widget(card)

    def choose(self, service_id: str) -> None:
        self.app.go("confirm", service=service_id, procedure=self.procedure)


class ConfirmScreen(KioskScreen):
    """The chosen service, "do you need priority?" with the config's reasons, then confirm."""

    service = StringProperty("")
    service_title = StringProperty("")
    service_subtitle = StringProperty("")
    procedure = StringProperty("")
    #: "" = no priority, else a priority reason id.
    reason = StringProperty("")
    reasons = ListProperty([])
    busy = BooleanProperty(False)
    confirm_msgid = StringProperty(CONFIRM)

    def on_busy(self, _screen: Any, busy: bool) -> None:
        self.confirm_msgid = WAIT if busy else CONFIRM

    def enter(self, service: str = "", procedure: str = "", **_kwargs: Any) -> None:
        self.service = service
        self.procedure = procedure
        self.reason = ""
        self.busy = False
        self.on_language(language.lang)

    def reset(self) -> None:
        super().reset()
        self.service = self.service_title = self.service_subtitle = self.procedure = ""
        self.reason = ""
        self.reasons = []
        self.busy = False

    def on_language(self, lang: str) -> None:
        if not self.service:
            return
        svc = self.app.cfg.service(self.service)
        self.service_title = pick(svc.name, lang)
        self.service_subtitle = "" if lang == "vi" else svc.name["vi"]
        self.reasons = [
            {"id": r.id, "text": pick(r.name, lang)} for r in self.app.cfg.queue.priority_reasons
        ]

    def on_reasons(self, _screen: Any, reasons: list[dict[str, str]]) -> None:
        box = self.ids.reasons
        box.clear_widgets()
        if not self.service:
            return  # reset: no service chosen, nothing to ask
        for reason in [{"id": "", "text": ""}, *reasons]:
            option = make("ReasonOption", reason=reason["id"], text=reason["text"])
            if not reason["id"]:
                option.msgid = NO_PRIORITY
            option.selected = reason["id"] == self.reason
            option.bind(on_release=lambda o: self.choose_reason(o.reason))
            box.add_widget(option)

    def choose_reason(self, reason: str) -> None:
        self.reason = reason
        self.app.idle.touch()

    def on_reason(self, _screen: Any, reason: str) -> None:
        for option in self.ids.reasons.children:
            option.selected = option.reason == reason

    def confirm(self) -> None:
        if self.busy:
            return  # a second tap must not issue a second number
        self.busy = True
        lang = language.lang
        self.app.net.submit(
            self.app.backend.issue,
            self.service,
            lang,
            self.reason or None,
            self.procedure or None,
            on_done=lambda ticket: self._issued(ticket, lang),
            on_error=self._failed,
        )

    def _issued(self, ticket: dict[str, Any], lang: str) -> None:
        self.busy = False
        self.app.server_ok = True
        self.app.go("ticket", ticket=ticket, lang=lang, procedure=self.procedure)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.app.server_failed(exc)
        if isinstance(exc, ServerRefused):
            self.app.go("fault", kind=refusal_kind(exc))
        else:
            self.app.go("fault", kind="offline")


def refusal_kind(exc: ServerRefused) -> str:
    """Which fault screen a refused ticket shows."""
    if exc.error in ("daily_limit_reached", "numbers_exhausted", "limit_reached"):
        return "limit"
    if exc.status == 429:
        return "busy"
    return "refused"
