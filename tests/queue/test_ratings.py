"""Ratings: once per served ticket, within the window, stored privately; schema 1 -> 2."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from kiosk.queue import IssueOrder, ManualClock, QueueEngine, errors
from kiosk.queue.ratings import MAX_COMMENT, clean_comment
from kiosk.queue.schema import SCHEMA_VERSION, connect
from tests.queue.conftest import MakeEngine, types


def served(engine: QueueEngine, counter: str = "1", service: str = "ho-tich") -> dict:
    order = IssueOrder(service, lang="km", priority=True, priority_reason="pregnancy")
    ticket = engine.issue(order)
    engine.call_next(counter)
    engine.done(counter)
    return ticket


def test_a_served_ticket_is_rated_once(engine: QueueEngine) -> None:
    ticket = served(engine)
    before = engine.last_event_id()
    rating = engine.rate(ticket["id"], 4, reasons=["staff-attitude"], comment="Cảm ơn")
    assert (rating["score"], rating["counter"], rating["service"]) == (4, "1", "ho-tich")
    assert types(engine, before) == ["rated"]
    with pytest.raises(errors.AlreadyRated):
        engine.rate(ticket["id"], 1)
    row = sqlite3.connect(engine.path).execute("SELECT * FROM ratings").fetchall()
    assert len(row) == 1
    assert engine.follow(ticket["id"])["rating"] == {
        "open": False,
        "given": 4,
        "closes_at": engine.follow(ticket["id"])["rating"]["closes_at"],
    }


def test_no_rating_before_service_or_after_the_window(
    engine: QueueEngine, clock: ManualClock
) -> None:
    waiting = engine.issue(IssueOrder("ho-tich", lang="vi"))
    with pytest.raises(errors.NotRatable, match="not been served"):
        engine.rate(waiting["id"], 3)
    engine.call_next("1")
    with pytest.raises(errors.NotRatable):
        engine.rate(waiting["id"], 3)
    engine.no_show("1")
    with pytest.raises(errors.NotRatable):
        engine.rate(waiting["id"], 3)
    late = served(engine)
    clock.advance(hours=24, minutes=1)
    with pytest.raises(errors.NotRatable, match="closed"):
        engine.rate(late["id"], 3)
    assert engine.follow(late["id"])["rating"]["open"] is False


def test_bad_scores_reasons_and_comments_are_refused(engine: QueueEngine) -> None:
    ticket = served(engine)
    for score in (0, 5, True, 2.5, "3"):
        with pytest.raises(errors.InvalidRequest, match="score"):
            engine.rate(ticket["id"], score)  # type: ignore[arg-type]
    with pytest.raises(errors.InvalidRequest, match="unknown reason"):
        engine.rate(ticket["id"], 3, reasons=["rude-guard"])
    with pytest.raises(errors.InvalidRequest, match="comment"):
        engine.rate(ticket["id"], 3, comment="x" * (MAX_COMMENT + 1))
    # Nothing was stored by the refusals: the ticket can still be rated.
    assert engine.rate(ticket["id"], 1)["score"] == 1


def test_comment_is_nfc_without_control_characters() -> None:
    text = "Hoa\u0300\x00\x1b[31m ok\r\nline\t2\n\n\n\nend"
    assert clean_comment(text) == "Hoà[31m ok\nline2\n\nend"
    assert clean_comment(" \x07 ") is None
    assert clean_comment("ក" * MAX_COMMENT) == "ក" * MAX_COMMENT


def test_a_comment_cannot_reorder_what_the_director_reads() -> None:
    # A right-to-left override would show "tốt rất" as its mirror image; an isolate or
    # a mark between letters would hide; what is left is NFC (the mark composes).
    assert clean_comment("\u202etốt rất\u202c ok") == "tốt rất ok"
    assert clean_comment("a\u2067b\u2069c\u200fd\u061ce\ufefff") == "abcdef"
    assert clean_comment("Hoa\u200e\u0300 \ud800x") == "Hoà x"
    assert clean_comment("ខ្ញុំ\u200bទៅ") == "ខ្ញុំ\u200bទៅ"  # Khmer's zero-width space stays


def test_a_transferred_ticket_is_rated_on_its_last_leg(engine: QueueEngine) -> None:
    ticket = engine.issue(IssueOrder("ho-tich", lang="vi"))
    engine.call_next("1")
    engine.transfer("1", "dat-dai")
    counter = next(c.id for c in engine.cfg.counters if "dat-dai" in c.services)
    engine.call_next(counter)
    engine.done(counter)
    view = engine.follow(ticket["id"])
    assert (view["status"], view["service"], view["transferred_from_service"]) == (
        "done",
        "dat-dai",
        "ho-tich",
    )
    rating = engine.rate(ticket["id"], 2)
    assert (rating["counter"], rating["service"]) == (counter, "dat-dai")


def test_terminal_rates_only_its_own_counters_tickets(engine: QueueEngine) -> None:
    ticket = served(engine, counter="1")
    with pytest.raises(errors.NotRatable, match="counter 2"):
        engine.rate(ticket["id"], 3, source="terminal", counter="2")
    assert engine.rate(ticket["id"], 3, source="terminal", counter="1")["source"] == "terminal"


def test_the_view_hides_what_only_staff_may_see(engine: QueueEngine) -> None:
    order = IssueOrder("ho-tich", lang="vi", priority=True, priority_reason="pregnancy")
    ticket = engine.issue(order)
    text = json.dumps(engine.follow(ticket["id"]))
    for secret in ("pregnancy", "priority_reason", "kiosk", "procedure"):
        assert secret not in text


def test_old_tickets_show_only_their_day(engine: QueueEngine, clock: ManualClock) -> None:
    ticket = served(engine)
    clock.advance(days=3)
    past = engine.follow(ticket["id"])
    assert (past["state"], past["status"]) == ("past", "done")
    clock.advance(days=5)
    assert set(engine.follow(ticket["id"])) == {"id", "day", "state", "version"}
    assert engine.follow(ticket["id"])["state"] == "expired"


def test_a_schema_1_database_gains_the_ratings_table(
    make_engine: MakeEngine, tmp_path: Path
) -> None:
    path = tmp_path / "queue.sqlite3"
    engine = make_engine()
    ticket = served(engine)
    engine.close()
    # Make the file what version 1 wrote: no ratings table, user_version 1.
    conn = connect(path)
    conn.execute("DROP TRIGGER ratings_never_deleted")
    conn.execute("DROP TABLE ratings")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    again = make_engine()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert again.rate(ticket["id"], 4)["score"] == 4
    assert again.ticket(ticket["id"])["number"] == ticket["number"]
