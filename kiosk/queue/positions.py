"""Where a waiting ticket stands: people ahead, waiting and issued counts, without scans.

A *queue class* is one service's waiting line of one kind (priority or
regular) on one day; a counter calls the head of a class (the oldest by
original issue time, then by pk: :mod:`kiosk.queue.ordering`). Two kinds of
leg wait in a class:

* issued legs (``transferred_from IS NULL``) join in order: each gets its
  arrival number ``qpos`` = the class's ``arrived`` counter, and issue times
  never go backwards within a service (:func:`issue_time`). They leave only
  from the head, so the legs called so far (``departed``) are always the first
  ``departed`` arrivals. The issued legs waiting before a leg whose class rank
  is ``r`` (issued legs with an earlier place) are therefore ``max(0, r -
  departed)``: two counters, whatever the depth.
* transferred-in legs keep their original issue time and so land inside the
  line; they are few, and a partial index holds only those waiting, so
  counting the ones before a leg costs in the number of transfers waiting,
  not in the depth of the queue.

* withdrawn issued legs (a number the kiosk gave up on, never called) leave
  their class from anywhere in it; they are rare, and a partial index holds
  only those, so the called legs are the first ``departed`` arrivals that were
  not withdrawn, and the withdrawn ones before a leg are subtracted from it.

People ahead of a leg = everyone waiting in the service's priority class (for
a regular leg) + the issued legs and transferred-in legs waiting before it in
its own class. Every figure here is O(log n) in the number waiting.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from kiosk.queue.records import Leg

# One SQL text per question, so that sqlite3's statement cache prepares each once.
_AHEAD = """
SELECT
  (SELECT coalesce(sum(arrived - departed), 0) FROM queue_classes
     WHERE day = :day AND service = :service AND priority > :priority)
  - (SELECT count(*) FROM tickets INDEXED BY tickets_withdrawn
     WHERE status = 'withdrawn' AND day = :day AND service = :service AND priority > :priority)
  + (SELECT count(*) FROM tickets INDEXED BY tickets_transfers_waiting
     WHERE status = 'waiting' AND transferred_from IS NOT NULL
       AND day = :day AND service = :service AND priority > :priority)
  + max(0, coalesce(:rank, (SELECT qpos FROM tickets
       WHERE transferred_from IS NULL AND day = :day AND service = :service
         AND priority = :priority AND (issued_at, pk) < (:issued_at, :pk)
       ORDER BY issued_at DESC, pk DESC LIMIT 1), 0)
     - coalesce((SELECT departed FROM queue_classes
       WHERE day = :day AND service = :service AND priority = :priority), 0)
     - (SELECT count(*) FROM tickets INDEXED BY tickets_withdrawn
       WHERE status = 'withdrawn' AND day = :day AND service = :service
         AND priority = :priority AND (issued_at, pk) < (:issued_at, :pk)))
  + (SELECT count(*) FROM tickets INDEXED BY tickets_transfers_waiting
     WHERE status = 'waiting' AND transferred_from IS NOT NULL
       AND day = :day AND service = :service AND priority = :priority
       AND (issued_at, pk) < (:issued_at, :pk))
"""
_JOIN = (
    "INSERT INTO queue_classes (day, service, priority, arrived) VALUES (?, ?, ?, 1) "
    "ON CONFLICT (day, service, priority) DO UPDATE SET arrived = arrived + 1 "
    "RETURNING arrived"
)
_LEAVE = (
    "UPDATE queue_classes SET departed = departed + 1 "
    "WHERE day = ? AND service = ? AND priority = ?"
)
_CLASSES = (
    "SELECT service, sum(arrived - departed), sum(arrived) FROM queue_classes "
    "WHERE day = ? GROUP BY service"
)
_TRANSFERS_WAITING = (
    "SELECT service, count(*) FROM tickets INDEXED BY tickets_transfers_waiting "
    "WHERE status = 'waiting' AND transferred_from IS NOT NULL AND day = ? GROUP BY service"
)
_WITHDRAWN = (
    "SELECT service, count(*) FROM tickets INDEXED BY tickets_withdrawn "
    "WHERE status = 'withdrawn' AND day = ? GROUP BY service"
)
_LAST_ISSUED = (
    "SELECT seq, issued_at FROM tickets WHERE day = ? AND origin_service = ? "
    "AND transferred_from IS NULL ORDER BY seq DESC LIMIT 1"
)


def ahead(conn: sqlite3.Connection, leg: Leg) -> int:
    """People waiting before ``leg`` (a waiting leg of its day) in its service."""
    native = leg["transferred_from"] is None
    row = conn.execute(
        _AHEAD,
        {
            "day": leg["day"],
            "service": leg["service"],
            "priority": int(leg["priority"]),
            "issued_at": leg["issued_at"],
            "pk": leg["pk"],
            # An issued leg's rank is its arrival number less itself.
            "rank": leg["qpos"] - 1 if native else None,
        },
    ).fetchone()
    return int(row[0])


def join(conn: sqlite3.Connection, day: str, service: str, priority: bool) -> int:
    """An issued leg joins its class: its ``qpos``."""
    return int(conn.execute(_JOIN, (day, service, int(priority))).fetchone()[0])


def leave(conn: sqlite3.Connection, day: str, service: str, priority: bool) -> None:
    """An issued leg waiting in this class is called (it leaves the head of the class)."""
    conn.execute(_LEAVE, (day, service, int(priority)))


def last_issued(conn: sqlite3.Connection, day: str, service: str) -> tuple[int, str | None]:
    """The sequence number and issue time of ``service``'s last issued ticket of ``day``."""
    row = conn.execute(_LAST_ISSUED, (day, service)).fetchone()
    return (row[0], row[1]) if row else (0, None)


def issue_time(at: str, last: str | None) -> str:
    """A new ticket's issue time: now, but never before the service's last one.

    A clock stepped back (NTP) must not put a later ticket before earlier ones:
    that would be unfair, and the counters above rely on issued legs joining
    their class in order.
    """
    return last if last is not None and last > at else at


def counts(
    conn: sqlite3.Connection, day: str, services: Iterable[str]
) -> tuple[dict[str, int], dict[str, int]]:
    """(waiting now, issued today) per service of ``services``, 0 for none."""
    waiting = dict.fromkeys(services, 0)
    issued = dict.fromkeys(waiting, 0)
    for service, n_waiting, n_issued in conn.execute(_CLASSES, (day,)):
        if service in waiting:
            waiting[service] += n_waiting
            issued[service] = n_issued
    for service, n in conn.execute(_TRANSFERS_WAITING, (day,)):
        if service in waiting:
            waiting[service] += n
    for service, n in conn.execute(_WITHDRAWN, (day,)):
        if service in waiting:
            waiting[service] -= n
    return waiting, issued
