"""The board's audio sink: Kivy's SDL2 mixer (wav, ogg and mp3 in Kivy's wheels).

A thin adapter for kiosk.voice.Player: ``play`` loads a clip, starts it and
returns when it has finished. It runs on the player's worker thread and does
not wait for Kivy's ``on_stop`` event, because that event comes from the Clock,
which only ticks inside a running App (the board has one; `kiosk voice say` does
not). It waits for the clip's length, then asks the mixer itself until the clip
is through: SDL's audio thread on a busy PC runs behind the wall clock, and
stopping at the length would cut off the end of the clip (or a whole chime).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from pathlib import Path

from kivy.core.audio import Sound, SoundLoader

from kiosk.voice.player import SinkError

log = logging.getLogger(__name__)

MIXER_POLL_SECONDS = 0.02


def _mixing(sound: Sound) -> bool:
    """Whether SDL_mixer is still playing the clip (Mix_Playing on its channel).

    Kivy's SDL2 sound checks this from the Clock (``_check_play``), which also
    marks the sound stopped once the mixer is through; other providers have no
    such check, and their clip is taken as done at its length.
    """
    check = getattr(sound, "_check_play", None)
    if check is None:
        return False
    check(0)
    return bool(sound.state == "play")


class AudioError(SinkError):
    """A clip cannot be played (no audio device, unreadable file); one sentence."""


class KivySoundSink:
    """Plays one clip at a time through SDL2_mixer; keeps recently used clips loaded."""

    def __init__(
        self,
        *,
        volume: float = 1.0,
        keep_loaded: int = 64,
        tail: float = 0.05,
        overrun: float = 30.0,
    ) -> None:
        self.volume = volume
        self.keep_loaded = keep_loaded
        self.tail = tail  # SDL's output buffer still holds the clip's end when length elapses
        # How far behind the clip's length the mixer may finish before the clip is cut
        # (a mixer that never says "done" must not hold the queue for ever).
        self.overrun = overrun
        self._sounds: OrderedDict[tuple[str, int], Sound] = OrderedDict()
        self._closed = False
        self._current = threading.Event()  # set: the clip in progress ends now

    def _load(self, clip: Path) -> Sound:
        try:
            key = (str(clip), clip.stat().st_mtime_ns)
        except OSError as exc:
            raise AudioError(f"cannot read {clip}: {exc.strerror}") from None
        sound = self._sounds.pop(key, None)
        if sound is None:
            sound = SoundLoader.load(str(clip))
            # SDL2 returns a Sound with no data when the mixer or the decoder failed.
            if sound is None or not sound.length or sound.length <= 0:
                raise AudioError(
                    f"cannot play {clip.name}: no audio output or unsupported format "
                    "(see the Kivy log line 'AudioSDL2')"
                )
        self._sounds[key] = sound
        while len(self._sounds) > self.keep_loaded:
            _, old = self._sounds.popitem(last=False)
            old.unload()
        return sound

    def play(self, clip: Path) -> None:
        sound = self._load(Path(clip))
        sound.volume = self.volume
        done = self._current = threading.Event()
        if self._closed:
            return
        sound.play()
        try:
            if done.wait(sound.length + self.tail):
                return
            give_up = time.monotonic() + self.overrun
            while _mixing(sound) and time.monotonic() < give_up:
                if done.wait(MIXER_POLL_SECONDS):
                    return
        finally:
            sound.stop()

    def stop_current(self) -> None:
        """Cut the clip in progress short (the listen button pressed again, screen left)."""
        self._current.set()

    def interrupt(self) -> None:
        """Cut the clip in progress short and play nothing more (shutting down)."""
        self._closed = True
        self._current.set()
