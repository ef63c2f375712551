"""`voice build` against Google's TTS faked at the HTTP layer: success, 429, timeouts, offline."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import requests
import responses

from kiosk.config import load_config
from kiosk.voice import (
    FragmentCache,
    GTTSRenderer,
    TTSFailed,
    TTSUnavailable,
    build_cache,
    required_fragments,
)
from kiosk.voice.fragments import Fragment
from tests.conftest import write_config

from .google_fake import MP3, FakeGoogle


@pytest.fixture
def cfg(tmp_path: Path):
    return load_config(write_config(tmp_path))


@pytest.fixture
def google():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeGoogle(mock)


def renderer(sleeps: list[float] | None = None, **kw) -> GTTSRenderer:
    kw.setdefault("min_interval", 0)
    return GTTSRenderer(sleep=(sleeps if sleeps is not None else []).append, **kw)


def test_build_renders_everything_with_a_manifest(cfg, google) -> None:
    cache = FragmentCache.for_config(cfg)
    needed = required_fragments(cfg)
    report = build_cache(needed, cache, renderer())
    assert report.complete and len(report.rendered) == len(needed) == report.needed
    assert sorted(google.asked) == sorted((f.text, f.lang) for f in needed)
    manifest = json.loads((cache.cache_dir / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["fragments"]["vi/call-0"]
    assert entry["text"] == "Xin mời công dân có số thứ tự" and entry["lang"] == "vi"
    assert entry["source"] == "gtts" and entry["file"].endswith(".mp3")
    assert entry["checksum"] == "sha256:" + hashlib.sha256(MP3).hexdigest()
    assert (cache.cache_dir / entry["file"]).read_bytes() == MP3
    assert cache.lookup(needed[0]) == cache.cache_dir / manifest["fragments"][needed[0].id]["file"]

    # A second run is resumable and free: nothing is asked again.
    asked = len(google.asked)
    again = build_cache(needed, FragmentCache.for_config(cfg), renderer())
    assert again.complete and len(again.cached) == len(needed) and not again.rendered
    assert len(google.asked) == asked


def test_rate_limit_429_is_retried_with_backoff(cfg, google) -> None:
    google.script = [429, 429]
    google.retry_after = "3"
    sleeps: list[float] = []
    frag = Fragment("vi", "n5", "năm")
    data = renderer(sleeps).render(frag.text, frag.lang)
    assert data == MP3
    assert sleeps == [3.0, 3.0]  # Retry-After honoured
    google.retry_after = None
    google.script = [503, 429]
    sleeps.clear()
    renderer(sleeps, backoff=2.0).render("sáu", "vi")
    assert sleeps == [2.0, 4.0]  # exponential without Retry-After


def test_persistent_429_stops_the_build(cfg, google) -> None:
    google.script = [429] * 4
    needed = required_fragments(cfg)
    report = build_cache(needed, FragmentCache.for_config(cfg), renderer(attempts=4))
    assert not report.complete and len(report.missing) == len(needed)
    assert "HTTP 429" in report.stopped
    assert google.script == [] and google.asked == []  # no hammering after giving up


def test_timeout_then_success(google) -> None:
    google.script = [requests.exceptions.ReadTimeout("read timed out")]
    sleeps: list[float] = []
    assert renderer(sleeps, backoff=1.0).render("bảy", "vi") == MP3
    assert sleeps == [1.0]
    google.script = [requests.exceptions.ConnectTimeout("slow")] * 3
    with pytest.raises(TTSUnavailable, match="did not answer in time"):
        renderer(attempts=3).render("tám", "vi")


def test_throttle_spaces_requests(google) -> None:
    now = [100.0]
    sleeps: list[float] = []

    def sleep(s: float) -> None:
        sleeps.append(s)
        now[0] += s

    r = GTTSRenderer(min_interval=0.5, sleep=sleep, clock=lambda: now[0])
    for text in ("một", "hai", "ba"):
        r.render(text, "vi")
    assert sleeps == [0.5, 0.5]


def test_offline_build_lists_what_is_missing_and_resumes(cfg) -> None:
    needed = required_fragments(cfg)
    cache = FragmentCache.for_config(cfg)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        google = FakeGoogle(mock)
        # Five clips render, then the line drops for good.
        first = build_cache(needed[:5], cache, renderer())
        assert first.complete
        assert len(google.asked) == 5
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        # No answer registered: responses refuses the connection, as offline does.
        report = build_cache(needed, cache, renderer(attempts=2))
        assert len(mock.calls) == 2  # one fragment tried (with its retry), then stop
    assert "cannot reach Google TTS" in report.stopped
    assert len(report.cached) == 5
    assert [f.id for f in report.missing] == [f.id for f in needed[5:]]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        google = FakeGoogle(mock)
        resumed = build_cache(needed, cache, renderer())
    assert resumed.complete and len(resumed.rendered) == len(needed) - 5
    assert len(google.asked) == len(needed) - 5


def test_a_refused_text_does_not_stop_the_others(cfg, google) -> None:
    google.script = [403]
    needed = required_fragments(cfg)[:3]
    report = build_cache(needed, FragmentCache.for_config(cfg), renderer())
    assert [f.id for f in report.missing] == [needed[0].id]
    assert "HTTP 403" in report.failures[needed[0].id]
    assert len(report.rendered) == 2
    with pytest.raises(TTSFailed):
        google.script = [404]
        renderer().render("x", "vi")


def test_voice_packs_take_precedence(cfg, google, tmp_path: Path) -> None:
    packs = tmp_path / "packs"
    shutil.copytree(Path(cfg.path(cfg.voice.packs_dir)), packs)
    (packs / "km").mkdir()
    recorded = packs / "km" / "call-0.wav"
    shutil.copy(packs / "chime.wav", recorded)  # any real clip stands for a recording
    cache = FragmentCache(cfg.data_path(cfg.voice.cache_dir), packs)
    needed = required_fragments(cfg)
    report = build_cache(needed, cache, renderer())
    assert [f.id for f in report.from_packs] == ["km/call-0"]
    assert ("សូមអញ្ជើញប្រជាពលរដ្ឋដែលមានលេខរៀង", "km") not in google.asked
    frag = next(f for f in needed if f.id == "km/call-0")
    assert cache.lookup(frag) == recorded and cache.source_of(frag) == "pack"


def test_changed_text_or_damaged_clip_is_rendered_again(tmp_path: Path, google) -> None:
    south = load_config(
        write_config(tmp_path, **{r'^number_reading = "digits"': 'number_reading = "words"'})
    )
    cache = FragmentCache.for_config(south)
    assert build_cache(required_fragments(south), cache, renderer()).complete
    old = cache.entries()["vi/thousand"]
    assert old["text"] == "ngàn"

    north = load_config(
        write_config(
            tmp_path,
            **{r'^number_reading = "digits"': 'number_reading = "words"',
               r'^dialect = "south"': 'dialect = "north"'},
        )
    )  # fmt: skip
    google.asked.clear()
    report = build_cache(required_fragments(north), FragmentCache.for_config(north), renderer())
    changed = {"vi/thousand", "vi/linh"} | {f"vi/n{t}4" for t in range(2, 10)}  # tư, not bốn
    assert {f.id for f in report.rendered} == changed
    assert not (cache.cache_dir / old["file"]).exists()  # the stale clip is gone

    entry = cache.entries()["vi/n7"]
    clip = cache.cache_dir / entry["file"]
    clip.write_bytes(bytes(reversed(clip.read_bytes())))  # same size, wrong bytes: bit rot
    report = build_cache(required_fragments(north), FragmentCache.for_config(north), renderer())
    assert [f.id for f in report.rendered] == ["vi/n7"]
