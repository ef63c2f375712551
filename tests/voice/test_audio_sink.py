"""The Kivy SDL2 sink and `kiosk voice say`, heard through SDL's disk audio driver.

SDL writes what it would send to the sound card into a raw file (44.1 kHz,
16-bit stereo); the tests read it back. Each run is its own process because
SDL picks its audio driver once per process.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.voice import FragmentCache, compose_for
from kiosk.voice.cache import BUILTIN_SOUNDS
from kiosk.voice.fragments import Fragment
from tests.conftest import ROOT, run_cli, write_config

MP3 = Path(__file__).parent / "fixtures" / "tone-440hz.mp3"
RATE = 44100
PLAY = """
import sys
from pathlib import Path
from kiosk.ui.audio import AudioError, KivySoundSink
sink = KivySoundSink()
try:
    for p in sys.argv[1:]:
        sink.play(Path(p))
except AudioError as exc:
    print(exc)
    sys.exit(3)
"""


def sdl_env(tmp_path: Path, driver: str = "disk") -> tuple[dict[str, str], Path]:
    raw = tmp_path / "speaker.raw"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SDL_AUDIODRIVER": driver,
        "SDL_DISKAUDIOFILE": str(raw),
        "KIVY_NO_ARGS": "1",
        "KIVY_NO_CONSOLELOG": "1",
        "KIVY_HOME": str(tmp_path / "kivy-home"),
    }
    return env, raw


def loud_windows(raw: Path) -> str:
    """The speaker output as 10 ms windows: '#' sound, '.' silence."""
    data = raw.read_bytes()
    left = struct.unpack(f"<{len(data) // 2}h", data)[0::2]
    w = RATE // 100
    return "".join(
        "#" if max(abs(x) for x in left[i : i + w]) > 200 else "."
        for i in range(0, len(left) - w, w)
    )


def runs(windows: str) -> list[int]:
    return [len(r) for r in windows.replace(".", " ").split()]


# The disk "speaker" at its own pace, then taking 250 ms per buffer of ~93 ms: a third of
# the pace, as SDL's audio thread on a busy PC falls behind the wall clock.
@pytest.mark.parametrize("delay_ms", [None, "250"], ids=["on-time", "speaker-behind"])
def test_kivy_sink_plays_wav_then_mp3_in_turn(tmp_path: Path, delay_ms: str | None) -> None:
    """Each clip is heard to its end before the next begins, not cut at its length."""
    env, raw = sdl_env(tmp_path)
    if delay_ms is not None:
        env["SDL_DISKAUDIODELAY"] = delay_ms
    chime = BUILTIN_SOUNDS / "chime.wav"
    out = subprocess.run([sys.executable, "-c", PLAY, str(chime), str(MP3)], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    sounds = runs(loud_windows(raw))
    # The 1.6 s chime, then the 0.4 s MP3 (decoded by SDL_mixer), one after the other.
    assert len(sounds) == 2, sounds
    assert 140 <= sounds[0] <= 170 and 30 <= sounds[1] <= 45, sounds


def test_kivy_sink_without_audio_output_is_one_sentence(tmp_path: Path) -> None:
    env, _ = sdl_env(tmp_path, driver="no-such-driver")
    out = subprocess.run([sys.executable, "-c", PLAY, str(MP3)], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert out.returncode == 3
    assert "no audio output" in out.stdout


def test_voice_say_plays_a_cached_text(tmp_path: Path) -> None:
    conf = write_config(tmp_path)
    cfg = load_config(conf)
    text = "Xin chào"
    # What `voice say` would have cached when it was last online.
    import hashlib

    key = "say-" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12]
    FragmentCache.for_config(cfg).store(Fragment("vi", key, text), MP3.read_bytes(), "gtts")
    env, raw = sdl_env(tmp_path)
    env["HTTPS_PROXY"] = "http://127.0.0.1:9"  # offline: must not be needed
    out = run_cli("voice", "say", text, "--lang", "vi", "--config", str(conf), env=env)
    assert out.returncode == 0, out.stderr
    assert "said 'Xin chào' in vi (cache" in out.stdout
    assert runs(loud_windows(raw)) and 30 <= runs(loud_windows(raw))[0] <= 45


def test_voice_say_offline_and_uncached_is_one_line(tmp_path: Path) -> None:
    conf = write_config(tmp_path)
    env, _ = sdl_env(tmp_path)
    env["HTTPS_PROXY"] = "http://127.0.0.1:9"  # a closed port: no route to Google, quickly
    out = run_cli("voice", "say", "ស្វាគមន៍", "--lang", "km", "--config", str(conf), env=env)
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1, out.stderr
    assert "not in the voice cache" in out.stderr and "Traceback" not in out.stderr
    out = run_cli("voice", "say", "   ", "--lang", "km", "--config", str(conf), env=env)
    assert out.returncode == 2 and "TEXT is empty" in out.stderr


def test_voice_build_offline_lists_missing_and_fails(tmp_path: Path) -> None:
    conf = write_config(tmp_path, **{r"^languages = \[\"vi\", \"km\"\]": 'languages = ["km"]'})
    env, _ = sdl_env(tmp_path)
    env["HTTPS_PROXY"] = "http://127.0.0.1:9"
    out = run_cli("voice", "build", "--config", str(conf), env=env)
    assert out.returncode == 1
    assert "km/call-0: សូមអញ្ជើញប្រជាពលរដ្ឋដែលមានលេខរៀង" in out.stdout
    assert "missing" in out.stdout
    assert out.stderr.count("\n") == 1 and "cannot reach Google TTS" in out.stderr


BOARD = """
import sys, time
from kivy.app import App
from kivy.clock import Clock
from kivy.uix.label import Label
from kiosk.config import load_config
from kiosk.ui.audio import KivySoundSink
from kiosk.voice import Announcer

