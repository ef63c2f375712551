"""Fault screens: one clear sentence in the citizen's language and a way on."""

from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from kiosk.text.i18n import N_
from kiosk.ui.screens.base import KioskScreen

# kind -> (title, sentence)
FAULTS = {
    "offline": (
        N_("Tickets are not available right now"),
        N_("Tickets are not available right now. Procedure look-up still works."),
    ),
    "limit": (
        N_("No more numbers today"),
        N_("No more numbers can be given for this service today. Please ask the staff."),
    ),
    "busy": (
        N_("Please wait a moment"),
        N_("Many numbers were just given. Please try again in a minute."),
    ),
    "refused": (
        N_("This number could not be given"),
        N_("Something went wrong. Please ask the staff for help."),
    ),
    "catalogue": (
        N_("The procedure list is not available"),
        N_("This kiosk has no procedure list right now. Please ask the staff."),
    ),
}


class FaultScreen(KioskScreen):
    kind = StringProperty("offline")
    title_msgid = StringProperty(FAULTS["offline"][0])
    sentence_msgid = StringProperty(FAULTS["offline"][1])

    def reset(self) -> None:
        super().reset()
        self.kind = "offline"
        self.title_msgid, self.sentence_msgid = FAULTS["offline"]

    def enter(self, kind: str = "offline", **_kwargs: Any) -> None:
        self.kind = kind if kind in FAULTS else "refused"
        self.title_msgid, self.sentence_msgid = FAULTS[self.kind]
