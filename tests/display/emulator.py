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
from collections.abc import Callable, Mapping
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
    out: list[tuple[int, str | None, bytes]] = []
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
    out: list[tuple[int, str | None, bytes]] = []
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


def crc16_modbus(data: bytes) -> bytes:
    """CRC-16/Modbus (poly 0xA001 reflected, init 0xFFFF), low byte first on the wire."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc.to_bytes(2, "little")


MODBUS_WRITE = 0x10
MODBUS_FRAME = 7 + 12 + 2  # addr, func, start(2), count(2), byte count, 12 text bytes, CRC


def parse_led485_modbus(buf: bytearray) -> tuple[list[tuple[int, str | None, bytes]], bytearray]:
    """``addr 10 00 70 00 06 0C <12 ASCII bytes, zero-padded> CRC``; all zeros blank."""
    out: list[tuple[int, str | None, bytes]] = []
    while len(buf) >= MODBUS_FRAME:
        raw = bytes(buf[:MODBUS_FRAME])
        if raw[1] != MODBUS_WRITE or raw[4:7] != b"\x00\x06\x0c":
            raise FrameError(f"not a 6-register write: {raw.hex(' ')}")
        if crc16_modbus(raw[:-2]) != raw[-2:]:
            raise FrameError(f"bad CRC: {raw.hex(' ')}")
        text = raw[7:19].rstrip(b"\0")
        if b"\0" in text or any(not 0x20 <= b <= 0x7E for b in text):
            raise FrameError(f"text is not zero-padded ASCII: {raw.hex(' ')}")
        out.append((raw[0], text.decode("ascii") or None, raw))
        buf = buf[MODBUS_FRAME:]
    return out, buf


def modbus_echo(raw: bytes) -> bytes:
    """What the display answers to a write: address, function, start, count, CRC."""
    head = raw[:6]
    return head + crc16_modbus(head)


def parse_led485_ascii(buf: bytearray) -> tuple[list[tuple[int, str | None, bytes]], bytearray]:
    """``$AAA,TEXT#``: three decimal address digits; an empty text blanks."""
    out: list[tuple[int, str | None, bytes]] = []
    while buf:
        if buf[0] != ord("$"):
            raise FrameError(f"frame does not start with '$': {bytes(buf).hex(' ')}")
        end = buf.find(b"#")
        if end < 0:
            return out, buf
        raw = bytes(buf[: end + 1])
        if len(raw) < 6 or not raw[1:4].isdigit() or raw[4:5] != b",":
            raise FrameError(f"not $AAA,TEXT#: {raw!r}")
        body = raw[5:-1]
        if any(not 0x20 <= b <= 0x7E or b in b"$#" for b in body):
            raise FrameError(f"bad text: {raw!r}")
        out.append((int(raw[1:4]), body.decode("ascii") or None, raw))
        buf = buf[end + 1 :]
    return out, buf


PARSERS = {
    "bcd-pair": parse_bcd_pair,
    "ascii": parse_ascii,
    "led485-modbus": parse_led485_modbus,
    "led485-ascii": parse_led485_ascii,
}
# How a display answers a frame addressed to it: the family's echo, nothing, or a bad CRC.
ANSWERS = ("echo", "silent", "bad-crc")


class DisplayBench:
    """Displays on one RS-485 line, reached through a pty at a stable path."""

    def __init__(self, link: Path, protocol: str) -> None:
        self.link = Path(link)
        self.protocol = protocol
        self.parse = PARSERS[protocol]
        # Modbus displays answer each frame sent to them; set an address's answer to
        # "silent" (dead or absent) or "bad-crc" (noise on the line) to test faults.
        self.answers: dict[int, str] = {}
        self.default_answer = "echo"
        self.replies: list[tuple[int, bytes]] = []
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
                    if self._answer(master, addr, raw) == "silent":
                        continue  # a dead display shows nothing
                    self.frames.append(Frame(addr, text, now, raw))
                    self.showing[addr] = text
                self._cond.notify_all()

    def _answer(self, master: int, addr: int, raw: bytes) -> str:
        if self.protocol != "led485-modbus":
            return "none"
        how = self.answers.get(addr, self.default_answer)
        if how == "silent":
            return how
        reply = modbus_echo(raw)
        if how == "bad-crc":
            reply = reply[:-1] + bytes((reply[-1] ^ 0xFF,))
        os.write(master, reply)
        self.replies.append((addr, reply))
        return how

    def wait_for(self, predicate: Callable[[DisplayBench], bool], timeout: float = 60.0) -> bool:
        """Wait until ``predicate(bench)`` holds; generous timeouts for a loaded machine."""
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self), timeout)

    def wait_showing(self, expected: Mapping[int, str | None], timeout: float = 60.0) -> bool:
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


def counter_displays(urls: dict[int, str]) -> dict[str, str]:
    """``write_config`` edits that give counter N the display ``urls[N]`` (the default
    config has ``log://?address=N`` for counters 1-4)."""
    return {rf'^display = "log://\?address={n}"': f'display = "{url}"' for n, url in urls.items()}
