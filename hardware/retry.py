"""Retry and backoff, one mechanism for every Python part: tenacity, set up the same way.

``hardware`` may not import ``kiosk``, but ``kiosk`` may import ``hardware``,
so the few pieces tenacity does not have live here and both sides use them:

* :func:`cancellable`: a tenacity ``sleep`` that ends at once when the owner
  shuts down (``threading.Event.wait``), so a backoff never holds up a stop;
* :class:`Retryable` and :func:`wait_retry_after`: a failure worth another try
  that may carry the server's ``Retry-After`` wish, honoured up to a limit;
* :func:`parse_retry_after`: the one reader of ``Retry-After`` (RFC 9110
  10.2.3: delta-seconds or an HTTP date);
* :class:`stop_at_deadline`: no further attempt once an overall deadline (a
  ``time.monotonic()`` instant, not one per call) would pass during the backoff.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from datetime import UTC, datetime

from tenacity import RetryCallState
from tenacity.stop import stop_base
from tenacity.wait import wait_base

__all__ = [
    "Retryable",
    "Stopped",
    "cancellable",
    "parse_retry_after",
    "stop_at_deadline",
    "wait_retry_after",
]


class Stopped(Exception):
    """A backoff wait was cut short because its owner is stopping."""


class Retryable(Exception):
    """A failure worth another attempt; ``retry_after`` is the server's wish, if it said one."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


def cancellable(wait: Callable[[float], bool]) -> Callable[[float], None]:
    """A tenacity ``sleep`` from an ``Event.wait``-like ``wait``; True from it raises Stopped."""

    def sleep(seconds: float) -> None:
        if wait(seconds):
            raise Stopped

    return sleep


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class wait_retry_after(wait_base):
    """The last failure's ``retry_after`` when it has one, else ``fallback``'s wait.

    A wish above ``limit`` is not waited out: ``too_long(seconds)`` is raised
    instead (the caller's sentence for "the server asks us to come back later").
    """

    def __init__(
        self,
        fallback: wait_base,
        *,
        limit: float | None = None,
        too_long: Callable[[float], Exception] | None = None,
    ) -> None:
        self.fallback = fallback
        self.limit = limit
        self.too_long = too_long

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        exc = outcome.exception() if outcome is not None and outcome.failed else None
        wish = getattr(exc, "retry_after", None)
        if wish is None:
            return self.fallback(retry_state)
        if self.limit is not None and wish > self.limit:
            if self.too_long is not None:
                raise self.too_long(wish)
            return self.limit
        return float(wish)


class stop_at_deadline(stop_base):
    """Stop when the wait before the next attempt would end at or after ``deadline``.

    ``deadline`` is a ``time.monotonic()`` instant shared by several retried calls
    (tenacity's own ``stop_before_delay`` counts from the start of each call).
    """

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        return time.monotonic() + (retry_state.upcoming_sleep or 0.0) >= self.deadline
