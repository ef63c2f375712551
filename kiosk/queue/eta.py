"""Waiting-time estimates: people ahead x recent service time / open counters.

The service time is a moving average over the service's last ``window``
finished tickets (any day: it describes the service, not the day), each
clipped so that a ticket left open over lunch does not ruin the estimate.
Before any ticket has been served, the configured default is used.
"""

from __future__ import annotations

import math
import sqlite3

from kiosk.queue.clock import from_iso

MIN_SERVICE_MINUTES = 0.5
MAX_SERVICE_MINUTES = 90.0


def recent_service_minutes(
    conn: sqlite3.Connection, service: str, window: int, default: float
) -> float:
    rows = conn.execute(
        "SELECT coalesce(serving_at, last_called_at, called_at), finished_at FROM tickets "
        "WHERE service = ? AND status = 'done' ORDER BY finished_at DESC LIMIT ?",
        (service, window),
    ).fetchall()
    minutes = [
        min(MAX_SERVICE_MINUTES, max(MIN_SERVICE_MINUTES, _minutes(start, end)))
        for start, end in rows
        if start and end
    ]
    return sum(minutes) / len(minutes) if minutes else default


def eta_minutes(ahead: int, service_minutes: float, open_counters: int) -> int:
    """Whole minutes until a ticket with ``ahead`` people before it is likely called."""
    if ahead <= 0:
        return 0
    return math.ceil(ahead * service_minutes / max(1, open_counters))


def _minutes(start: str, end: str) -> float:
    return (from_iso(end) - from_iso(start)).total_seconds() / 60
