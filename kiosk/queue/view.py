"""The queue's read side: tickets as clients see them, people ahead, ETAs, listings.

Everything here only reads, inside a transaction the caller opened (a write's
``Tx`` or :meth:`kiosk.queue.store.Store.read`): the engine's changes build
their answers with it, and the listings (services, a counter's state) are
snapshots of one read transaction.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

from kiosk.config import Config, Counter
from kiosk.queue import errors, eta, positions
from kiosk.queue.clock import to_iso
from kiosk.queue.numbering import daily_allowance
from kiosk.queue.records import Leg, Ticket, ticket_from_row
from kiosk.queue.store import Tx


def ticket_row(conn: sqlite3.Connection, ticket_id: str) -> sqlite3.Row:
    """A tickets-table row by its id, or UnknownTicket."""
    row = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    if row is None:
        raise errors.UnknownTicket("there is no ticket with this id", ticket=ticket_id)
    return row


def counter_row(tx: Tx, counter: Counter) -> sqlite3.Row:
    """The counter's stored state: paused, current ticket, priority streak."""
    return tx.conn.execute("SELECT * FROM counters WHERE id = ?", (counter.id,)).fetchone()


def _paused(conn: sqlite3.Connection) -> set[str]:
    """The counters paused now: the one query for it."""
    return {r[0] for r in conn.execute("SELECT id FROM counters WHERE paused = 1")}


# Per service, (recent minutes per ticket, open counters), as read in one snapshot.
Rates = dict[str, tuple[float, int]]


class QueueView:
    """Reads of the queue for one centre's configuration."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self._counters: dict[str, Counter] = {c.id: c for c in cfg.counters}
        self._services = [s.id for s in cfg.services]

    def open_counters(self, conn: sqlite3.Connection) -> dict[str, list[str]]:
        """Per service, the counters serving it that are not paused (one read of the pauses)."""
        paused = _paused(conn)
        return {service: self._open(service, paused) for service in self._services}

    def open_counters_for(self, conn: sqlite3.Connection, service: str) -> list[str]:
        """The counters serving ``service`` that are not paused."""
        return self._open(service, _paused(conn))

    def _open(self, service: str, paused: set[str]) -> list[str]:
        return [
            c.id for c in self._counters.values() if service in c.services and c.id not in paused
        ]

    def _service_minutes(self, conn: sqlite3.Connection, service: str) -> float:
        q = self.cfg.queue
        return eta.recent_service_minutes(conn, service, q.eta_window, q.default_service_minutes)

    def public(self, tx: Tx, row: Leg, rates: Rates | None = None) -> Ticket:
        """The ticket as clients see it (GET /api/v1/tickets/{id}, event snapshots).

        ``rates``: the services' figures already read in this same read-only
        snapshot (many tickets read at once: the phones of one queue).
        """
        ahead = eta_min = None
        if row["status"] == "waiting" and row["day"] == tx.day:
            ahead = positions.ahead(tx.conn, row)
            eta_min = eta.eta_minutes(ahead, *self._rate(tx.conn, row["service"], rates))
        return ticket_from_row(row, ahead=ahead, eta_minutes=eta_min)

    def _rate(
        self, conn: sqlite3.Connection, service: str, rates: Rates | None
    ) -> tuple[float, int]:
        """The service's recent minutes per ticket and its open counters."""
        found = rates.get(service) if rates is not None else None
        if found is None:
            found = (
                self._service_minutes(conn, service),
                len(self.open_counters_for(conn, service)),
            )
            if rates is not None:
                rates[service] = found
        return found

    def counter_state(self, tx: Tx, counter: Counter) -> dict[str, Any]:
        """What a staff console shows: current ticket, waiting, today's counts, no-shows."""
        grace = timedelta(minutes=self.cfg.queue.no_show_grace_minutes)
        state = counter_row(tx, counter)
        current = ticket_row(tx.conn, state["current"]) if state["current"] else None
        marks = ",".join("?" * len(counter.services))
        waiting, _ = positions.counts(tx.conn, tx.day, counter.services)
        today = {"called": 0, "done": 0, "no_show": 0, "transferred": 0}
        for status, n in tx.conn.execute(
            "SELECT status, count(*) FROM tickets WHERE day = ? AND counter = ? GROUP BY status",
            (tx.day, counter.id),
        ):
            today["called"] += n
            if status in today:
                today[status] = n
        recallable = tx.conn.execute(
            f"SELECT * FROM tickets WHERE day = ? AND status = 'no_show' "  # noqa: S608
            f"AND finished_at >= ? AND service IN ({marks}) ORDER BY finished_at DESC",
            (tx.day, to_iso(tx.now - grace), *counter.services),
        ).fetchall()
        return {
            "id": counter.id,
            "name": counter.name,
            "services": list(counter.services),
            "priority": counter.priority,
            "paused": bool(state["paused"]),
            "day": tx.day,
            "current": self.public(tx, current) if current else None,
            "waiting": waiting,
            "today": today,
            "no_shows": [self.public(tx, r) for r in recallable],
        }

    def services(self, tx: Tx) -> dict[str, Any]:
        """Every service with people waiting now, the ETA for a newcomer and today's count."""
        waiting, issued = positions.counts(tx.conn, tx.day, (s.id for s in self.cfg.services))
        open_now = self.open_counters(tx.conn)
        out = []
        for svc in self.cfg.services:
            n = waiting[svc.id]
            minutes = self._service_minutes(tx.conn, svc.id)
            open_counters = len(open_now[svc.id])
            out.append(
                {
                    "id": svc.id,
                    "name": svc.name,
                    "waiting": n,
                    "eta_minutes": eta.eta_minutes(n, minutes, open_counters),
                    "service_minutes": round(minutes, 1),
                    "open_counters": open_counters,
                    "issued_today": issued[svc.id],
                    "remaining_today": max(0, daily_allowance(svc) - issued[svc.id]),
                }
            )
        return {"day": tx.day, "services": out}
