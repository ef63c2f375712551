"""Wake long-poll requests on the server's event loop when the engine commits events.

The engine calls :meth:`EventNotifier.on_events` from whichever thread
committed; the notifier hops onto the loop, records the new newest event id
(``head``) and fires the current :class:`asyncio.Event`, replacing it for the
next round, and calls the listeners (parked long-polls, kiosk/server/parking.py)
with the head. A waiter takes the current event *before* it reads the log, so a
commit in between cannot be missed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from kiosk.queue.records import Event


class EventNotifier:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._event = asyncio.Event()
        self._stopping = asyncio.Event()
        self.head = 0  # the newest event id committed by this process (0: none yet)
        self._listeners: list[Callable[[int], None]] = []

    def current(self) -> asyncio.Event:
        return self._event

    def listen(self, callback: Callable[[int], None]) -> Callable[[], None]:
        """Call ``callback(head)`` on the loop at every wake-up (and at stop); returns a
        function that stops calling it."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback)

    def on_events(self, events: list[Event]) -> None:
        """Engine subscriber: safe from any thread."""
        if events and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._fire, events[-1]["id"])

    def _fire(self, head: int = 0) -> None:
        self.head = max(self.head, head)
        fired, self._event = self._event, asyncio.Event()
        fired.set()
        for listener in self._listeners:
            listener(self.head)

    def stop(self) -> None:
        """Release every waiter at once (server shutdown); safe from any thread."""
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop)

    def _stop(self) -> None:
        self._stopping.set()
        self._fire()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def wait(self, event: asyncio.Event, timeout: float) -> bool:
        """Wait until ``event`` fires (True), the server stops, or ``timeout`` seconds pass."""
        if self._stopping.is_set() or timeout <= 0:
            return False
        try:
            # asyncio.timeout, not wait_for: no task of its own per waiter (hundreds wake at once).
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            return False
        return True
