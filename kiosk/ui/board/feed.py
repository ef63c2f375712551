"""The board's link to the centre server: one thread that long-polls the event log.

Nothing here touches Kivy: every result is handed to ``post(update)``, which
the board app turns into a call on the UI thread (``Clock.schedule_once``).

* Start: the centre's info, then today's recent calls replayed from the last
  ``BACKFILL`` events (shown, not announced), then the live long-poll from the
  newest id.
* A call reaches ``post`` as soon as the server commits it (the long-poll
  answers at once); the waiting counts are read after the events are handed
  over, so they never delay a call.
* The server goes away (restart, network): one ``offline`` update, then retries
  with backoff (0.5 s doubling to 5 s) until it answers; the poll resumes from
  the last id it had, so no call is skipped. A server whose log is new (its
  newest id is below ours: the database was replaced) is replayed from scratch.
* A refused token (401/403) is reported once as ``refused`` and retried slowly.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_not_exception_type,
    wait_exponential,
)

from hardware.retry import Stopped, cancellable
from kiosk.client import CentreClient, ServerRefused, ServerUnreachable
from kiosk.queue.clock import from_iso
from kiosk.ui.board.calls import WAITING_EVENTS, is_today

log = logging.getLogger(__name__)

BACKFILL = 400
POLL_WAIT = 25.0
RETRY_MIN = 0.5
RETRY_MAX = 5.0
REFUSED_RETRY = 30.0


@dataclass(frozen=True)
class Update:
    """One thing the UI should learn. ``kind`` is connected, events, services, offline or refused.

    * connected: ``info`` (GET /api/v1/info); ``events`` are today's replayed
      events when ``reset`` (show them, do not announce them);
    * events: live events, oldest first;
    * services: ``services`` (GET /api/v1/services' list);
    * offline / refused: ``reason`` (for the log and the IT person).
    ``clock_offset`` is the server's clock minus this machine's, in seconds.
    """

    kind: str
    info: dict[str, Any] | None = None
    events: tuple[dict[str, Any], ...] = ()
    services: tuple[dict[str, Any], ...] = ()
    reset: bool = False
    reason: str = ""
    clock_offset: float = 0.0
    received: float = field(default_factory=time.monotonic)


class BoardFeed:
    """Long-polls ``client`` on a daemon thread and hands every result to ``post``."""

    def __init__(
        self,
        client: CentreClient,
        post: Callable[[Update], None],
        *,
        wait: float = POLL_WAIT,
        retry_min: float = RETRY_MIN,
        retry_max: float = RETRY_MAX,
        refused_retry: float = REFUSED_RETRY,
        backfill: int = BACKFILL,
    ) -> None:
        self.client = client
        self._post = post
        self.wait = wait
        self.retry_min = retry_min
        self.retry_max = retry_max
        self.refused_retry = refused_retry
        self.backfill = backfill
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last: int | None = None
        self._connected = False
        self._offset = 0.0
        self._day = ""
        self._problem = ""
        self._backoff = wait_exponential(multiplier=retry_min, min=retry_min, max=retry_max)

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="board-feed", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 1.0) -> None:
        """Stop polling. A long-poll in flight is abandoned (the thread is a daemon)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def last_event(self) -> int | None:
        return self._last

    # -- the loop ------------------------------------------------------------
    def _run(self) -> None:
        # One successful poll ends a call of ``retrying``, so the backoff starts
        # again from ``retry_min`` at the next failure.
        retrying = Retrying(
            wait=self._wait,
            retry=retry_if_not_exception_type(Stopped),
            sleep=cancellable(self._stop.wait),
            before_sleep=self._report,
        )
        try:
            while not self._stop.is_set():
                retrying(self._step)
        except Stopped:
            pass

    def _step(self) -> None:
        if not self._connected:
            self._connect()
            self._problem = ""
        self._poll()

    def _wait(self, state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome is not None else None
        if isinstance(failure, ServerRefused):
            return self.refused_retry
        if isinstance(failure, ServerUnreachable):
            return self._backoff(state)
        return self.retry_max

    def _report(self, state: RetryCallState) -> None:
        """Say what went wrong, once per kind of trouble (never let the feed die)."""
        self._connected = False
        exc = state.outcome.exception() if state.outcome is not None else None
        if isinstance(exc, ServerUnreachable):
            if self._problem != "offline":
                self._problem = "offline"
                log.warning("board: the centre server is unreachable (%s); retrying", exc)
                self._post(Update("offline", reason=str(exc)))
        elif isinstance(exc, ServerRefused):
            if self._problem != "refused":
                self._problem = "refused"
                log.error("board: the server refused the board (%s: %s)", exc, exc.detail)
                self._post(Update("refused", reason=f"{exc} {exc.detail or ''}".strip()))
        else:  # the hall would see a frozen board if the feed died
            log.error("board: unexpected failure in the event feed; retrying", exc_info=exc)

    def _connect(self) -> None:
        asked = time.time()
        info = self.client.info()
        self._offset = _offset(info, asked)
        self._day = str(info.get("day") or "")
        head = self.client.event_head()
        replay: list[dict[str, Any]] = []
        reset = self._last is None or head < self._last
        if reset:
            if self._last is not None:
                log.warning("board: the server's event log is new (head %d); replaying", head)
            replay = self._today_since(max(0, head - self.backfill), head)
            self._last = head
        self._connected = True
        log.info("board: connected to %s (events from %d)", self.client.base_url, self._last)
        self._post(
            Update(
                "connected",
                info=info,
                events=tuple(replay),
                reset=reset,
                clock_offset=self._offset,
            )
        )
        self._refresh_services()

    def _today_since(self, after: int, head: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while after < head and not self._stop.is_set():
            events, last = self.client.events(after, wait=0)
            if not events:
                break
            out += [e for e in events if e.get("type") == "day_reset" or is_today(e, self._day)]
            after = last
        return out

    def _poll(self) -> None:
        assert self._last is not None
        started = time.monotonic()
        events, last = self.client.events(self._last, wait=self.wait)
        if self._stop.is_set():
            return
        self._last = last
        if not events:
            # An early empty answer: the server was stopping. If a new one with a
            # new log already answers, start over from its head.
            if time.monotonic() - started < self.wait * 0.9:
                if self.client.event_head() < self._last:
                    self._connected = False
            return
        for event in events:
            if event.get("type") == "day_reset":
                self._day = str((event.get("data") or {}).get("day") or self._day)
        self._post(Update("events", events=tuple(events), clock_offset=self._offset))
        if any(e.get("type") in WAITING_EVENTS for e in events):
            self._refresh_services()

    def _refresh_services(self) -> None:
        services = self.client.services()
        self._post(Update("services", services=tuple(services), clock_offset=self._offset))


def _offset(info: dict[str, Any], asked: float) -> float:
    """Server clock minus ours (seconds), taken at the middle of the request."""
    try:
        server = from_iso(str(info["server_time"]))
    except (KeyError, TypeError, ValueError):
        return 0.0
    middle = (asked + time.time()) / 2
    return (server - datetime.fromtimestamp(middle, UTC)).total_seconds()
