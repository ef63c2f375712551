"""Counter actions (recall, no-show with grace, start, done), print results, ETA."""

from __future__ import annotations

import pytest

from kiosk.queue import IssueOrder, ManualClock, QueueEngine, errors

from .conftest import MakeEngine, types


def test_recall_repeats_the_current_call(engine: QueueEngine) -> None:
    engine.issue("dat-dai")
    engine.call_next("3")
    again = engine.recall("3")
    assert (again["status"], again["calls"], again["counter"]) == ("called", 2, "3")
    event = engine.events_after(0, 100)[-1]
    assert (event["type"], event["counter"], event["ticket"]["number"]) == ("recalled", "3", "C001")
    assert event["data"] == {"calls": 2, "from_no_show": False}
    with pytest.raises(errors.NoCurrentTicket):
        engine.recall("4")


def test_no_show_can_be_recalled_within_the_grace(engine: QueueEngine, clock: ManualClock) -> None:
    assert engine.cfg.queue.no_show_grace_minutes == 30
    engine.issue("dat-dai")
    engine.issue("dat-dai")
    missing = engine.call_next("3")
    marked = engine.no_show("3")
    assert (marked["status"], marked["finished_at"] is not None) == ("no_show", True)
    assert engine.counter_state("3")["no_shows"][0]["id"] == missing["id"]
    engine.call_next("3")  # C002 comes in meanwhile
    clock.advance(minutes=20)
    with pytest.raises(errors.CounterBusy):
        engine.recall("3", "C001")
    engine.done("3")
    back = engine.recall("3", "c001")  # by number, any case
    assert (back["id"], back["status"], back["calls"]) == (missing["id"], "called", 2)
    assert engine.events_after(0, 100)[-1]["data"]["from_no_show"] is True
    engine.done("3")
    assert engine.ticket(missing["id"])["status"] == "done"


def test_no_show_grace_expires(engine: QueueEngine, clock: ManualClock) -> None:
    ticket = engine.issue("dat-dai")
    engine.call_next("3")
    engine.no_show("3")
    clock.advance(minutes=31)
    with pytest.raises(errors.NotRecallable, match="more than 30 minutes"):
        engine.recall("3", ticket["id"])
    assert engine.counter_state("3")["no_shows"] == []


def test_no_show_is_not_recallable_the_next_day_or_elsewhere(
    engine: QueueEngine, clock: ManualClock
) -> None:
    ticket = engine.issue("dat-dai")
    engine.call_next("3")
    engine.no_show("3")
    with pytest.raises(errors.NotRecallable, match="does not serve"):
        engine.recall("1", ticket["id"])
    with pytest.raises(errors.NotRecallable, match="not a no-show"):
        engine.recall("3", engine.issue("dat-dai")["id"])
    with pytest.raises(errors.UnknownTicket):
        engine.recall("3", "C999")
    clock.advance(hours=24)
    with pytest.raises(errors.NotRecallable, match="earlier day"):
        engine.recall("3", ticket["id"])


def test_start_done_and_wrong_states(engine: QueueEngine, clock: ManualClock) -> None:
    with pytest.raises(errors.NoCurrentTicket):
        engine.done("3")
    engine.issue("dat-dai")
    engine.call_next("3")
    clock.advance(minutes=1)
    serving = engine.start("3")
    assert serving["status"] == "serving" and serving["serving_at"]
    assert engine.start("3") == serving  # idempotent
    with pytest.raises(errors.WrongState, match="serving"):
        engine.no_show("3")  # the citizen is at the counter
    clock.advance(minutes=6)
    done = engine.done("3")
    assert done["status"] == "done"
    assert engine.events_after(0, 100)[-1]["data"] == {"service_seconds": 360.0}
    assert types(engine)[-3:] == ["called", "serving", "done"]


def test_print_results_are_recorded_and_announced(engine: QueueEngine) -> None:
    ticket = engine.issue("ho-tich")
    failed = engine.record_print(ticket["id"], False, "hết giấy")
    assert (failed["print_status"], failed["print_error"]) == ("failed", "hết giấy")
    engine.record_print(ticket["id"], False, "hết giấy")  # same again: no second event
    ok = engine.record_print(ticket["id"], True, None)
    assert (ok["print_status"], ok["print_error"]) == ("ok", None)
    events = [e for e in engine.events_after(0, 100) if e["type"].startswith("print")]
    assert [e["type"] for e in events] == ["print_failed", "print_ok"]
    assert events[0]["data"] == {"error": "hết giấy"}
    with pytest.raises(errors.UnknownTicket):
        engine.record_print("nope", True)


def test_eta_uses_the_default_before_data(engine: QueueEngine) -> None:
    # ho-tich: default 8 min, 2 open counters (1 and 2).
    etas = [engine.issue("ho-tich")["eta_minutes"] for _ in range(4)]
    assert etas == [0, 4, 8, 12]
    service = engine.services()["services"][0]
    assert (service["id"], service["waiting"], service["eta_minutes"]) == ("ho-tich", 4, 16)
    assert (service["service_minutes"], service["open_counters"]) == (8.0, 2)
    engine.pause("2")
    assert engine.services()["services"][0]["eta_minutes"] == 32
    last = engine.issue("ho-tich")
    assert (last["ahead"], last["eta_minutes"]) == (4, 32)


def test_eta_follows_recent_service_times(make_engine: MakeEngine, clock: ManualClock) -> None:
    engine = make_engine(**{r"^eta_window = 20": "eta_window = 3"})
    for _ in range(6):
        engine.issue("dat-dai")
    for minutes in (20, 2, 4, 6):  # the first falls out of the window of 3
        engine.call_next("3")
        clock.advance(minutes=minutes)
        engine.done("3")
    waiting = engine.issue("dat-dai")
    assert waiting["ahead"] == 2
    assert waiting["eta_minutes"] == 8  # 2 ahead x 4 min average / 1 counter
    assert engine.services()["services"][2]["service_minutes"] == 4.0
    # A ticket left open over lunch is clipped, not averaged in at face value.
    engine.call_next("3")
    clock.advance(hours=5)
    engine.done("3")
    assert engine.services()["services"][2]["service_minutes"] == pytest.approx(
        (4 + 6 + 90) / 3, abs=0.1
    )


def test_priority_ticket_counts_only_priority_ahead(engine: QueueEngine) -> None:
    engine.issue("dat-dai")
    engine.issue("dat-dai")
    prio = engine.issue(IssueOrder("dat-dai", priority=True))
    later = engine.issue("dat-dai")
    assert engine.ticket(prio["id"])["ahead"] == 0
    assert engine.ticket(later["id"])["ahead"] == 3
