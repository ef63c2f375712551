"""A number the kiosk gave up on leaves the queue as ``withdrawn`` (schema 4).

The kiosk's issue request reached the server, but the answer came too late: the
citizen was told there is no number. The kiosk then withdraws the ticket by its
Idempotency-Key; nobody is ahead of or behind it any more, and reports tell it
apart from no-shows and served tickets.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from kiosk.queue import IssueOrder, ManualClock, QueueEngine, errors
from kiosk.queue.schema import SCHEMA_VERSION, STATUSES, connect

from .conftest import MakeEngine
from .test_positions import check

# Written by schema 3 (the code before this change) with kiosk-1 and keys
# v3-key-0..3 for C001..C004 of dat-dai at MORNING; C001 was called at counter 3.
V3_FILE = Path(__file__).parent / "data" / "queue-v3.sqlite3"


def issue(engine: QueueEngine, key: str, *, priority: bool = False, service: str = "dat-dai"):
    return engine.issue(
        IssueOrder(service, priority=priority, kiosk="kiosk-1", idempotency_key=key)
    )


def test_a_withdrawn_ticket_leaves_the_queue_and_the_others_move_up(
    engine: QueueEngine, tmp_path: Path
) -> None:
    tickets = [issue(engine, f"key-{i}", priority=i == 3) for i in range(5)]
    waiting_before = engine.services()["services"][2]["waiting"]
    assert [engine.ticket(t["id"])["ahead"] for t in tickets] == [1, 2, 3, 0, 4]

    gone = engine.withdraw("kiosk-1", "key-1")

    assert gone["id"] == tickets[1]["id"] and gone["status"] == "withdrawn"
    assert gone["ahead"] is None
    assert engine.services()["services"][2]["waiting"] == waiting_before - 1
    assert [engine.ticket(t["id"])["ahead"] for t in tickets] == [1, None, 2, 0, 3]
    engine.withdraw("kiosk-1", "key-3")  # the priority one: everyone regular moves up
    assert [engine.ticket(t["id"])["ahead"] for t in tickets] == [0, None, 1, None, 2]
    conn = connect(tmp_path / "queue.sqlite3")
    try:
        check(engine, conn)
        # Calls skip it: the counter gets the next one who holds a number.
        assert [engine.call_next("3")["id"] for _ in range(3)] == [
            tickets[0]["id"],
            tickets[2]["id"],
            tickets[4]["id"],
        ]
        check(engine, conn)
    finally:
        conn.close()
    assert engine.call_next("3") is None
    assert "withdrawn" in [e["type"] for e in engine.events_after(0, 1000)]


def test_withdrawing_twice_answers_the_same_and_changes_nothing(engine: QueueEngine) -> None:
    issue(engine, "key-a")
    first = engine.withdraw("kiosk-1", "key-a")
    events = engine.last_event_id()
    assert engine.withdraw("kiosk-1", "key-a") == first
    assert engine.last_event_id() == events


def test_no_ticket_under_that_key_is_not_found(engine: QueueEngine) -> None:
    issue(engine, "key-a")
    with pytest.raises(errors.NotFound):
        engine.withdraw("kiosk-1", "key-never-sent")
    with pytest.raises(errors.NotFound):  # another kiosk's key
        engine.withdraw("kiosk-2", "key-a")
    assert engine.services()["services"][2]["waiting"] == 1


def test_a_called_ticket_stays_with_the_counter(engine: QueueEngine) -> None:
    called = issue(engine, "key-a")
    engine.call_next("3")
    with pytest.raises(errors.WrongState):
        engine.withdraw("kiosk-1", "key-a")
    engine.no_show("3")  # called, then a no-show: still not the kiosk's to take back
    with pytest.raises(errors.WrongState):
        engine.withdraw("kiosk-1", "key-a")
    assert engine.ticket(called["id"])["status"] == "no_show"


def test_yesterdays_key_is_not_found(engine: QueueEngine, clock: ManualClock) -> None:
    issue(engine, "key-a")
    clock.advance(days=1)
    with pytest.raises(errors.NotFound):
        engine.withdraw("kiosk-1", "key-a")


def test_reports_count_withdrawn_apart(engine: QueueEngine) -> None:
    for i in range(3):
        issue(engine, f"key-{i}")
    engine.call_next("3")
    engine.no_show("3")
    engine.withdraw("kiosk-1", "key-2")
    totals = engine.report(engine.today())["totals"]
    assert (totals["issued"], totals["no_shows"], totals["unserved"], totals["withdrawn"]) == (
        3,
        1,
        1,
        1,
    )


def test_a_schema_3_file_is_rebuilt_with_the_new_status(
    make_engine: MakeEngine, tmp_path: Path
) -> None:
    db = tmp_path / "queue.sqlite3"
    shutil.copy(V3_FILE, db)
    with sqlite3.connect(db) as old:
        assert old.execute("PRAGMA user_version").fetchone()[0] == 3
        before = old.execute("SELECT * FROM tickets ORDER BY pk").fetchall()

    engine = make_engine()

    conn = connect(db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        assert [tuple(r) for r in conn.execute("SELECT * FROM tickets ORDER BY pk")] == before
        table = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'tickets'").fetchone()
        assert all(f"'{s}'" in table[0] for s in STATUSES)
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert {"tickets_queue", "tickets_class", "tickets_withdrawn"} <= indexes
        with pytest.raises(sqlite3.DatabaseError, match="never deleted"):
            conn.execute("DELETE FROM tickets")
        numbers = [r[0] for r in conn.execute("SELECT number FROM tickets ORDER BY pk")]
        gone = engine.withdraw("kiosk-1", "v3-key-2")
        assert gone["number"] == numbers[2] and gone["status"] == "withdrawn"
        with pytest.raises(errors.WrongState):
            engine.withdraw("kiosk-1", "v3-key-0")  # called before the upgrade
        check(engine, conn)
        assert engine.services()["services"][2]["waiting"] == 2
    finally:
        conn.close()
