"""A bench of LED counter displays behind a pty, parsing frames as the boards would.

The parsers here are written from docs/displays.md, not from the driver's
code, so a driver that drifts from the documented bytes fails the tests.
``plug()`` makes a new pty and points a stable path (like /dev/serial/by-id/...)
at it; ``unplug()`` closes the pty, as pulling the USB adapter does.
"""

from __future__ import annotations

import os
import select
import threading
import time
import tty
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Frame:
    address: int
    text: str | None  # None: blanked
    at: float  # time.monotonic() when the last byte arrived
    raw: bytes


class FrameError(AssertionError):
    pass


def parse_bcd_pair(buf: bytearray) -> tuple[list[tuple[int, str | None, bytes]], bytearray]:
    """``AA addr hi lo``; hi/lo packed BCD, FF FF blank. Returns frames and the unparsed rest."""
    out = []
    while True:
        start = buf.find(0xAA)
        if start < 0:
            return out, bytearray()
        if start > 0:
            raise FrameError(f"garbage before a frame: {bytes(buf[:start]).hex(' ')}")
        if len(buf) < 4:
            return out, buf
        raw = bytes(buf[:4])
        _, addr, hi, lo = raw
        if hi == 0xFF and lo == 0xFF:
            text = None
        else:
            nibbles = (hi >> 4, hi & 15, lo >> 4, lo & 15)
            if any(n > 9 for n in nibbles):
                raise FrameError(f"not BCD: {raw.hex(' ')}")
            text = "".join(map(str, nibbles))
        out.append((addr, text, raw))
        buf = buf[4:]


def parse_ascii(buf: bytearray) -> tuple[list[tuple[int, str | None, bytes]], bytearray]:
    """``01 addr text 07`` with printable ASCII text; empty text blanks."""
    out = []
    while buf:
        if buf[0] != 0x01:
            raise FrameError(f"frame does not start with SOH: {bytes(buf).hex(' ')}")
        end = buf.find(0x07, 2)
        if len(buf) < 3 or end < 0:
            return out, buf
        raw = bytes(buf[: end + 1])
        body = raw[2:-1]
        if any(not 0x20 <= b <= 0x7E for b in body):
            raise FrameError(f"non-printable text: {raw.hex(' ')}")
        out.append((raw[1], body.decode("ascii") or None, raw))
        buf = buf[end + 1 :]
    return out, buf


PARSERS = {"bcd-pair": parse_bcd_pair, "ascii": parse_ascii}


class DisplayBench:
    """Displays on one RS-485 line, reached through a pty at a stable path."""

    def __init__(self, link: Path, protocol: str) -> None:
        self.link = Path(link)
        self.parse = PARSERS[protocol]
        self.frames: list[Frame] = []
        self.showing: dict[int, str | None] = {}
        self.errors: list[str] = []
        self._cond = threading.Condition()
        self._fds: tuple[int, int] | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.plugged_at = 0.0

    @property
    def url_path(self) -> str:
        return str(self.link)

    def plug(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)
        tmp = self.link.with_name(self.link.name + ".new")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(os.ttyname(slave))
        os.replace(tmp, self.link)  # atomic, like udev re-creating the by-id link
        self._fds = (master, slave)
        with self._cond:
            self.showing = {}  # a freshly powered board shows nothing we sent
        self._stop.clear()
        self.plugged_at = time.monotonic()
        self._thread = threading.Thread(target=self._read, args=(master,), daemon=True)
        self._thread.start()

    def unplug(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        if self._fds is not None:
            for fd in self._fds:
                os.close(fd)
            self._fds = None
        self.link.unlink(missing_ok=True)

    def _read(self, master: int) -> None:
        buf = bytearray()
        while not self._stop.is_set():
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(master, 1024)
            except OSError:
                continue  # no process has the tty open yet
            now = time.monotonic()
            buf += data
            try:
                parsed, buf = self.parse(buf)
            except FrameError as exc:
                with self._cond:
                    self.errors.append(str(exc))
                buf = bytearray()
                continue
            with self._cond:
                for addr, text, raw in parsed:
                    self.frames.append(Frame(addr, text, now, raw))
                    self.showing[addr] = text
                self._cond.notify_all()

    def wait_for(self, predicate, timeout: float = 10.0) -> bool:
        """Wait until ``predicate(bench)`` holds; generous timeouts for a loaded machine."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def wait_showing(self, expected: dict[int, str | None], timeout: float = 10.0) -> bool:
        return self.wait_for(
            lambda b: all(b.showing.get(a, "<never>") == t for a, t in expected.items()), timeout
        )

    def frames_since(self, t: float) -> list[Frame]:
        with self._cond:
            return [f for f in self.frames if f.at >= t]

    def __enter__(self) -> DisplayBench:
        self.plug()
        return self

    def __exit__(self, *exc: object) -> None:
        self.unplug()
