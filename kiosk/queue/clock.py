"""Time for the queue: UTC instants stored as fixed-width ISO text, days in local time.

Every instant is stored as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` so that text order is
time order in SQLite; the *day* a ticket belongs to is the centre's local date
(a ticket issued at 00:30 in Hồ Chí Minh City belongs to that local day even
though it is still the previous day in UTC).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo

Clock = Callable[[], datetime]
_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_iso(moment: datetime) -> str:
    """An aware datetime as fixed-width UTC ISO 8601 text."""
    if moment.tzinfo is None:
        raise ValueError("the queue stores aware datetimes only (UTC)")
    return moment.astimezone(UTC).strftime(_FORMAT)


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def local_day(moment: datetime, tz: tzinfo) -> str:
    """The centre's local date of an instant, as ``YYYY-MM-DD``."""
    return moment.astimezone(tz).date().isoformat()


class ManualClock:
    """A clock that only moves when told to: for tests and simulations.

    Call it like :func:`utc_now`. ``advance(minutes=5)`` moves it forward.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware start time")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, **delta: float) -> datetime:
        with self._lock:
            self._now += timedelta(**delta)
            return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("ManualClock needs aware datetimes")
        with self._lock:
            self._now = moment.astimezone(UTC)
