"""Refuse what a request must not be, before the app reads it.

* :class:`BodyLimit`: bodies over ``server.max_body_bytes`` (413; a declared
  Content-Length at once, a chunked body as it arrives) and bodies that are
  not UTF-8 (400 ``not_utf8``: JSON on this API is UTF-8, RFC 8259).
* :class:`HostCheck`: a ``Host`` header that is not this server's (421
  ``wrong_host``). A web page on another site can make a staff browser talk to
  the server by rebinding its own DNS name to the server's address; the
  browser then sends that name as Host. Accepted: IP literals, ``localhost``,
  this machine's names, the host of ``server.public_url`` and
  ``server.allowed_hosts``.
"""

from __future__ import annotations

import codecs
import ipaddress
import json
import socket
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
NOT_UTF8 = "the request body is not UTF-8 text"


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send)
            return
        seen = 0
        utf8 = codecs.getincrementaldecoder("utf-8")()

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                seen += len(chunk)
                # Raised while the route reads its body; the error handlers answer.
                if seen > self.max_bytes:
                    raise HTTPException(413, self._detail())
                try:
                    utf8.decode(chunk, final=not message.get("more_body", False))
                except UnicodeDecodeError:
                    raise HTTPException(400, NOT_UTF8) from None
            return message

        await self.app(scope, counted_receive, send)

    def _detail(self) -> str:
        return f"the request body is larger than {self.max_bytes} bytes"

    async def _refuse(self, send: Send) -> None:
        await _answer(send, 413, "body_too_large", self._detail())


MAX_HOSTS_REMEMBERED = 256


class HostNames:
    """The Host headers this server answers for (one source for HostCheck and parking)."""

    def __init__(self, names: list[str]) -> None:
        self.names = {n.strip().lower().rstrip(".") for n in names if n.strip()}
        self.names |= {"localhost", socket.gethostname().lower(), socket.getfqdn().lower()}
        # Host headers seen (a centre's devices send a handful): parsing an address
        # on every request was an eighth of a long-poll's cost.
        self._seen: dict[str, bool] = {}

    def answers(self, host: str) -> bool:
        """Whether a request with this Host header is for this server (remembered)."""
        known = self._seen.get(host)
        if known is None:
            known = self.allowed(host)
            if len(self._seen) < MAX_HOSTS_REMEMBERED:
                self._seen[host] = known
        return known

    def allowed(self, host: str) -> bool:
        name = host.lower().rstrip(".")
        if name.startswith("["):
            name = name[1 : name.find("]")] if "]" in name else name
        elif name.count(":") == 1:
            name = name.split(":")[0]
        try:
            ipaddress.ip_address(name)
            return True  # DNS rebinding needs a name; an address is the server's own
        except ValueError:
            return name in self.names


class HostCheck:
    def __init__(self, app: ASGIApp, names: list[str]) -> None:
        self.app = app
        self.hosts = HostNames(names)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = _host(scope)
            if host is not None and not self.hosts.answers(host):
                await _answer(
                    send,
                    421,
                    "wrong_host",
                    f"this server does not answer for the name {host[:80]!r}; use its address, "
                    "or add the name to server.allowed_hosts",
                )
                return
        await self.app(scope, receive, send)


def _host(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"host":
            return value.decode("latin-1")
    return None


async def _answer(send: Send, status: int, code: str, detail: str) -> None:
    body = json.dumps({"error": code, "detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
