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
from hardware.display.transport import PortSpec, SerialLike, describe_error, open_port
from hardware.retry import Stopped, cancellable

log = logging.getLogger(__name__)

PORT_ERRORS = (serial.SerialException, OSError, ValueError)
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
    ) -> None:
        self.spec = spec
        self.protocol: Protocol = get_protocol(spec.protocol)
        self._opener = opener
        self._backoff_start = backoff_start
        self._backoff_max = backoff_max
        self._probe_interval = probe_interval
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
        self.frames_sent = 0
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
        return self._port is not None

    def status(self) -> dict[str, Any]:
        with self._cond:
            return {
                "port": self.spec.label(),
                "connected": self._port is not None,
                "pending": sorted(self._dirty),
                "showing": dict(self._wanted),
                "last_error": self._last_error,
                "reconnects": self.reconnects,
            }

    def wait_sent(self, timeout: float) -> bool:
        """Block until every wanted state has been written (tests, display-test, shutdown)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._dirty or self._port is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

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
            for address in self._wanted:
                self._seq += 1
                self._dirty.setdefault(address, self._seq)
            self._cond.notify_all()
        if self._lost_at is not None:
            self.reconnects += 1
            log.warning(
                "display port %s is back after %.1f s; re-sending %d display(s)",
                self.spec.label(),
                time.monotonic() - self._lost_at,
                len(self._dirty),
            )
        else:
            log.info("display port %s open", self.spec.label())
        self._lost_at = None
        return True

    def _next_address(self) -> int | None:
        with self._cond:
            if not self._dirty:
                self._cond.wait(self._probe_interval)
            if not self._dirty or self._stop.is_set():
                return None
            return min(self._dirty, key=self._dirty.__getitem__)

    def _pace(self) -> None:
        delay = self._last_frame_end + self.spec.gap - time.monotonic()
        if delay > 0:
            self._stop.wait(delay)

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
        try:
            port.write(frame)
        except PORT_ERRORS as exc:
            self._lost(describe_error(exc))
            return
        # The gap counts from when the last byte left the wire, not from write().
        bits = 1 + self.spec.bytesize + (self.spec.parity != "N") + self.spec.stopbits
        self._last_frame_end = time.monotonic() + len(frame) * bits / self.spec.baudrate
        self.frames_sent += 1
        level = logging.INFO if self.spec.kind == "log" else logging.DEBUG
        log.log(level, "display %s address %d shows %r (%s)", self.spec.label(), address, shown,
                frame.hex(" "))  # fmt: skip
        self._mark_sent(address, number, seq)

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
            self._lost_at = time.monotonic()
            log.warning(
                "display port %s unavailable: %s; retrying every %.1f s",
                self.spec.label(),
                reason,
                self._backoff_max,
            )
        self._last_error = reason

    def _close(self) -> None:
        with self._cond:
            port, self._port = self._port, None
            self._cond.notify_all()
        if port is not None:
            try:
                port.close()
            except PORT_ERRORS:
                pass
