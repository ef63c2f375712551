"""Wake a phone's long-poll only when an event may change what its page shows.

Hundreds of phones may follow their tickets at once; waking all of them on
every commit would cost the loop more than the kiosks' issuance. Each event
names the keys it can affect: its ticket (``id:X``), its service's queue
(``svc:S``, where people ahead and the wait change), or everything (``*``:
a counter paused or resumed, a new day). A waiter parks a future under its
keys; :meth:`TicketWatch.on_events` (from the engine's committing thread)
resolves only those futures.

Each key also has a generation (how many times it was touched); a view
computed for a ticket is reused while the generations of its keys stay the
same (for at most ``ttl`` seconds: time alone changes a few things, such as
how long a no-show can still be called back), so a phone that re-polls right
after an answer costs no database read.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from kiosk.queue.records import Event

EVERYTHING = "*"
# Events that change the queue of their service for everyone waiting in it.
_QUEUE_MOVES = {"called", "recalled", "serving", "no_show", "done", "transferred"}
_GLOBAL = {"counter_paused", "counter_resumed", "day_reset"}


def keys_of(event: Event) -> set[str]:
    """The watch keys an event may change."""
    kind = event.get("type")
    ticket: dict[str, Any] = dict(event.get("ticket") or {})
    data = event.get("data") or {}
    keys: set[str] = set()
    if kind in _GLOBAL:
        return {EVERYTHING}
    if ticket.get("id"):
        keys.add(f"id:{ticket['id']}")
    if data.get("ticket"):  # rated
        keys.add(f"id:{data['ticket']}")
    if data.get("from_ticket"):
        keys.add(f"id:{data['from_ticket']}")
    moves = kind in _QUEUE_MOVES or (kind == "issued" and ticket.get("priority"))
    if moves:
        for service in (event.get("service"), data.get("from_service"), ticket.get("service")):
            if service:
                keys.add(f"svc:{service}")
    return keys


MAX_CACHED = 5000


class TicketWatch:
    def __init__(self, loop: asyncio.AbstractEventLoop, ttl: float = 5.0) -> None:
        self._loop = loop
        self._waiters: dict[str, set[asyncio.Future[str | None]]] = defaultdict(set)
        self._stopping = False
        self._gen: dict[str, int] = defaultdict(int)
        self._touches = 0
        self._ttl = ttl
        self._views: dict[str, tuple[float, tuple[int, ...], Sequence[str], Any]] = {}
        self._parked = 0

    def on_events(self, events: list[Event]) -> None:
        """Engine subscriber: safe from any thread."""
        keys: set[str] = set()
        for event in events:
            keys |= keys_of(event)
        if keys and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake, keys)

    def _wake(self, keys: set[str]) -> None:
        self._touches += 1
        for key in keys:
            self._gen[key] += 1
        if EVERYTHING in keys:
            keys = set(self._waiters)
        # Sorted: "*" and a ticket's own "id:" keys answer before its queue's "svc:".
        for key in sorted(keys | {EVERYTHING}):
            for future in self._waiters.get(key, ()):
                if not future.done():
                    future.set_result(key)

    # -- views reused while nothing they depend on changed ---------------------
    def touches(self) -> int:
        """Changes seen so far: compare before and after computing a view."""
        return self._touches

    def _stamp(self, keys: Sequence[str]) -> tuple[int, ...]:
        return (self._gen.get(EVERYTHING, 0), *(self._gen.get(k, 0) for k in keys))

    def cached(self, ticket_id: str) -> Any:
        found = self._views.get(ticket_id)
        if found is None:
            return None
        expires, stamp, keys, view = found
        if time.monotonic() > expires or stamp != self._stamp(keys):
            del self._views[ticket_id]
            return None
        return view

    def remember(self, ticket_id: str, keys: Sequence[str], view: Any, touches: int) -> None:
        """Keep ``view`` unless something changed while it was computed (``touches``)."""
        if touches != self._touches:
            return
        if len(self._views) >= MAX_CACHED:
            self._views.clear()
        self._views[ticket_id] = (time.monotonic() + self._ttl, self._stamp(keys), keys, view)

    def stop(self) -> None:
        """Release every waiter (server shutdown); safe from any thread."""
        self._stopping = True
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake, {EVERYTHING})

    def waiting(self) -> int:
        """How many long-polls are parked now (safe from any thread)."""
        return self._parked

    @property
    def stopping(self) -> bool:
        return self._stopping

    async def wait(self, keys: Iterable[str], timeout: float) -> str | None:
        """Wait until an event touches one of ``keys`` (returned) or ``timeout`` s pass."""
        if self._stopping or timeout <= 0:
            return None
        future: asyncio.Future[str | None] = self._loop.create_future()
        watched = list(keys)
        for key in watched:
            self._waiters[key].add(future)
        self._parked += 1
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return None
        finally:
            self._parked -= 1
            for key in watched:
                bucket = self._waiters.get(key)
                if bucket is not None:
                    bucket.discard(future)
                    if not bucket:
                        del self._waiters[key]
