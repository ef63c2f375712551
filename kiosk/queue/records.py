"""The queue's records as clients see them: one definition, typed.

:class:`Ticket` is what ``GET /api/v1/tickets/{id}`` (staff view), the issue and
counter endpoints and every event snapshot carry; the HTTP API's ``TicketOut``
model is built from it (kiosk/server/models.py), so the two cannot drift.
:class:`Event` is one entry of the append-only event log.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypedDict, get_args


@dataclass(frozen=True, slots=True)
class IssueOrder:
    """One request for a number: what ``QueueEngine.issue`` and ``issue_soon`` take.

    The server builds it once from the HTTP body (kiosk/server/deps.py ``issue_call``);
    a new field of a ticket request is added here and read where it is used.
    """

    service: str
    priority: bool = False
    priority_reason: str | None = None  # a queue.priority_reasons id; needs priority
    lang: str = "vi"
    procedure: str | None = None  # catalogue code of the procedure the citizen chose
    kiosk: str | None = None  # None: this centre's own kiosk (config kiosk.id)
    idempotency_key: str | None = None  # a repeat with the same key gets the same ticket


TicketStatus = Literal[
    "waiting", "called", "serving", "done", "no_show", "transferred", "withdrawn"
]
PrintStatus = Literal["pending", "ok", "failed"]


class Ticket(TypedDict):
    id: str
    number: str
    service: str
    priority: bool
    priority_reason: str | None
    lang: str
    procedure: str | None
    kiosk: str | None
    day: str
    issued_at: str
    called_at: str | None
    last_called_at: str | None
    serving_at: str | None
    finished_at: str | None
    counter: str | None
    status: TicketStatus
    calls: int
    print_status: PrintStatus
    print_error: str | None
    transferred_from: str | None
    transferred_to: str | None
    ahead: int | None
    eta_minutes: int | None


class Event(TypedDict):
    id: int
    type: str
    at: str
    counter: str | None
    service: str | None
    ticket: Ticket | None  # the ticket as it was right after the event
    data: dict[str, Any]


# A tickets-table row, as read (sqlite3.Row) or as just written (a dict of its columns).
Leg = sqlite3.Row | Mapping[str, Any]

# The columns of the tickets table a Ticket shows as they are stored.
STORED = tuple(k for k in Ticket.__annotations__ if k not in ("priority", "ahead", "eta_minutes"))
STATUSES: tuple[str, ...] = get_args(TicketStatus)


def ticket_from_row(row: Leg, *, ahead: int | None, eta_minutes: int | None) -> Ticket:
    """A tickets-table row as a Ticket (``ahead``/``eta_minutes`` only while waiting today)."""
    record: dict[str, Any] = {name: row[name] for name in STORED}
    record["priority"] = bool(row["priority"])
    record["ahead"] = ahead
    record["eta_minutes"] = eta_minutes
    return record  # type: ignore[return-value]  # every key of Ticket is set above
