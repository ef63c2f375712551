"""Transactions, local days and the append-only event log over the queue database.

Every state change is a function ``change(tx)`` that also appends its events;
the caller gets an answer only after the commit is on disk. Changes that arrive
while a commit is in progress are committed together (group commit): the
thread that takes the write lock runs every waiting change, each inside its own
SAVEPOINT (a change that fails is rolled back alone), then commits once. With
``synchronous=FULL`` the fsync dominates a change, so concurrent kiosks share
one instead of queueing for one each. Inside one process the lock serialises
writers (no thread sleeps in SQLite's busy handler); several processes on the
same file are serialised by SQLite itself.

An event loop hands its changes over without a thread of its own
(:meth:`Store.submit`): a committer thread runs them with every other waiting
change and resolves the loop's futures with one wake-up per commit, instead of
one worker thread per request contending for the GIL and the write lock.

In-process consumers (the HTTP long-poll, a hardware bridge) learn about new
events without polling: subscriber callbacks run right after each commit, in
commit order, and :meth:`Store.wait_for_events` blocks on a condition.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, Generic, TypeVar

import orjson

from kiosk.queue.clock import Clock, local_day, to_iso
from kiosk.queue.errors import StorageError
from kiosk.queue.records import Event, Ticket
from kiosk.queue.schema import connect, create_schema

log = logging.getLogger(__name__)

Subscriber = Callable[[list[Event]], None]
T = TypeVar("T")
# How often a waiter re-reads the log even without a notification: catches
# events written by another process on the same database file.
POLL_SECONDS = 1.0
# A clock reading this much before the previous one is logged as a step back.
CLOCK_STEP = timedelta(seconds=2)


@dataclass
class Tx:
    """One open transaction: its connection, its instant and the centre's local day."""

    conn: sqlite3.Connection
    now: datetime
    day: str
    events: list[Event] = field(default_factory=list)
    opened_day: bool = False  # this commit opened the local day

    @functools.cached_property
    def at(self) -> str:
        """``now`` as stored (formatted once per transaction: every statement uses it)."""
        return to_iso(self.now)


class _Change(Generic[T]):
    """One caller's change waiting for a commit, and what came of it.

    ``future``: the event loop's future to resolve (a change from :meth:`Store.submit`).
    """

    __slots__ = ("error", "events", "finished", "fn", "future", "result")

    def __init__(self, fn: Callable[[Tx], T], future: asyncio.Future[T] | None = None) -> None:
        self.fn = fn
        self.finished = False
        self.result: T | None = None
        self.error: BaseException | None = None
        self.events: list[Event] = []
        self.future = future

    def outcome(self) -> T:
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


