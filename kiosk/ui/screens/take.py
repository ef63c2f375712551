"""Taking a number: services with the live wait, priority with its reasons, confirm."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.client import ServerRefused, ServerUnreachable
from kiosk.text import pick
from kiosk.text.i18n import N_, gettext
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.textkit import language
from kiosk.ui.theme import theme
from kiosk.ui.views import service_examples, service_texts
from kiosk.ui.widgets import make

REFRESH_SECONDS = 5.0
CONFIRM = N_("Get my number")
WAIT = N_("Please wait…")
NO_PRIORITY = N_("No, I do not need priority")
EXAMPLES = N_("For example: {examples}")
# A picture per field on the service buttons (the first field of a service decides).
FIELD_ICONS = {
    "ho-tich": "people",
    "nuoi-con-nuoi": "people",
    "tre-em": "people",
    "chung-thuc": "stamp",
    "dat-dai": "house",
    "xay-dung": "house",
    "moi-truong": "house",
    "nong-nghiep": "house",
    "ho-kinh-doanh": "shop",
    "cu-tru": "home",
    "bao-tro-xa-hoi": "heart",
    "nguoi-co-cong": "star",
    "lao-dong": "heart",
    "van-hoa": "star",
}


def service_icon(fields: list[str]) -> str:
    return next((FIELD_ICONS[f] for f in fields if f in FIELD_ICONS), "ticket")


class ServiceCard(ButtonBehavior, BoxLayout):
    """One service button (kv: ``<ServiceCard>`` in take.kv).

    With large text the examples keep to one line (as many of the names as it holds, at
    least one), so a card stays short enough for two of them to be seen at once; the
    figures (people waiting, the wait) go under the names when the card is too narrow
    for them beside.
    """

    service = StringProperty("")
    title = StringProperty("")
    subtitle = StringProperty("")
    icon = StringProperty("ticket")
    waiting = StringProperty("")
    wait = StringProperty("")
    #: Procedures people know under this service, in the UI language ``lang``.
    example_names = ListProperty([])
    lang = StringProperty("vi")
    #: "For example: …" as shown.
    examples = StringProperty("")
    #: The width of the figures beside the names.
    figures_width = NumericProperty(0)
    #: Too narrow for the figures beside the names: they go under them.
    narrow = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        self._examples_trigger = Clock.create_trigger(self._show_examples, -1)
        super().__init__(**kwargs)
        for name in ("example_names", "lang"):
            self.fbind(name, self._examples_trigger)
        label = self.ids.examples
        label.fbind("width", self._examples_trigger)
        label.fbind("font_size", self._examples_trigger)
        for name in ("width", "figures_width"):
            self.fbind(name, self._arrange)
        self._examples_trigger()

    def _arrange(self, *_args: Any) -> None:
        self.narrow = self.width < 3 * self.figures_width

    def _show_examples(self, *_args: Any) -> None:
        names = list(self.example_names)
        if not names:
            self.examples = ""
            return

        def sentence(count: int) -> str:
            return gettext(EXAMPLES, self.lang, examples="; ".join(names[:count]))

        count = len(names)
        if theme.large_text:
            label = self.ids.examples
            count = 1
            while count < len(names) and label.line_count(sentence(count + 1)) == 1:
                count += 1
        self.examples = sentence(count)


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
        self.leave()  # entered again while shown: still one poll
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
        catalogue = self.app.backend.catalogue
        for svc in self._services:
            waiting, wait = service_texts(svc.waiting, svc.eta_minutes, lang)
            configured = self.app.cfg.service(svc.id) if svc.id in self._known() else None
            examples = service_examples(configured, catalogue, lang) if configured else []
            rows.append(
                {
                    "service": svc.id,
                    "title": pick(svc.name, lang),
                    "subtitle": "" if lang == "vi" else svc.name.get("vi", ""),
                    "example_names": examples,
                    "lang": lang,
                    "icon": service_icon(configured.fields if configured else []),
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

    def _known(self) -> set[str]:
        return {s.id for s in self.app.cfg.services}

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
