"""The citizen's satisfaction rating of a served ticket: rules, storage and figures.

The ``ratings`` table (queue database, schema 2) holds one row per served
ticket and nothing that names a person:

* ``ticket_id`` the served leg of the ticket (after a transfer: the last leg),
  unique, so a ticket is rated once;
* ``day`` the ticket's local day; ``counter`` the counter that served it;
  ``service`` the service it was served for;
* ``score`` 1..``levels`` where ``levels`` is N, the size of the scale when it
  was given, and N is the most satisfied. ``[satisfaction].levels`` in the
  config lists the levels as shown, most satisfied first: the level shown
  first stores N, the last 1;
* ``reasons`` a JSON list of reason ids from ``[satisfaction].reasons``;
  ``comment`` optional free text (NFC, control characters removed, at most
  :data:`MAX_COMMENT` characters);
* ``source`` ``phone`` (the page behind the ticket's QR) or ``terminal`` (the
  counter-side ``/rate/`` screen); ``rated_at`` UTC ISO time.

A ticket can be rated only once it is done, and only within
``[satisfaction].window_hours`` of being done. Ratings are written in the
same transactional, durable way as tickets and are never deleted.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from kiosk.config import Config, Satisfaction
from kiosk.queue import errors
from kiosk.queue.clock import from_iso, to_iso
from kiosk.text import nfc, pick
from kiosk.text.normalize import UNWANTED

MAX_COMMENT = 500
MAX_REASONS = 20
SOURCES = ("phone", "terminal")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_comment(text: str | None) -> str | None:
    """NFC, control characters and bidirectional overrides removed (line breaks kept),
    trimmed; None when empty. The characters removed are the catalogue's
    (:data:`kiosk.text.normalize.UNWANTED`): a comment cannot reorder what a director reads.

    Raises InvalidRequest when longer than MAX_COMMENT characters after cleaning.
    """
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = nfc(UNWANTED.sub("", text))  # removed first: a mark may then compose
    kept = _BLANK_LINES.sub("\n\n", kept).strip()
    if len(kept) > MAX_COMMENT:
        raise errors.InvalidRequest(
            f"the comment is {len(kept)} characters long; at most {MAX_COMMENT} are kept",
            field="comment",
        )
    return kept or None


def last_leg(conn: sqlite3.Connection, ticket_id: str) -> sqlite3.Row:
    """The ticket's current leg: follows transfers from any of its ids."""
    row = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    if row is None:
        raise errors.UnknownTicket("there is no ticket with this id", ticket=ticket_id)
    seen = {row["id"]}
    while row["transferred_to"] and row["transferred_to"] not in seen:
        nxt = conn.execute(
            "SELECT * FROM tickets WHERE id = ?", (row["transferred_to"],)
        ).fetchone()
        if nxt is None:
            break
        seen.add(nxt["id"])
        row = nxt
    return row


def rating_of(conn: sqlite3.Connection, leg_id: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM ratings WHERE ticket_id = ?", (leg_id,)).fetchone()


def closes_at(leg: sqlite3.Row, cfg: Satisfaction) -> datetime | None:
    """When the rating window of a done ticket closes (None: not done)."""
    if leg["status"] != "done" or not leg["finished_at"]:
        return None
    return from_iso(leg["finished_at"]) + timedelta(hours=cfg.window_hours)


def can_rate(conn: sqlite3.Connection, leg: sqlite3.Row, cfg: Satisfaction, now: datetime) -> bool:
    end = closes_at(leg, cfg)
    return cfg.enabled and end is not None and now <= end and rating_of(conn, leg["id"]) is None


def record(
    conn: sqlite3.Connection,
    cfg: Satisfaction,
    ticket_id: str,
    *,
    score: int,
    reasons: Sequence[str] = (),
    comment: str | None = None,
    source: str = "phone",
    now: datetime,
    counter: str | None = None,
) -> dict[str, Any]:
    """Store a rating inside the caller's transaction; return it as stored.

    ``counter``: the rating comes from that counter's terminal, which may rate
    only tickets it served.
    """
    if not cfg.enabled:
        raise errors.NotRatable("this centre does not collect ratings", reason="disabled")
    levels = len(cfg.levels)
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= levels:
        raise errors.InvalidRequest(
            f"the score must be a whole number from 1 to {levels}", field="score"
        )
    known = {r.id for r in cfg.reasons}
    picked = list(dict.fromkeys(reasons))
    unknown = [r for r in picked if r not in known]
    if unknown or len(picked) > MAX_REASONS:
        raise errors.InvalidRequest(
            f"unknown reason {unknown[0]!r} (known: {', '.join(sorted(known)) or 'none'})"
            if unknown
            else f"at most {MAX_REASONS} reasons",
            field="reasons",
        )
    if source not in SOURCES:
        raise errors.InvalidRequest(f"unknown source {source!r}", field="source")
    text = clean_comment(comment)
    leg = last_leg(conn, ticket_id)
    if leg["status"] == "withdrawn":
        raise errors.NotRatable(
            f"ticket {leg['number']} was cancelled by the kiosk before any call: "
            "no service took place, so there is nothing to rate",
            reason="withdrawn",
        )
    if counter is not None and leg["counter"] != counter:
        raise errors.NotRatable(
            f"ticket {leg['number']} was not served at counter {counter}", reason="other_counter"
        )
    if rating_of(conn, leg["id"]) is not None:
        raise errors.AlreadyRated(f"ticket {leg['number']} has already been rated")
    end = closes_at(leg, cfg)
    if end is None:
        raise errors.NotRatable(
            f"ticket {leg['number']} has not been served yet", reason="not_served"
        )
    if now > end:
        raise errors.NotRatable(
            f"ratings for ticket {leg['number']} closed {cfg.window_hours} h after service",
            reason="closed",
        )
    conn.execute(
        "INSERT INTO ratings (ticket_id, day, counter, service, score, levels, reasons, "
        "comment, source, rated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            leg["id"],
            leg["day"],
            leg["counter"],
            leg["service"],
            score,
            levels,
            json.dumps(picked),
            text,
            source,
            to_iso(now),
        ),
    )
    return {
        "ticket": leg["id"],
        "number": leg["number"],
        "counter": leg["counter"],
        "service": leg["service"],
        "score": score,
        "levels": levels,
        "reasons": picked,
        "comment": text,
        "source": source,
        "rated_at": to_iso(now),
    }


