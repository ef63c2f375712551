"""The listen button: reads the essential text of the screen aloud, only when pressed.

For citizens who cannot read, or read Khmer but not Vietnamese script. Pressed
once it reads (in the chosen language); pressed again it stops; leaving the
screen or the idle reset stops it too. Speech is rendered and played on the
reader's own thread (kiosk.voice.reader), never on the UI thread.

Vietnamese (and English) are said by the offline engine from the first start.
Khmer has no offline voice: the button reads Khmer from the voice packs or the
clips `kiosk voice build` rendered, and is greyed out on a screen whose Khmer
text has neither, rather than pressing silently (docs/voice.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kivy.graphics import Line, Rectangle
from kivy.properties import BooleanProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.text.i18n import N_, gettext
from kiosk.ui import widgets
from kiosk.ui.views import procedure_blocks, shown
from kiosk.voice import FragmentCache, OfflineVoice
from kiosk.voice.player import AudioSink
from kiosk.voice.reader import Passage, ScreenReader, passages, sentence
from kiosk.voice.scripts import home_script, services_script, ticket_script

log = logging.getLogger(__name__)

LISTEN = N_("Listen")
STOP = N_("Stop")
# The parts of a procedure page read aloud: what to bring, how long, how much (the
# headings' msgids, marked where kiosk.ui.views shows them).
READ_SECTIONS = ("Documents to bring", "Time and fee")


Point = Callable[..., tuple[float, float]]


def _speaker(p: Point, s: float, w: float) -> None:
    # A loudspeaker and two sound waves (the icons are drawn: the fonts have no symbols).
    Line(
        points=[*p(0.1, 0.38), *p(0.26, 0.38), *p(0.48, 0.18), *p(0.48, 0.82),
                *p(0.26, 0.62), *p(0.1, 0.62)],
        width=w, joint="round", close=True,
    )  # fmt: skip
    for radius, span in ((0.16, 50), (0.3, 50)):
        cx, cy = p(0.5, 0.5)
        Line(circle=(cx, cy, s * radius, 90 - span, 90 + span), width=w, cap="round")


def _stop(p: Point, s: float, w: float) -> None:
    x, y = p(0.22, 0.22)
    Rectangle(pos=(x, y), size=(s * 0.56, s * 0.56))


widgets._ICONS.setdefault("speaker", _speaker)
widgets._ICONS.setdefault("stop", _stop)


class ListenButton(ButtonBehavior, BoxLayout):
    """Icon and label (kv/listen.kv); ``speaking`` shows "Stop"."""

    speaking = BooleanProperty(False)


def procedure_script(screen: Any, lang: str) -> list[Passage]:
    """The title, the documents to bring, and the time and fee; each part in its own language."""
    proc = screen.app.backend.procedure(screen.code) if screen.code else None
    if proc is None:
        return []
    title, title_lang = shown(proc.name, lang)
    out = passages(sentence(title, title_lang))
    wanted = {gettext(msgid, lang) for msgid in READ_SECTIONS}
    reading = False
    said: set[str] = set()
    for block in procedure_blocks(proc, lang):
        if block.kind == "heading":
            reading = block.text in wanted
        if not reading:
            continue
        text = f"{block.detail}: {block.text}" if block.detail else block.text
        if block.kind == "text" and text in said:
            continue  # the same time or fee for every channel: once is enough
        said.add(text)
        out += passages(sentence(text, block.lang))
    return out


class ListenControl:
    """The app's side of the button: which text each screen reads, and whether it can."""

    def __init__(self, app: Any, sink: AudioSink | None = None) -> None:
        if sink is None:
            from kiosk.ui.audio import KivySoundSink

            sink = KivySoundSink()
        cfg = app.cfg
        self.app = app
        self.reader = ScreenReader(
            sink, FragmentCache.for_config(cfg), OfflineVoice.for_config(cfg)
        )

    def start(self) -> None:
        self.reader.start()

    def close(self) -> None:
        self.reader.close()

    def script(self, screen: Any, lang: str) -> list[Passage]:
        name = getattr(screen, "name", "")
        if name == "home":
            return home_script(lang, tickets_available=bool(self.app.server_ok))
        if name == "services":
            return services_script(lang, screen.rows)
        if name == "ticket" and screen.ticket:
            number = str(screen.ticket.get("number", ""))
            texts = {k: getattr(screen, k) for k in ("service", "ahead", "wait", "counters")}
            return ticket_script(self.app.cfg, lang, number, texts, screen.banner_msgid)
        if name == "procedure":
            return procedure_script(screen, lang)
        return []

    def available(self, screen: Any, lang: str) -> bool:
        return self.reader.available(self.script(screen, lang))

    def press(self, screen: Any, lang: str) -> bool:
        """Read the screen, or stop when it is already reading; True when it started."""
        if self.reader.speaking:
            self.reader.stop()
            return False
        started = self.reader.read(self.script(screen, lang), label=f"listen:{screen.name}")
        if not started:
            log.info("listen: nothing can read the %s screen in %s", screen.name, lang)
        return started

    def stop(self) -> None:
        self.reader.stop()

    @property
    def speaking(self) -> bool:
        return self.reader.speaking
