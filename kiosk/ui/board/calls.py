"""What the hall board shows, as plain data: the recent calls (no Kivy, no network).

A call is a ``called`` or ``recalled`` event of the server (docs/api.md): one
line per ticket number, newest first; a recall or a transferred ticket called
at another counter moves its line to the top with the new counter. ``day_reset``
(local midnight) empties the board.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.queue.clock import from_iso

CALL_EVENTS = frozenset({"called", "recalled"})
# Events after which the waiting counts per service are read again.
WAITING_EVENTS = frozenset(
    {"issued", "called", "recalled", "transferred", "day_reset", "withdrawn"}
)


@dataclass(frozen=True)
class Call:
    event_id: int
    number: str
    counter: str
    service: str
    at: datetime  # aware UTC, the server's clock
    recall: bool


def call_of(event: Mapping[str, Any]) -> Call | None:
    """The call an event announces, or None (other event types, incomplete events)."""
    if event.get("type") not in CALL_EVENTS:
        return None
    ticket = event.get("ticket")
    if not isinstance(ticket, Mapping):
        return None
    number, counter = ticket.get("number"), event.get("counter")
    if not number or not counter:
        return None
    try:
        at = from_iso(str(event.get("at")))
    except (TypeError, ValueError):
        return None
    return Call(
        event_id=int(event.get("id") or 0),
        number=str(number),
        counter=str(counter),
        service=str(event.get("service") or ticket.get("service") or ""),
        at=at,
        recall=event.get("type") == "recalled",
    )


def is_today(event: Mapping[str, Any], day: str) -> bool:
    ticket = event.get("ticket")
    return isinstance(ticket, Mapping) and ticket.get("day") == day


class RecentCalls:
    """The last ``keep`` calls, newest first, one line per ticket number."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self._calls: list[Call] = []

    @property
    def calls(self) -> tuple[Call, ...]:
        return tuple(self._calls)

    @property
    def newest(self) -> Call | None:
        return self._calls[0] if self._calls else None

    def clear(self) -> None:
        self._calls.clear()

    def apply(self, event: Mapping[str, Any]) -> Call | None:
        """Take one server event; returns the call it made, if any."""
        if event.get("type") == "day_reset":
            self.clear()
            return None
        call = call_of(event)
        if call is None:
            return None
        self._calls = [call, *(c for c in self._calls if c.number != call.number)][: self.keep]
        return call
