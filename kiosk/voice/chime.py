"""The attention chime and the pause between languages, synthesised with the stdlib.

``python -m kiosk.voice.chime assets/voice`` re-creates the shipped files; the
output is deterministic, so the test suite checks the shipped files match.
"""

from __future__ import annotations

import math
import struct
import sys
import wave
from pathlib import Path

RATE = 22050
# Two-note "ding-dong" (E5 then C5), the bell colour from a few decaying partials.
NOTES = ((659.25, 0.0), (523.25, 0.55))
PARTIALS = ((1.0, 1.0), (2.0, 0.35), (3.0, 0.12), (4.2, 0.05))
LENGTH = 1.6
PEAK = 0.6


def chime_samples() -> list[int]:
    n = int(LENGTH * RATE)
    out = [0.0] * n
    for freq, start in NOTES:
        first = int(start * RATE)
        for i in range(first, n):
            t = (i - first) / RATE
            attack = min(1.0, t / 0.005)  # 5 ms: no click at the onset
            env = attack * math.exp(-3.2 * t)
            out[i] += env * sum(
                amp * math.sin(2 * math.pi * freq * mult * t) for mult, amp in PARTIALS
            )
    top = max(abs(x) for x in out)
    fade = int(0.05 * RATE)
    for i in range(fade):  # the tail ends at exactly zero
        out[n - 1 - i] *= i / fade
    return [round(x / top * PEAK * 32767) for x in out]


def write_wav(path: Path, samples: list[int], rate: int = RATE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(struct.pack(f"<{len(samples)}h", *samples))


def write_assets(folder: Path) -> list[Path]:
    chime, pause = folder / "chime.wav", folder / "pause.wav"
    write_wav(chime, chime_samples())
    write_wav(pause, [0] * int(0.4 * 8000), rate=8000)
    return [chime, pause]


if __name__ == "__main__":
    for p in write_assets(Path(sys.argv[1] if len(sys.argv) > 1 else "assets/voice")):
        print(p)
