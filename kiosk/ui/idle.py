"""When the kiosk has been left alone: warn, then reset to the attract screen.

Pure logic with an injectable clock, so it is tested without a window; the
app polls :meth:`IdleWatch.state` from a Kivy clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class IdleState:
    phase: str  # "active" | "warning" | "expired"
    seconds_left: int


class IdleWatch:
    """``timeout`` seconds without a touch expire; the last ``warning`` seconds warn first."""

    def __init__(
        self, timeout: float, warning: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if not 0 < warning < timeout:
            raise ValueError("the warning must be shorter than the idle timeout")
        self.timeout = timeout
        self.warning = warning
        self._clock = clock
        self._last = clock()
        self.paused = False

    def touch(self) -> None:
        """Any touch, key or flow step keeps the session alive."""
        self._last = self._clock()

    def state(self) -> IdleState:
        if self.paused:
            return IdleState("active", int(self.timeout))
        left = self.timeout - (self._clock() - self._last)
        if left <= 0:
            return IdleState("expired", 0)
        phase = "warning" if left <= self.warning else "active"
        return IdleState(phase, int(left + 0.999))
