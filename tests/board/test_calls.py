"""The board without Kivy: recent calls from events, and the event feed against a real server."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.client import CentreClient
from kiosk.ui.board.calls import RecentCalls, call_of
from kiosk.ui.board.feed import BoardFeed, Update
from tests.console.centre import BOARD_TOKEN, Centre, running_centre


def event(kind: str, number: str, counter: str = "1", id_: int = 1, **extra: Any) -> dict:
    return {
        "id": id_,
        "type": kind,
        "at": "2026-07-01T02:00:00.000000Z",
        "counter": counter,
        "service": "ho-tich",
        "ticket": {"id": f"t-{number}", "number": number, "day": "2026-07-01"},
        "data": {},
        **extra,
    }


def test_recent_calls_newest_first_one_line_per_number() -> None:
    recent = RecentCalls(keep=3)
    for i, (number, counter) in enumerate([("A001", "1"), ("B001", "2"), ("A002", "1")]):
        assert recent.apply(event("called", number, counter, i + 1)) is not None
    assert recent.apply(event("done", "A001", "1", 4)) is None
    assert [c.number for c in recent.calls] == ["A002", "B001", "A001"]
    # A recall moves the line to the top; a transferred ticket called elsewhere keeps one line.
    call = recent.apply(event("recalled", "A001", "3", 5))
    assert call is not None and call.recall and call.counter == "3"
    assert [(c.number, c.counter) for c in recent.calls] == [
        ("A001", "3"),
        ("A002", "1"),
        ("B001", "2"),
    ]
    recent.apply(event("called", "C001", "3", 6))
    assert [c.number for c in recent.calls] == ["C001", "A001", "A002"]  # keeps 3
    recent.apply({"id": 7, "type": "day_reset", "data": {"day": "2026-07-02"}})
    assert recent.calls == ()


def test_incomplete_events_are_not_calls() -> None:
    assert call_of({"type": "called", "counter": "1"}) is None
    assert call_of({"type": "called", "ticket": {"number": "A001"}}) is None
    assert call_of({**event("called", "A001"), "at": "not a time"}) is None
    assert call_of(event("issued", "A001")) is None
    found = call_of(event("called", "A001", "2", 9))
    assert found is not None and (found.number, found.counter, found.event_id) == ("A001", "2", 9)


class Collector:
    """What the feed posts, as the UI thread would receive it."""

    def __init__(self) -> None:
        self.updates: queue.Queue[Update] = queue.Queue()

    def __call__(self, update: Update) -> None:
        self.updates.put(update)

    def next(self, kind: str, timeout: float = 60.0) -> Update:
        while True:
            update = self.updates.get(timeout=timeout)
            if update.kind == kind:
                return update


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Centre]:
    with running_centre(tmp_path) as c:
        yield c


def start_feed(centre: Centre, token: str = BOARD_TOKEN) -> tuple[BoardFeed, Collector]:
    posted = Collector()
    feed = BoardFeed(CentreClient(centre.url, token), posted, wait=5, retry_max=0.5)
    feed.start()
    return feed, posted


def test_feed_replays_today_then_follows_live(centre: Centre) -> None:
    assert centre.handle is not None
    engine = centre.handle.engine
    centre.issue("ho-tich")
    centre.issue("chung-thuc")
    engine.call_next("1")
    feed, posted = start_feed(centre)
    try:
        first = posted.next("connected")
        assert first.reset and first.info and first.info["centre"]["id"] == "lich-hoi-thuong"
        assert [e["ticket"]["number"] for e in first.events if e["type"] == "called"] == ["A001"]
        services = posted.next("services").services
        assert {s["id"]: s["waiting"] for s in services}["chung-thuc"] == 1

        engine.call_next("2")
        live = posted.next("events")
        assert [(e["type"], e["counter"]) for e in live.events] == [("called", "2")]
        assert live.events[0]["ticket"]["number"] == "B001"
        # Waiting counts follow the call (read after the call was handed over).
        services = posted.next("services").services
        assert {s["id"]: s["waiting"] for s in services}["chung-thuc"] == 0
    finally:
        feed.stop()


def test_feed_survives_a_server_restart_without_missing_a_call(centre: Centre) -> None:
    feed, posted = start_feed(centre)
    try:
        posted.next("connected")
        centre.stop()
        assert posted.next("offline").reason
        centre.start()  # same database: the log goes on
        assert centre.handle is not None
        centre.issue("dat-dai")
        centre.handle.engine.call_next("3")
        again = posted.next("connected")
        assert not again.reset  # the calls on screen stay
        got: list[str] = []
        while "called" not in got:
            got += [e["type"] for e in posted.next("events").events]
        assert got[-2:] == ["issued", "called"]
    finally:
        feed.stop()


def test_feed_starts_over_when_the_server_has_a_new_log(tmp_path: Path) -> None:
    with running_centre(tmp_path) as old:
        for _ in range(3):
            old.issue("ho-tich")
        feed, posted = start_feed(old)
        try:
            posted.next("connected")
            port = old.port
            old.stop()
            posted.next("offline")
            # A new, empty database behind the same address.
            old.db = tmp_path / "new.sqlite3"
            old.port = port
            old.start()
            again = posted.next("connected")
            assert again.reset
            assert feed.last_event is not None and feed.last_event <= 1
        finally:
            feed.stop()


def test_feed_reports_a_refused_token_once(centre: Centre) -> None:
    feed, posted = start_feed(centre, token="not-the-board-token")
    try:
        refused = posted.next("refused")
        assert "401" in refused.reason
    finally:
        feed.stop()
    assert posted.updates.empty()


def test_feed_stops_promptly_during_a_long_poll(centre: Centre) -> None:
    feed, posted = start_feed(centre)
    posted.next("connected")
    stopper = threading.Thread(target=feed.stop, kwargs={"timeout": 1.0})
    stopper.start()
    stopper.join(3)
    assert not stopper.is_alive()
