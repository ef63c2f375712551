"""Bounded reads of the event log, so that readers cannot slow down issuing.

Any known role may read ``/events``; a board token on a hostile device must not
be able to crowd out the kiosks. A *caller* is (role, client address):

* catch-up reads (events already in the log) run on READER_THREADS dedicated
  threads, not the engine's, one after the other; a caller may have
  MAX_READS_PER_CALLER of them queued or running (enough for all its long-polls
  to read at once when an event wakes them) and all callers together
  MAX_READS_QUEUED;
* long-polls (waiting for the next event) hold no thread but a socket: a
  caller may hold MAX_WAITS_PER_CALLER, everybody together MAX_WAITS.

Readers woken by the same commit ask for the same page (the events after the
same id): :meth:`ReadBudget.shared` lets them share one read, so a centre's
hundreds of boards, consoles and phones cost one read per commit, not one each,
and none of them is refused for the others' reads.

Over a budget the answer is 429 with Retry-After; each cap hit is logged once
a minute per caller (CapLog). Everything here runs on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from kiosk.server.auth import Throttled
from kiosk.server.guard import CapLog

READER_THREADS = 1
MAX_WAITS_PER_CALLER = 8
MAX_READS_PER_CALLER = MAX_WAITS_PER_CALLER + 2
MAX_READS_QUEUED = 64
MAX_WAITS = 1000
T = TypeVar("T")


class ReadBudget:
    def __init__(self) -> None:
        self._reads: Counter[str] = Counter()
        self._waits: Counter[str] = Counter()
        self._reads_total = 0
        self._waits_total = 0
        self._pool = ThreadPoolExecutor(READER_THREADS, thread_name_prefix="event-reader")
        self._inflight: dict[Hashable, asyncio.Future[Any]] = {}
        self.caps = CapLog()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def read(self, caller: str, fn: Callable[..., T], *args: object) -> T:
        """Run ``fn(*args)`` on the reader thread within ``caller``'s budget."""
        self._enter(caller, new_read=True)
        try:
            return await self._start(fn, *args)
        finally:
            self._leave(caller)

    async def shared(self, caller: str, key: Hashable, fn: Callable[..., T], *args: object) -> T:
        """:meth:`read`, or a share of the same read (same ``key``) already under way.

        A share counts against ``caller``'s own budget (one device's flood is
        still refused beyond it) but not against everybody's: it costs no read.
        """
        self._enter(caller, new_read=key not in self._inflight)
        try:
            return await asyncio.shield(self.share(key, fn, *args))
        finally:
            self._leave(caller)

    def share(self, key: Hashable, fn: Callable[..., T], *args: object) -> asyncio.Future[T]:
        """The read of ``key`` under way, or a new one: for many waiters at once (parked
        long-polls, whose places were counted while they waited), outside any caller's budget."""
        pending = self._inflight.get(key)
        if pending is None:
            pending = self._start(fn, *args)
            self._inflight[key] = pending
            pending.add_done_callback(lambda _: self._inflight.pop(key, None))
        return pending

    def _enter(self, caller: str, *, new_read: bool) -> None:
        """Count a read of ``caller``'s, or raise Throttled over a budget."""
        if self._reads[caller] >= MAX_READS_PER_CALLER or (
            new_read and self._reads_total >= MAX_READS_QUEUED
        ):
            self.caps.hit("event_reads", caller, "%d reads at once", self._reads[caller])
            raise Throttled("too many event reads at once", 1.0)
        self._reads[caller] += 1

    def _leave(self, caller: str) -> None:
        self._reads[caller] -= 1
        if not self._reads[caller]:
            del self._reads[caller]

    def _start(self, fn: Callable[..., T], *args: object) -> asyncio.Future[T]:
        """One read on the reader thread, counted in everybody's budget while it lasts."""
        self._reads_total += 1
        future = asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _: asyncio.Future[Any]) -> None:
        self._reads_total -= 1

    @contextlib.contextmanager
    def waiting(self, caller: str) -> Iterator[None]:
        """Hold one of ``caller``'s long-poll places for the duration of the block."""
        self.begin_wait(caller)
        try:
            yield
        finally:
            self.end_wait(caller)

    def begin_wait(self, caller: str) -> None:
        """Take one of ``caller``'s long-poll places (Throttled when none is left)."""
        if self._waits[caller] >= MAX_WAITS_PER_CALLER or self._waits_total >= MAX_WAITS:
            self.caps.hit("long_polls", caller, "%d long-polls open", self._waits[caller])
            raise Throttled("too many long-polls open", 5.0)
        self._waits[caller] += 1
        self._waits_total += 1

    def end_wait(self, caller: str) -> None:
        """Give back a place taken by :meth:`begin_wait`."""
        self._waits_total -= 1
        self._waits[caller] -= 1
        if not self._waits[caller]:
            del self._waits[caller]
