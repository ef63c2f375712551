"""The centre's figures over a period of days, for the director's dashboard and exports.

Read-only over the queue database (tickets of archived and current days, ratings):
call it on its own read-only connection (:func:`kiosk.queue.schema.connect` with
``readonly=True``) so that a report never holds the writer's lock (WAL readers do
not block issuing).

A ticket that was transferred has one row per leg (the same number re-queued
under another service); "issued" counts original legs, per-service figures count
the legs that waited for that service. Times are minutes; hours and weekdays are
the centre's local time.

What "not served" means, per leg: ``waiting_at_close`` (still waiting, called or
at the counter when the day ended), ``no_show`` (called, did not come) and
``transferred`` (sent on to another service, served there or not). ``withdrawn``
counts numbers a kiosk took back before anyone called them: nobody held them.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter as Tally
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any, TypedDict

from kiosk.config import Config
from kiosk.queue.clock import from_iso
from kiosk.queue.ratings import COMMENTS_SHOWN, comment_count, comments, has_ratings
from kiosk.queue.report import percentile

MAX_DAYS = 400
WEEKDAYS = 7


class Period(TypedDict):
    start: str
    end: str
    days: int


class PeriodError(ValueError):
    """A period that cannot be read: one English sentence (API, CLI), and ``reason``
    (``not_a_date``, ``ends_before_start``, ``too_long``) with the ``values`` a page
    words it from in its reader's language."""

    def __init__(self, message: str, reason: str, **values: Any) -> None:
        super().__init__(message)
        self.reason = reason
        self.values = values


def parse_period(start: str, end: str) -> Period:
    """Check a ``YYYY-MM-DD`` range; PeriodError with one plain sentence otherwise."""
    first, last = _day(start), _day(end)
    if last < first:
        raise PeriodError(
            f"the period ends ({last}) before it starts ({first})",
            "ends_before_start",
            start=first.isoformat(),
            end=last.isoformat(),
        )
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise PeriodError(
            f"a report covers at most {MAX_DAYS} days; this period has {days}",
            "too_long",
            most=MAX_DAYS,
            days=days,
        )
    return {"start": first.isoformat(), "end": last.isoformat(), "days": days}


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(
            f"{text!r} is not a date; use YYYY-MM-DD, e.g. 2026-11-01", "not_a_date", day=text
        ) from None


def period_of(kind: str, anchor: date) -> Period:
    """The day / week (Monday first) / month that contains ``anchor``."""
    if kind == "day":
        first = last = anchor
    elif kind == "week":
        first = anchor - timedelta(days=anchor.weekday())
        last = first + timedelta(days=6)
    elif kind == "month":
        first = anchor.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    else:
        raise ValueError(f"unknown period {kind!r}: day, week or month")
    return {"start": first.isoformat(), "end": last.isoformat(), "days": (last - first).days + 1}


