"""Which waiting ticket a counter calls next.

Priority tickets (elderly, disability, pregnancy, small child, người có công)
go first, but after ``cap`` priority calls in a row a counter calls one regular
ticket so that nobody waits forever. A priority counter ignores the cap as long
as another open counter takes care of the regular ticket's service. Within each
group the oldest ticket (by original issue time) goes first.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    pk: int
    id: str
    service: str
    priority: bool
    issued_at: str
    issued: bool  # an issued leg, not a transferred-in one (see kiosk.queue.positions)


# The head of one service's line: one index seek. One query per service (rather
# than IN (...) ORDER BY) keeps it a seek however many wait, with one SQL text.
_HEAD = (
    "SELECT pk, id, service, priority, issued_at, transferred_from IS NULL FROM tickets "
    "WHERE day = ? AND status = 'waiting' AND service = ? AND priority = ? "
    "ORDER BY issued_at, pk LIMIT 1"
)


def oldest_waiting(
    conn: sqlite3.Connection, day: str, services: Sequence[str], *, priority: bool
) -> Candidate | None:
    heads = [
        Candidate(r[0], r[1], r[2], bool(r[3]), r[4], bool(r[5]))
        for service in services
        for r in conn.execute(_HEAD, (day, service, int(priority)))
    ]
    return min(heads, key=lambda c: (c.issued_at, c.pk), default=None)


def pick(
    priority_head: Candidate | None,
    regular_head: Candidate | None,
    *,
    streak: int,
    cap: int,
    cap_applies: bool,
) -> Candidate | None:
    """The ticket to call, given the oldest waiting of each kind and the priority streak."""
    if priority_head is None:
        return regular_head
    if regular_head is None:
        return priority_head
    if cap_applies and streak >= cap:
        return regular_head
    return priority_head
