"""Requests parked at their connection until their answer exists, then answered together.

A long-poll that waits through the ASGI stack is a task, several coroutine
frames and, once woken, uvicorn's ``send`` twice (its headers checked one by
one) and the protocol's bookkeeping: when one commit wakes the hundreds of
boards, consoles and phones of a centre, the last of them waited for all that
work for the others first (docs/performance.md, "300 long-polls").

Here the HTTP protocol (kiosk/server/guard.py) offers each request to the
:class:`Desk` before it starts the app for it. A *taker* (a function a kind of
long-poll registers, e.g. kiosk/server/fastpath.py's event long-polls) that
recognises its usual request parks it and returns True: a parked request is
uvicorn's request cycle and its connection, no task. :func:`answer` then writes
one answer, status line, headers and body built once, to every connection it is
given, and completes each cycle as uvicorn's own ``send`` would (keep-alive or
``Connection: close``, the next pipelined request started, the keep-alive
timer armed). A parked request the taker cannot answer itself goes back to the
app (:meth:`Parked.to_route`), which then answers it as any other.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, RequestResponseCycle

from kiosk.server.headers import NOSNIFF

log = logging.getLogger(__name__)

JSON = (b"content-type", b"application/json")
# A request with one of these headers goes to the app, which answers it: a body to
# read or refuse (an empty one, ``content-length: 0``, is no body), a 100-continue
# to send, an address uvicorn's proxy-headers middleware may rewrite.
NOT_PARKED = frozenset(
    {b"content-length", b"transfer-encoding", b"expect", b"x-forwarded-for"}
    | {b"x-forwarded-proto", b"forwarded"}
)


def bodyless_and_direct(name: bytes, value: bytes) -> bool:
    """False for a header that makes a request the app's (see NOT_PARKED)."""
    return name not in NOT_PARKED or (name == b"content-length" and value == b"0")


class Connection(Protocol):
    """What parking needs of the HTTP protocol (kiosk.server.guard.GuardedHttpTools)."""

    transport: asyncio.Transport
    server_state: Any  # uvicorn's ServerState: its default headers (date)

    def route(self, cycle: RequestResponseCycle) -> None:
        """Start the app for ``cycle`` (the request goes the usual way)."""


class Parked:
    """One parked request: its cycle and connection, until answered or hung up."""

    __slots__ = ("_on_lost", "conn", "cycle", "done")

    def __init__(self, conn: Connection, cycle: RequestResponseCycle) -> None:
        self.conn = conn
        self.cycle = cycle
        self.done = False
        self._on_lost: Callable[[Parked], object] | None = None

    @property
    def scope(self) -> Any:
        return self.cycle.scope

    def on_lost(self, callback: Callable[[Parked], object]) -> None:
        """Call ``callback(self)`` if the client hangs up while the request is parked."""
        self._on_lost = callback

    def lost(self) -> None:
        """The connection closed (called by the protocol)."""
        if not self.done:
            self.done = True
            if self._on_lost is not None:
                self._on_lost(self)

    def to_route(self) -> None:
        """Give the request back to the app, which answers it as any other."""
        if not self.done:
            self.done = True
            self.conn.route(self.cycle)


Taker = Callable[[Parked], bool]


class Desk:
    """Where the protocol offers requests to the registered takers (event-loop thread only)."""

    def __init__(self) -> None:
        self._takers: list[Taker] = []

    def add(self, taker: Taker) -> Callable[[], None]:
        """Register ``taker``; returns a function that removes it."""
        self._takers.append(taker)
        return lambda: self._takers.remove(taker)

    def offer(self, conn: Connection, cycle: RequestResponseCycle) -> Parked | None:
        """The request parked by a taker, or None: the app must answer it."""
        if not self._takers:
            return None
        parked = Parked(conn, cycle)
        for taker in self._takers:
            try:
                if taker(parked):
                    return parked
            except Exception:  # a taker's bug must not lose the request: the app answers it
                log.exception("parking a request failed; the app answers it")
                return None
        return None


def answer(
    parked: Iterable[Parked],
    status: int,
    body: bytes,
    headers: Iterable[tuple[bytes, bytes]] = (JSON,),
) -> None:
    """Answer every request in ``parked`` not answered yet with the same ``status`` and ``body``.

    The bytes are those uvicorn's ``send`` writes for ``http.response.start``
    with ``content-length`` and ``headers``, then ``body``: built once (plus
    once more with ``connection: close`` if a request asked for it).
    """
    kept: bytes | None = None
    closing: bytes | None = None
    for one in parked:
        if one.done:
            continue
        one.done = True
        cycle, transport = one.cycle, one.conn.transport
        if cycle.disconnected or transport.is_closing():
            continue
        if kept is None:
            kept, closing = _heads(one.conn, status, len(body), headers)
        assert closing is not None
        cycle.response_started = True
        cycle.waiting_for_100_continue = False
        transport.write((kept if cycle.keep_alive else closing) + body)
        cycle.response_complete = True
        cycle.message_event.set()
        if not cycle.keep_alive:
            transport.close()
        cycle.on_response()


def _heads(
    conn: Connection, status: int, length: int, headers: Iterable[tuple[bytes, bytes]]
) -> tuple[bytes, bytes]:
    """(status line and headers kept alive, the same with ``connection: close``)."""
    lines = [STATUS_LINE[status]]
    for name, value in [
        *conn.server_state.default_headers,
        (b"content-length", b"%d" % length),
        *headers,
        NOSNIFF,  # as CentreApp adds to every answer that passes through the app
    ]:
        lines += [name.lower(), b": ", value, b"\r\n"]
    head = b"".join(lines)
    return head + b"\r\n", head + b"connection: close\r\n\r\n"
