"""Offline voice: espeak-ng says a Vietnamese call with no fragments and no network.

Real espeak-ng processes and real WAV files; the board test runs `kiosk board`
against a real centre server and hears it through SDL's disk audio driver.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import struct
import subprocess
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.voice import (
    Announcer,
    FragmentCache,
    OfflineSpeechFailed,
    OfflineVoice,
    Speech,
    compose_call,
    compose_for,
)
from kiosk.voice.cache import BUILTIN_SOUNDS
from kiosk.voice.sources import spoken_text
from tests.conftest import run_cli, write_config
from tests.console.centre import Centre, running_centre

from .google_fake import MP3
from .test_audio_sink import loud_windows, runs, sdl_env
from .test_player import FakeSink

NO_ESPEAK = "needs espeak-ng (scripts/system-deps test installs it)"
pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason=NO_ESPEAK)

CHIME = BUILTIN_SOUNDS / "chime.wav"
VI_ONLY = {r"^languages = \[\"vi\", \"km\"\]": 'languages = ["vi"]', r"^repeat = 2": "repeat = 1"}
CALL = "Xin mời công dân có số thứ tự, a không một hai, đến quầy số, ba"


def wav_profile(path: Path) -> tuple[float, float, list[int]]:
    """Duration (s), RMS (0-1) and the runs of sound in 10 ms windows of a mono 16-bit WAV."""
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        rate, frames = w.getframerate(), w.readframes(w.getnframes())
    samples = struct.unpack(f"<{len(frames) // 2}h", frames)
    rms = math.sqrt(sum(x * x for x in samples) / len(samples)) / 32768
    win = rate // 100
    pattern = "".join(
        "#" if max(abs(x) for x in samples[i : i + win]) > 200 else "."
        for i in range(0, len(samples) - win, win)
    )
    return len(samples) / rate, rms, runs(pattern)


def test_espeak_says_a_vietnamese_call_as_a_real_wav(tmp_path: Path) -> None:
    voice = OfflineVoice(tmp_path / "offline", dialect="south")
    assert voice.speaks("vi")
    path = voice.render(CALL, "vi")
    # The header's sizes are the real ones (espeak-ng's stdout leaves placeholders).
    assert path.stat().st_size == 44 + 2 * wave.open(str(path)).getnframes()
    seconds, rms, sounds = wav_profile(path)
    # 17 syllables at 140 words a minute, with pauses at the commas: speech, not a beep.
    assert 3.0 <= seconds <= 9.0, seconds
    assert rms > 0.05
    assert len(sounds) >= 8, sounds
    # Said once: a second time comes from the file, even with espeak-ng gone.
    voice.program = str(tmp_path / "no-espeak")
    assert voice.render(CALL, "vi") == path


def test_the_dialect_picks_the_voice_and_khmer_has_none(tmp_path: Path) -> None:
    south = OfflineVoice(tmp_path, dialect="south").render("một nghìn", "vi")
    north = OfflineVoice(tmp_path, dialect="north").render("một nghìn", "vi")
    assert south.parent.name == "vi-vn-x-south" and north.parent.name == "vi"
    assert south.read_bytes() != north.read_bytes()
    # espeak-ng (Debian 12: 1.51) has no Khmer voice at all; docs/voice.md says what Khmer gets.
    listed = subprocess.run(["espeak-ng", "--voices"], capture_output=True, text=True).stdout
    assert not [line for line in listed.splitlines()[1:] if line.split()[1] in ("km", "khm")]
    voice = OfflineVoice(tmp_path)
    assert not voice.speaks("km")
    with pytest.raises(OfflineSpeechFailed, match="no voice for 'km'"):
        voice.render("សូមអញ្ជើញ", "km")


def test_empty_cache_the_call_is_said_offline_and_khmer_chimes(tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path))  # vi then km, twice, like the shipped config
    sink = FakeSink()
    announcer = Announcer(cfg, sink)
    announcer.start()
    vi = Speech(
        "Xin mời công dân có số thứ tự, a không một hai, đến quầy số, ba",
        "vi",
        announcer.offline,  # type: ignore[arg-type]
    )
    planned = announcer.announce("A012", "3")
    assert planned == [CHIME, vi, CHIME, vi, CHIME]
    assert announcer.wait_idle(60)
    announcer.stop()
    spoken = [p for p in sink.played if p != CHIME]
    assert len(spoken) == 2 and spoken[0] == spoken[1]  # rendered once, played twice
    assert wav_profile(spoken[0])[0] > 3.0
    assert sink.played == [CHIME, spoken[0], CHIME, spoken[0], CHIME]


def test_complete_fragments_are_preferred_and_a_gap_means_the_whole_sentence(
    tmp_path: Path,
) -> None:
    cfg = load_config(write_config(tmp_path, **VI_ONLY))
    cache = FragmentCache.for_config(cfg)
    frags = [f for f in compose_for(cfg, "A012", "3") if not f.is_sound]
    for f in frags[:-1]:
        cache.store(f, MP3, "gtts")
    announcer = Announcer(cfg, FakeSink(), cache=cache)
    # One fragment short: the offline engine says the whole sentence, not a patchwork.
    assert announcer.plan(compose_for(cfg, "A012", "3")) == [
        CHIME,
        Speech(spoken_text(frags), "vi", announcer.offline),  # type: ignore[arg-type]
    ]
    assert spoken_text(frags) == CALL
    cache.store(frags[-1], MP3, "gtts")
    assert announcer.plan(compose_for(cfg, "A012", "3")) == [
        CHIME,
        *[cache.lookup(f) for f in frags],
    ]


def test_a_failing_engine_plays_the_chime_and_the_queue_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cfg = load_config(write_config(tmp_path, **VI_ONLY))
    broken = OfflineVoice(tmp_path / "offline", program="false")  # runs, exits 1
    sink = FakeSink()
    announcer = Announcer(cfg, sink, offline=broken)
    announcer.start()
    announcer.announce("A001", "1")
    announcer.announce("A002", "2")
    assert announcer.wait_idle(60)
    announcer.stop()
    assert sink.played == [CHIME, CHIME, CHIME, CHIME]
    assert "cannot say" in caplog.text and "playing the chime" in caplog.text


def test_without_espeak_ng_installed_the_log_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    cfg = load_config(write_config(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    with caplog.at_level(logging.WARNING):
        assert OfflineVoice.for_config(cfg) is None
    assert "apt-get install espeak-ng" in caplog.text
    off = load_config(
        write_config(tmp_path, **{r'^offline_engine = "espeak-ng"': 'offline_engine = "none"'})
    )
    assert OfflineVoice.for_config(off) is None


def test_voice_say_speaks_vietnamese_offline(tmp_path: Path) -> None:
    conf = write_config(tmp_path)
    env, raw = sdl_env(tmp_path)
    env["HTTPS_PROXY"] = "http://127.0.0.1:9"  # no route to Google: must not be needed
    out = run_cli("voice", "say", "Mời số a mười hai đến quầy ba", "--lang", "vi",
                  "--config", str(conf), env=env)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "(offline engine: " in out.stdout
    wav = Path(out.stdout.split("(offline engine: ")[1].rstrip().rstrip(")"))
    seconds, _, speech = wav_profile(wav)
    heard = runs(loud_windows(raw))
    # The speaker got that speech: several bursts, as much sound as the WAV holds.
    assert len(heard) >= 3 and seconds > 1.5, heard
    assert 0.85 * sum(speech) <= sum(heard) <= 1.15 * sum(speech), (heard, speech)


def test_voice_build_lists_the_khmer_listen_texts(tmp_path: Path) -> None:
    """Offline, the build says which Khmer listen texts to render or record; Vietnamese is
    said by the offline engine, so none of its listen texts are asked for."""
    conf = write_config(tmp_path)
    env = {**os.environ, "HTTPS_PROXY": "http://127.0.0.1:9", "KIVY_NO_CONSOLELOG": "1"}
    out = run_cli("voice", "build", "--config", str(conf), env=env)
    assert out.returncode == 1
    assert "km/say-" in out.stdout and ": លេខរៀងរបស់អ្នក" in out.stdout  # "Your number"
    assert "vi/say-" not in out.stdout


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Centre]:
    with running_centre(tmp_path) as c:
        yield c


@pytest.mark.ui
@pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs a display (xvfb-run -a)")
def test_a_fresh_board_with_no_network_speaks_the_vietnamese_call(
    tmp_path: Path, centre: Centre
) -> None:
    """Issue #14's done-when: no `voice build`, no internet, and the hall hears the call."""
    from tests.board.process import board_process, wait_for_line

    raw = tmp_path / "speaker.raw"
    no_network = {"HTTPS_PROXY": "http://127.0.0.1:9"}
    speaker = {"SDL_AUDIODRIVER": "disk", "SDL_DISKAUDIOFILE": str(raw)}
    # The shipped config (vi then km, said twice) and no voice cache: never built.
    with board_process(tmp_path, centre, **no_network, **speaker) as board:
        centre.issue("chung-thuc")
        assert centre.handle is not None
        centre.handle.engine.call_next("2")
        wait_for_line(board.log, "voice: said B001@2", timeout=120)
    # What the speaker got: the chime, the Vietnamese sentence, the chime for Khmer (no
    # Khmer voice offline), the sentence again, the chime.
    cfg = load_config(board.config)
    vi = compose_call("B001", "2", languages=["vi"], reading=cfg.voice.number_reading,
                      dialect=cfg.voice.dialect)[1:]  # fmt: skip
    sentence = spoken_text(vi)
    assert sentence == "Xin mời công dân có số thứ tự, bê không không một, đến quầy số, hai"
    offline = OfflineVoice.for_config(cfg)
    assert offline is not None
    wav = offline.rendered(sentence, "vi")
    assert wav is not None and wav.parent.name == "vi-vn-x-south"
    seconds, _, speech_runs = wav_profile(wav)
    heard = runs(loud_windows(raw))
    chimes = [r for r in heard if 140 <= r <= 170]
    assert len(chimes) == 3, str(heard)
    loud = sum(heard) / 100
    expected = 3 * 1.6 + 2 * sum(speech_runs) / 100
    assert 0.85 * expected <= loud <= 1.15 * expected, (loud, expected, heard)
    assert len(heard) >= 3 + 2 * (len(speech_runs) - 2), heard  # syllables, not a tone
    assert seconds > 3.0
    assert "Traceback" not in board.log.read_text(encoding="utf-8")


def test_old_renderings_are_pruned_and_a_used_one_is_kept(tmp_path: Path) -> None:
    voice = OfflineVoice(tmp_path / "offline", keep=3)
    first = voice.render("một", "vi")
    os.utime(first, ns=(1, 1))  # long ago
    kept = voice.render("hai", "vi")
    os.utime(kept, ns=(1, 1))
    assert voice.render("hai", "vi") == kept  # used again: recent now
    for word in ("ba", "bốn"):
        voice.render(word, "vi")
    assert not first.exists() and kept.exists()
    assert len(list((tmp_path / "offline").glob("*/*.wav"))) == 3


def test_an_engine_that_writes_no_audio_is_one_sentence(tmp_path: Path) -> None:
    silent = OfflineVoice(tmp_path / "offline", program="true")  # exits 0, prints nothing
    with pytest.raises(OfflineSpeechFailed, match="wrote no usable WAV audio"):
        silent.render("Xin chào", "vi")
    assert not list((tmp_path / "offline").glob("*/*.wav"))
