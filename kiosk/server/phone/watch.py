"""Phones' long-polls: answered when, and only when, what their page shows has changed.

Hundreds of phones may follow their tickets while the kiosks issue hundreds
of tickets a minute, so nothing here may cost anything per issued ticket:

* Each event names the keys it can change (:func:`keys_of`): its ticket
  (``id:X``), the waiting line of a service (``svc:S``: people ahead and the
  wait of everyone in it), or everything (``*``: a counter paused or resumed,
  a new day). A normal ticket issued at the back of its line changes nobody
  else's page and names no key at all: the engine's committing thread then
  does not even wake the event loop.
* A parked long-poll is filed under its keys. The phones of a ticket that was
  itself touched are re-read at once (its status changed: "go to counter 3").
  A moved line is read once for every phone parked on it, ``SETTLE`` s after
  the first move (a burst of calls costs one read), in one database snapshot;
  only the phones whose view changed are answered, each after its own share
  of ``SPREAD`` s (ids are random, so the answers are evenly spread and the
  phones' next requests do not all reach the server in the same instant).
  Both stay well within the 2 s in which a page must show a change.
* A view read at change number ``n`` (every event with keys counts one) is
  reused, for at most ``ttl`` s, while none of its keys was touched after
  ``n``; a phone that re-polls right after its answer costs no read. Time
  alone changes a few things (the estimated wait as service times drift, how
  long a no-show can still be called back): those are read at the end of each
  long-poll (the page's polls last 25 s).
"""

from __future__ import annotations

import asyncio
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from kiosk.queue.records import Event

View = dict[str, Any]
# Reads the views of several tickets in one snapshot (None: no such ticket).
Reader = Callable[[list[str]], dict[str, View | None]]

EVERYTHING = "*"
SETTLE = 0.5
SPREAD = 1.0
MAX_CACHED = 5000
MAX_KEYS = 4 * MAX_CACHED

# Events that change only their own ticket's page: the ticket was not waiting before
# or after (a recall calls back a no-show; "done" moves the service's average time,
# and so the wait shown, a little: read at the end of each long-poll).
_OWN_ONLY = {"recalled", "serving", "no_show", "done", "rated"}
_NOT_SHOWN = {"print_ok", "print_failed"}  # the phone shows nothing of printing
_GLOBAL = {"counter_paused", "counter_resumed", "day_reset"}


def keys_of(event: Event) -> set[str]:
    """The watch keys an event may change."""
    kind = event.get("type")
    ticket: Mapping[str, Any] = event.get("ticket") or {}
    if kind in _NOT_SHOWN or (kind == "issued" and not ticket.get("priority")):
        # A normal ticket issued at the back of its line is ahead of nobody, and
        # nobody follows it yet. (Runs for every commit, under the write lock.)
        return set()
    if kind in _GLOBAL:
        return {EVERYTHING}
    data = event.get("data") or {}
    keys = {f"id:{t}" for t in (ticket.get("id"), data.get("ticket"), data.get("from_ticket")) if t}
    if kind not in _OWN_ONLY:
        # A call takes the head of a line, a priority ticket goes ahead of the regular
        # ones, a transferred ticket lands inside its new line by its issue time.
        keys |= {f"svc:{s}" for s in (event.get("service"), ticket.get("service")) if s}
    return keys


def keys_for(ticket_id: str, view: View) -> tuple[str, ...]:
    """The keys whose changes can change ``view``: its ids, and its line while it waits."""
    keys = [f"id:{ticket_id}"]
    if view.get("leg") and view["leg"] != ticket_id:
        keys.append(f"id:{view['leg']}")
    if view.get("status") == "waiting" and view.get("state") == "today" and view.get("service"):
        keys.append(f"svc:{view['service']}")
    return tuple(keys)


def spread_of(ticket_id: str) -> float:
    """This ticket's share of SPREAD (a stable hash of a random id: evenly spread)."""
    return SPREAD * (zlib.crc32(ticket_id.encode()) % 1000) / 1000


