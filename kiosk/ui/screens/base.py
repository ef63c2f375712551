"""What every kiosk screen has: the app it belongs to, enter/reset hooks, language refresh."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, ObjectProperty
from kivy.uix.screenmanager import Screen


class KioskScreen(Screen):
    """A screen; layout in kv (``<Name>`` rule), behaviour in the subclass."""

    app = ObjectProperty(None, allownone=True)
    #: Show the top bar (home, clock, languages, text size) above this screen.
    shows_bar = BooleanProperty(True)
    #: The idle reset does not run here (the attract screen is already "idle").
    idle_exempt = BooleanProperty(False)

    def enter(self, **kwargs: Any) -> None:
        """Called before the screen is shown, with what the previous screen passed on."""

    def leave(self) -> None:
        """Called when another screen replaces this one (stop polls, timers)."""

    def reset(self) -> None:
        """Forget everything the last citizen did (end of a session); subclasses add theirs."""
        from kivy.uix.scrollview import ScrollView

        for widget in self.walk(restrict=True):
            if isinstance(widget, ScrollView):
                widget.scroll_y = 1  # every list and page back at its top

    def on_language(self, lang: str) -> None:
        """Rebuild Python-made content (lists) in the new language; labels follow by themselves."""

    def catalogue_changed(self, lang: str) -> None:
        """A sync brought a new catalogue: show its content (by default, as for a language)."""
        self.on_language(lang)
