"""Where the words of one language come from: clips, else the offline engine, else nothing.

One rule for the board's announcements and the kiosk's listen button: a run of
fragments in one language is played from its recorded (voice pack) or
rendered (gTTS) clips when every one of them exists; otherwise the offline
engine says the whole run as one sentence, when it has a voice for the
language; otherwise the caller decides (the board chimes, the listen button
is unavailable).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kiosk.voice.cache import FragmentCache
from kiosk.voice.fragments import Fragment
from kiosk.voice.offline import OfflineVoice, Speech
from kiosk.voice.player import Clip

# Keys of phrase fragments (the call template's parts, free sentences): the numbers between
# them are set off by commas so that the offline engine pauses around them.
PHRASE_PREFIXES = ("call-", "say-")


def spoken_text(run: Sequence[Fragment]) -> str:
    """One language's fragments as one sentence, the numbers set off by commas."""
    out = ""
    for i, frag in enumerate(run):
        if i:
            phrase = frag.key.startswith(PHRASE_PREFIXES)
            edge = phrase != run[i - 1].key.startswith(PHRASE_PREFIXES)
            out += ", " if edge else " "
        out += frag.text
    return out


def clips_for(
    run: Sequence[Fragment],
    cache: FragmentCache,
    offline: OfflineVoice | None,
    *,
    fallback: Path | None = None,
) -> list[Clip] | None:
    """The clips that say ``run`` (one language), or None when nothing can say it."""
    clips = [cache.lookup(f) for f in run]
    found = [c for c in clips if c is not None]
    if len(found) == len(clips):
        return list(found)
    lang = run[0].lang
    if offline is not None and offline.speaks(lang):
        return [Speech(spoken_text(run), lang, offline, fallback=fallback)]
    return None
