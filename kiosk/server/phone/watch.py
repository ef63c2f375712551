"""Wake a phone's long-poll only when an event may change what its page shows.

Hundreds of phones may follow their tickets at once; waking all of them on
every commit would cost the loop more than the kiosks' issuance. Each event
names the keys it can affect: its ticket (``id:X``), its service's queue
(``svc:S``, where people ahead and the wait change), or everything (``*``:
a counter paused or resumed, a new day). A waiter parks a future under its
keys; :meth:`TicketWatch.on_events` (from the engine's committing thread)
resolves only those futures.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

EVERYTHING = "*"
# Events that change the queue of their service for everyone waiting in it.
_QUEUE_MOVES = {"called", "recalled", "serving", "no_show", "done", "transferred"}
_GLOBAL = {"counter_paused", "counter_resumed", "day_reset"}


def keys_of(event: dict[str, Any]) -> set[str]:
    """The watch keys an event may change."""
    kind = event.get("type")
    ticket = event.get("ticket") or {}
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


class TicketWatch:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._waiters: dict[str, set[asyncio.Future[None]]] = defaultdict(set)
        self._stopping = False

    def on_events(self, events: list[dict[str, Any]]) -> None:
        """Engine subscriber: safe from any thread."""
        keys: set[str] = set()
        for event in events:
            keys |= keys_of(event)
        if keys and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake, keys)

    def _wake(self, keys: set[str]) -> None:
        if EVERYTHING in keys:
            keys = set(self._waiters)
        for key in keys | {EVERYTHING}:
            for future in self._waiters.get(key, ()):
                if not future.done():
                    future.set_result(None)

    def stop(self) -> None:
        """Release every waiter (server shutdown); safe from any thread."""
        self._stopping = True
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake, {EVERYTHING})

    @property
    def stopping(self) -> bool:
        return self._stopping

    async def wait(self, keys: Iterable[str], timeout: float) -> None:
        """Wait until an event touches one of ``keys`` or ``timeout`` seconds pass."""
        if self._stopping or timeout <= 0:
            return
        future: asyncio.Future[None] = self._loop.create_future()
        watched = list(keys)
        for key in watched:
            self._waiters[key].add(future)
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            pass
        finally:
            for key in watched:
                bucket = self._waiters.get(key)
                if bucket is not None:
                    bucket.discard(future)
                    if not bucket:
                        del self._waiters[key]