class Store:
    """The database file, one connection per thread, and the event log.

    ``on_new_day(tx, archived_days)`` runs inside the first write transaction
    of each local day, after the ``days`` table has recorded it.
    """

    def __init__(
        self,
        path: Path,
        tz: tzinfo,
        clock: Clock,
        on_new_day: Callable[[Tx, list[str]], None],
    ) -> None:
        self.path = path
        self._tz = tz
        self._clock = clock
        self._on_new_day = on_new_day
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._pending: list[_Change[Any]] = []
        self._pending_lock = threading.Lock()
        self._cond = threading.Condition()
        self._subscribers: list[Subscriber] = []
        self._known_day = ""
        self._latest_day = ""  # the newest local day opened in the database
        self._stale_day = ""
        self._last_now: datetime | None = None
        self._closed = False
        self._head = 0
        self._committer: threading.Thread | None = None
        self._wake = threading.Event()  # a submitted change waits for the committer

    def open(self) -> None:
        """Create the folder and the schema; raise StorageError with one sentence."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"cannot create the folder {self.path.parent} for the queue database "
                f"({exc.strerror})"
            ) from None
        try:
            create_schema(self.conn())
            self._head = self.last_event_id()
            latest = self.conn().execute("SELECT max(day) FROM days").fetchone()[0]
            self._latest_day = latest or ""
        except (sqlite3.Error, StorageError) as exc:
            self.close()
            full = disk_full(self.path, exc)
            if full is not None:
                raise full from None
            if not isinstance(exc, StorageError):
                exc = StorageError(f"cannot use the queue database {self.path}: {exc}")
            raise StorageError(how_to_recover(str(exc))) from None

    def close(self) -> None:
        """Close every connection this store opened (from any thread); wake waiters."""
        self._closed = True
        self._wake.set()
        if self._committer is not None and self._committer is not threading.current_thread():
            self._committer.join(5)
        with self._conns_lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        with self._cond:
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed

    def conn(self) -> sqlite3.Connection:
        """This thread's connection (SQLite connections must not be shared between threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise StorageError("the queue database is closed")
            conn = connect(self.path)
            self._local.conn = conn
            with self._conns_lock:
                self._conns.append(conn)
        return conn

    def today(self) -> str:
        return self._day_of(self._clock())

    def _day_of(self, now: datetime) -> str:
        """The local day of ``now``, never before the newest day already opened.

        A system clock stepped back across midnight (NTP correction, a dead
        RTC battery) must not issue tickets into an archived day nobody calls.
        """
        day = local_day(now, self._tz)
        if self._last_now is not None and now < self._last_now - CLOCK_STEP:
            log.warning(
                "the system clock stepped back by %.0f s (now %s)",
                (self._last_now - now).total_seconds(),
                to_iso(now),
            )
        self._last_now = now
        if day < self._latest_day:
            if day != self._stale_day:
                log.warning(
                    "the clock says local day %s, before the open day %s; "
                    "tickets keep going into %s",
                    day,
                    self._latest_day,
                    self._latest_day,
                )
                self._stale_day = day
            return self._latest_day
        return day

    # -- transactions --------------------------------------------------------
    def transact(self, fn: Callable[[Tx], T]) -> T:
        """Run ``fn(tx)`` atomically and durably; return its result or raise its error.

        ``fn`` may run on another caller's thread (the one committing), on that
        thread's connection: it must only use ``tx``.
        """
        change: _Change[T] = _Change(fn)
        with self._pending_lock:
            self._pending.append(change)
        with self._write_lock:
            if not change.finished:
                self._commit_pending()
        return change.outcome()

    def submit(self, fn: Callable[[Tx], T]) -> asyncio.Future[T]:
        """Run ``fn(tx)`` like :meth:`transact`, for the running event loop: a future.

        The future is resolved (on the loop) once the commit is on disk, or gets
        the change's error. The caller's thread never blocks: the committer thread
        runs the change with every other one waiting, in one transaction.
        """
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        if self._closed:
            future.set_exception(StorageError("the queue database is closed"))
            return future
        with self._pending_lock:
            self._pending.append(_Change(fn, future))
            if self._committer is None:
                self._committer = threading.Thread(
                    target=self._commit_submitted, name="queue-committer", daemon=True
                )
                self._committer.start()
        self._wake.set()
        return future

    def _commit_submitted(self) -> None:
        """The committer thread: commit what event loops submitted, until the store closes."""
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._closed:
                break
            try:
                with self._write_lock:
                    if self._pending:
                        self._commit_pending()
            except Exception:  # pragma: no cover - _commit_pending settles its batch first
                log.exception("the queue committer failed; it keeps running")
        with self._pending_lock:
            left, self._pending = self._pending, []
        for change in left:
            change.error = StorageError("the queue database is closed")
            change.finished = True
        _settle(left)

    def _commit_pending(self) -> None:
        with self._pending_lock:
            batch, self._pending = self._pending, []
        try:
            self._commit(batch)
        finally:
            _settle(batch)

    def _commit(self, batch: list[_Change[Any]]) -> None:
        conn = self.conn()
        now = self._clock()
        day = self._day_of(now)
        opening = Tx(conn, now, day)
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                opened = self._open_day(opening)
                for change in batch:
                    self._run(change, Tx(conn, now, day, opened_day=opened))
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
        except BaseException as exc:
            # Nothing of this batch was committed: every caller hears it.
            failure = StorageError(f"the queue database is unavailable: {exc}")
            for change in batch:
                change.error = change.error or failure
                change.finished = True
            if not isinstance(exc, sqlite3.Error):
                raise
            return
        self._known_day = day
        self._latest_day = max(self._latest_day, day)
        events = opening.events + [e for c in batch if c.error is None for e in c.events]
        for change in batch:
            change.finished = True
        self._publish(events)

    def _run(self, change: _Change[Any], tx: Tx) -> None:
        tx.conn.execute("SAVEPOINT change")
        try:
            change.result = change.fn(tx)
        except BaseException as exc:
            tx.conn.execute("ROLLBACK TO change")
            tx.conn.execute("RELEASE change")
            if isinstance(exc, sqlite3.Error):
                exc = StorageError(f"the queue database failed: {exc}")
            change.error = exc
            return
        tx.conn.execute("RELEASE change")
        change.events = tx.events

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A consistent snapshot for reads made of several queries."""
        conn = self.conn()
        now = self._clock()
        try:
            conn.execute("BEGIN")
            try:
                yield Tx(conn, now, self._day_of(now))
            finally:
                conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StorageError(f"the queue database failed: {exc}") from exc

    def _open_day(self, tx: Tx) -> bool:
        """Record the local day on its first write; True when this commit opened it."""
        if self._known_day == tx.day:
            return False
        cur = tx.conn.execute(
            "INSERT OR IGNORE INTO days (day, opened_at) VALUES (?, ?)", (tx.day, tx.at)
        )
        if not cur.rowcount:
            return False  # another process opened it
        archived = [
            r[0]
            for r in tx.conn.execute(
                "SELECT day FROM days WHERE archived_at IS NULL AND day < ? ORDER BY day",
                (tx.day,),
            )
        ]
        tx.conn.execute(
            "UPDATE days SET archived_at = ? WHERE archived_at IS NULL AND day < ?",
            (tx.at, tx.day),
        )
        self._on_new_day(tx, archived)
        log.info("queue day %s opened (archived: %s)", tx.day, ", ".join(archived) or "-")
        return True

    def day_is_open(self) -> bool:
        """True when this process has already written in the current local day."""
        return self._known_day == self.today()

    # -- the event log -------------------------------------------------------
    def emit(
        self,
        tx: Tx,
        kind: str,
        *,
        counter: str | None = None,
        service: str | None = None,
        ticket: Ticket | None = None,
        data: dict[str, Any] | None = None,
    ) -> Event:
        """Append an event to the log inside ``tx``; it is published after the commit."""
        data = data or {}
        cur = tx.conn.execute(
            "INSERT INTO events (type, at, day, counter, service, ticket_id, ticket, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                kind,
                tx.at,
                tx.day,
                counter,
                service,
                ticket["id"] if ticket else None,
                orjson.dumps(ticket).decode() if ticket else None,
                orjson.dumps(data).decode(),
            ),
        )
        event: Event = {
            "id": int(cur.lastrowid or 0),
            "type": kind,
            "at": tx.at,
            "counter": counter,
            "service": service,
            "ticket": ticket,
            "data": data,
        }
        tx.events.append(event)
        return event

    def _publish(self, events: list[Event]) -> None:
        # Runs under the write lock, so subscribers see events in id order.
        if not events:
            return
        with self._cond:
            self._head = max(self._head, events[-1]["id"])
            self._cond.notify_all()
        for callback in list(self._subscribers):
            try:
                callback(events)
            except Exception:
                log.exception("an event subscriber failed; it stays subscribed")

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def last_event_id(self) -> int:
        row = self.conn().execute("SELECT coalesce(max(id), 0) FROM events").fetchone()
        return int(row[0])

    def events_after(self, after_id: int, limit: int = 100) -> list[Event]:
        try:
            rows = self.conn().execute(
                "SELECT id, type, at, counter, service, ticket, data FROM events "
                "WHERE id > ? ORDER BY id LIMIT ?",
                (after_id, max(1, limit)),
            )
            return [
                Event(
                    id=r[0],
                    type=r[1],
                    at=r[2],
                    counter=r[3],
                    service=r[4],
                    ticket=json.loads(r[5]) if r[5] else None,
                    data=json.loads(r[6]),
                )
                for r in rows
            ]
        except sqlite3.Error as exc:
            raise StorageError(f"the queue database failed: {exc}") from exc

    def events_json(self, after_id: int, limit: int = 100) -> tuple[str, int]:
        """Events after ``after_id`` as JSON array text (and the last id in it).

        Built from the JSON already stored, without decoding it: the cheap path
        for HTTP readers. Same shape as :meth:`events_after`.
        """
        try:
            rows = (
                self.conn()
                .execute(
                    "SELECT id, type, at, counter, service, ticket, data FROM events "
                    "WHERE id > ? ORDER BY id LIMIT ?",
                    (after_id, max(1, limit)),
                )
                .fetchall()
            )
        except sqlite3.Error as exc:
            raise StorageError(f"the queue database failed: {exc}") from exc
        text = ",".join(
            f'{{"id":{r[0]},"type":{json.dumps(r[1])},"at":{json.dumps(r[2])},'
            f'"counter":{json.dumps(r[3])},"service":{json.dumps(r[4])},'
            f'"ticket":{r[5] or "null"},"data":{r[6]}}}'
            for r in rows
        )
        return f"[{text}]", rows[-1][0] if rows else after_id

    def wait_for_events(self, after_id: int, timeout: float, limit: int = 100) -> list[Event]:
        """Events after ``after_id``, waiting up to ``timeout`` s; [] once the store closes."""
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            try:
                found = self.events_after(after_id, limit)
            except StorageError:
                if self._closed:
                    return []
                raise
            remaining = deadline - time.monotonic()
            if found or remaining <= 0 or self._closed:
                return found
            with self._cond:
                if self._head <= after_id and not self._closed:
                    self._cond.wait(min(remaining, POLL_SECONDS))


# Below this, a database that fails to open is taken to have failed for want of space.
FULL_DISK_BYTES = 1024 * 1024


def disk_full(path: Path, exc: BaseException) -> StorageError | None:
    """The one sentence for a database that failed because its disk is full, else None."""
    try:
        free = shutil.disk_usage(path.parent).free
    except OSError:
        return None
    if free >= FULL_DISK_BYTES and "full" not in str(exc):
        return None
    return StorageError(
        f"the disk holding {path} is full ({free / 1_048_576:.1f} MB free); "
        "free some space and start again"
    )


def how_to_recover(problem: str) -> str:
    """``problem`` (a database that failed to open), with the way back when its file is
    damaged (a power cut on a disk that lost writes, a -wal deleted by hand)."""
    if "malformed" in problem or "not a database" in problem:
        return (
            f"{problem}: the file is damaged; restore the last backup "
            "(docs/deployment.md, 'To restore a backup')"
        )
    return problem


def _settle(batch: list[_Change[Any]]) -> None:
    """Resolve the submitted changes of ``batch``: one wake-up of each event loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_Change[Any]]] = {}
    for change in batch:
        if change.future is not None:
            by_loop.setdefault(change.future.get_loop(), []).append(change)
    for loop, changes in by_loop.items():
        try:
            loop.call_soon_threadsafe(_resolve, changes)
        except RuntimeError:
            pass  # the loop is closed: nobody waits for these any more


def _resolve(changes: list[_Change[Any]]) -> None:
    for change in changes:
        future = change.future
        if future is None or future.done():
            continue  # the caller went away (cancelled)
        if not change.finished:
            future.set_exception(StorageError("the change was not committed"))
        elif change.error is not None:
            future.set_exception(change.error)
        else:
            future.set_result(change.result)


def _rollback(conn: sqlite3.Connection) -> None:
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass  # the transaction is already gone (e.g. the failed COMMIT ended it)
