"""The shipped chime and pause are what kiosk.voice.chime synthesises (no opaque binaries)."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

from kiosk.voice.cache import BUILTIN_SOUNDS
from kiosk.voice.chime import write_assets


def samples(path: Path) -> tuple[int, list[int]]:
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        data = w.readframes(w.getnframes())
        return w.getframerate(), list(struct.unpack(f"<{len(data) // 2}h", data))


def test_shipped_sounds_match_the_synthesiser(tmp_path: Path) -> None:
    for fresh in write_assets(tmp_path):
        rate, new = samples(fresh)
        shipped_rate, old = samples(BUILTIN_SOUNDS / fresh.name)
        assert rate == shipped_rate and len(new) == len(old)
        assert max(abs(a - b) for a, b in zip(new, old, strict=True)) <= 1


def test_chime_is_audible_and_ends_quietly() -> None:
    rate, chime = samples(BUILTIN_SOUNDS / "chime.wav")
    assert 1.0 <= len(chime) / rate <= 2.0
    peak = max(abs(s) for s in chime)
    assert 0.5 * 32767 <= peak < 32767  # loud, never clipped
    assert chime[0] == 0 and chime[-1] == 0  # no click at either end
    rate, pause = samples(BUILTIN_SOUNDS / "pause.wav")
    assert not any(pause) and 0.3 <= len(pause) / rate <= 0.5
