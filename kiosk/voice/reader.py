"""Reading a kiosk screen aloud (the listen button): passages -> clips -> one player.

A screen's essential text is a list of :class:`Passage` (a sentence, or a phrase
with a ticket number read from the announcement vocabulary), each in the
language it is shown in. Every passage is said by the same rule as a call
(:func:`kiosk.voice.sources.clips_for`): recorded or rendered clips, else the
offline engine, else nothing. A passage that nothing can say makes the whole
reading unavailable unless it is ``optional`` (a count that changes every
minute, which no pack can hold in Khmer): then it is left out.

Nothing here is automatic: the kiosk reads only when the citizen presses
listen, and a second press, or leaving the screen, stops it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.voice.cache import FragmentCache
from kiosk.voice.fragments import PAUSE, Fragment, text_fragment
from kiosk.voice.offline import OfflineVoice
from kiosk.voice.player import AudioSink, Clip, Player
from kiosk.voice.sources import clips_for


@dataclass(frozen=True)
class Passage:
    """Words said together, all in one language."""

    fragments: tuple[Fragment, ...]
    optional: bool = False

    @property
    def lang(self) -> str:
        return self.fragments[0].lang


def sentence(text: str, lang: str, *, optional: bool = False) -> Passage | None:
    """A free sentence (None when it is empty, so that callers can list blanks)."""
    text = text.strip()
    return Passage((text_fragment(text, lang),), optional) if text else None


def passages(*items: Passage | None) -> list[Passage]:
    return [p for p in items if p is not None]


class ScreenReader:
    """One player for the listen button: a new reading replaces the one in progress."""

    def __init__(self, sink: AudioSink, cache: FragmentCache, offline: OfflineVoice | None) -> None:
        self.cache = cache
        self.offline = offline
        self.player = Player(sink, max_pending=1)

    def start(self) -> None:
        self.player.start()

    def close(self, timeout: float = 5.0) -> None:
        self.player.cancel()
        self.player.stop(timeout)

    def plan(self, script: Sequence[Passage]) -> list[Clip] | None:
        """The clips that read ``script``, a short pause between passages; None: unavailable."""
        pause = self.cache.lookup(PAUSE)
        out: list[Clip] = []
        for passage in script:
            clips = clips_for(passage.fragments, self.cache, self.offline)
            if clips is None:
                if passage.optional:
                    continue
                return None
            if out and pause is not None:
                out.append(pause)
            out += clips
        return out or None

    def available(self, script: Sequence[Passage]) -> bool:
        """Whether ``script`` can be read (no rendering happens here: cheap, UI thread)."""
        return self.plan(script) is not None

    def read(self, script: Sequence[Passage], label: str = "listen") -> bool:
        """Stop what is being read and read ``script``; False when it cannot be read."""
        self.player.cancel()
        clips = self.plan(script)
        if clips is None:
            return False
        return self.player.enqueue(clips, label=label)

    def stop(self) -> None:
        self.player.cancel()

    @property
    def speaking(self) -> bool:
        return self.player.pending() > 0
