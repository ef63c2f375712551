"""Phones' long-polls cost nothing per issued ticket; a moved line is read once for all its phones.

Through a real server (in this process, real HTTP): the watch's own counters
say how often the engine's commits reached it (``changes``) and how many
database snapshots it read for the phones (``reads``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.server.phone import watch
from kiosk.server.phone.watch import Seen, TicketWatch
from tests.console.centre import Centre, running_centre
from tests.phone.helpers import counter, until


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Centre]:
    with running_centre(tmp_path) as c:
        yield c


class Phones:
    """Pages following tickets: each long-polls its ticket from a thread of its own."""

    def __init__(self, centre: Centre, pool: ThreadPoolExecutor) -> None:
        self.centre, self.pool = centre, pool
        self.versions: dict[str, str] = {}

    def open(self, ticket: dict[str, Any]) -> None:
        first = requests.get(f"{self.centre.url}/t/{ticket['id']}/live", timeout=10).json()
        self.versions[ticket["id"]] = first["version"]

    def follow(self, ticket: dict[str, Any]) -> Future[dict[str, Any]]:
        """The page's next long-poll, from the version it shows now."""
        url = f"{self.centre.url}/t/{ticket['id']}/live"
        params: dict[str, str | int] = {"v": self.versions[ticket["id"]], "wait": 30, "lang": "en"}

        def poll() -> dict[str, Any]:
            answer = requests.get(url, params=params, timeout=40).json()
            self.versions[ticket["id"]] = answer["version"]
            return answer

        return self.pool.submit(poll)


def test_issuing_costs_the_phones_nothing_and_a_call_is_one_read_for_its_line(
    centre: Centre,
) -> None:
    assert centre.handle is not None
    phones_watch: TicketWatch = centre.handle.app.state.ticket_watch
    first, second, third = (centre.issue("ho-tich", lang="en") for _ in range(3))
    land = centre.issue("dat-dai", lang="en")
    with ThreadPoolExecutor(4) as pool:
        phones = Phones(centre, pool)
        for ticket in (first, second, third, land):
            phones.open(ticket)
        polls = {t["id"]: phones.follow(t) for t in (first, second, third, land)}
        until(lambda: phones_watch.waiting() == 4, "four phones parked")
        changes, reads = phones_watch.changes, phones_watch.reads

        for n in range(20):  # the kiosks go on issuing in both lines
            centre.issue(("ho-tich", "dat-dai")[n % 2])
        # Nothing any phone shows changed: the commits never reached the watch.
        assert (phones_watch.changes, phones_watch.reads) == (changes, reads)
        assert phones_watch.waiting() == 4 and not any(p.done() for p in polls.values())

        counter(centre, "1", "next")  # calls the first: the two behind it move up
        answers = {t["id"]: polls[t["id"]].result(timeout=10) for t in (first, second, third)}
        assert answers[first["id"]]["status"] == "called"
        assert "counter 1" in answers[first["id"]]["html"].lower()
        assert "You are next" in answers[second["id"]]["html"]
        assert "1 person ahead of you" in answers[third["id"]]["html"]
        # One read for the called ticket's own phone, one snapshot for its whole line.
        assert phones_watch.reads == reads + 2
        # The other line did not move: its phone was neither read nor answered.
        assert phones_watch.waiting() == 1 and not polls[land["id"]].done()

        # A priority ticket goes ahead of the regular ones still waiting.
        moved = {t["id"]: phones.follow(t) for t in (second, third)}
        until(lambda: phones_watch.waiting() == 3, "the phones parked again")
        reads = phones_watch.reads
        centre.issue("ho-tich", lang="en", priority=True, priority_reason="elderly")
        assert "1 person ahead of you" in moved[second["id"]].result(timeout=10)["html"]
        assert "2 people ahead of you" in moved[third["id"]].result(timeout=10)["html"]
        assert phones_watch.reads == reads + 1

        counter(centre, "3", "next")  # the land line moves at last
        assert polls[land["id"]].result(timeout=10)["status"] == "called"


def _watch(loop: asyncio.AbstractEventLoop, views: dict[str, Any]) -> TicketWatch:
    def read(ids: list[str]) -> dict[str, Any]:
        return {i: views.get(i) for i in ids}

    return TicketWatch(loop, read, ThreadPoolExecutor(1), ttl=3600)


def test_the_change_tracker_stays_bounded_and_never_reuses_a_view_from_before_a_reset() -> None:
    loop = asyncio.new_event_loop()
    try:
        tracker = _watch(loop, {})
        view = {"version": "1", "status": "waiting", "state": "today", "service": "A"}
        tracker._wake({"id:A001"})
        tracker._remember("A001", Seen(view, tracker.changes))
        assert tracker._cached("A001") == Seen(view, 1)
        tracker._wake({"svc:B"})  # another line: still the same view
        assert tracker._cached("A001") == Seen(view, 1)

        for n in range(watch.MAX_KEYS + 10):  # a year of tickets, each changed once
            tracker._wake({f"id:T{n}"})
        assert len(tracker._touched) <= watch.MAX_KEYS + 1
        assert tracker._cached("A001") is None  # read before the reset: never reused
    finally:
        loop.close()


def test_a_phone_that_parks_after_its_ticket_changed_is_not_left_waiting() -> None:
    """The event came between the phone's read and its parking: it reads again at once."""
    loop = asyncio.new_event_loop()
    try:
        tracker = _watch(loop, {})
        view = {"version": "1", "status": "waiting", "state": "today", "service": "A"}
        seen = Seen(view, tracker.changes)
        tracker._wake({"svc:A"})
        assert loop.run_until_complete(tracker.next("A001", seen, 30)) is None
        assert tracker.waiting() == 0
    finally:
        loop.close()


def test_only_what_changes_a_page_names_a_key() -> None:
    def keys(kind: str, **extra: Any) -> set[str]:
        event: Any = {"type": kind, "service": "S", "ticket": {"id": "T", "service": "S"}, **extra}
        return watch.keys_of(event)

    assert keys("issued") == set()  # at the back of its line
    assert keys("issued", ticket={"id": "T", "service": "S", "priority": 1}) == {"id:T", "svc:S"}
    assert keys("called") == {"id:T", "svc:S"}  # everyone behind it moves up
    for own in ("recalled", "serving", "no_show", "done"):
        assert keys(own) == {"id:T"}, own
    assert keys("rated", ticket=None, data={"ticket": "T"}) == {"id:T"}
    assert keys("print_failed") == set()
    moved = keys("transferred", data={"from_ticket": "F", "from_service": "R"})
    assert moved == {"id:T", "id:F", "svc:S"}  # lands inside its new line, leaves none
    assert keys("counter_paused", ticket=None) == {"*"}
