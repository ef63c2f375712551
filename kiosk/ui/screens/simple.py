"""The attract and home screens: little behaviour, big buttons."""

from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from kiosk.text.i18n import N_
from kiosk.ui.screens.base import KioskScreen

# The home cards' second lines (kv/home.kv names them as subtitle_msgid).
HOME_SUBTITLES = (
    N_("Get a number, then wait to be called to a counter"),
    N_("Documents to bring, fees, processing time, applying online"),
)


class AttractScreen(KioskScreen):
    """Centre name, clock, "touch to start" in the three languages, language by native name."""

    shows_bar = False
    idle_exempt = True

    def on_touch_down(self, touch: Any) -> bool:
        # A touch on a language button is handled by the button; anywhere else starts.
        if super().on_touch_down(touch):
            return True
        if self.collide_point(*touch.pos) and self.app is not None:
            self.app.start_session()
            return True
        return False


class HomeScreen(KioskScreen):
    """Two large choices: take a number, look up a procedure."""

    notice = StringProperty("")
