"""`kiosk voice build` and `kiosk voice say TEXT --lang L`."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from kiosk.config import Config
from kiosk.errors import UserError
from kiosk.filetarget import setting, unwritable_reason
from kiosk.text import nfc
from kiosk.voice import (
    Fragment,
    FragmentCache,
    GTTSRenderer,
    OfflineSpeechFailed,
    OfflineVoice,
    TTSFailed,
    TTSUnavailable,
    build_cache,
    required_fragments,
    text_fragment,
)
from kiosk.voice.scripts import listen_fragments


def voice(args: argparse.Namespace, cfg: Config | None) -> int:
    assert cfg is not None
    if args.voice_command == "build":
        return build(cfg)
    return say(cfg, args.text, args.lang)


class _Bar:
    """A one-line progress bar on a terminal; silent when stderr is a file or pipe."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.on = stream.isatty()

    def __call__(self, i: int, total: int, frag: Fragment) -> None:
        if not self.on:
            return
        width = 30
        done = width * i // max(total, 1)
        label = f"{frag.id} {frag.text}"[:40]
        self.stream.write(f"\r[{'#' * done}{'.' * (width - done)}] {i}/{total} {label:<40}")
        self.stream.flush()

    def end(self) -> None:
        if self.on:
            self.stream.write("\n")


def _cache(cfg: Config) -> FragmentCache:
    """The configured voice cache, refused in one line if its folder cannot be written."""
    cache = FragmentCache.for_config(cfg)
    reason = unwritable_reason(cache.manifest_path)
    if reason is not None:
        raise UserError(
            f"the voice cache {cache.cache_dir} "
            f"({setting(cfg.voice.cache_dir, 'voice.cache_dir')} in {cfg.source}): "
            f"{cache.manifest_path.name} {reason}"
        )
    return cache


def build(cfg: Config) -> int:
    cache = _cache(cfg)
    # The calls, then the listen button's fixed texts in languages with no offline voice.
    wanted = [*required_fragments(cfg), *listen_fragments(cfg, OfflineVoice.for_config(cfg))]
    fragments = list({f.id: f for f in wanted}.values())
    bar = _Bar(sys.stderr)
    try:
        report = build_cache(fragments, cache, GTTSRenderer(), progress=bar)
    finally:
        bar.end()
    print(
        f"voice cache {cache.cache_dir}: {report.needed} fragments needed for "
        f"{', '.join(cfg.voice.languages)}: {len(report.rendered)} rendered now, "
        f"{len(report.cached)} already cached, {len(report.from_packs)} from voice packs, "
        f"{len(report.missing)} missing"
    )
    if report.complete:
        return 0
    print("missing fragments (language/key: text):")
    for frag in report.missing:
        why = report.failures.get(frag.id, "")
        print(f"  {frag.id}: {frag.text}" + (f"  [{why}]" if why else ""))
    reason = report.stopped or "some fragments could not be rendered"
    raise UserError(
        f"{len(report.missing)} of {report.needed} fragments are missing: {reason}; "
        "run `kiosk voice build` again when online (it resumes), or record them as a voice pack",
        exit_code=1,
    )


def say(cfg: Config, text: str, lang: str) -> int:
    text = nfc(text).strip()
    if not text:
        raise UserError("TEXT is empty: give the words to say, e.g. kiosk voice say 'Xin chào'")
    frag = text_fragment(text, lang)
    cache = _cache(cfg)
    clip = cache.lookup(frag)
    source = "cache"
    offline = OfflineVoice.for_config(cfg)
    # As the board does: a recorded or rendered clip first, then the offline engine.
    if clip is None and offline is not None and offline.speaks(lang):
        try:
            clip, source = offline.render(text, lang), "offline engine"
        except OfflineSpeechFailed as exc:
            raise UserError(f"cannot say this offline: {exc}", exit_code=1) from None
    if clip is None:
        try:
            data = GTTSRenderer(attempts=2, backoff=1.0).render(text, lang)
            clip = cache.store(frag, data, "gtts")
            source = "Google TTS, now cached"
        except (TTSUnavailable, TTSFailed) as exc:
            raise UserError(
                f"cannot say this: it is not in the voice cache and {exc}", exit_code=1
            ) from None
    from kiosk.ui.audio import AudioError, KivySoundSink  # Kivy only when sound is played

    try:
        KivySoundSink().play(clip)
    except AudioError as exc:
        raise UserError(str(exc), exit_code=1) from None
    print(f"said {text!r} in {lang} ({source}: {clip})")
    return 0
