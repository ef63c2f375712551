"""The event log: contract shape, append-only, ordered, pushed to in-process subscribers."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime

import pytest

from kiosk.queue import EVENT_TYPES, QueueEngine

EVENT_KEYS = {"id", "type", "at", "counter", "service", "ticket", "data"}


def test_event_shape_is_the_contract(engine: QueueEngine) -> None:
    engine.issue("ho-tich")
    called = engine.call_next("1")
    events = engine.events_after(0, 100)
    assert [e["type"] for e in events] == ["day_reset", "issued", "called"]
    for event in events:
        assert set(event) == EVENT_KEYS
        assert event["type"] in EVENT_TYPES
        assert isinstance(event["id"], int) and isinstance(event["data"], dict)
        assert event["at"].endswith("Z") and datetime.fromisoformat(event["at"])
    call = events[-1]
    assert (call["counter"], call["service"]) == ("1", "ho-tich")
    assert call["ticket"] == called  # the same dict as GET /api/v1/tickets/{id} gave then
    assert call["ticket"]["number"] == "A001"


def test_ids_strictly_increase_and_paging_misses_nothing(engine: QueueEngine) -> None:
    for _ in range(25):
        engine.issue("ho-tich")
    seen, after = [], 0
    while page := engine.events_after(after, 7):
        seen += [e["id"] for e in page]
        after = page[-1]["id"]
    assert seen == list(range(1, engine.last_event_id() + 1))


def test_the_log_is_append_only(engine: QueueEngine) -> None:
    engine.issue("ho-tich")
    conn = sqlite3.connect(engine.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE events SET type = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM events")
    conn.close()


def test_subscribers_get_each_commit_in_order(engine: QueueEngine) -> None:
    got: list[int] = []
    unsubscribe = engine.subscribe(lambda events: got.extend(e["id"] for e in events))
    threads = [threading.Thread(target=engine.issue, args=("ho-tich",)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == sorted(got) and len(got) == 8
    unsubscribe()
    engine.issue("ho-tich")
    assert len(got) == 8


def test_a_failing_subscriber_does_not_break_issuing(engine: QueueEngine) -> None:
    def broken(events: list[dict]) -> None:
        raise RuntimeError("display unplugged")

    engine.subscribe(broken)
    assert engine.issue("ho-tich")["number"] == "A001"


def test_wait_for_events_wakes_on_a_commit(engine: QueueEngine) -> None:
    head = engine.last_event_id()
    assert engine.wait_for_events(head, 0) == []
    result: list[dict] = []
    waiter = threading.Thread(target=lambda: result.extend(engine.wait_for_events(head, 60)))
    waiter.start()
    engine.issue("dat-dai")
    waiter.join(60)
    assert not waiter.is_alive()
    assert [e["type"] for e in result] == ["issued"]


def test_wait_for_events_returns_when_the_engine_closes(engine: QueueEngine) -> None:
    head = engine.last_event_id()
    result: list[list[dict]] = []
    waiter = threading.Thread(target=lambda: result.append(engine.wait_for_events(head, 60)))
    waiter.start()
    engine.close()
    waiter.join(60)
    assert result == [[]]