# -- figures -------------------------------------------------------------------
def _summary(rows: list[sqlite3.Row], levels: int) -> dict[str, Any]:
    """count, share of each level (most satisfied first, as shown) and the mean score."""
    scored = [r for r in rows if r["levels"] == levels]
    count = len(scored)
    shares = [
        round(sum(1 for r in scored if r["score"] == s) / count, 3) if count else None
        for s in range(levels, 0, -1)
    ]
    mean = round(sum(r["score"] for r in scored) / count, 2) if count else None
    return {"count": count, "shares": shares, "mean": mean}


def day_figures(
    conn: sqlite3.Connection, day: str, cfg: Satisfaction, served: int
) -> dict[str, Any]:
    """A day's ratings per service and per counter, the total, and the rated share.

    Only ratings on the current scale (``levels`` = N of the config) are
    summed; ratings given on an older scale are counted in ``other_scale``.
    """
    rows = conn.execute("SELECT * FROM ratings WHERE day = ? ORDER BY pk", (day,)).fetchall()
    levels = len(cfg.levels)
    by: dict[str, dict[str, Any]] = {"service": {}, "counter": {}}
    for scope in by:
        for key in sorted({r[scope] for r in rows if r[scope]}):
            by[scope][key] = _summary([r for r in rows if r[scope] == key], levels)
    total = _summary(rows, levels)
    total["rated_share"] = round(total["count"] / served, 3) if served else None
    total["other_scale"] = sum(1 for r in rows if r["levels"] != levels)
    reasons: dict[str, int] = {}
    for r in rows:
        for reason in json.loads(r["reasons"]):
            reasons[reason] = reasons.get(reason, 0) + 1
    total["reasons"] = reasons
    return {
        "levels": [lv.name for lv in cfg.levels],
        "total": total,
        "by_service": by["service"],
        "by_counter": by["counter"],
    }


def has_ratings(conn: sqlite3.Connection) -> bool:
    """Whether the database has the ratings table (schema 2 on; a report may read an older one)."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ratings'"
    ).fetchone()
    return found is not None


# How many comments a screen or a printed report lists (the newest), followed by
# "and K more"; a year of a busy centre has thousands. The CSV and XLSX exports hold all.
COMMENTS_SHOWN = 50


def comments(
    conn: sqlite3.Connection,
    cfg: Config,
    first_day: str,
    last_day: str,
    *,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The citizens' comments of local days ``first_day``..``last_day``, newest first
    (the newest ``limit`` of them, or all).

    Each: ``at`` (the centre's local time of the rating, ISO with its offset),
    ``service`` and ``counter`` with their configured names, ``score`` out of
    ``levels``, and the ``comment`` as stored (cleaned by :func:`clean_comment`).
    Nothing names a ticket or a person.
    """
    services = {s.id: s.name for s in cfg.services}
    counters = {c.id: c.name for c in cfg.counters}
    if not has_ratings(conn):
        return []
    rows = conn.execute(
        "SELECT rated_at, service, counter, score, levels, comment FROM ratings "
        "WHERE day BETWEEN ? AND ? AND comment IS NOT NULL AND comment != '' "
        "ORDER BY rated_at DESC, pk DESC LIMIT ?",
        (first_day, last_day, -1 if limit is None else limit),
    ).fetchall()
    return [
        {
            "at": from_iso(r["rated_at"]).astimezone(cfg.tz).isoformat(timespec="seconds"),
            "service": r["service"],
            "service_name": services.get(r["service"], {"vi": r["service"]}),
            "counter": r["counter"],
            "counter_name": counters.get(r["counter"], {"vi": r["counter"] or ""}),
            "score": r["score"],
            "levels": r["levels"],
            "comment": r["comment"],
        }
        for r in rows
    ]


def comment_count(conn: sqlite3.Connection, first_day: str, last_day: str) -> int:
    """How many comments local days ``first_day``..``last_day`` have."""
    if not has_ratings(conn):
        return 0
    row = conn.execute(
        "SELECT count(*) FROM ratings "
        "WHERE day BETWEEN ? AND ? AND comment IS NOT NULL AND comment != ''",
        (first_day, last_day),
    )
    return int(row.fetchone()[0])


def comment_level(comment: dict[str, Any], level_names: list[dict[str, str]], lang: str) -> str:
    """The name of a comment's level as the scale shows it ('' if rated on another scale)."""
    n = len(level_names)
    return pick(level_names[n - comment["score"]], lang) if comment["levels"] == n else ""


def comment_time(comment: dict[str, Any], *, with_date: bool = True) -> str:
    """When a comment was given, in the centre's local time: ``03/11/2026 09:15``."""
    moment = datetime.fromisoformat(comment["at"])
    return moment.strftime("%d/%m/%Y %H:%M" if with_date else "%H:%M")
