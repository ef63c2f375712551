"""The board's announcer: a call event -> fragments -> clips -> the player queue.

Each language of a call is said by the best source that has all of it, in this
order: recorded voice pack and rendered (gTTS) fragments, clip by clip; else
the offline engine (espeak-ng) saying the whole sentence; else the chime.
A missing clip must never silence or block calling, and the gap is logged
once with the fix (`kiosk voice build`, or a voice pack recording).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from kiosk.config import Config
from kiosk.voice.cache import FragmentCache
from kiosk.voice.composer import compose_for, required_fragments
from kiosk.voice.fragments import CHIME, PAUSE, Fragment
from kiosk.voice.offline import OfflineVoice
from kiosk.voice.player import AudioSink, Clip, Player
from kiosk.voice.sources import clips_for

log = logging.getLogger(__name__)

ANNOUNCED_EVENTS = frozenset({"called", "recalled"})


def _segments(fragments: Sequence[Fragment]) -> list[list[Fragment]]:
    """Split at sounds: each chime/pause alone, each language run together."""
    out: list[list[Fragment]] = []
    for frag in fragments:
        if frag.is_sound or not out or out[-1][0].is_sound or out[-1][0].lang != frag.lang:
            out.append([frag])
        else:
            out[-1].append(frag)
    return out


def _tidy(items: list[tuple[str, Clip | None]]) -> list[Clip]:
    """No pause at an edge or next to a chime, never two chimes in a row, nothing missing."""
    out: list[tuple[str, Clip | None]] = []
    for i, (kind, path) in enumerate(items):
        prev = out[-1][0] if out else None
        nxt = items[i + 1][0] if i + 1 < len(items) else None
        if kind == "pause" and (prev in (None, "chime") or nxt in (None, "chime")):
            continue
        if kind == "chime" and prev == "chime":
            continue
        out.append((kind, path))
    return [path for _, path in out if path is not None]


class Announcer:
    """Announces calls through one player queue; ``handle_event`` takes the server's events."""

    def __init__(
        self,
        cfg: Config,
        sink: AudioSink,
        *,
        cache: FragmentCache | None = None,
        offline: OfflineVoice | None = None,
        max_pending: int = 8,
    ) -> None:
        """``offline``: the engine for languages without clips (default: from the config)."""
        self.cfg = cfg
        self.cache = cache if cache is not None else FragmentCache.for_config(cfg)
        self.offline = offline if offline is not None else OfflineVoice.for_config(cfg)
        self.player = Player(sink, max_pending=max_pending)
        self._warned: set[str] = set()

    def start(self) -> None:
        self.cache.verify()
        self.player.start()
        missing = self.missing()
        spoken = sorted({f.lang for f in missing if self._speaks_offline(f.lang)})
        chimed = [f for f in missing if not self._speaks_offline(f.lang)]
        if spoken:
            log.info(
                "voice: %s has no complete fragment set; the offline engine says those calls "
                "(`kiosk voice build` online or voice packs sound more natural)",
                ", ".join(spoken),
            )
        if chimed:
            log.warning(
                "voice: %d announcement fragment(s) have no clip (e.g. %s); those languages "
                "play the chime only; run `kiosk voice build` online or add voice packs",
                len(chimed),
                ", ".join(f.id for f in chimed[:5]),
            )

    def _speaks_offline(self, lang: str) -> bool:
        return self.offline is not None and self.offline.speaks(lang)

    def stop(self, timeout: float = 5.0) -> None:
        self.player.stop(timeout)

    def missing(self) -> list[Fragment]:
        """Fragments the configured announcements need that have no clip."""
        return [f for f in required_fragments(self.cfg) if self.cache.lookup(f) is None]

    def plan(self, fragments: Sequence[Fragment]) -> list[Clip]:
        """Clips to play; a language segment with a missing fragment is said offline or chimed."""
        chime = self.cache.lookup(CHIME)
        items: list[tuple[str, Clip | None]] = []
        for seg in _segments(fragments):
            if seg[0] in (CHIME, PAUSE):
                items.append((seg[0].key, self.cache.lookup(seg[0])))
                continue
            clips = clips_for(seg, self.cache, self.offline, fallback=chime)
            if clips is not None:
                items += [("clip", c) for c in clips]
            else:
                self._warn_missing([f for f in seg if self.cache.lookup(f) is None])
                items.append(("chime", chime))
        return _tidy(items)

    def _warn_missing(self, gaps: Sequence[Fragment]) -> None:
        new = [f for f in gaps if f.id not in self._warned]
        if new:
            self._warned.update(f.id for f in new)
            log.warning(
                "voice: no clip for %s; playing the chime instead (run `kiosk voice build`)",
                ", ".join(f"{f.id} {f.text!r}" for f in new),
            )

    def announce(self, number: str, counter: str) -> list[Clip]:
        """Queue the call of ``number`` to ``counter``; returns the clips at once (may be [])."""
        if not self.cfg.voice.enabled:
            return []
        clips = self.plan(compose_for(self.cfg, number, counter))
        self.player.enqueue(clips, label=f"{number}@{counter}")
        return clips

    def handle_event(self, event: Mapping[str, Any]) -> None:
        """Announce ``called``/``recalled`` events (the server's event contract); never raises."""
        try:
            if not isinstance(event, Mapping) or event.get("type") not in ANNOUNCED_EVENTS:
                return
            ticket = event.get("ticket")
            number = ticket.get("number") if isinstance(ticket, Mapping) else None
            counter = event.get("counter")
            if number is None or counter is None:
                log.debug("voice: event %r lacks a ticket number or counter", event.get("id"))
                return
            self.announce(str(number), str(counter))
        except Exception:
            log.exception("voice: cannot announce event %r", event)

    def wait_idle(self, timeout: float) -> bool:
        return self.player.wait_idle(timeout)
