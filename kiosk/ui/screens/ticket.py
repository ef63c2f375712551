"""The number: very large, people ahead, the wait, counters, QR; printed, or please note it."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import (
    BooleanProperty,
    DictProperty,
    NumericProperty,
    OptionProperty,
    StringProperty,
)

from kiosk.printing import status_url
from kiosk.text.i18n import N_
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.textkit import language
from kiosk.ui.views import ticket_texts

BANNERS = {
    "printing": N_("Please wait, printing your ticket…"),
    "printed": N_("Please take your ticket below."),
    "failed": N_("The printer is not working. Please note your number."),
}
QR_CAPTIONS = {
    "status": N_("Scan to follow your turn on your phone"),
    "procedure": N_("Scan this code with your phone to submit online."),
}
DONE = N_("Done")
DONE_IN = N_("Done ({seconds})")
# "Done" lies where "Get my number" was: the second touch of a double tap on that button
# must not end the session the instant a fast print (or a printer fault, found at once)
# is over, before the citizen has seen the number.
DONE_SETTLE_SECONDS = 1.0


class TicketScreen(KioskScreen):
    """Shows a ticket the server issued while it prints; on a printer fault it says so."""

    ticket = DictProperty({})
    number = StringProperty("")
    service = StringProperty("")
    ahead = StringProperty("")
    wait = StringProperty("")
    counters = StringProperty("")
    issued = StringProperty("")
    priority = StringProperty("")
    qr = StringProperty("")
    #: printing -> printed | failed
    state = OptionProperty("printing", options=["printing", "printed", "failed"])
    seconds_left = NumericProperty(0)
    banner_msgid = StringProperty(BANNERS["printing"])
    qr_caption_msgid = StringProperty(QR_CAPTIONS["status"])
    done_msgid = StringProperty(DONE)
    outcome_kind = StringProperty("")
    #: "Done" takes touches (the print is over and has been shown for a moment).
    done_ready = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._ready = Clock.create_trigger(self._done_ready, DONE_SETTLE_SECONDS)
        self._countdown = None
        self._lang = "vi"
        self._procedure = ""

    def enter(
        self,
        ticket: dict[str, Any] | None = None,
        lang: str = "vi",
        procedure: str = "",
        **_kwargs: Any,
    ) -> None:
        if ticket is None:
            return
        self.ticket = ticket
        self._lang = lang
        self._procedure = procedure
        self.state = "printing"
        self.outcome_kind = ""
        self.qr, self.qr_caption_msgid = self._qr(ticket, procedure)
        self.on_language(language.lang)
        self._stop_countdown()
        self.app.printing.submit(
            self.app.backend.print_issued,
            ticket,
            lang,
            procedure or None,
            on_done=self._printed,
            on_error=self._print_crashed,
        )

    def _qr(self, ticket: dict[str, Any], procedure: str) -> tuple[str, str]:
        """The same QR as on the paper (``kiosk.ticket_qr``): status page, online service, none."""
        mode = self.app.cfg.kiosk.ticket_qr
        if mode == "procedure" and procedure:
            proc = self.app.backend.procedure(procedure)
            if proc is not None and proc.online_url:
                return proc.online_url, QR_CAPTIONS["procedure"]
        if mode == "none":
            return "", ""
        # "" when no phone could open it: the QR box collapses (see ticket.kv).
        return status_url(self.app.cfg, str(ticket["id"])), QR_CAPTIONS["status"]

    def on_state(self, _screen: Any, state: str) -> None:
        self.banner_msgid = BANNERS[state]
        self.done_ready = False
        self._ready.cancel()
        if state != "printing":
            self._ready()

    def _done_ready(self, _dt: float) -> None:
        self.done_ready = self.state != "printing"

    def on_seconds_left(self, _screen: Any, seconds: int) -> None:
        self.done_msgid = DONE_IN if seconds > 0 else DONE

    def on_language(self, lang: str) -> None:
        if self.ticket:
            for name, value in ticket_texts(self.ticket, self.app.cfg, lang).items():
                setattr(self, name, value)

    def _printed(self, outcome: Any) -> None:
        if outcome.ticket.get("id") != self.ticket.get("id"):
            return
        self.state = "printed" if outcome.printed.ok else "failed"
        self.outcome_kind = outcome.printed.kind
        wait = (
            self.app.ticket_return_seconds if outcome.printed.ok else self.app.fault_return_seconds
        )
        self._start_countdown(wait)

    def _print_crashed(self, exc: BaseException) -> None:
        self.state = "failed"
        self._start_countdown(self.app.fault_return_seconds)

    def print_again(self) -> None:
        self.state = "printing"
        self._stop_countdown()
        self.app.printing.submit(
            self.app.backend.reprint_last, on_done=self._printed, on_error=self._print_crashed
        )

    def _start_countdown(self, seconds: float) -> None:
        self._stop_countdown()
        self.seconds_left = int(seconds)
        self._countdown = Clock.schedule_interval(self._tick, 1.0)
        # The countdown ends the session itself: the idle watch would otherwise ask
        # "are you still there?" over the number a citizen is copying after a printer
        # fault (60 s here, idle_seconds may be as short as 15) and cut the time short.
        self.idle_exempt = True

    def _tick(self, _dt: float) -> None:
        if self.app.listen_speaking:
            return  # the citizen is listening to the ticket: do not send them home mid-way
        self.seconds_left -= 1
        if self.seconds_left <= 0:
            self.finish()

    def _stop_countdown(self) -> None:
        self.idle_exempt = False
        if self._countdown is not None:
            self._countdown.cancel()
            self._countdown = None

    def finish(self) -> None:
        """The citizen has their number: the next one starts from the attract screen."""
        self._stop_countdown()
        if self.app.current == self.name:
            self.app.reset_session()

    def leave(self) -> None:
        self._stop_countdown()

    def reset(self) -> None:
        super().reset()
        self._stop_countdown()
        self.ticket = {}
        for name in ("number", "service", "ahead", "wait", "counters", "issued", "priority"):
            setattr(self, name, "")
        self.qr = ""
        self.qr_caption_msgid = QR_CAPTIONS["status"]
        self.state = "printing"
        self._ready.cancel()
        self.done_ready = False
        self.seconds_left = 0
        self.outcome_kind = ""
        self._procedure = ""
        self._lang = "vi"
