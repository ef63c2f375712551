"""Ticket numbers: prefix and band forms, one sequence per service per LOCAL day, limits."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.queue import IssueOrder, ManualClock, QueueEngine, errors
from kiosk.queue.numbering import capacity, format_number
from tests.conftest import write_config

from .conftest import MakeEngine, types


def test_prefix_and_band_formats(engine: QueueEngine) -> None:
    cfg = engine.cfg
    assert format_number(cfg.service("ho-tich"), 1) == "A001"
    assert format_number(cfg.service("ho-tich"), 999) == "A999"
    assert format_number(cfg.service("van-hoa-xa-hoi"), 1) == "5001"
    assert capacity(cfg.service("ho-tich")) == 999
    assert capacity(cfg.service("van-hoa-xa-hoi")) == 999
    with pytest.raises(ValueError):
        format_number(cfg.service("ho-tich"), 1000)


def test_each_service_counts_on_its_own(engine: QueueEngine) -> None:
    numbers = [
        engine.issue(s)["number"] for s in ("ho-tich", "ho-tich", "dat-dai", "van-hoa-xa-hoi")
    ]
    numbers += [engine.issue("van-hoa-xa-hoi")["number"], engine.issue("ho-tich")["number"]]
    assert numbers == ["A001", "A002", "C001", "5001", "5002", "A003"]


def test_numbering_restarts_at_local_midnight_not_utc(
    make_engine: MakeEngine, clock: ManualClock
) -> None:
    # 23:59:58 on 1 July in Hồ Chí Minh City is 16:59:58 UTC.
    clock.set(datetime(2025, 7, 1, 16, 59, 58, tzinfo=UTC))
    engine = make_engine()
    first = engine.issue("ho-tich")
    assert (first["number"], first["day"]) == ("A001", "2025-07-01")
    assert engine.issue("ho-tich")["number"] == "A002"
    before = engine.last_event_id()
    clock.advance(seconds=4)  # 00:00:02 local on 2 July, still 1 July in UTC
    second_day = engine.issue("ho-tich")
    assert (second_day["number"], second_day["day"]) == ("A001", "2025-07-02")
    assert types(engine, before)[:2] == ["day_reset", "issued"]
    reset = engine.events_after(before, 1)[0]
    assert reset["data"] == {"day": "2025-07-02", "archived": ["2025-07-01"]}
    # UTC midnight (07:00 local) changes nothing.
    clock.set(datetime(2025, 7, 2, 23, 59, 59, tzinfo=UTC))
    assert engine.issue("ho-tich")["number"] == "A001"  # 06:59:59 on 3 July, local
    clock.advance(seconds=2)
    after_utc_midnight = engine.issue("ho-tich")
    assert (after_utc_midnight["number"], after_utc_midnight["day"]) == ("A002", "2025-07-03")


def test_yesterday_is_archived_not_deleted(make_engine: MakeEngine, clock: ManualClock) -> None:
    engine = make_engine()
    old = engine.issue("ho-tich")
    engine.call_next("1")
    clock.advance(days=1)
    assert engine.issue("ho-tich")["number"] == "A001"
    # The old ticket is still there, unchanged, and its day is reported.
    assert engine.ticket(old["id"])["day"] == "2025-07-01"
    assert engine.report("2025-07-01")["totals"]["issued"] == 1
    # The new day starts with empty-handed counters.
    assert engine.counter_state("1")["current"] is None
    conn = sqlite3.connect(engine.path)
    with pytest.raises(sqlite3.DatabaseError, match="never deleted"):
        conn.execute("DELETE FROM tickets")
    days = conn.execute("SELECT day, archived_at IS NOT NULL FROM days ORDER BY day").fetchall()
    assert days == [("2025-07-01", 1), ("2025-07-02", 0)]
    conn.close()


def test_roll_day_emits_day_reset_at_midnight_without_traffic(
    make_engine: MakeEngine, clock: ManualClock
) -> None:
    engine = make_engine()
    assert engine.roll_day() is False  # the day was opened when the engine started
    clock.advance(days=1)
    assert engine.roll_day() is True
    assert engine.roll_day() is False
    assert types(engine)[-1] == "day_reset"


def test_band_exhaustion_is_an_error_not_a_wrap(
    make_engine: MakeEngine, clock: ManualClock
) -> None:
    engine = make_engine(**{r"^band = \[5001, 5999\]": "band = [5001, 5003]"})
    assert [engine.issue("van-hoa-xa-hoi")["number"] for _ in range(3)] == ["5001", "5002", "5003"]
    with pytest.raises(errors.NumbersExhausted, match="3 numbers"):
        engine.issue("van-hoa-xa-hoi")
    assert engine.services()["services"][4]["remaining_today"] == 0
    clock.advance(days=1)
    assert engine.issue("van-hoa-xa-hoi")["number"] == "5001"


def test_prefix_exhaustion(make_engine: MakeEngine) -> None:
    engine = make_engine(**{r'(prefix = "B"\n)width = 3': r"\1width = 1"})
    assert [engine.issue("chung-thuc")["number"] for _ in range(9)][-1] == "B9"
    with pytest.raises(errors.NumbersExhausted):
        engine.issue("chung-thuc")


def test_daily_limit(make_engine: MakeEngine) -> None:
    engine = make_engine(**{r"daily_limit = 300": "daily_limit = 2"})
    engine.issue("ho-tich")
    engine.issue("ho-tich")
    with pytest.raises(errors.DailyLimitReached, match="daily limit of 2"):
        engine.issue("ho-tich")
    assert engine.issue("chung-thuc")["number"] == "B001"  # other services go on
    conn = sqlite3.connect(engine.path)
    assert conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 3
    conn.close()


def test_kiosk_rate_limit(make_engine: MakeEngine, clock: ManualClock) -> None:
    engine = make_engine(**{r"^kiosk_rate_limit = \d+": "kiosk_rate_limit = 3"})
    for _ in range(3):
        engine.issue(IssueOrder("ho-tich", kiosk="kiosk-1"))
        clock.advance(seconds=5)
    with pytest.raises(errors.RateLimited) as caught:
        engine.issue(IssueOrder("ho-tich", kiosk="kiosk-1"))
    # The oldest of the three leaves the 60 s window 45 s from now.
    assert caught.value.retry_after == pytest.approx(45, abs=0.5)
    assert engine.issue(IssueOrder("ho-tich", kiosk="kiosk-2"))["number"] == "A004"
    clock.advance(seconds=46)
    assert engine.issue(IssueOrder("ho-tich", kiosk="kiosk-1"))["number"] == "A005"


def test_a_clock_stepped_back_does_not_lock_a_kiosk_out(
    make_engine: MakeEngine, clock: ManualClock, tmp_path: Path
) -> None:
    """A server clock an hour fast (an RTC kept in local time) is corrected at 9:00.

    The morning's tickets carry the fast clock's times, later than now, and each new
    ticket of the service takes the time of the one before it (queue order): counted
    as "issued in the last minute", they refused the kiosk every ticket for the hour.
    A ticket issued after now counts as issued now: it leaves the window one window on.
    """
    limit = {r"^kiosk_rate_limit = \d+": "kiosk_rate_limit = 3"}
    engine = make_engine(**limit)
    clock.advance(hours=1)  # the fast clock
    for _ in range(3):
        engine.issue(IssueOrder("ho-tich", kiosk="kiosk-1"))
        clock.advance(seconds=10)
    clock.advance(hours=-1)  # NTP steps it back
    with pytest.raises(errors.RateLimited) as caught:  # the last minute's three still count
        engine.issue(IssueOrder("ho-tich", kiosk="kiosk-1"))
    assert caught.value.retry_after <= 60
    clock.advance(seconds=61)
    numbers = []
    for _ in range(3):
        numbers.append(engine.issue(IssueOrder("ho-tich", kiosk="kiosk-1"))["number"])
        clock.advance(seconds=10)
    assert numbers == ["A004", "A005", "A006"]
    with pytest.raises(errors.RateLimited):  # and the limit still holds
        engine.issue(IssueOrder("ho-tich", kiosk="kiosk-1"))
    engine.close()
    # A restart in the stepped-back hour counts the kiosk's tickets from the database.
    restarted = QueueEngine(
        load_config(write_config(tmp_path, **limit)), tmp_path / "queue.sqlite3", clock=clock
    )
    try:
        with pytest.raises(errors.RateLimited):
            restarted.issue(IssueOrder("ho-tich", kiosk="kiosk-1"))
        clock.advance(seconds=61)
        assert restarted.issue(IssueOrder("ho-tich", kiosk="kiosk-1"))["number"] == "A007"
    finally:
        restarted.close()


def test_bad_requests_are_clear_errors(engine: QueueEngine) -> None:
    with pytest.raises(errors.UnknownService, match="no service 'passport'"):
        engine.issue("passport")
    with pytest.raises(errors.InvalidRequest, match="language"):
        engine.issue(IssueOrder("ho-tich", lang="fr"))
    with pytest.raises(errors.InvalidRequest, match="not a priority ticket"):
        engine.issue(IssueOrder("ho-tich", priority_reason="elderly"))
    with pytest.raises(errors.InvalidRequest, match="unknown priority reason"):
        engine.issue(IssueOrder("ho-tich", priority=True, priority_reason="vip"))
    assert engine.issue("ho-tich")["number"] == "A001"  # nothing was used up


def test_ticket_fields(engine: QueueEngine) -> None:
    t = engine.issue(
        IssueOrder(
            "ho-tich",
            priority=True,
            priority_reason="elderly",
            lang="km",
            procedure="1.001193",
            kiosk="k2",
        )
    )
    assert len(t["id"]) == 22 and t["id"].replace("-", "").replace("_", "").isalnum()
    assert t["issued_at"].endswith("Z") and datetime.fromisoformat(t["issued_at"])
    assert {k: t[k] for k in ("number", "service", "priority", "priority_reason", "lang")} == {
        "number": "A001",
        "service": "ho-tich",
        "priority": True,
        "priority_reason": "elderly",
        "lang": "km",
    }
    assert (t["procedure"], t["kiosk"], t["status"], t["print_status"]) == (
        "1.001193",
        "k2",
        "waiting",
        "pending",
    )
    assert engine.ticket(t["id"]) == t
    with pytest.raises(errors.UnknownTicket):
        engine.ticket("no-such-ticket")


def test_a_second_engine_on_the_same_file_continues_the_sequence(tmp_path, clock) -> None:
    cfg = load_config(write_config(tmp_path))
    first = QueueEngine(cfg, tmp_path / "q.sqlite3", clock=clock)
    first.issue("ho-tich")
    first.close()
    second = QueueEngine(cfg, tmp_path / "q.sqlite3", clock=clock)
    assert second.issue("ho-tich")["number"] == "A002"
    second.close()
