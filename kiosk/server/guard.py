"""Connection-level limits: what a hostile device on the LAN cannot do to the server.

uvicorn has no header timeout and no header size limit with httptools, and it
keeps a connection that never sends a byte for ever. :class:`GuardedHttpTools`
is uvicorn's httptools protocol with, per connection:

* a header deadline: a request's line and headers must arrive within
  ``server.header_timeout_seconds`` (10) of its first byte (of the connection, for the first
  request), else the connection is closed (408); its body then gets as long
  again, else the connection is closed;
* a request line of at most MAX_REQUEST_LINE bytes (414) and headers of at most
  MAX_HEADER_BYTES (431); nothing beyond that is buffered or parsed;

and, across connections, a cap of ``server.max_connections_per_address`` open
connections per client address, except for addresses that presented a valid
device token or staff session recently (kiosks, boards, consoles: see
``Authenticator.trusted``), which get TRUSTED_CONNECTIONS. A connection over
its cap is answered 503 and closed at once, so it holds no file for long.
Every cap that is hit is logged once a minute per address (CapLog).

Before it starts the app for a request it offers the request to the parking
desk it was given (kiosk/server/parking.py): the usual long-polls wait there
without a task and are answered with bytes shared by all of them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import httptools
from uvicorn._types import ASGI3Application
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

from kiosk.server.parking import Desk, Parked

log = logging.getLogger(__name__)

MAX_REQUEST_LINE = 8 * 1024
MAX_HEADER_BYTES = 16 * 1024
# A request's head (line + headers) is fed to the parser up to this many bytes.
_MAX_HEAD = MAX_REQUEST_LINE + MAX_HEADER_BYTES + 1024
TRUSTED_CONNECTIONS = 1024
_REASONS = {
    400: b"Bad Request",
    408: b"Request Timeout",
    414: b"URI Too Long",
    431: b"Request Header Fields Too Large",
    503: b"Service Unavailable",
}


class CapLog:
    """Log a cap being hit: one line per (cap, address) a minute, however often it is hit."""

    def __init__(self, every: float = 60.0) -> None:
        self._every = every
        self._last: dict[tuple[str, str], float] = {}

    def hit(self, cap: str, address: str, message: str, *args: object) -> None:
        now = time.monotonic()
        key = (cap, address)
        if now - self._last.get(key, -self._every) < self._every:
            return
        if len(self._last) > 10_000:
            self._last.clear()
        self._last[key] = now
        log.warning("limit %s hit by %s: " + message, cap, address, *args)


class ConnectionGuard:
    """Open connections per client address, against a cap (event-loop thread only)."""

    def __init__(
        self, per_address: int, trusted: Callable[[str], bool], header_timeout: float = 10.0
    ) -> None:
        self.per_address = per_address
        self.header_timeout = header_timeout
        self._trusted = trusted
        self._open: dict[str, int] = {}
        self.caps = CapLog()

    def admit(self, address: str) -> bool:
        count = self._open.get(address, 0)
        cap = TRUSTED_CONNECTIONS if self._trusted(address) else self.per_address
        if count >= cap:
            self.caps.hit(
                "connections", address, "%d connections open (cap %d); refusing more", count, cap
            )
            return False
        self._open[address] = count + 1
        return True

    def release(self, address: str) -> None:
        count = self._open.get(address, 0) - 1
        if count > 0:
            self._open[address] = count
        else:
            self._open.pop(address, None)

    def open_connections(self, address: str) -> int:
        return self._open.get(address, 0)


class _Refuse(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class GuardedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header deadline, head size caps and a
    per-address connection cap. Build it with ``functools.partial(GuardedHttpTools,
    guard=...)`` as uvicorn's ``http`` protocol class."""

    def __init__(
        self, *args: Any, guard: ConnectionGuard, desk: Desk | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._guard = guard
        self._desk = desk
        self._parked: Parked | None = None
        self._address = ""
        self._admitted = False
        self._in_head = False  # between a request's first byte and the end of its headers
        self._head_bytes = 0
        self._header_bytes = 0
        self._deadline: asyncio.TimerHandle | None = None
        self._body_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._address = self.client[0] if self.client else "unknown"
        if not self._guard.admit(self._address):
            self._answer(503, "too many connections from this address", retry_after=10)
            return
        self._admitted = True
        self._arm_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._parked is not None:
            self._parked.lost()
            self._parked = None
        self._disarm_deadline()
        self._disarm_body_deadline()
        if self._admitted:
            self._admitted = False
            self._guard.release(self._address)
        super().connection_lost(exc)

    # -- the header deadline -------------------------------------------------
    def _arm_deadline(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        self._header_bytes = 0
        if self._deadline is None:
            self._deadline = self.loop.call_later(self._guard.header_timeout, self._too_slow)

    def _disarm_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self._in_head and not self.transport.is_closing():
            limit = self._guard.header_timeout
            self._guard.caps.hit(
                "header_timeout", self._address, "no complete request head in %g s", limit
            )
            self._answer(408, f"the request headers did not arrive within {limit:g} s")

    # -- reading -------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        if not self._admitted or self.transport.is_closing():
            return
        if not self._in_head and self.cycle is not None and self.cycle.response_complete:
            self._arm_deadline()  # the first byte of the next request on a kept-alive connection
        if self._in_head:
            room = _MAX_HEAD - self._head_bytes
            head, rest = data[:room], data[room:]
            self._head_bytes += len(head)
            if not self._feed(head):
                return
            if self._in_head:
                if rest or self._head_bytes >= _MAX_HEAD:
                    self._refuse_head()
                return
            data = rest
            if not data:
                return
        self._feed(data)

    def _feed(self, data: bytes) -> bool:
        """Feed the parser like uvicorn does; False once the connection is answered."""
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._unsupported_upgrade_warning()
        except httptools.HttpParserError as exc:
            refusal = exc.__cause__ or exc.__context__
            if isinstance(refusal, _Refuse):
                self._guard.caps.hit("request_head", self._address, "%s", refusal.detail)
                self._answer(refusal.status, refusal.detail)
            else:
                self.send_400_response("Invalid HTTP request received.")
            return False
        return not self.transport.is_closing()

    def _refuse_head(self) -> None:
        if len(self.url) >= MAX_REQUEST_LINE:
            status, detail = 414, f"the request line is longer than {MAX_REQUEST_LINE} bytes"
        else:
            status, detail = 431, f"the request headers are larger than {MAX_HEADER_BYTES} bytes"
        self._guard.caps.hit("request_head", self._address, "%s", detail)
        self._answer(status, detail)

    # Parser callbacks -------------------------------------------------------
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        if self._deadline is None:
            self._arm_deadline()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > MAX_REQUEST_LINE:
            raise _Refuse(414, f"the request line is longer than {MAX_REQUEST_LINE} bytes")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value) + 4
        if self._header_bytes > MAX_HEADER_BYTES:
            raise _Refuse(431, f"the request headers are larger than {MAX_HEADER_BYTES} bytes")
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._disarm_deadline()
        # The body (if any) gets the same time; a small JSON body on a LAN takes ms.
        self._body_deadline = self.loop.call_later(self._guard.header_timeout, self._body_slow)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm_body_deadline()
        super().on_message_complete()

    def _disarm_body_deadline(self) -> None:
        if self._body_deadline is not None:
            self._body_deadline.cancel()
            self._body_deadline = None

    def _body_slow(self) -> None:
        self._body_deadline = None
        if not self.transport.is_closing():
            self._guard.caps.hit(
                "body_timeout",
                self._address,
                "request body not complete in %g s",
                self._guard.header_timeout,
            )
            self.transport.close()

    # -- parking -------------------------------------------------------------
    def _start_asgi_task(self, cycle: RequestResponseCycle, app: ASGI3Application) -> None:
        # Also where a pipelined request's turn comes: it is offered then, in order.
        if self._desk is not None and app is self.app:
            parked = self._desk.offer(self, cycle)
            if parked is not None:
                self._parked = parked
                return
        super()._start_asgi_task(cycle, app)

    def route(self, cycle: RequestResponseCycle) -> None:
        """Start the app for a request given back by parking."""
        if not self.transport.is_closing():
            super()._start_asgi_task(cycle, self.app)

    # -- answering without the app -----------------------------------------
    def send_400_response(self, msg: str) -> None:
        # uvicorn's own answer to an unparsable request, as JSON with our headers
        self._answer(400, "the request is not valid HTTP")

    def _answer(self, status: int, detail: str, retry_after: int | None = None) -> None:
        body = json.dumps({"error": _code(status), "detail": detail}).encode()
        head = [
            b"HTTP/1.1 %d %s\r\n" % (status, _REASONS[status]),
            b"content-type: application/json\r\n",
            b"x-content-type-options: nosniff\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n",
        ]
        if retry_after is not None:
            head.append(b"retry-after: %d\r\n" % retry_after)
        self._in_head = False
        self._disarm_deadline()
        self._disarm_body_deadline()
        self.transport.write(b"".join(head) + b"\r\n" + body)
        self.transport.close()


def _code(status: int) -> str:
    return {
        400: "bad_request",
        408: "request_timeout",
        414: "request_line_too_long",
        431: "headers_too_large",
        503: "too_many_connections",
    }[status]