cfg = load_config(sys.argv[1])


class Speaker(KivySoundSink):
    # Counts the frames the window draws while each clip plays (on the player's thread).

    def play(self, clip):
        drawn = app.frames
        super().play(clip)
        app.during.append((clip.name, app.frames - drawn))


class Board(App):
    def build(self):
        return Label(text="A012 -> 2")

    def on_start(self):
        self.during = []
        self.announcer = Announcer(cfg, Speaker())
        self.announcer.start()
        self.frames, self.t0 = 0, time.monotonic()
        for number, counter in (("A012", "2"), ("5001", "4")):
            self.announcer.handle_event({"id": 1, "type": "called", "counter": counter,
                                         "ticket": {"number": number}})
        Clock.schedule_interval(self.tick, 0)

    def tick(self, dt):
        self.frames += 1
        if self.announcer.player.pending() == 0 or time.monotonic() - self.t0 > 60:
            self.announcer.stop()
            chimes = [n for name, n in self.during if name == "chime.wav"]
            print(min(chimes, default=0), len(chimes), self.announcer.player.played)
            self.stop()


app = Board()
app.run()
"""


@pytest.mark.ui
@pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs a display (xvfb-run)")
def test_board_announces_while_its_window_keeps_drawing(tmp_path: Path) -> None:
    """A real Kivy app: two calls are heard in turn and the main loop never stalls."""
    conf = write_config(tmp_path, **{r"^languages = \[\"vi\", \"km\"\]": 'languages = ["vi"]',
                                     r"^repeat = 2": "repeat = 1"})  # fmt: skip
    cfg = load_config(conf)
    cache = FragmentCache.for_config(cfg)
    spoken = 0
    for number, counter in (("A012", "2"), ("5001", "4")):
        for frag in compose_for(cfg, number, counter):
            if not frag.is_sound:
                cache.store(frag, MP3.read_bytes(), "gtts")
                spoken += 1
    env, raw = sdl_env(tmp_path)
    env["PYTHONUNBUFFERED"] = "1"
    script = tmp_path / "board.py"  # a file: Kivy's App looks up its class's source file
    script.write_text(BOARD, encoding="utf-8")
    out = subprocess.run([sys.executable, str(script), str(conf)], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=180)  # fmt: skip
    assert out.returncode == 0, (out.stdout, out.stderr[-2000:])
    fewest, chimes, played = out.stdout.split()[-3:]
    assert int(played) == 2 and int(chimes) == 2
    # The window kept drawing while the speech played on the worker thread: frames
    # came during each 1.6 s chime (however slowly a loaded machine draws them).
    assert int(fewest) >= 1, out.stdout
    heard = sum(runs(loud_windows(raw))) / 100
    expected = 2 * 1.6 + spoken * 0.4  # two chimes and the 0.4 s clips
    assert 0.8 * expected <= heard <= 1.2 * expected, (heard, expected)