def _minutes(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    return (from_iso(end) - from_iso(start)).total_seconds() / 60


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def _wait(row: sqlite3.Row) -> float | None:
    return _minutes(row["queued_at"], row["called_at"])


def _service_time(row: sqlite3.Row) -> float | None:
    if row["status"] != "done":
        return None
    return _minutes(row["serving_at"] or row["last_called_at"], row["finished_at"])


def _by(rows: Iterable[sqlite3.Row], key: str) -> dict[str, list[sqlite3.Row]]:
    out: dict[str, list[sqlite3.Row]] = {}
    for row in rows:
        if row[key] is not None:
            out.setdefault(row[key], []).append(row)
    return out


class _Names:
    def __init__(self, cfg: Config) -> None:
        self.services = {s.id: s.name for s in cfg.services}
        self.counters = {c.id: c.name for c in cfg.counters}
        self.reasons = {r.id: r.name for r in cfg.queue.priority_reasons}

    @staticmethod
    def ordered(configured: Iterable[str], seen: Iterable[str]) -> list[str]:
        first = list(configured)
        return first + sorted(set(seen) - set(first))  # retired ids after the configured ones


def _time_figures(rows: list[sqlite3.Row], target: int) -> dict[str, Any]:
    waits = [w for r in rows if (w := _wait(r)) is not None]
    services = [s for r in rows if (s := _service_time(r)) is not None]
    return {
        "waits": len(waits),
        "wait_median": _r(percentile(waits, 50)),
        "wait_p90": _r(percentile(waits, 90)),
        "wait_over_target": sum(1 for w in waits if w > target),
        "wait_over_target_share": _share(sum(1 for w in waits if w > target), len(waits)),
        "services": len(services),
        "service_median": _r(percentile(services, 50)),
        "service_p90": _r(percentile(services, 90)),
    }


def _outcomes(rows: list[sqlite3.Row]) -> dict[str, int]:
    status = Tally(r["status"] for r in rows)
    return {
        "legs": len(rows),
        "served": status["done"],
        "no_shows": status["no_show"],
        "transferred_out": status["transferred"],
        "waiting_at_close": status["waiting"] + status["called"] + status["serving"],
        "withdrawn": status["withdrawn"],
        "recalls": sum(max(r["calls"] - 1, 0) for r in rows),
    }


def _ratings(rows: list[sqlite3.Row], levels: int) -> dict[str, Any]:
    counts = Tally(r["score"] for r in rows if r["levels"] == levels)
    n = sum(counts.values())
    return {
        "count": n,
        # counts[levels] is the most satisfied: listed first, as the scale is shown
        "counts": [counts[score] for score in range(levels, 0, -1)],
        "shares": [_share(counts[score], n) for score in range(levels, 0, -1)],
        "mean": _r(sum(s * c for s, c in counts.items()) / n, 2) if n else None,
    }


def _heatmap(originals: list[sqlite3.Row], cfg: Config) -> dict[str, Any]:
    counts = [[0] * 24 for _ in range(WEEKDAYS)]
    for row in originals:
        local = from_iso(row["issued_at"]).astimezone(cfg.tz)
        counts[local.weekday()][local.hour] += 1
    busy = [h for h in range(24) if any(counts[d][h] for d in range(WEEKDAYS))]
    hours = list(range(min(busy, default=7), max(busy, default=17) + 1))
    return {
        "hours": hours,
        "counts": [[counts[d][h] for h in hours] for d in range(WEEKDAYS)],
        "peak": max((max(row) for row in counts), default=0),
    }


def _days(start: str, end: str) -> Iterator[str]:
    day, last = date.fromisoformat(start), date.fromisoformat(end)
    while day <= last:
        yield day.isoformat()
        day += timedelta(days=1)


def period_figures(
    conn: sqlite3.Connection,
    cfg: Config,
    period: Period,
    *,
    comments_limit: int | None = COMMENTS_SHOWN,
) -> dict[str, Any]:
    """Every figure of the dashboard over ``period`` (see the module doc).

    ``comments`` are the newest ``comments_limit`` (None: all, for the exports);
    ``comments_total`` counts them all.
    """
    target = cfg.reports.target_wait_minutes
    names = _Names(cfg)
    rows = conn.execute(
        "SELECT * FROM tickets WHERE day BETWEEN ? AND ? ORDER BY pk",
        (period["start"], period["end"]),
    ).fetchall()
    rating_rows = _rating_rows(conn, period)
    levels = len(cfg.satisfaction.levels)
    originals = [r for r in rows if not r["transferred_from"]]
    served = [r for r in rows if r["status"] == "done"]

    services = []
    by_service = _by(rows, "service")
    issued_by = Tally(r["origin_service"] for r in originals)
    priority_by = Tally(r["origin_service"] for r in originals if r["priority"])
    ratings_by_service = _by(rating_rows, "service")
    for sid in names.ordered(names.services, by_service):
        legs = by_service.get(sid, [])
        services.append(
            {"id": sid, "name": names.services.get(sid, {"vi": sid})}
            | {
                "issued": issued_by[sid],
                "priority": priority_by[sid],
                "priority_share": _share(priority_by[sid], issued_by[sid]),
                "transferred_in": sum(1 for r in legs if r["transferred_from"]),
            }
            | _outcomes(legs)
            | _time_figures(legs, target)
            | {"ratings": _ratings(ratings_by_service.get(sid, []), levels)}
        )

    counters = []
    by_counter = _by(rows, "counter")
    ratings_by_counter = _by(rating_rows, "counter")
    for cid in names.ordered(names.counters, by_counter):
        legs = by_counter.get(cid, [])
        counters.append(
            {"id": cid, "name": names.counters.get(cid, {"vi": cid})}
            | _outcomes(legs)
            | _time_figures(legs, target)
            | {"ratings": _ratings(ratings_by_counter.get(cid, []), levels)}
        )

    picked = reasons_of(rating_rows)
    # A transferred leg names the leg it became (a ticket id); the director
    # reads the service that leg waits in. A transfer's new leg keeps the day.
    leg_service = {r["id"]: r["service"] for r in rows}
    transfers = Tally(
        (r["service"], leg_service.get(r["transferred_to"], r["transferred_to"]))
        for r in rows
        if r["status"] == "transferred"
    )
    reasons = Tally(r["priority_reason"] for r in originals if r["priority"])
    kiosks = _by(originals, "kiosk")
    per_day = _by(rows, "day")
    totals = (
        {
            "issued": len(originals),
            "priority": sum(1 for r in originals if r["priority"]),
            "print_failures": sum(1 for r in originals if r["print_status"] == "failed"),
            "rated": len(rating_rows),
            "rated_share": _share(len(rating_rows), len(served)),
        }
        | _outcomes(rows)
        | _time_figures(rows, target)
        | {"ratings": _ratings(rating_rows, levels)}
    )
    totals["priority_share"] = _share(totals["priority"], totals["issued"])
    return {
        "period": dict(period),
        "timezone": cfg.centre.timezone,
        "centre": {"id": cfg.centre.id, "name": cfg.centre.name},
        "target_wait_minutes": target,
        "levels": [lvl.name for lvl in cfg.satisfaction.levels],
        "totals": totals,
        "daily": [
            {
                "day": day,
                "issued": sum(1 for r in per_day.get(day, []) if not r["transferred_from"]),
                "served": sum(1 for r in per_day.get(day, []) if r["status"] == "done"),
                "no_shows": sum(1 for r in per_day.get(day, []) if r["status"] == "no_show"),
                "wait_median": _r(
                    percentile([w for r in per_day.get(day, []) if (w := _wait(r)) is not None], 50)
                ),
            }
            for day in _days(period["start"], period["end"])
        ],
        "arrivals": _heatmap(originals, cfg),
        "services": services,
        "counters": counters,
        "transfers": [
            {
                "from": src,
                "from_name": names.services.get(src, {"vi": src}),
                "to": dst,
                "to_name": names.services.get(dst, {"vi": dst}),
                "count": n,
            }
            for (src, dst), n in sorted(transfers.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "priority_reasons": [
            {"id": rid, "name": names.reasons.get(rid, {"vi": rid}), "count": n}
            for rid, n in sorted(reasons.items(), key=lambda kv: (-kv[1], str(kv[0])))
            if rid is not None
        ]
        + ([{"id": "", "name": None, "count": reasons[None]}] if reasons[None] else []),
        "rating_reasons": [
            {"id": r.id, "name": r.name, "count": picked[r.id]} for r in cfg.satisfaction.reasons
        ],
        "comments": comments(conn, cfg, period["start"], period["end"], limit=comments_limit),
        "comments_total": comment_count(conn, period["start"], period["end"]),
        "kiosks": [
            {
                "id": kid,
                "issued": len(mine),
                "print_failures": sum(1 for r in mine if r["print_status"] == "failed"),
            }
            for kid, mine in sorted(kiosks.items())
        ],
    }


def _rating_rows(conn: sqlite3.Connection, period: Period) -> list[sqlite3.Row]:
    if not has_ratings(conn):
        return []
    return conn.execute(
        "SELECT day, counter, service, score, levels, reasons FROM ratings "
        "WHERE day BETWEEN ? AND ? ORDER BY pk",
        (period["start"], period["end"]),
    ).fetchall()


def live_figures(conn: sqlite3.Connection, cfg: Config, day: str, now: datetime) -> dict[str, Any]:
    """Today so far: waiting now per service, longest wait, counters open or paused, served."""
    names = _Names(cfg)
    waiting = {
        row["service"]: (row["n"], row["oldest"])
        for row in conn.execute(
            "SELECT service, COUNT(*) AS n, MIN(queued_at) AS oldest FROM tickets "
            "WHERE day = ? AND status = 'waiting' GROUP BY service",
            (day,),
        )
    }
    oldest = min((o for _n, o in waiting.values() if o), default=None)
    counters = {row["id"]: row for row in conn.execute("SELECT id, paused, current FROM counters")}
    served = conn.execute(
        "SELECT COUNT(*) FROM tickets WHERE day = ? AND status = 'done'", (day,)
    ).fetchone()[0]
    return {
        "day": day,
        "services": [
            {
                "id": sid,
                "name": names.services.get(sid, {"vi": sid}),
                "waiting": waiting.get(sid, (0, None))[0],
            }
            for sid in names.ordered(names.services, waiting)
        ],
        "waiting": sum(n for n, _o in waiting.values()),
        "longest_wait_minutes": _r(
            (now - from_iso(oldest)).total_seconds() / 60 if oldest else None, 0
        ),
        "counters_open": sum(
            1 for c in cfg.counters if c.id in counters and not counters[c.id]["paused"]
        ),
        "counters_paused": sum(
            1 for c in cfg.counters if c.id in counters and counters[c.id]["paused"]
        ),
        "served": served,
    }


def reasons_of(rows: Iterable[sqlite3.Row]) -> Tally[str]:
    """How often each rating reason was picked (JSON list per rating)."""
    tally: Tally[str] = Tally()
    for row in rows:
        tally.update(json.loads(row["reasons"] or "[]"))
    return tally
