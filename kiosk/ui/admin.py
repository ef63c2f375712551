"""The hidden way in for staff: a tap gesture in a corner, then the admin PIN.

Pure logic with an injectable clock (tested without a window). The PIN is
checked against ``kiosk.admin_pin_hash`` (scrypt, so off the UI thread);
wrong PINs lock the pad for a while so nobody can try them all at the kiosk.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from kiosk.credentials import verify_secret

TAPS = 5
TAP_WINDOW_SECONDS = 3.0
CORNER_FRACTION = 0.08  # of the short side
MAX_WRONG_PINS = 3
LOCKOUT_SECONDS = 60.0
PIN_LENGTH_MAX = 12


class CornerTaps:
    """Five taps in the top-left corner within three seconds open the PIN pad."""

    def __init__(
        self,
        taps: int = TAPS,
        window: float = TAP_WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.taps = taps
        self.window = window
        self._clock = clock
        self._times: deque[float] = deque(maxlen=taps)

    @staticmethod
    def in_corner(x: float, y: float, width: float, height: float) -> bool:
        """Top-left corner (Kivy's y grows upwards)."""
        side = min(width, height) * CORNER_FRACTION
        return x <= side and y >= height - side

    def tap(self, x: float, y: float, width: float, height: float, at: float | None = None) -> bool:
        """Record a touch; True when it completes the gesture.

        ``at`` is when the finger touched (Kivy's ``MotionEvent.time_start``), so a
        slow kiosk PC that handles the taps late still measures the finger's pace;
        without it, the time the tap is handled (``clock``).
        """
        if not self.in_corner(x, y, width, height):
            self._times.clear()
            return False
        now = self._clock() if at is None else at
        self._times.append(now)
        if len(self._times) == self.taps and now - self._times[0] <= self.window:
            self._times.clear()
            return True
        return False


class PinGate:
    """Checks admin PINs; after MAX_WRONG_PINS wrong ones, refuses for LOCKOUT_SECONDS."""

    def __init__(
        self,
        pin_hash: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_wrong: int = MAX_WRONG_PINS,
        lockout: float = LOCKOUT_SECONDS,
    ) -> None:
        self._hash = pin_hash
        self._clock = clock
        self.max_wrong = max_wrong
        self.lockout = lockout
        self._wrong = 0
        self._locked_until = 0.0

    def locked_for(self) -> int:
        """Whole seconds until PINs are accepted again (0: not locked)."""
        left = self._locked_until - self._clock()
        return int(left + 0.999) if left > 0 else 0

    def check(self, pin: str) -> bool:
        """True for the right PIN. Slow (scrypt): call from a worker thread."""
        if self.locked_for() or not pin or len(pin) > PIN_LENGTH_MAX:
            return False
        if verify_secret(pin, self._hash):
            self._wrong = 0
            return True
        self._wrong += 1
        if self._wrong >= self.max_wrong:
            self._wrong = 0
            self._locked_until = self._clock() + self.lockout
        return False
