"""Wake long-poll requests on the server's event loop when the engine commits events.

The engine calls :meth:`EventNotifier.on_events` from whichever thread
committed; the notifier hops onto the loop and fires the current
:class:`asyncio.Event`, replacing it for the next round. A waiter takes the
current event *before* it reads the log, so a commit in between cannot be missed.
"""

from __future__ import annotations

import asyncio

from kiosk.queue.records import Event


class EventNotifier:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._event = asyncio.Event()
        self._stopping = asyncio.Event()

    def current(self) -> asyncio.Event:
        return self._event

    def on_events(self, events: list[Event]) -> None:
        """Engine subscriber: safe from any thread."""
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._fire)

    def _fire(self) -> None:
        fired, self._event = self._event, asyncio.Event()
        fired.set()

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

    async def wait(self, event: asyncio.Event, timeout: float) -> None:
        """Wait until ``event`` fires, the server stops, or ``timeout`` seconds pass."""
        if self._stopping.is_set() or timeout <= 0:
            return
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            pass
