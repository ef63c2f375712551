"""Looking up a procedure: type on the on-screen keyboard, browse by field, read one."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty

from kiosk.text.i18n import gettext, ngettext
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.textkit import language
from kiosk.ui.theme import theme
from kiosk.ui.views import data_date, result_rows
from kiosk.ui.widgets import make, sized_rows

RESULT_LIMIT = 400
# Keyboards to offer beside the screen language's own (people type Vietnamese names).
ALTERNATE_LAYOUT = {"km": "vi", "en": "vi", "vi": ""}


def field_names(catalogue: Any, lang: str) -> dict[str, str]:
    if catalogue is None:
        return {}
    return {f.code: f.name.text(lang).text for f in catalogue.fields}


def near_fields(catalogue: Any, query: str, lang: str) -> list[dict[str, str]]:
    """FieldCard values for the fields closest to a query that found nothing."""
    return [
        {
            "code": fc.field.code,
            "title": fc.field.name.text(lang).text,
            "title_lang": fc.field.name.text(lang).lang,
            "count": ngettext("{n} procedure", "{n} procedures", fc.count, lang),
        }
        for fc in catalogue.closest_fields(query, lang)
    ]


class DataNotice:
    """The "list last updated on" sentence for stale data (empty when fresh)."""

    @staticmethod
    def text(app: Any, lang: str) -> str:
        state = app.catalogue_state
        if state is None or not state.stale:
            return ""
        when = data_date(state.last_success_at or state.updated_at, lang, app.cfg)
        return gettext("The procedure list was last updated on {date}.", lang, date=when)


class LookupScreen(KioskScreen):
    """Search as you type: the query in a shaping field, results in a RecycleView."""

    query = StringProperty("")
    results = ListProperty([])
    count_text = StringProperty("")
    notice = StringProperty("")
    keyboard = ObjectProperty(None)
    searched = BooleanProperty(False)
    #: When nothing is found: the closest fields (FieldCard values) and the service where
    #: staff help with anything ("" when the config has no catch-all service).
    near = ListProperty([])
    staff_service = StringProperty("")
    #: The on-screen keyboard is shown (a citizen may fold it away in portrait).
    keyboard_open = BooleanProperty(True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._search_trigger = Clock.create_trigger(self._search, 0.05)
        # Row heights follow the list's width and the text size.
        theme.bind(scale=lambda *_a: self._search_trigger())
        Clock.schedule_once(
            lambda _dt: self.ids.results.bind(width=lambda *_a: self._search_trigger()), 0
        )
        for name in ("query", "keyboard_open"):
            self.fbind(name, self._fold_bar)
        theme.bind(portrait=self._fold_bar, scale=self._fold_bar)

    def _fold_bar(self, *_args: Any) -> None:
        """While typing at A+ on a portrait screen the top bar gives its height to the results.

        The keyboard (keys never smaller than at A) and the two-row bar leave room for
        about one result there; "Hide keyboard" ends the typing and brings the bar back.
        """
        typing = self.keyboard_open and bool(self.query)
        self.shows_bar = not (typing and theme.portrait and theme.large_text)

    def hide_keyboard(self) -> None:
        self.keyboard_open = False
        self.app.idle.touch()

    def show_keyboard(self) -> None:
        self.keyboard_open = True
        self.app.idle.touch()

    def enter(self, **_kwargs: Any) -> None:
        cat = self.app.backend.catalogue
        if cat is None or len(cat) == 0:
            Clock.schedule_once(lambda _dt: self.app.go("fault", kind="catalogue"), 0)
            return
        self.on_language(language.lang)

    def on_language(self, lang: str) -> None:
        self.notice = DataNotice.text(self.app, lang)
        self._keyboard_for(lang)
        self._search()

    def _keyboard_for(self, lang: str) -> None:
        """The screen language's own keyboard (a Khmer screen opens with the Khmer keys)."""
        keyboard = self.keyboard
        if keyboard is None:
            return
        wanted = (lang, ALTERNATE_LAYOUT.get(lang, ""))
        if getattr(self, "_keyboard_lang", None) != lang or (
            (keyboard.layout, keyboard.alternate) != wanted
        ):
            # Seventy shaped keys: rebuilt only when something changed.
            keyboard.layout, keyboard.alternate = wanted
            keyboard.rebuild()
            self._keyboard_lang = lang

    def typed(self, text: str) -> None:
        self.query = text
        self.app.idle.touch()
        self._search_trigger()

    def _search(self, *_args: Any) -> None:
        cat = self.app.backend.catalogue
        lang = language.lang
        if cat is None or not self.query.strip():
            self.results = []
            self.count_text = ""
            self.searched = False
            self.near = []
            return
        hits = cat.search(self.query, lang=lang, limit=RESULT_LIMIT)
        self.results = self._rows(hits, lang)
        self.searched = True
        if hits:
            self.count_text = ngettext(
                "{n} procedure found", "{n} procedures found", len(hits), lang
            )
            self.near = []
        else:
            self.count_text = gettext("No procedure found.", lang)
            self.near = near_fields(cat, self.query, lang)
            catch_all = next((s for s in self.app.cfg.services if s.catch_all), None)
            self.staff_service = catch_all.id if catch_all else ""

    def on_near(self, _screen: Any, near: list[dict[str, str]]) -> None:
        box = self.ids.get("near_fields")
        if box is None:
            return
        box.clear_widgets()
        for item in near:
            card = make("FieldCard", **item)
            card.bind(on_release=lambda c: self.app.go("field", code=c.code))
            box.add_widget(card)

    def ask_staff(self) -> None:
        """Take a number for the catch-all service: staff help find the procedure."""
        if self.staff_service:
            self.app.go("confirm", service=self.staff_service)

    def _rows(self, hits: list[Any], lang: str) -> list[dict[str, Any]]:
        rows = result_rows(hits, lang, field_names(self.app.backend.catalogue, lang))
        for row in rows:
            row["on_open"] = self.open
        return sized_rows(rows, self.ids.results.width)

    def open(self, code: str) -> None:
        self.app.go("procedure", code=code, back="lookup")

    def reset(self) -> None:
        super().reset()
        self.query = ""
        self.results = []
        self.count_text = ""
        self.searched = False
        self.near = []
        self.keyboard_open = True
        if self.keyboard is not None:
            self.keyboard.set_text("")


