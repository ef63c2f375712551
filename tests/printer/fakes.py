"""Fake ESC/POS printers on a real TCP socket (127.0.0.1) and on a pty.

They read the byte stream command by command (as a printer does, so status
bytes inside raster data are not mistaken for queries), answer ``DLE EOT n``
from a configurable status, keep every other byte as the job, and misbehave on
request: answer nothing, drop the connection or stop reading part-way through
a job, or run out of paper after some bytes.
"""

from __future__ import annotations

import os
import select
import socket
import struct
import threading
import tty
from dataclasses import dataclass

from tests.printer.escpos_decoder import DLE, command_length

OK = (0x12, 0x12, 0x12, 0x12)
NEAR_END = (0x12, 0x12, 0x12, 0x1E)
PAPER_OUT = (0x1A, 0x32, 0x12, 0x72)
COVER_OPEN = (0x1A, 0x16, 0x12, 0x12)
OFFLINE = (0x1A, 0x12, 0x12, 0x12)
CUTTER_JAM = (0x1A, 0x52, 0x1A, 0x12)


@dataclass
class Behaviour:
    status: tuple[int, int, int, int] = OK
    answer: bool = True  # False: a device that never answers (stalled, or not ESC/POS)
    disconnect_after: int | None = None  # drop the line once this many job bytes arrived
    stall_after: int | None = None  # stop reading and answering after this many job bytes
    status_later: tuple[int, int, int, int] | None = None  # the status once ...
    status_later_after: int = 1  # ... this many job bytes arrived
    status_later_queries: int | None = None  # or once this many status queries were answered


class FakeCore:
    """The protocol side: tokenise, answer status queries, collect the job bytes."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.pending = bytearray()
        self.job = bytearray()
        self.queries: list[int] = []
        self.changed = threading.Condition()
        self.dropped = False
        self.stalled = False

    def _status(self) -> tuple[int, int, int, int]:
        b = self.behaviour
        if b.status_later is not None:
            if b.status_later_queries is not None:
                if len(self.queries) > b.status_later_queries:
                    return b.status_later
            elif len(self.job) >= b.status_later_after:
                return b.status_later
        return b.status

    def feed(self, chunk: bytes) -> tuple[bytes, str]:
        """Take bytes from the host; return (answer bytes, "" | "disconnect" | "stall")."""
        b = self.behaviour
        answers = bytearray()
        self.pending += chunk
        action = ""
        while self.pending:
            n = command_length(self.pending, 0)
            if n is None:
                break
            cmd = bytes(self.pending[:n])
            del self.pending[:n]
            if cmd[0] == DLE and cmd[1] == 0x04:
                self.queries.append(cmd[2])
                if b.answer:
                    answers.append(self._status()[cmd[2] - 1])
            else:
                self.job += cmd
            if b.disconnect_after is not None and len(self.job) >= b.disconnect_after:
                action = "disconnect"
                break
            if b.stall_after is not None and len(self.job) >= b.stall_after:
                action = "stall"
                break
        with self.changed:
            self.changed.notify_all()
        return bytes(answers), action


class TcpFakePrinter:
    """A printer's raw port on 127.0.0.1 (ephemeral port), one connection at a time."""

    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.core = FakeCore(behaviour or Behaviour())
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)
        self.port = self._server.getsockname()[1]
        self.url = f"tcp://127.0.0.1:{self.port}"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fake tcp printer", daemon=True)

    def __enter__(self) -> TcpFakePrinter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._server.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                self._talk(conn)

    def _talk(self, conn: socket.socket) -> None:
        conn.settimeout(0.1)
        while not self._stop.is_set():
            try:
                chunk = conn.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            answers, action = self.core.feed(chunk)
            if answers:
                conn.sendall(answers)
            if action == "disconnect":
                # RST rather than FIN: what a printer switched off mid-job looks like.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.core.dropped = True
                return
            if action == "stall":
                self.core.stalled = True
                self._stop.wait()
                return


class PtyFakePrinter:
    """A serial printer behind a pty: the kiosk opens ``serial://<slave path>``."""

    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.core = FakeCore(behaviour or Behaviour())
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)
        self.url = f"serial://{self.path}?baudrate=115200&flow=none"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fake pty printer", daemon=True)
        self._master_open = True

    def __enter__(self) -> PtyFakePrinter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._close_master()
        os.close(self._slave)

    def _close_master(self) -> None:
        if self._master_open:
            self._master_open = False
            os.close(self._master)

    def _serve(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.1)
            if not ready:
                continue
            try:
                chunk = os.read(self._master, 4096)
            except OSError:
                return
            answers, action = self.core.feed(chunk)
            if answers:
                os.write(self._master, answers)
            if action == "disconnect":
                self.core.dropped = True
                self._close_master()  # the kiosk's next write on the port fails with EIO
                return
            if action == "stall":
                self.core.stalled = True  # stop reading: the port's buffer fills up
                self._stop.wait()
                return
