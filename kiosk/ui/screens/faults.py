"""Fault screens: one clear sentence in the citizen's language and a way on."""

from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from kiosk.text.i18n import N_
from kiosk.ui.screens.base import KioskScreen

# kind -> (title: what happened, sentence: what the citizen can do now). The small
# line under them says the staff can help, so the sentence does not say it again.
FAULTS = {
    "offline": (
        N_("Tickets are not available right now"),
        N_(
            "You can still look up procedures and the documents to bring. "
            "Try again for a number in a few minutes."
        ),
    ),
    "limit": (
        N_("No more numbers today"),
        N_("Please come back on the next working day. Numbering starts again each morning."),
    ),
    "busy": (
        N_("Many numbers were just taken"),
        N_("Please wait a minute, then touch your service again."),
    ),
    "refused": (
        N_("This number could not be given"),
        N_("Please try again from the start screen."),
    ),
    "catalogue": (
        N_("The procedure list is not available"),
        N_("You can still take a queue number from the start screen."),
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