class FieldsScreen(KioskScreen):
    """Every field (lĩnh vực) with how many procedures it has."""

    fields = ListProperty([])

    def enter(self, **_kwargs: Any) -> None:
        self._show(language.lang)

    def on_language(self, lang: str) -> None:
        if self.fields:  # built once shown; a reset leaves it empty until the next visit
            self._show(lang)

    def _show(self, lang: str) -> None:
        cat = self.app.backend.catalogue
        if cat is None:
            self.fields = []
            return
        self.fields = [
            {
                "code": fc.field.code,
                "title": fc.field.name.text(lang).text,
                "title_lang": fc.field.name.text(lang).lang,
                "count": ngettext("{n} procedure", "{n} procedures", fc.count, lang),
            }
            for fc in cat.fields_with_counts()
            if fc.count
        ]

    def on_fields(self, _screen: Any, fields: list[dict[str, str]]) -> None:
        grid = self.ids.grid
        grid.clear_widgets()
        for item in fields:
            card = make("FieldCard", **item)
            card.bind(on_release=lambda c: self.choose(c.code))
            grid.add_widget(card)

    def choose(self, code: str) -> None:
        self.app.go("field", code=code)

    def reset(self) -> None:
        super().reset()
        self.fields = []


class FieldScreen(KioskScreen):
    """The procedures of one field, by name."""

    code = StringProperty("")
    title = StringProperty("")
    results = ListProperty([])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Row heights follow the list's width and the text size.
        self._resize = Clock.create_trigger(lambda _dt: self.on_language(language.lang), 0.05)
        theme.bind(scale=lambda *_a: self._resize())
        Clock.schedule_once(lambda _dt: self.ids.results.bind(width=lambda *_a: self._resize()), 0)

    def enter(self, code: str = "", **_kwargs: Any) -> None:
        if code:
            self.code = code
        self.on_language(language.lang)

    def on_language(self, lang: str) -> None:
        cat = self.app.backend.catalogue
        if cat is None or not self.code:
            return
        found = cat.field(self.code)
        self.title = found.name.text(lang).text if found else self.code
        rows = result_rows(cat.in_field(self.code, lang), lang, {})
        for row in rows:
            row["on_open"] = self.open
        self.results = sized_rows(rows, self.ids.results.width)

    def open(self, code: str) -> None:
        self.app.go("procedure", code=code, back="field")

    def reset(self) -> None:
        super().reset()
        self.code = self.title = ""
        self.results = []
