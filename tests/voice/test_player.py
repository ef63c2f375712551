"""Playback: one queue, order kept, never two announcements at once, gaps become the chime."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.voice import Announcer, FragmentCache, NullSink, Player, compose_for
from kiosk.voice.cache import BUILTIN_SOUNDS
from kiosk.voice.player import SinkError
from tests.conftest import write_config

from .google_fake import MP3

CHIME = BUILTIN_SOUNDS / "chime.wav"
PAUSE = BUILTIN_SOUNDS / "pause.wav"
NO_OFFLINE = {r'^offline_engine = "espeak-ng"': 'offline_engine = "none"'}


class FakeSink:
    """Records every clip with start/end times and fails loudly on any overlap."""

    def __init__(
        self,
        seconds: float = 0.0,
        fail_on: set[str] | None = None,
        gate: threading.Event | None = None,
    ) -> None:
        self.seconds = seconds
        # While the gate is closed, the speaker holds the clip it was given.
        self.gate = gate
        self.fail_on = fail_on or set()
        self.played: list[Path] = []
        self.spans: list[tuple[float, float, str]] = []
        self._active = 0
        self.overlaps = 0
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def play(self, clip: Path) -> None:
        with self._lock:
            self._active += 1
            if self._active > 1:
                self.overlaps += 1
        start = time.monotonic()
        try:
            self.threads.add(threading.current_thread().name)
            if clip.name in self.fail_on:
                raise RuntimeError("speaker unplugged")
            if self.gate is not None:
                self.gate.wait()
            time.sleep(self.seconds)
            self.played.append(clip)
        finally:
            with self._lock:
                self._active -= 1
            self.spans.append((start, time.monotonic(), clip.name))


def clips(prefix: str, n: int) -> list[Path]:
    return [Path(f"{prefix}-{i}.mp3") for i in range(n)]


def test_announcements_play_in_order_without_overlap() -> None:
    sink = FakeSink(seconds=0.01)
    player = Player(sink)
    player.start()
    barrier = threading.Barrier(4)

    def call(name: str) -> None:
        barrier.wait()
        player.enqueue(clips(name, 5), label=name)

    threads = [threading.Thread(target=call, args=(f"call{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert player.wait_idle(30)
    player.stop()
    assert sink.overlaps == 0
    assert len(sink.played) == 20
    # Each announcement's clips stay together and in order.
    names = [p.name.split("-")[0] for p in sink.played]
    for i in range(0, 20, 5):
        assert len(set(names[i : i + 5])) == 1
        assert [p.name for p in sink.played[i : i + 5]] == [f"{names[i]}-{k}.mp3" for k in range(5)]
    assert sink.threads == {"voice-player"}


def test_enqueue_returns_at_once_and_duplicates_wait_once() -> None:
    speaker_free = threading.Event()
    sink = FakeSink(gate=speaker_free)
    player = Player(sink, max_pending=3)
    player.start()
    assert player.enqueue(clips("A001", 2), label="A001@1")
    assert player.enqueue(clips("A002", 1), label="A002@2")
    assert not player.enqueue(clips("A002", 1), label="A002@2")  # a recall already waiting
    # Every enqueue returned while the speaker still held the first clip: none waited on audio.
    assert sink.played == []
    speaker_free.set()
    assert player.wait_idle(30)
    player.stop()
    assert [p.name for p in sink.played] == ["A001-0.mp3", "A001-1.mp3", "A002-0.mp3"]


def test_a_failing_sink_does_not_stop_the_queue(caplog: pytest.LogCaptureFixture) -> None:
    sink = FakeSink(fail_on={"bad-1.mp3"})
    player = Player(sink)
    player.start()
    player.enqueue(clips("bad", 3), label="one")
    player.enqueue(clips("good", 2), label="two")
    assert player.wait_idle(30)
    player.stop()
    assert [p.name for p in sink.played] == ["bad-0.mp3", "bad-2.mp3", "good-0.mp3", "good-1.mp3"]
    assert "cannot play bad-1.mp3" in caplog.text


@pytest.fixture
def announcer_rig(tmp_path: Path):
    """Clips from the cache only: the offline engine has its own tests (test_offline.py)."""
    cfg = load_config(write_config(tmp_path, **NO_OFFLINE))
    cache = FragmentCache.for_config(cfg)
    sink = FakeSink()
    return cfg, cache, sink


def fill(cache: FragmentCache, cfg, number: str, counter: str, skip_lang: str | None = None):
    for f in compose_for(cfg, number, counter):
        if not f.is_sound and f.lang != skip_lang:
            cache.store(f, MP3, "gtts")


def test_announcer_plays_the_composed_call(announcer_rig) -> None:
    cfg, cache, sink = announcer_rig
    fill(cache, cfg, "A012", "2")
    announcer = Announcer(cfg, sink, cache=cache)
    announcer.start()
    announcer.handle_event({"id": 7, "type": "called", "counter": "2",
                            "ticket": {"id": "x", "number": "A012"}})  # fmt: skip
    assert announcer.wait_idle(30)
    announcer.stop()
    frags = compose_for(cfg, "A012", "2")
    expected = [cache.lookup(f) for f in frags]
    assert sink.played == expected
    assert sink.played[0] == CHIME and PAUSE in sink.played


def test_missing_language_plays_the_chime_instead(announcer_rig, caplog) -> None:
    cfg, cache, sink = announcer_rig
    fill(cache, cfg, "A012", "2", skip_lang="km")  # Khmer never rendered
    announcer = Announcer(cfg, sink, cache=cache)
    announcer.start()
    clips_ = announcer.announce("A012", "2")
    assert announcer.wait_idle(30)
    announcer.stop()
    vi = [cache.lookup(f) for f in compose_for(cfg, "A012", "2") if f.lang == "vi"]
    half = len(vi) // 2
    assert clips_ == [CHIME, *vi[:half], CHIME, *vi[half:], CHIME]
    assert sink.played == clips_
    assert "km/call-0" in caplog.text and "kiosk voice build" in caplog.text


def test_empty_cache_without_offline_engine_still_chimes_once(tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path, **NO_OFFLINE))
    cache, sink = FragmentCache.for_config(cfg), FakeSink()
    announcer = Announcer(cfg, sink, cache=cache)
    announcer.start()
    assert announcer.announce("5001", "4") == [CHIME]
    assert announcer.wait_idle(30)
    announcer.stop()
    assert sink.played == [CHIME]


def test_announcer_ignores_other_and_malformed_events(announcer_rig) -> None:
    cfg, cache, sink = announcer_rig
    announcer = Announcer(cfg, sink, cache=cache)
    announcer.start()
    events = [
        {"type": "done", "counter": "1", "ticket": {"number": "A001"}},
        {"type": "called"},
        {"type": "called", "counter": "1", "ticket": []},
        None,
        "called",
        {"type": "recalled", "counter": "1", "ticket": {"number": 7}},
    ]
    for event in events:
        announcer.handle_event(event)  # type: ignore[arg-type]
    assert announcer.wait_idle(30)
    announcer.stop()
    assert sink.played == [CHIME]  # only the recall of "7" (nothing cached: the chime)


def test_voice_disabled_announces_nothing(tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path, **{r"^enabled = true": "enabled = false"}))
    announcer = Announcer(cfg, NullSink())
    announcer.start()
    assert announcer.announce("A001", "1") == []
    announcer.stop()


class StoppableSink(FakeSink):
    """Holds each clip until ``stop_current`` (the listen button's sink behaviour)."""

    def __init__(self) -> None:
        super().__init__()
        self.cut = threading.Event()
        self.started = threading.Event()

    def play(self, clip: Path) -> None:
        self.started.set()
        self.cut.wait(30)
        self.cut.clear()
        self.played.append(clip)

    def stop_current(self) -> None:
        self.cut.set()


def test_cancel_cuts_the_clip_short_and_drops_the_rest() -> None:
    sink = StoppableSink()
    player = Player(sink)
    player.start()
    player.enqueue(clips("long", 3), label="reading")
    player.enqueue(clips("next", 2), label="waiting")
    assert sink.started.wait(30)
    player.cancel()
    assert player.wait_idle(30)
    assert [p.name for p in sink.played] == ["long-0.mp3"]  # cut short, nothing after it
    # The player goes on with what is queued after the cancel.
    sink.cut.set()
    player.enqueue(clips("after", 1), label="after")
    assert player.wait_idle(30)
    player.stop()
    assert [p.name for p in sink.played] == ["long-0.mp3", "after-0.mp3"]


class NoSpeakerSink:
    def play(self, clip: Path) -> None:
        raise SinkError(f"cannot play {clip.name}: no audio output")


def test_a_board_without_speaker_logs_one_line_per_clip_and_no_trace(
    caplog: pytest.LogCaptureFixture,
) -> None:
    player = Player(NoSpeakerSink())
    player.start()
    player.enqueue(clips("A001", 2), label="A001@1")
    assert player.wait_idle(30)
    player.stop()
    errors = [r for r in caplog.records if "cannot play" in r.getMessage()]
    assert [r.getMessage() for r in errors] == [
        "voice: cannot play A001-0.mp3: no audio output",
        "voice: cannot play A001-1.mp3: no audio output",
    ]
    assert all(r.exc_info is None for r in errors)
