"""Who is called next: priority with a cap, priority counters, oldest first, transfers."""

from __future__ import annotations

import pytest

from kiosk.queue import IssueOrder, ManualClock, QueueEngine, errors
from kiosk.queue.ordering import Candidate, pick

from .conftest import types


def _issue(engine: QueueEngine, clock: ManualClock, service: str, priority: bool = False) -> str:
    clock.advance(seconds=10)
    return engine.issue(IssueOrder(service, priority=priority))["number"]


def _calls(engine: QueueEngine, counter: str, n: int) -> list[str]:
    out = []
    for _ in range(n):
        ticket = engine.call_next(counter)
        out.append(ticket["number"] if ticket else None)
    return out


def test_oldest_first_across_the_counters_services(engine: QueueEngine, clock: ManualClock) -> None:
    for service in ("chung-thuc", "ho-tich", "chung-thuc", "dat-dai", "ho-tich"):
        _issue(engine, clock, service)
    # Counter 2 serves ho-tich and chung-thuc; dat-dai is not its business.
    assert _calls(engine, "2", 5) == ["B001", "A001", "B002", "A002", None]
    assert _calls(engine, "3", 2) == ["C001", None]


def test_priority_first_with_a_cap_on_consecutive_priority_calls(
    engine: QueueEngine, clock: ManualClock
) -> None:
    assert engine.cfg.queue.max_consecutive_priority == 2
    regular = [_issue(engine, clock, "ho-tich") for _ in range(3)]
    prio = [_issue(engine, clock, "ho-tich", priority=True) for _ in range(5)]
    assert regular == ["A001", "A002", "A003"] and prio[0] == "A004"
    # Counter 2 is a regular counter: two priority calls, then one regular, and so on.
    assert _calls(engine, "2", 9) == [
        "A004", "A005", "A001", "A006", "A007", "A002", "A008", "A003", None
    ]  # fmt: skip


def test_priority_counter_prefers_priority_while_others_serve_the_rest(
    engine: QueueEngine, clock: ManualClock
) -> None:
    for _ in range(2):
        _issue(engine, clock, "ho-tich")
    for _ in range(4):
        _issue(engine, clock, "ho-tich", priority=True)
    # Counter 1 (priority) does not apply the cap: counter 2 takes regular tickets.
    assert _calls(engine, "1", 3) == ["A003", "A004", "A005"]
    # Alone (counter 2 paused), the priority counter must not starve regular tickets.
    engine.pause("2")
    assert _calls(engine, "1", 3) == ["A001", "A006", "A002"]


def test_regular_counter_takes_priority_tickets_too(
    engine: QueueEngine, clock: ManualClock
) -> None:
    _issue(engine, clock, "dat-dai")
    _issue(engine, clock, "dat-dai", priority=True)
    assert _calls(engine, "3", 2) == ["C002", "C001"]


def test_transfer_keeps_its_place_by_original_issue_time(
    engine: QueueEngine, clock: ManualClock
) -> None:
    assert _issue(engine, clock, "ho-tich") == "A001"
    assert _issue(engine, clock, "dat-dai") == "C001"
    assert _issue(engine, clock, "dat-dai") == "C002"
    called = engine.call_next("1")
    moved = engine.transfer("1", "dat-dai")
    assert (moved["number"], moved["service"], moved["status"]) == ("A001", "dat-dai", "waiting")
    assert moved["issued_at"] == called["issued_at"] and moved["id"] != called["id"]
    assert moved["transferred_from"] == called["id"] and moved["ahead"] == 0
    old = engine.ticket(called["id"])
    assert (old["status"], old["transferred_to"]) == ("transferred", moved["id"])
    # A001 was issued before C001, so it goes first at the land counter.
    assert _calls(engine, "3", 3) == ["A001", "C001", "C002"]
    [event] = [e for e in engine.events_after(0, 1000) if e["type"] == "transferred"]
    assert (event["counter"], event["service"], event["ticket"]["id"]) == (
        "1",
        "dat-dai",
        moved["id"],
    )
    assert event["data"] == {
        "from_service": "ho-tich",
        "to_service": "dat-dai",
        "from_ticket": called["id"],
    }


def test_transfer_errors(engine: QueueEngine, clock: ManualClock) -> None:
    with pytest.raises(errors.NoCurrentTicket):
        engine.transfer("1", "dat-dai")
    _issue(engine, clock, "ho-tich")
    engine.call_next("1")
    with pytest.raises(errors.UnknownService):
        engine.transfer("1", "nowhere")
    with pytest.raises(errors.InvalidRequest, match="already in service"):
        engine.transfer("1", "ho-tich")


def test_next_finishes_the_current_ticket(engine: QueueEngine, clock: ManualClock) -> None:
    first = _issue(engine, clock, "dat-dai")
    _issue(engine, clock, "dat-dai")
    engine.call_next("3")
    before = engine.last_event_id()
    assert engine.call_next("3")["number"] == "C002"
    assert types(engine, before) == ["done", "called"]
    assert engine.events_after(before, 1)[0]["ticket"]["number"] == first
    assert engine.call_next("3") is None  # C002 done too, nobody left
    assert engine.counter_state("3")["current"] is None


def test_two_counters_never_get_the_same_ticket(engine: QueueEngine, clock: ManualClock) -> None:
    for _ in range(10):
        _issue(engine, clock, "ho-tich")
    called = [engine.call_next(c) for c in ("1", "2") * 6]
    numbers = [t["number"] for t in called if t]
    assert sorted(numbers) == [f"A{i:03d}" for i in range(1, 11)]


def test_paused_counter_cannot_call(engine: QueueEngine, clock: ManualClock) -> None:
    _issue(engine, clock, "dat-dai")
    state = engine.pause("3")
    assert state["paused"] is True
    with pytest.raises(errors.CounterPaused):
        engine.call_next("3")
    engine.pause("3")  # idempotent: no second event
    engine.resume("3")
    assert types(engine)[-2:] == ["counter_paused", "counter_resumed"]
    assert engine.call_next("3")["number"] == "C001"


def test_unknown_counter(engine: QueueEngine) -> None:
    for action in (
        engine.call_next,
        engine.done,
        engine.no_show,
        engine.pause,
        engine.counter_state,
    ):
        with pytest.raises(errors.UnknownCounter):
            action("99")


@pytest.mark.parametrize(
    ("streak", "cap_applies", "expected"),
    [(0, True, "p"), (1, True, "p"), (2, True, "r"), (5, False, "p")],
)
def test_pick_policy(streak: int, cap_applies: bool, expected: str) -> None:
    p = Candidate(1, "p", "s", True, "2025-07-01T02:00:00Z", issued=True)
    r = Candidate(2, "r", "s", False, "2025-07-01T02:00:00Z", issued=True)
    assert pick(p, r, streak=streak, cap=2, cap_applies=cap_applies).id == expected
    assert pick(None, r, streak=0, cap=2, cap_applies=True) is r
    assert pick(p, None, streak=9, cap=2, cap_applies=True) is p
    assert pick(None, None, streak=0, cap=2, cap_applies=True) is None
