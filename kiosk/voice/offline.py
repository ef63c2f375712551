"""Offline speech with espeak-ng: a Vietnamese call from the first start, no network, no build.

Chosen by measuring its output (docs/voice.md, "The offline engine"): espeak-ng
1.51 from Debian reads Vietnamese tones, "không" and "quầy" correctly where the
older espeak drops sounds, and its southern voice matches ``dialect = "south"``.
It has no Khmer voice, so Khmer needs recorded or rendered fragments.

espeak-ng is run as a program (one short process per sentence, text on stdin so
a text can never be taken for an option); the WAV it writes is kept in
``<cache_dir>/offline/`` so a repeated sentence (every call is said twice, a
recall again) is rendered once.
"""

from __future__ import annotations

import hashlib
import io
import logging
import shutil
import subprocess
import unicodedata
import wave
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.config import Config
from kiosk.filetarget import atomic_write

log = logging.getLogger(__name__)

ENGINE = "espeak-ng"
# espeak-ng's voices by (language, dialect): the config's dialect picks the Vietnamese
# one; English (the listen button on an English screen) has one. No Khmer voice exists.
VOICES = {
    ("vi", "north"): "vi",
    ("vi", "south"): "vi-vn-x-south",
    ("en", "north"): "en",
    ("en", "south"): "en",
}
# Words per minute: 140 rather than the default 175 keeps number words apart (docs/voice.md).
RATE = 140
KEEP = 300  # rendered sentences kept on disk; the oldest go first
TIMEOUT = 20.0
LEAD_SECONDS = 0.15  # silence before the first word (espeak-ng starts at once)


class OfflineSpeechFailed(Exception):
    """espeak-ng could not render a text (missing, crashed, wrote no audio); one sentence."""


class OfflineVoice:
    """``render(text, lang) -> WAV path`` with espeak-ng, cached by text, voice and rate."""

    def __init__(
        self,
        cache_dir: Path,
        *,
        dialect: str = "south",
        program: str = ENGINE,
        rate: int = RATE,
        keep: int = KEEP,
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self.dialect = dialect
        self.program = shutil.which(program)
        self.rate = rate
        self.keep = keep

    @classmethod
    def for_config(cls, cfg: Config) -> OfflineVoice | None:
        """The centre's offline voice, or None when switched off or espeak-ng is not installed."""
        v = cfg.voice
        if v.offline_engine == "none":
            return None
        voice = cls(cfg.data_path(v.cache_dir) / "offline", dialect=v.dialect)
        if voice.program is None:
            log.warning(
                "voice: %s is not installed, so calls without voice fragments play the chime "
                "only; install it with: apt-get install espeak-ng",
                ENGINE,
            )
            return None
        return voice

    def voice_for(self, lang: str) -> str | None:
        return VOICES.get((lang, self.dialect))

    def speaks(self, lang: str) -> bool:
        return self.program is not None and self.voice_for(lang) is not None

    def _path(self, text: str, voice: str) -> Path:
        key = f"{voice}|{self.rate}|{LEAD_SECONDS}|{text}"
        tag = hashlib.sha1(key.encode(), usedforsecurity=False)
        return self.cache_dir / voice / f"{tag.hexdigest()[:16]}.wav"

    def rendered(self, text: str, lang: str) -> Path | None:
        """The WAV already rendered for ``text``, if any (no process started)."""
        voice = self.voice_for(lang)
        if voice is None:
            return None
        path = self._path(unicodedata.normalize("NFC", text).strip(), voice)
        return path if path.is_file() else None

    def render(self, text: str, lang: str) -> Path:
        """The WAV of ``text`` said in ``lang``; raises :class:`OfflineSpeechFailed`."""
        voice = self.voice_for(lang)
        if self.program is None or voice is None:
            raise OfflineSpeechFailed(f"{ENGINE} has no voice for {lang!r}")
        text = unicodedata.normalize("NFC", text).strip()
        path = self._path(text, voice)
        if path.is_file():
            path.touch()  # recently used: pruned last
            return path
        cmd = [self.program, "-v", voice, "-s", str(self.rate), "-b", "1", "--stdout", "--stdin"]
        try:
            done = subprocess.run(  # noqa: S603 - fixed argv, the text goes to stdin
                cmd, input=text.encode("utf-8"), capture_output=True, timeout=TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise OfflineSpeechFailed(f"{ENGINE} did not run: {exc}") from None
        if done.returncode != 0:
            why = done.stderr.decode("utf-8", "replace").strip() or f"exit code {done.returncode}"
            raise OfflineSpeechFailed(f"{ENGINE} failed: {why}")
        try:
            clip = _tidy_wav(done.stdout)
        except (wave.Error, EOFError) as exc:
            raise OfflineSpeechFailed(f"{ENGINE} wrote no usable WAV audio ({exc!r})") from None
        atomic_write(path, clip)
        self._prune()
        return path

    def _prune(self) -> None:
        aged: list[tuple[int, Path]] = []
        for path in self.cache_dir.glob("*/*.wav"):
            try:
                aged.append((path.stat().st_mtime_ns, path))
            except OSError:  # pruned meanwhile by the other reader (board and listen button)
                continue
        aged.sort()
        for _, old in aged[: max(0, len(aged) - self.keep)]:
            old.unlink(missing_ok=True)


def _tidy_wav(data: bytes, lead: float = LEAD_SECONDS) -> bytes:
    """espeak-ng's WAV as SDL_mixer needs it, with a short silence before the first word.

    Streaming to stdout, espeak-ng cannot seek back, so its RIFF and data sizes
    are placeholders (0x7ffff000) that players trust; rewriting the file gives
    the real ones. It also starts speaking at the first sample: without the lead,
    a sentence played right after the chime sounds glued to it.
    """
    with wave.open(io.BytesIO(data)) as src:
        params = src.getparams()
        frames = src.readframes(params.nframes)
    out = io.BytesIO()
    with wave.open(out, "wb") as dst:
        dst.setnchannels(params.nchannels)
        dst.setsampwidth(params.sampwidth)
        dst.setframerate(params.framerate)
        silence = round(lead * params.framerate) * params.nchannels * params.sampwidth
        dst.writeframes(bytes(silence) + frames)
    return out.getvalue()


@dataclass(frozen=True)
class Speech:
    """A sentence the player renders on its own thread just before playing it.

    Equal by text and language, so a planned announcement compares like a list of
    clips. When rendering fails the ``fallback`` (the chime) is played instead.
    """

    text: str
    lang: str
    voice: OfflineVoice = field(compare=False, repr=False)
    fallback: Path | None = field(default=None, compare=False, repr=False)

    def render(self) -> Path | None:
        try:
            return self.voice.render(self.text, self.lang)
        except OfflineSpeechFailed as exc:
            log.error("voice: cannot say %r offline (%s); playing the chime", self.text, exc)
            return self.fallback
