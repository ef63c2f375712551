"""One thread per physical port: keeps every display on it showing its latest number.

Callers only record what each address should show (``set``) and return at once,
so the centre server's event loop never waits on a serial line. The thread
writes what differs from what the port last received, paced by the protocol's
inter-frame gap. When the port fails (unplugged, reset, a TCP bridge gone) it
closes it, backs off, reopens it (a by-id path or hwgrep:// is resolved anew)
and re-sends the current number of every display on the port, so a call made
while a display was away is shown as soon as it is back.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import serial
from tenacity import Retrying, retry_if_result, wait_exponential

from hardware.display.protocols import DisplayError, Protocol, get_protocol
from hardware.display.transport import (
    PortSpec,
    SerialLike,
    describe_error,
    open_port,
    read_reply,
)
from hardware.retry import Stopped, cancellable

log = logging.getLogger(__name__)

PORT_ERRORS = (serial.SerialException, OSError, ValueError)
# A display that does not answer is tried again after this long, doubling up to the max,
# while the other displays on its line go on being served.
UNANSWERED_RETRY_MAX = 5.0
_UNSENT = object()  # what the device shows after a (re)open: unknown, so everything is sent


class PortSupervisor:
    """Owns one port and the wanted state of every display address on it."""

    def __init__(
        self,
        spec: PortSpec,
        *,
        opener: Callable[[PortSpec], SerialLike] = open_port,
        backoff_start: float = 0.1,
        backoff_max: float = 0.5,
        probe_interval: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.spec = spec
        self.protocol: Protocol = get_protocol(spec.protocol, spec.register)
        self._expects_reply = spec.reply_timeout > 0 and self.protocol.reply_size > 0
        self._opener = opener
        self._backoff_start = backoff_start
        self._backoff_max = backoff_max
        self._probe_interval = probe_interval
        # Every time the supervisor reads (frame gaps, retry times, outage lengths) comes from
        # here, so a test drives it by hand instead of waiting for it.
        self._clock = clock
        self._cond = threading.Condition()
        self._wanted: dict[int, str | None] = {}  # address -> number (None: blank)
        self._sent: dict[int, object] = {}
        self._dirty: dict[int, int] = {}  # address -> sequence, oldest first
        self._seq = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._port: SerialLike | None = None
        self._opened_path = ""
        self._last_frame_end = 0.0
        self._lost_at: float | None = None
        self._last_error = ""
        # Displays that did not answer their last frame: address -> (failures, retry time).
        self._unanswered: dict[int, tuple[int, float]] = {}
        self._silent_frames = 0  # frames in a row that no display answered
        self._silent_loss = False  # the port was reopened because nothing answered
        self.frames_sent = 0
        self.replies_missed = 0
        self.reconnects = 0

    # -- called from any thread, never blocks on I/O --------------------------
    def set(self, address: int, number: str | None) -> None:
        """Make ``address`` show ``number`` (None blanks it) as soon as the port allows."""
        with self._cond:
            self._wanted[address] = number
            if self._sent.get(address, _UNSENT) != number:
                self._seq += 1
                self._dirty.setdefault(address, self._seq)  # a pending address keeps its turn
            else:
                self._dirty.pop(address, None)
            self._cond.notify_all()

    def wanted(self, address: int) -> str | None:
        with self._cond:
            return self._wanted.get(address)

    @property
    def connected(self) -> bool:
        """The port is open and, for displays that answer, one of them has since answered."""
        return self._port is not None and not self._silent_loss

    def status(self) -> dict[str, Any]:
        with self._cond:
            return {
                "port": self.spec.label(),
                "connected": self.connected,
                "pending": sorted(self._dirty),
                "showing": dict(self._wanted),
                "last_error": self._last_error,
                "reconnects": self.reconnects,
                "unanswered": sorted(self._unanswered),
            }

    def wait_sent(self, timeout: float) -> bool:
        """Block until every wanted state has been written (tests, display-test, shutdown)."""
        return self.wait_until(lambda sup: not sup._dirty and sup._port is not None, timeout)

    def wait_until(self, predicate: Callable[[PortSupervisor], bool], timeout: float) -> bool:
        """Block until ``predicate(self)`` holds; every change of state re-checks it."""
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self), timeout)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"display:{self.spec.target}", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Let pending frames go out for up to ``timeout`` seconds, then close the port."""
        if self._thread is None:
            return
        if self._port is not None:
            self.wait_sent(timeout)
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        self._thread.join(timeout)
        self._thread = None
        self._close()

    # -- the port thread ------------------------------------------------------
    def _run(self) -> None:
        # Each reopen starts its backoff again from ``backoff_start``.
        reopen = Retrying(
            wait=wait_exponential(multiplier=self._backoff_start, max=self._backoff_max),
            retry=retry_if_result(lambda opened: not opened),
            sleep=cancellable(self._stop.wait),
        )
        while not self._stop.is_set():
            if self._port is None:
                try:
                    reopen(self._open)
                except Stopped:
                    return
                continue
            address = self._next_address()
            if address is None:
                self._probe()
                continue
            self._pace()
            self._send(address)

    def _open(self) -> bool:
        try:
            port = self._opener(self.spec)
        except PORT_ERRORS as exc:
            self._note_loss(describe_error(exc))
            return False
        path = self.spec.target if self.spec.kind == "device" else ""
        with self._cond:
            self._port = port
            self._opened_path = os.path.realpath(path) if path else ""
            # The device may have been power-cycled: it shows nothing we can vouch for.
            self._sent.clear()
            self._unanswered.clear()
            for address in self._wanted:
                self._seq += 1
                self._dirty.setdefault(address, self._seq)
            self._cond.notify_all()
        self._silent_frames = 0
        if self._silent_loss:
            return True  # open again, but back only once a display answers
        if self._lost_at is not None:
            self._back()
        else:
            log.info("display port %s open", self.spec.label())
        return True

    def _back(self) -> None:
        if self._lost_at is not None:
            self.reconnects += 1
            log.warning(
                "display port %s is back after %.1f s; re-sending %d display(s)",
                self.spec.label(),
                self._clock() - self._lost_at,
                len(self._dirty),
            )
        self._lost_at = None

    def _next_address(self) -> int | None:
        with self._cond:
            if not self._ready():
                self._cond.wait(self._idle_wait())
            ready = self._ready()
            if not ready or self._stop.is_set():
                return None
            # Displays that answer go before one being retried: a dead one never delays a call.
            return min(ready, key=lambda a: (a in self._unanswered, self._dirty[a]))

    def _ready(self) -> list[int]:
        """Pending addresses, less displays that did not answer and wait for their retry."""
        now = self._clock()
        return [a for a in self._dirty if self._unanswered.get(a, (0, 0.0))[1] <= now]

    def _idle_wait(self) -> float:
        retries = [self._unanswered[a][1] for a in self._dirty if a in self._unanswered]
        if not retries:
            return self._probe_interval
        return max(0.0, min(self._probe_interval, min(retries) - self._clock()))

    def _pace(self) -> None:
        delay = self._last_frame_end + self.spec.gap - self._clock()
        if delay > 0:
            self._wait_gap(delay)

    def _wait_gap(self, seconds: float) -> None:
        self._stop.wait(seconds)

    def _send(self, address: int) -> None:
        with self._cond:
            number = self._wanted.get(address)
            seq = self._dirty.get(address)
        try:
            frame, shown = self.protocol.frame(address, number), self.protocol.shown(number)
        except DisplayError as exc:
            # Better dark than still showing the previous citizen's number.
            log.error("display %s address %d: %s; blanking it", self.spec.label(), address, exc)
            frame, shown = self.protocol.frame(address, None), ""
        port = self._port
        if port is None:
            return
        reply = b""
        try:
            if self._expects_reply:
                port.reset_input_buffer()  # a late answer to an earlier frame is not this one's
            port.write(frame)
            # The gap counts from when the last byte left the wire, not from write().
            bits = 1 + self.spec.bytesize + (self.spec.parity != "N") + self.spec.stopbits
            self._last_frame_end = self._clock() + len(frame) * bits / self.spec.baudrate
            if self._expects_reply:
                reply = read_reply(port, self.spec, frame, self.protocol.reply_size)
        except PORT_ERRORS as exc:
            self._lost(describe_error(exc))
            return
        self.frames_sent += 1
        if self._expects_reply:
            try:
                self.protocol.check_reply(address, reply)
            except DisplayError as exc:
                self._not_answered(address, str(exc))
                return
            self._answered(address)
        level = logging.INFO if self.spec.kind == "log" else logging.DEBUG
        log.log(level, "display %s address %d shows %r (%s)", self.spec.label(), address, shown,
                frame.hex(" "))  # fmt: skip
        self._mark_sent(address, number, seq)

    def _not_answered(self, address: int, reason: str) -> None:
        """One display did not acknowledge: retry it later; if none on the line answers, reopen."""
        self.replies_missed += 1
        self._silent_frames += 1
        with self._cond:
            failures = self._unanswered.get(address, (0, 0.0))[0] + 1
            delay = min(self._backoff_start * 2 ** (failures - 1), UNANSWERED_RETRY_MAX)
            self._unanswered[address] = (failures, self._clock() + delay)
            addresses = len(self._wanted)
            self._last_error = f"address {address}: {reason}"
            self._cond.notify_all()
        if failures == 1 and not self._silent_loss:  # a silent line is logged once, as lost
            log.warning(
                "display %s address %d: %s; trying it again, the others go on",
                self.spec.label(),
                address,
                reason,
            )
        if self._silent_frames >= max(2, addresses):
            # Nobody on the line answers: the adapter or the line is at fault, not a display.
            self._silent_loss = True
            self._lost(f"no display on the line answers ({reason})")

    def _answered(self, address: int) -> None:
        self._silent_frames = 0
        with self._cond:
            missed = self._unanswered.pop(address, None)
            self._cond.notify_all()
        if missed is not None:
            log.warning("display %s address %d answers again", self.spec.label(), address)
        if self._silent_loss:
            self._silent_loss = False
            self._back()

    def _mark_sent(self, address: int, number: str | None, seq: int | None) -> None:
        with self._cond:
            self._sent[address] = number
            if self._dirty.get(address) == seq and self._wanted.get(address) == number:
                del self._dirty[address]
            self._cond.notify_all()

    def _probe(self) -> None:
        """Notice a vanished device while idle, so it is re-sent the moment it returns."""
        port = self._port
        if port is None or not self.spec.probes:
            return
        try:
            if self._opened_path and os.path.realpath(self.spec.target) != self._opened_path:
                raise serial.SerialException(f"{self.spec.target} now points to another device")
            data = port.read(256)  # non-blocking; acks some boards send are dropped
            if data:
                log.debug("display %s sent %s", self.spec.label(), data.hex(" "))
        except PORT_ERRORS as exc:
            self._lost(describe_error(exc))

    def _lost(self, reason: str) -> None:
        self._close()
        self._note_loss(reason)

    def _note_loss(self, reason: str) -> None:
        if self._lost_at is None:
            self._lost_at = self._clock()
            log.warning(
                "display port %s unavailable: %s; retrying every %.1f s",
                self.spec.label(),
                reason,
                self._backoff_max,
            )
        with self._cond:
            self._last_error = reason
            self._cond.notify_all()

    def _close(self) -> None:
        with self._cond:
            port, self._port = self._port, None
            self._cond.notify_all()
        if port is not None:
            try:
                port.close()
            except PORT_ERRORS:
                pass