class Seen(NamedTuple):
    """A ticket's view and the change number it was read at."""

    view: View
    at: int


@dataclass(eq=False)
class Parked:
    ticket: str
    version: str
    keys: tuple[str, ...]
    future: asyncio.Future[Seen | None] = field(repr=False)


class TicketWatch:
    """Parks phones' long-polls and hands each a new view when its ticket's view changed.

    Everything but :meth:`on_events` and :meth:`stop` runs on the event loop.
    """

    def __init__(
        self, loop: asyncio.AbstractEventLoop, read: Reader, executor: Executor, ttl: float = 5.0
    ) -> None:
        self._loop = loop
        self._read = read
        self._executor = executor
        self._ttl = ttl
        self._stopping = False
        self.changes = 0  # events that concerned the phones (each one wake of the loop)
        self._touched: dict[str, int] = {}  # key -> the change that last touched it
        self._floor = 0  # every key counts as touched at this change (after a reset)
        self._views: dict[str, tuple[float, tuple[str, ...], Seen]] = {}
        self._parked: dict[str, set[Parked]] = defaultdict(set)
        self._due: dict[str, asyncio.TimerHandle] = {}
        self._count = 0
        self.reads = 0  # database snapshots read for the phones (tests and benchmarks count)
        self.answers = 0  # parked long-polls handed a new view

    # -- from the engine's committing thread ------------------------------------
    def on_events(self, events: list[Event]) -> None:
        """Engine subscriber: safe from any thread; a commit that concerns no phone is free."""
        keys: set[str] = set()
        for event in events:
            keys |= keys_of(event)
        if keys and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake, keys)

    def stop(self) -> None:
        """Release every waiter (server shutdown); safe from any thread."""
        self._stopping = True
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._release_all)

    # -- on the loop ----------------------------------------------------------
    def _wake(self, keys: set[str]) -> None:
        self.changes += 1
        if len(self._touched) > MAX_KEYS:
            # One key per ticket ever touched: start afresh rather than grow all year;
            # every view read before now then counts as outdated.
            self._touched.clear()
            self._floor = self.changes
        for key in keys:
            self._touched[key] = self.changes
        if EVERYTHING in keys:
            self._floor = self.changes
            self._refresh_later(EVERYTHING)
            return
        own = [p for k in keys if k.startswith("id:") for p in self._parked.get(k, ())]
        if own:
            self._refresh(own, spread=False)
        for key in keys:
            if key.startswith("svc:") and key in self._parked:
                self._refresh_later(key)

    def _refresh_later(self, key: str) -> None:
        if key not in self._due:
            self._due[key] = self._loop.call_later(SETTLE, self._refresh_line, key)

    def _refresh_line(self, key: str) -> None:
        del self._due[key]
        if key == EVERYTHING:
            parked = {p for waiting in self._parked.values() for p in waiting}
        else:
            parked = set(self._parked.get(key, ()))
        if parked:
            self._refresh(list(parked), spread=True)

    def _refresh(self, parked: list[Parked], *, spread: bool) -> None:
        """Read the parked phones' tickets in one snapshot; answer those whose view changed."""
        if self._stopping:
            return  # every waiter was released; the readers' threads are going away
        at = self.changes
        ids = sorted({p.ticket for p in parked})
        self.reads += 1
        read = self._loop.run_in_executor(self._executor, self._read, ids)
        read.add_done_callback(lambda done: self._hand_out(done, parked, at, spread))

    def _hand_out(
        self,
        done: asyncio.Future[dict[str, View | None]],
        parked: list[Parked],
        at: int,
        spread: bool,
    ) -> None:
        if done.cancelled() or done.exception() is not None:
            for p in parked:  # each reads again by itself and answers the failure
                self._answer(p, None)
            return
        views = done.result()
        for ticket_id, view in views.items():
            if view is not None:
                self._remember(ticket_id, Seen(view, at))
        for p in parked:
            view = views.get(p.ticket)
            if view is not None and view["version"] == p.version:
                continue  # nothing it shows changed: it stays parked
            seen = Seen(view, at) if view is not None else None
            if spread and seen is not None:
                self._loop.call_later(spread_of(p.ticket), self._answer, p, seen)
            else:
                self._answer(p, seen)

    def _answer(self, parked: Parked, seen: Seen | None) -> None:
        if not parked.future.done():
            self.answers += 1
            parked.future.set_result(seen)

    def _release_all(self) -> None:
        for waiting in self._parked.values():
            for p in waiting:
                self._answer(p, None)

    def _outdated(self, keys: Iterable[str], at: int) -> bool:
        """True when an event touched one of ``keys`` after change number ``at``."""
        if self._floor > at:
            return True
        touched = self._touched
        return touched.get(EVERYTHING, 0) > at or any(touched.get(k, 0) > at for k in keys)

    # -- views reused while nothing they show changed ---------------------------
    def _cached(self, ticket_id: str) -> Seen | None:
        found = self._views.get(ticket_id)
        if found is None:
            return None
        expires, keys, seen = found
        if time.monotonic() > expires or self._outdated(keys, seen.at):
            del self._views[ticket_id]
            return None
        return seen

    def _remember(self, ticket_id: str, seen: Seen) -> None:
        keys = keys_for(ticket_id, seen.view)
        if self._outdated(keys, seen.at):
            return  # something changed while it was read
        if len(self._views) >= MAX_CACHED:
            self._views.clear()
        self._views[ticket_id] = (time.monotonic() + self._ttl, keys, seen)

    async def view(self, ticket_id: str) -> Seen | None:
        """The ticket's view (None: unknown), reused while nothing it shows can have changed."""
        seen = self._cached(ticket_id)
        if seen is not None:
            return seen
        at = self.changes
        self.reads += 1
        views = await self._loop.run_in_executor(self._executor, self._read, [ticket_id])
        view = views.get(ticket_id)
        if view is None:
            return None
        seen = Seen(view, at)
        self._remember(ticket_id, seen)
        return seen

    async def next(self, ticket_id: str, seen: Seen, timeout: float) -> Seen | None:
        """Park until the ticket's view differs from ``seen`` (the new one is returned).

        None: read it again (``timeout`` s passed, the server stops, or something
        changed before the phone parked); the new view may still be the same.
        """
        if timeout <= 0:
            return None
        parked = self.park(ticket_id, seen, self._loop.create_future())
        if parked is None:
            return None
        try:
            return await asyncio.wait_for(parked.future, timeout)
        except TimeoutError:
            return None
        finally:
            self.unpark(parked)

    def park(
        self, ticket_id: str, seen: Seen, future: asyncio.Future[Seen | None]
    ) -> Parked | None:
        """File a long-poll: ``future`` gets the new view once what ``seen`` shows changed.

        It gets None when the server stops (read again). Returns None, parking
        nothing, when it must read again at once (something changed since
        ``seen`` was read, or the server stops). The caller times it out and
        :meth:`unpark` s it exactly once.
        """
        keys = keys_for(ticket_id, seen.view)
        if self._stopping or self._outdated(keys, seen.at):
            return None
        parked = Parked(ticket_id, seen.view["version"], keys, future)
        for key in keys:
            self._parked[key].add(parked)
        self._count += 1
        return parked

    def unpark(self, parked: Parked) -> None:
        self._count -= 1
        for key in parked.keys:
            waiting = self._parked.get(key)
            if waiting is not None:
                waiting.discard(parked)
                if not waiting:
                    del self._parked[key]

    def waiting(self) -> int:
        """How many long-polls are parked now (safe from any thread)."""
        return self._count

    @property
    def stopping(self) -> bool:
        return self._stopping
