"""`kiosk voice build`: render every fragment the centre's announcements can need.

Resumable: a fragment already in the cache (same text, file intact) or in a
voice pack is skipped, and the manifest is saved after every clip, so an
interrupted or offline run picks up where it stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kiosk.voice.cache import FragmentCache, NotAudio
from kiosk.voice.fragments import Fragment
from kiosk.voice.tts import GTTSRenderer, TTSFailed, TTSUnavailable

log = logging.getLogger(__name__)

Progress = Callable[[int, int, Fragment], None]


@dataclass
class BuildReport:
    needed: int = 0
    rendered: list[Fragment] = field(default_factory=list)
    cached: list[Fragment] = field(default_factory=list)
    from_packs: list[Fragment] = field(default_factory=list)
    missing: list[Fragment] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)  # fragment id -> why
    stopped: str = ""  # why rendering stopped early (offline, rate limit)

    @property
    def complete(self) -> bool:
        return not self.missing


def build_cache(
    fragments: Sequence[Fragment],
    cache: FragmentCache,
    renderer: GTTSRenderer,
    *,
    progress: Progress | None = None,
) -> BuildReport:
    report = BuildReport(needed=len(fragments))
    cache.verify()
    for i, frag in enumerate(fragments, 1):
        if progress:
            progress(i, len(fragments), frag)
        source = cache.source_of(frag)
        if source == "pack":
            report.from_packs.append(frag)
            continue
        if source is not None:
            report.cached.append(frag)
            continue
        if report.stopped:
            report.missing.append(frag)
            continue
        try:
            data = renderer.render(frag.text, frag.lang)
            cache.store(frag, data, "gtts")
        except TTSUnavailable as exc:
            report.stopped = str(exc)
            report.missing.append(frag)
            log.info("voice build stopped: %s", exc)
        except (TTSFailed, NotAudio) as exc:
            report.failures[frag.id] = str(exc)
            report.missing.append(frag)
            log.error("voice build: %s: %s", frag.id, exc)
        else:
            report.rendered.append(frag)
    return report
