"""The phone page's change tracker stays bounded over a long life and never serves a stale view."""

from __future__ import annotations

import asyncio

from kiosk.server.phone import watch
from kiosk.server.phone.watch import TicketWatch


def test_generations_stay_bounded_and_a_view_from_before_a_reset_is_not_reused() -> None:
    loop = asyncio.new_event_loop()
    try:
        tracker = TicketWatch(loop, ttl=3600)
        keys = ["id:A001", "svc:A"]
        tracker._wake({"id:A001"})
        tracker.remember("A001", keys, "old view", tracker.touches())
        assert tracker.cached("A001") == "old view"

        for n in range(watch.MAX_KEYS + 10):  # a year of tickets, each changed once
            tracker._wake({f"id:T{n}"})
        assert len(tracker._gen) <= watch.MAX_KEYS + 1

        # A001 changes once more after the reset: its generation is 1 again, as when the
        # old view was stamped; the old view must still not come back.
        tracker._wake({"id:A001"})
        assert tracker.cached("A001") is None
    finally:
        loop.close()
