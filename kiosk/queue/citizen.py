"""What a citizen's phone may know of a ticket: the view behind ``/t/{id}``.

Privacy: the view carries no priority reason, no kiosk id, no procedure and
no print status; the ticket's id is the only key (it is unguessable). A
ticket followed from any of its ids shows its current leg, so a transfer
keeps the same page. Tickets of earlier days say only which day they are
from (and, for :data:`HISTORY_DAYS` days, how they ended and whether they can
still be rated); older ones say nothing but the day.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import date, timedelta
from typing import Any

from kiosk.config import Config
from kiosk.queue import ratings
from kiosk.queue.clock import from_iso, to_iso
from kiosk.queue.store import Tx

HISTORY_DAYS = 7

# The fields of a ticket that anyone holding its id may read (GET /api/v1/tickets/{id}).
PUBLIC_FIELDS = (
    "id",
    "number",
    "service",
    "priority",
    "lang",
    "day",
    "issued_at",
    "called_at",
    "last_called_at",
    "serving_at",
    "finished_at",
    "counter",
    "status",
    "calls",
    "transferred_from",
    "transferred_to",
    "ahead",
    "eta_minutes",
)


def public_ticket(ticket: dict[str, Any]) -> dict[str, Any]:
    """A ticket without what only staff may see (priority reason, kiosk, procedure, printing)."""
    return {key: ticket.get(key) for key in PUBLIC_FIELDS}


def age_days(day: str, today: str) -> int:
    return (date.fromisoformat(today) - date.fromisoformat(day)).days


def view(
    tx: Tx, cfg: Config, asked: sqlite3.Row, leg: sqlite3.Row, ticket: dict[str, Any]
) -> dict[str, Any]:
    """The phone's view of the ticket ``asked`` for, whose current leg is ``leg``.

    ``version`` changes whenever anything shown changes: the page's long-poll
    answers as soon as it differs from the version the page has.
    """
    age = age_days(asked["day"], tx.day)
    if age > HISTORY_DAYS:
        out: dict[str, Any] = {"id": asked["id"], "day": asked["day"], "state": "expired"}
        return out | {"version": _version(out)}
    first_service = asked["service"] if asked["pk"] != leg["pk"] else None
    recallable_until = None
    if leg["status"] == "no_show" and leg["day"] == tx.day and leg["finished_at"]:
        until = from_iso(leg["finished_at"]) + timedelta(minutes=cfg.queue.no_show_grace_minutes)
        if until > tx.now:
            recallable_until = to_iso(until)
    given = ratings.rating_of(tx.conn, leg["id"])
    closes = ratings.closes_at(leg, cfg.satisfaction)
    out = {
        "id": asked["id"],
        "leg": leg["id"],  # the current leg (after transfers): its events concern this page
        "day": asked["day"],
        "state": "today" if age <= 0 else "past",
        "number": ticket["number"],
        "service": ticket["service"],
        "transferred_from_service": first_service,
        "lang": ticket["lang"],
        "issued_at": ticket["issued_at"],
        "status": ticket["status"],
        "counter": ticket["counter"],
        "calls": ticket["calls"],
        "last_called_at": ticket["last_called_at"],
        "finished_at": ticket["finished_at"],
        "ahead": ticket["ahead"],
        "eta_minutes": ticket["eta_minutes"],
        "recallable_until": recallable_until,
        "rating": {
            "open": ratings.can_rate(tx.conn, leg, cfg.satisfaction, tx.now),
            "given": given["score"] if given is not None else None,
            "closes_at": to_iso(closes) if closes is not None else None,
        },
    }
    return out | {"version": _version(out)}


def _version(view: dict[str, Any]) -> str:
    raw = json.dumps(view, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.blake2b(raw, digest_size=6).hexdigest()
