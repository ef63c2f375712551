"""The maintained position counters agree with a brute-force count (issue 20).

People ahead, waiting and issued counts come from counters kept in the same
transaction as each change (kiosk/queue/positions.py). Random days of issuing,
calling, transfers, recalls, no-shows, withdrawals, pauses, a clock that stands still,
jumps or steps back, and midnight are checked after every step against a
count over the whole tickets table, with the ordering rule written out.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.config import load_config
from kiosk.queue import IssueOrder, ManualClock, QueueEngine, errors
from kiosk.queue.schema import connect
from tests.conftest import write_config

from .conftest import MORNING, MakeEngine

SERVICES = ("ho-tich", "chung-thuc", "dat-dai", "kinh-doanh-cu-tru")
COUNTERS = ("1", "2", "3", "4")

step = st.one_of(
    st.tuples(
        st.just("issue"), st.sampled_from(SERVICES), st.tuples(st.booleans(), st.integers(0, 9))
    ),
    st.tuples(st.just("withdraw"), st.integers(0, 9), st.none()),
    st.tuples(st.just("next"), st.sampled_from(COUNTERS), st.none()),
    st.tuples(st.just("start"), st.sampled_from(COUNTERS), st.none()),
    st.tuples(st.just("done"), st.sampled_from(COUNTERS), st.none()),
    st.tuples(st.just("no_show"), st.sampled_from(COUNTERS), st.none()),
    st.tuples(st.just("recall"), st.sampled_from(COUNTERS), st.none()),
    st.tuples(st.just("transfer"), st.sampled_from(COUNTERS), st.sampled_from(SERVICES)),
    st.tuples(st.just("pause"), st.sampled_from(COUNTERS), st.booleans()),
    st.tuples(st.just("clock"), st.none(), st.sampled_from((0, 0, 1, 1, 60, -5, 86_400))),
)


def brute_ahead(conn: sqlite3.Connection, leg: sqlite3.Row) -> int:
    """People before ``leg``: priority first, then by original issue time, then by pk."""
    return int(
        conn.execute(
            "SELECT count(*) FROM tickets WHERE day = ? AND status = 'waiting' "
            "AND service = ? AND pk != ? AND (priority > ? OR (priority = ? AND "
            "(issued_at < ? OR (issued_at = ? AND pk < ?))))",
            (
                leg["day"],
                leg["service"],
                leg["pk"],
                leg["priority"],
                leg["priority"],
                leg["issued_at"],
                leg["issued_at"],
                leg["pk"],
            ),
        ).fetchone()[0]
    )


def play(engine: QueueEngine, clock: ManualClock, action: str, arg: object, extra: object) -> None:
    try:
        if action == "issue":
            priority, key = extra  # type: ignore[misc]
            engine.issue(IssueOrder(str(arg), priority=priority, idempotency_key=f"key-{key}"))
        elif action == "withdraw":
            engine.withdraw(None, f"key-{arg}")
        elif action == "next":
            engine.call_next(str(arg))
        elif action == "start":
            engine.start(str(arg))
        elif action == "done":
            engine.done(str(arg))
        elif action == "no_show":
            engine.no_show(str(arg))
        elif action == "recall":
            shows = engine.counter_state(str(arg))["no_shows"]
            engine.recall(str(arg), shows[0]["id"] if shows else None)
        elif action == "transfer":
            engine.transfer(str(arg), str(extra))
        elif action == "pause":
            (engine.pause if extra else engine.resume)(str(arg))
        elif action == "clock":
            clock.advance(seconds=int(extra))  # type: ignore[call-overload]
    except errors.QueueError:
        pass  # refused steps (nothing in hand, paused, ...) change nothing


def check(engine: QueueEngine, conn: sqlite3.Connection) -> None:
    day = engine.today()
    waiting = conn.execute(
        "SELECT * FROM tickets WHERE day = ? AND status = 'waiting'", (day,)
    ).fetchall()
    for leg in waiting:
        assert engine.ticket(leg["id"])["ahead"] == brute_ahead(conn, leg), dict(leg)
    listed = {s["id"]: s for s in engine.services()["services"]}
    for service in listed:
        n = sum(1 for leg in waiting if leg["service"] == service)
        issued = conn.execute(
            "SELECT count(*) FROM tickets WHERE day = ? AND origin_service = ? "
            "AND transferred_from IS NULL",
            (day, service),
        ).fetchone()[0]
        assert (listed[service]["waiting"], listed[service]["issued_today"]) == (n, issued)
    for counter in COUNTERS:
        state = engine.counter_state(counter)
        for service, n in state["waiting"].items():
            assert n == listed[service]["waiting"]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(step, min_size=5, max_size=45))
def test_positions_match_a_brute_force_count(steps: list[tuple[str, object, object]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clock = ManualClock(MORNING)
        cfg = load_config(
            write_config(Path(tmp), **{r"^kiosk_rate_limit = \d+": "kiosk_rate_limit = 1000"})
        )
        engine = QueueEngine(cfg, Path(tmp) / "queue.sqlite3", clock=clock)
        conn = connect(Path(tmp) / "queue.sqlite3")
        try:
            for action, arg, extra in steps:
                play(engine, clock, action, arg, extra)
                check(engine, conn)
        finally:
            conn.close()
            engine.close()


def test_calls_follow_the_positions_the_tickets_were_given(
    engine: QueueEngine, clock: ManualClock
) -> None:
    """A transferred ticket keeps its place; its people ahead shrink as calls go by."""
    first = engine.issue("ho-tich")
    clock.advance(seconds=30)
    later = [engine.issue("dat-dai") for _ in range(3)]
    engine.call_next("1")
    moved = engine.transfer("1", "dat-dai")  # issued before every dat-dai ticket: goes first
    assert moved["ahead"] == 0
    assert [engine.ticket(t["id"])["ahead"] for t in later] == [1, 2, 3]
    assert engine.call_next("3")["id"] == moved["id"]
    assert [engine.ticket(t["id"])["ahead"] for t in later] == [0, 1, 2]
    assert first["id"] != moved["id"]


def test_an_older_database_gets_its_counters_on_opening(
    make_engine: MakeEngine, tmp_path: Path
) -> None:
    engine = make_engine()
    tickets = [engine.issue(IssueOrder("dat-dai", priority=i % 2 == 1)) for i in range(5)]
    engine.call_next("3")
    engine.close()
    # Make the file what version 2 wrote: no counters, no qpos.
    conn = sqlite3.connect(tmp_path / "queue.sqlite3")
    conn.execute("DROP TABLE queue_classes")
    conn.execute("DROP INDEX tickets_class")
    conn.execute("ALTER TABLE tickets DROP COLUMN qpos")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    reopened = make_engine()
    ahead = [reopened.ticket(t["id"])["ahead"] for t in tickets]
    assert ahead == [1, None, 2, 0, 3]  # the first priority ticket was called
    assert reopened.services()["services"][2]["waiting"] == 4


def test_a_clock_stepped_back_never_puts_a_later_ticket_first(
    engine: QueueEngine, clock: ManualClock, tmp_path: Path
) -> None:
    first = engine.issue("dat-dai")
    clock.advance(seconds=-5)  # NTP steps the clock back
    second = engine.issue("dat-dai")
    assert second["issued_at"] == first["issued_at"]
    assert [engine.ticket(t["id"])["ahead"] for t in (first, second)] == [0, 1]
    conn = connect(tmp_path / "queue.sqlite3")
    try:
        check(engine, conn)
    finally:
        conn.close()
    assert [engine.call_next("3")["id"] for _ in range(2)] == [first["id"], second["id"]]
