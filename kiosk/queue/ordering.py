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


def oldest_waiting(
    conn: sqlite3.Connection, day: str, services: Sequence[str], *, priority: bool
) -> Candidate | None:
    marks = ",".join("?" * len(services))
    row = conn.execute(
        f"SELECT pk, id, service, priority FROM tickets "  # noqa: S608 - only '?' marks are spliced
        f"WHERE day = ? AND status = 'waiting' AND priority = ? AND service IN ({marks}) "
        "ORDER BY issued_at, pk LIMIT 1",
        (day, int(priority), *services),
    ).fetchone()
    return Candidate(row[0], row[1], row[2], bool(row[3])) if row else None


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
