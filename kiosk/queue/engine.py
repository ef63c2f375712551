"""The queue engine: issuing, calling and finishing tickets; counters; listings.

Numbering, ordering and ETA rules live in their own modules; transactions, the
local day and the event log live in :mod:`kiosk.queue.store`. Every state
change is one function ``change(tx)`` run atomically by ``Store.transact``:
its result is on disk (and its events published) when the method returns.
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.config import Config, Counter, Service
from kiosk.queue import citizen, errors, ordering, positions, ratings
from kiosk.queue.clock import Clock, from_iso, to_iso, utc_now
from kiosk.queue.numbering import capacity, format_number
from kiosk.queue.records import Event, IssueOrder, Leg, Ticket
from kiosk.queue.report import build_report
from kiosk.queue.store import Store, Subscriber, Tx
from kiosk.queue.view import QueueView, Rates, counter_row, ticket_row
from kiosk.text import nfc

EVENT_TYPES = (
    "issued",
    "called",
    "recalled",
    "serving",
    "no_show",
    "done",
    "transferred",
    "counter_paused",
    "counter_resumed",
    "print_failed",
    "print_ok",
    "day_reset",
    "rated",
    "withdrawn",
)
MAX_PRINT_ERROR = 500
_INSERT_ISSUED = (
    "INSERT INTO tickets (id, day, number, seq, origin_service, service, priority, "
    "priority_reason, lang, procedure, kiosk, issued_at, queued_at, status, qpos) "
    "VALUES (:id, :day, :number, :seq, :origin_service, :service, :priority, "
    ":priority_reason, :lang, :procedure, :kiosk, :issued_at, :queued_at, :status, :qpos)"
)
# The columns of a new issued leg that INSERT leaves at their defaults.
_NEW_LEG: dict[str, Any] = {
    "called_at": None,
    "last_called_at": None,
    "serving_at": None,
    "finished_at": None,
    "counter": None,
    "calls": 0,
    "print_status": "pending",
    "print_error": None,
    "transferred_from": None,
    "transferred_to": None,
}
# What a repeated Idempotency-Key must ask for again to get its ticket back.
_ISSUE_FIELDS = ("origin_service", "priority", "priority_reason", "lang", "procedure")


class QueueEngine:
    """Thread-safe queue engine over the SQLite file ``db_path``.

    ``clock`` returns the current aware UTC time; tests inject a
    :class:`kiosk.queue.clock.ManualClock`.
    """

    def __init__(
        self, cfg: Config, db_path: str | Path | None = None, *, clock: Clock = utc_now
    ) -> None:
        self.cfg = cfg
        self.path = Path(db_path) if db_path else cfg.data_path(cfg.server.db)
        self._clock = clock
        self._services: dict[str, Service] = {s.id: s for s in cfg.services}
        self._counters: dict[str, Counter] = {c.id: c for c in cfg.counters}
        self._reasons = {r.id for r in cfg.queue.priority_reasons}
        # Per kiosk, when its tickets of the rate window were asked for (the rate limit);
        # filled from the database at a kiosk's first ticket, so it survives restarts.
        self._kiosk_issues: dict[str, list[datetime]] = {}
        self._store = Store(self.path, cfg.tz, clock, self._new_day)
        self._view = QueueView(cfg)
        self._store.open()
        try:

            def change(tx: Tx) -> None:
                tx.conn.executemany(
                    "INSERT OR IGNORE INTO counters (id) VALUES (?)",
                    [(cid,) for cid in self._counters],
                )

            self._store.transact(change)
        except errors.StorageError:
            self._store.close()
            raise

    def close(self) -> None:
        """Close every database connection (from any thread); wake blocked waiters."""
        self._store.close()

    def _new_day(self, tx: Tx, archived: list[str]) -> None:
        # A new day starts with every counter open, empty-handed, without a priority streak.
        tx.conn.execute("UPDATE counters SET current = NULL, streak = 0, paused = 0")
        self._store.emit(tx, "day_reset", data={"day": tx.day, "archived": archived})

    def roll_day(self) -> bool:
        """Open the new local day if midnight has passed; True if this call opened it.

        Writes open the day by themselves; the server also calls this every few
        seconds so that boards hear ``day_reset`` at midnight, not at the first ticket.
        """
        if self._store.day_is_open():
            return False
        return self._store.transact(lambda tx: tx.opened_day)

    def today(self) -> str:
        """The centre's current local date, ``YYYY-MM-DD``."""
        return self._store.today()

    # -- events --------------------------------------------------------------
    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback(events)`` right after each commit in this process.

        The callback runs in the committing thread while the write lock is
        held, so callbacks see events in id order; it must return quickly (hand
        work to its own thread or event loop). Returns a function that unsubscribes.
        Events written by another process are not pushed: use wait_for_events.
        """
        return self._store.subscribe(callback)

    def last_event_id(self) -> int:
        """The id of the newest event (0 when the log is empty)."""
        return self._store.last_event_id()

    def events_after(self, after_id: int, limit: int = 100) -> list[Event]:
        """Events with ``id > after_id``, oldest first, at most ``limit``."""
        return self._store.events_after(after_id, limit)

    def events_json(self, after_id: int, limit: int = 100) -> tuple[str, int]:
        """:meth:`events_after` as JSON array text, and the last id in it (cheap to serve)."""
        return self._store.events_json(after_id, limit)

    def wait_for_events(self, after_id: int, timeout: float, limit: int = 100) -> list[Event]:
        """Block until there are events after ``after_id`` or ``timeout`` seconds pass."""
        return self._store.wait_for_events(after_id, timeout, limit)

    # -- lookups -------------------------------------------------------------
    def _service(self, service_id: str) -> Service:
        svc = self._services.get(service_id) if isinstance(service_id, str) else None
        if svc is None:
            raise errors.UnknownService(
                f"there is no service {service_id!r} (known: {', '.join(self._services)})",
                service=service_id,
            )
        return svc

    def _counter(self, counter_id: str) -> Counter:
        counter = self._counters.get(counter_id) if isinstance(counter_id, str) else None
        if counter is None:
            raise errors.UnknownCounter(
                f"there is no counter {counter_id!r} (known: {', '.join(self._counters)})",
                counter=counter_id,
            )
        return counter

    def _row(self, conn: sqlite3.Connection, ticket_id: str) -> sqlite3.Row:
        return ticket_row(conn, ticket_id)

    def _public(self, tx: Tx, row: Leg, rates: Rates | None = None) -> Ticket:
        return self._view.public(tx, row, rates)

    # -- issuance ------------------------------------------------------------
    def issue(self, order: IssueOrder | str) -> Ticket:
        """Issue the next number of ``order.service`` (a service id alone: a plain order);
        the ticket is on disk when this returns.

        With ``idempotency_key``, a repeat of the same request from the same kiosk
        (its answer was lost) returns the ticket already issued instead of a new number.
        """
        return self._store.transact(self._issue(order))

    def issue_soon(self, order: IssueOrder | str) -> asyncio.Future[Ticket]:
        """:meth:`issue` for the running event loop: a future, resolved once on disk.

        A request refused before any write (unknown service, bad language) raises here.
        """
        return self._store.submit(self._issue(order))

    def _issue(self, order: IssueOrder | str) -> Callable[[Tx], Ticket]:
        """The change that issues a ticket, after the checks that need no database."""
        if isinstance(order, str):
            order = IssueOrder(order)
        svc = self._service(order.service)
        priority, priority_reason, lang = order.priority, order.priority_reason, order.lang
        idempotency_key = order.idempotency_key
        if lang not in self.cfg.centre.languages:
            raise errors.InvalidRequest(
                f"language {lang!r} is not offered here "
                f"(choose {', '.join(self.cfg.centre.languages)})",
                field="lang",
            )
        if priority_reason is not None:
            if not priority:
                raise errors.InvalidRequest(
                    "a priority reason was given for a ticket that is not a priority ticket",
                    field="priority_reason",
                )
            if priority_reason not in self._reasons:
                raise errors.InvalidRequest(
                    f"unknown priority reason {priority_reason!r} "
                    f"(known: {', '.join(sorted(self._reasons))})",
                    field="priority_reason",
                )
        kiosk = nfc(order.kiosk) if order.kiosk else self.cfg.kiosk.id
        procedure = nfc(order.procedure) if order.procedure else None

        def change(tx: Tx) -> Ticket:
            if idempotency_key:
                done = tx.conn.execute(
                    "SELECT ticket_id FROM issue_keys WHERE kiosk = ? AND key = ?",
                    (kiosk, idempotency_key),
                ).fetchone()
                if done:
                    row = self._row(tx.conn, done[0])
                    asked = (svc.id, int(priority), priority_reason, lang, procedure)
                    if tuple(row[k] for k in _ISSUE_FIELDS) != asked:
                        raise errors.IdempotencyKeyReused(
                            "this Idempotency-Key was used for a different ticket request; "
                            "use a new key for a new request",
                            field="Idempotency-Key",
                        )
                    return self._public(tx, row)
            self._check_rate(tx, kiosk)
            last_seq, last_at = positions.last_issued(tx.conn, tx.day, svc.id)
            seq = last_seq + 1
            if svc.daily_limit and seq > svc.daily_limit:
                raise errors.DailyLimitReached(
                    f"the daily limit of {svc.daily_limit} tickets for this service is reached; "
                    "please come back tomorrow",
                    service=svc.id,
                    limit=svc.daily_limit,
                )
            if seq > capacity(svc):
                raise errors.NumbersExhausted(
                    f"all {capacity(svc)} numbers of this service are used up for today",
                    service=svc.id,
                )
            at = positions.issue_time(tx.at, last_at)
            leg: dict[str, Any] = {
                "id": secrets.token_urlsafe(16),
                "day": tx.day,
                "number": format_number(svc, seq),
                "seq": seq,
                "origin_service": svc.id,
                "service": svc.id,
                "priority": int(priority),
                "priority_reason": priority_reason,
                "lang": lang,
                "procedure": procedure,
                "kiosk": kiosk,
                "issued_at": at,
                "queued_at": at,
                "status": "waiting",
                "qpos": positions.join(tx.conn, tx.day, svc.id, priority),
            }
            leg["pk"] = tx.conn.execute(_INSERT_ISSUED, leg).lastrowid
            if idempotency_key:
                tx.conn.execute(
                    "INSERT INTO issue_keys (kiosk, key, ticket_id) VALUES (?, ?, ?)",
                    (kiosk, idempotency_key, leg["id"]),
                )
            # The answer is built from what was just written (the columns not set
            # above start empty), without reading the row back.
            ticket = self._public(tx, {**_NEW_LEG, **leg})
            self._store.emit(tx, "issued", service=svc.id, ticket=ticket)
            self._kiosk_issues[kiosk].append(tx.now)
            return ticket

        return change

    def _check_rate(self, tx: Tx, kiosk: str) -> None:
        q = self.cfg.queue
        since = tx.now - timedelta(seconds=q.kiosk_rate_window_seconds)
        times = self._kiosk_issues.get(kiosk)
        if times is None:  # this kiosk's first ticket since start: counted from the database
            times = [
                from_iso(at)
                for (at,) in tx.conn.execute(
                    "SELECT issued_at FROM tickets "
                    "WHERE kiosk = ? AND issued_at > ? AND transferred_from IS NULL",
                    (kiosk, to_iso(since)),
                )
            ]
        # A time after now means the clock stepped back (a ticket's stored time also
        # waits for its service's last one): that ticket counts as issued now, so it
        # leaves the window one window on, not when the clock catches up with it.
        times = sorted(min(t, tx.now) for t in times if t > since)
        self._kiosk_issues[kiosk] = times
        if len(times) >= q.kiosk_rate_limit:
            wait = (times[-q.kiosk_rate_limit] - since).total_seconds()
            raise errors.RateLimited(
                f"this kiosk has issued {len(times)} tickets in the last "
                f"{q.kiosk_rate_window_seconds} s; please wait a moment",
                retry_after=max(1.0, round(wait, 1)),
                kiosk=kiosk,
            )

    def ticket(self, ticket_id: str) -> Ticket:
        """A ticket by its id, with ``ahead`` and ``eta_minutes`` while it waits today."""
        with self._store.read() as tx:
            return self._public(tx, self._row(tx.conn, ticket_id))

    def follow(self, ticket_id: str) -> dict[str, Any]:
        """What the citizen's phone shows of a ticket (see :mod:`kiosk.queue.citizen`)."""
        with self._store.read() as tx:
            return self._follow(tx, ticket_id, None)

    def follow_many(self, ticket_ids: Iterable[str]) -> dict[str, dict[str, Any] | None]:
        """:meth:`follow` of several tickets from one snapshot (None: no such ticket)."""
        out: dict[str, dict[str, Any] | None] = {}
        rates: Rates = {}  # each service's figures read once for all its tickets
        with self._store.read() as tx:
            for ticket_id in ticket_ids:
                try:
                    out[ticket_id] = self._follow(tx, ticket_id, rates)
                except errors.UnknownTicket:
                    out[ticket_id] = None
        return out

    def _follow(self, tx: Tx, ticket_id: str, rates: Rates | None) -> dict[str, Any]:
        asked = self._row(tx.conn, ticket_id)
        leg = ratings.last_leg(tx.conn, ticket_id)
        return citizen.view(tx, self.cfg, asked, leg, self._public(tx, leg, rates))

    def rate(
        self,
        ticket_id: str,
        score: int,
        *,
        reasons: list[str] | tuple[str, ...] = (),
        comment: str | None = None,
        source: str = "phone",
        counter: str | None = None,
    ) -> dict[str, Any]:
        """Record the citizen's rating of a served ticket (once; see :mod:`kiosk.queue.ratings`)."""

        def change(tx: Tx) -> dict[str, Any]:
            rating = ratings.record(
                tx.conn,
                self.cfg.satisfaction,
                ticket_id,
                score=score,
                reasons=reasons,
                comment=comment,
                source=source,
                now=tx.now,
                counter=counter,
            )
            self._store.emit(
                tx,
                "rated",
                counter=rating["counter"],
                service=rating["service"],
                data={"ticket": rating["ticket"], "source": source},
            )
            return rating

        return self._store.transact(change)

    def withdraw(self, kiosk: str | None, idempotency_key: str) -> Ticket:
        """Take back the ticket ``kiosk`` was issued today under ``idempotency_key``.

        For a number the kiosk never showed (it gave up waiting for the answer):
        it leaves the queue and is recorded as ``withdrawn``, so nobody calls a
        no-show for it. Repeating it returns the same ticket. NotFound when no
        ticket of today has that key (the issue never reached the disk); WrongState
        when it was called already (staff have it).
        """
        kiosk = nfc(kiosk) if kiosk else self.cfg.kiosk.id  # as _issue names it

        def change(tx: Tx) -> Ticket:
            found = tx.conn.execute(
                "SELECT t.* FROM issue_keys k JOIN tickets t ON t.id = k.ticket_id "
                "WHERE k.kiosk = ? AND k.key = ? AND t.day = ?",
                (kiosk, idempotency_key, tx.day),
            ).fetchone()
            if found is None:
                raise errors.NotFound(
                    "this kiosk was issued no ticket today under this key", key=idempotency_key
                )
            if found["status"] != "withdrawn":
                if found["status"] != "waiting" or found["called_at"] is not None:
                    raise errors.WrongState(
                        f"ticket {found['number']} was called already ({found['status']}); "
                        "it stays with the counter",
                        status=found["status"],
                    )
                tx.conn.execute(
                    "UPDATE tickets SET status = 'withdrawn', finished_at = ? WHERE pk = ?",
                    (tx.at, found["pk"]),
                )
                ticket = self._public(tx, self._row(tx.conn, found["id"]))
                self._store.emit(tx, "withdrawn", service=ticket["service"], ticket=ticket)
                return ticket
            return self._public(tx, found)

        return self._store.transact(change)

    def record_print(self, ticket_id: str, ok: bool, error: str | None = None) -> Ticket:
        """Record what the kiosk's printer did with a ticket (print_ok / print_failed)."""
        status = "ok" if ok else "failed"
        error = None if ok else (nfc(error)[:MAX_PRINT_ERROR] if error else "print failed")

        def change(tx: Tx) -> Ticket:
            row = self._row(tx.conn, ticket_id)
            changed = (row["print_status"], row["print_error"]) != (status, error)
            tx.conn.execute(
                "UPDATE tickets SET print_status = ?, print_error = ? WHERE id = ?",
                (status, error, ticket_id),
            )
            ticket = self._public(tx, self._row(tx.conn, ticket_id))
            if changed:
                self._store.emit(
                    tx,
                    "print_ok" if ok else "print_failed",
                    service=ticket["service"],
                    ticket=ticket,
                    data={} if ok else {"error": error},
                )
            return ticket

        return self._store.transact(change)

    # -- counters ------------------------------------------------------------
    def _counter_row(self, tx: Tx, counter: Counter) -> sqlite3.Row:
        return counter_row(tx, counter)

    def _current(self, tx: Tx, counter: Counter) -> sqlite3.Row | None:
        current = self._counter_row(tx, counter)["current"]
        return self._row(tx.conn, current) if current else None

    def _require_current(self, tx: Tx, counter: Counter, *allowed: str) -> sqlite3.Row:
        row = self._current(tx, counter)
        if row is None:
            raise errors.NoCurrentTicket(
                f"counter {counter.id} has no ticket in hand; call the next one first",
                counter=counter.id,
            )
        if row["status"] not in allowed:
            raise errors.WrongState(
                f"ticket {row['number']} is {row['status']}; this needs it to be "
                f"{' or '.join(allowed)}",
                counter=counter.id,
                status=row["status"],
            )
        return row

    def _finish(self, tx: Tx, counter: Counter, row: sqlite3.Row, status: str) -> Ticket:
        tx.conn.execute(
            "UPDATE tickets SET status = ?, finished_at = ? WHERE pk = ?",
            (status, tx.at, row["pk"]),
        )
        tx.conn.execute("UPDATE counters SET current = NULL WHERE id = ?", (counter.id,))
        return self._public(tx, self._row(tx.conn, row["id"]))

    def _done(self, tx: Tx, counter: Counter, row: sqlite3.Row) -> Ticket:
        started = row["serving_at"] or row["last_called_at"]
        ticket = self._finish(tx, counter, row, "done")
        seconds = (tx.now - from_iso(started)).total_seconds() if started else None
        self._store.emit(
            tx,
            "done",
            counter=counter.id,
            service=ticket["service"],
            ticket=ticket,
            data={"service_seconds": round(seconds, 1) if seconds is not None else None},
        )
        return ticket

    def call_next(self, counter_id: str) -> Ticket | None:
        """Finish the counter's current ticket (done) and call the next one, or None."""
        return self._store.transact(self._call_next(counter_id))

    def call_next_soon(self, counter_id: str) -> asyncio.Future[Ticket | None]:
        """:meth:`call_next` for the running event loop: a future, resolved once on disk."""
        return self._store.submit(self._call_next(counter_id))

    def _call_next(self, counter_id: str) -> Callable[[Tx], Ticket | None]:
        counter = self._counter(counter_id)
        cap = self.cfg.queue.max_consecutive_priority

        def change(tx: Tx) -> Ticket | None:
            state = self._counter_row(tx, counter)
            if state["paused"]:
                raise errors.CounterPaused(
                    f"counter {counter.id} is paused; resume it before calling", counter=counter.id
                )
            current = self._current(tx, counter)
            if current is not None and current["status"] in ("called", "serving"):
                self._done(tx, counter, current)
            prio = ordering.oldest_waiting(tx.conn, tx.day, counter.services, priority=True)
            regular = ordering.oldest_waiting(tx.conn, tx.day, counter.services, priority=False)
            cap_applies = not counter.priority or (
                regular is not None and not self._other_open(tx, counter, regular.service)
            )
            chosen = ordering.pick(
                prio, regular, streak=state["streak"], cap=cap, cap_applies=cap_applies
            )
            if chosen is None:
                tx.conn.execute("UPDATE counters SET current = NULL WHERE id = ?", (counter.id,))
                return None
            streak = state["streak"] + 1 if chosen.priority else 0
            if chosen.issued:
                positions.leave(tx.conn, tx.day, chosen.service, chosen.priority)
            tx.conn.execute(
                "UPDATE tickets SET status = 'called', counter = ?, called_at = ?, "
                "last_called_at = ?, calls = calls + 1 WHERE pk = ?",
                (counter.id, tx.at, tx.at, chosen.pk),
            )
            tx.conn.execute(
                "UPDATE counters SET current = ?, streak = ? WHERE id = ?",
                (chosen.id, streak, counter.id),
            )
            ticket = self._public(tx, self._row(tx.conn, chosen.id))
            self._store.emit(
                tx,
                "called",
                counter=counter.id,
                service=ticket["service"],
                ticket=ticket,
                data={"calls": ticket["calls"]},
            )
            return ticket

        return change

    def _other_open(self, tx: Tx, counter: Counter, service: str) -> bool:
        return any(cid != counter.id for cid in self._view.open_counters_for(tx.conn, service))

    def recall(self, counter_id: str, ticket: str | None = None) -> Ticket:
        """Announce the counter's current ticket again, or call back a no-show.

        ``ticket`` (an id or today's number) names a no-show to call back within
        ``queue.no_show_grace_minutes`` of being marked, the same day.
        """
        counter = self._counter(counter_id)

        def change(tx: Tx) -> Ticket:
            current = self._current(tx, counter)
            target = self._find_today(tx, ticket) if ticket else None
            if target is None or (current is not None and target["id"] == current["id"]):
                row = self._require_current(tx, counter, "called", "serving")
                from_no_show = False
            else:
                if current is not None:
                    raise errors.CounterBusy(
                        f"counter {counter.id} still has ticket {current['number']}; "
                        "finish it (done, no-show or transfer) first",
                        counter=counter.id,
                    )
                self._check_recallable(tx, counter, target)
                row, from_no_show = target, True
            tx.conn.execute(
                "UPDATE tickets SET status = CASE WHEN status = 'no_show' THEN 'called' "
                "ELSE status END, counter = ?, finished_at = NULL, last_called_at = ?, "
                "called_at = coalesce(called_at, ?), calls = calls + 1 WHERE pk = ?",
                (counter.id, tx.at, tx.at, row["pk"]),
            )
            tx.conn.execute("UPDATE counters SET current = ? WHERE id = ?", (row["id"], counter.id))
            out = self._public(tx, self._row(tx.conn, row["id"]))
            self._store.emit(
                tx,
                "recalled",
                counter=counter.id,
                service=out["service"],
                ticket=out,
                data={"calls": out["calls"], "from_no_show": from_no_show},
            )
            return out

        return self._store.transact(change)

    def _find_today(self, tx: Tx, ref: str) -> sqlite3.Row:
        row = tx.conn.execute("SELECT * FROM tickets WHERE id = ?", (ref,)).fetchone()
        if row is None:
            # A number: the latest leg of today's ticket with that number.
            row = tx.conn.execute(
                "SELECT * FROM tickets WHERE day = ? AND number = ? ORDER BY pk DESC LIMIT 1",
                (tx.day, ref.strip().upper()),
            ).fetchone()
        if row is None:
            raise errors.UnknownTicket(f"there is no ticket {ref!r} today", ticket=ref)
        return row

    def _check_recallable(self, tx: Tx, counter: Counter, row: sqlite3.Row) -> None:
        grace = self.cfg.queue.no_show_grace_minutes
        if row["status"] != "no_show":
            raise errors.NotRecallable(
                f"ticket {row['number']} is {row['status']}, not a no-show",
                status=row["status"],
            )
        if row["day"] != tx.day:
            raise errors.NotRecallable(f"ticket {row['number']} belongs to an earlier day")
        if row["service"] not in counter.services:
            raise errors.NotRecallable(
                f"ticket {row['number']} is for a service counter {counter.id} does not serve"
            )
        if tx.now - from_iso(row["finished_at"]) > timedelta(minutes=grace):
            raise errors.NotRecallable(
                f"ticket {row['number']} was marked no-show more than {grace} minutes ago"
            )

    def start(self, counter_id: str) -> Ticket:
        """The citizen has come to the counter: ``called`` -> ``serving``."""
        counter = self._counter(counter_id)

        def change(tx: Tx) -> Ticket:
            row = self._require_current(tx, counter, "called", "serving")
            if row["status"] == "serving":
                return self._public(tx, row)
            tx.conn.execute(
                "UPDATE tickets SET status = 'serving', serving_at = ? WHERE pk = ?",
                (tx.at, row["pk"]),
            )
            ticket = self._public(tx, self._row(tx.conn, row["id"]))
            self._store.emit(
                tx, "serving", counter=counter.id, service=ticket["service"], ticket=ticket
            )
            return ticket

        return self._store.transact(change)

    def no_show(self, counter_id: str) -> Ticket:
        """The called citizen did not come; recallable during the grace period."""
        counter = self._counter(counter_id)
        grace = self.cfg.queue.no_show_grace_minutes

        def change(tx: Tx) -> Ticket:
            row = self._require_current(tx, counter, "called")
            ticket = self._finish(tx, counter, row, "no_show")
            self._store.emit(
                tx,
                "no_show",
                counter=counter.id,
                service=ticket["service"],
                ticket=ticket,
                data={"recallable_until": to_iso(tx.now + timedelta(minutes=grace))},
            )
            return ticket

        return self._store.transact(change)

    def done(self, counter_id: str) -> Ticket:
        """The counter has finished with its current ticket."""
        counter = self._counter(counter_id)

        def change(tx: Tx) -> Ticket:
            row = self._require_current(tx, counter, "called", "serving")
            return self._done(tx, counter, row)

        return self._store.transact(change)

    def transfer(self, counter_id: str, service: str) -> Ticket:
        """Send the current ticket to another service's queue, keeping its number and place.

        The old leg becomes ``transferred``; a new leg with a new id waits in
        ``service``, ordered by the original issue time. Returns the new leg.
        """
        counter = self._counter(counter_id)
        target = self._service(service)

        def change(tx: Tx) -> Ticket:
            row = self._require_current(tx, counter, "called", "serving")
            if row["service"] == target.id:
                raise errors.InvalidRequest(
                    f"ticket {row['number']} is already in service {target.id}", field="service"
                )
            new_id = secrets.token_urlsafe(16)
            tx.conn.execute(
                "INSERT INTO tickets (id, day, number, seq, origin_service, service, priority, "
                "priority_reason, lang, procedure, kiosk, issued_at, queued_at, status, "
                "print_status, print_error, transferred_from) "
                "SELECT ?, day, number, seq, origin_service, ?, priority, priority_reason, "
                "lang, procedure, kiosk, issued_at, ?, 'waiting', print_status, print_error, id "
                "FROM tickets WHERE pk = ?",
                (new_id, target.id, tx.at, row["pk"]),
            )
            tx.conn.execute(
                "UPDATE tickets SET transferred_to = ? WHERE pk = ?", (new_id, row["pk"])
            )
            self._finish(tx, counter, row, "transferred")
            ticket = self._public(tx, self._row(tx.conn, new_id))
            self._store.emit(
                tx,
                "transferred",
                counter=counter.id,
                service=target.id,
                ticket=ticket,
                data={
                    "from_service": row["service"],
                    "to_service": target.id,
                    "from_ticket": row["id"],
                },
            )
            return ticket

        return self._store.transact(change)

    def pause(self, counter_id: str) -> dict[str, Any]:
        return self._set_paused(counter_id, True)

    def resume(self, counter_id: str) -> dict[str, Any]:
        return self._set_paused(counter_id, False)

    def _set_paused(self, counter_id: str, paused: bool) -> dict[str, Any]:
        counter = self._counter(counter_id)

        def change(tx: Tx) -> None:
            if bool(self._counter_row(tx, counter)["paused"]) != paused:
                tx.conn.execute(
                    "UPDATE counters SET paused = ? WHERE id = ?", (int(paused), counter.id)
                )
                self._store.emit(
                    tx,
                    "counter_paused" if paused else "counter_resumed",
                    counter=counter.id,
                    data={"paused": paused},
                )

        self._store.transact(change)
        return self.counter_state(counter.id)

    def counter_state(self, counter_id: str) -> dict[str, Any]:
        """What a staff console shows: current ticket, waiting, today's counts, no-shows."""
        counter = self._counter(counter_id)
        with self._store.read() as tx:
            return self._view.counter_state(tx, counter)

    # -- listings and figures ------------------------------------------------
    def services(self) -> dict[str, Any]:
        """Every service with people waiting now, the ETA for a newcomer and today's count."""
        with self._store.read() as tx:
            return self._view.services(tx)

    def report(self, day: str | None = None) -> dict[str, Any]:
        """The figures of a local day (default today); see :mod:`kiosk.queue.report`."""
        with self._store.read() as tx:
            return build_report(tx.conn, self.cfg, day or tx.day, generated_at=tx.now)
