"""Where a running sync is, for whoever shows it (``kiosk sync``'s progress lines).

The sync updates it from its own thread (each step as it starts, each piece of a
download as it arrives); a reporter on another thread reads a :class:`Snapshot`
whenever it likes, so a download that has gone silent still gets reported:
"nothing has arrived for 20 s" is what tells centre IT a stall from a slow link.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Literal

Step = Literal["manifest", "changes", "export", "store"]


@dataclass(frozen=True, slots=True)
class Snapshot:
    step: Step
    elapsed: float  # seconds since the sync began
    received: int  # bytes of the current download so far (as sent, compressed or not)
    expected: int | None  # its Content-Length, when the server said one
    idle: float  # seconds since the last byte arrived (or since the step began)
    procedures: int | None  # what the manifest announces, once it is in


class SyncProgress:
    """Thread-safe; ``progress(done, total)`` is the downloads' callback."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._step: Step = "manifest"
        self._received = 0
        self._expected: int | None = None
        self._last = self._started
        self._procedures: int | None = None

    def begin(self, step: Step, procedures: int | None = None) -> None:
        with self._lock:
            self._step = step
            self._received, self._expected = 0, None
            self._last = time.monotonic()
            if procedures is not None:
                self._procedures = procedures

    def progress(self, done: int, total: int | None) -> None:
        with self._lock:
            self._received, self._expected = done, total
            self._last = time.monotonic()

    def snapshot(self) -> Snapshot:
        now = time.monotonic()
        with self._lock:
            return Snapshot(
                self._step,
                now - self._started,
                self._received,
                self._expected,
                now - self._last,
                self._procedures,
            )
