"""Issuing and calling next without the framework's per-request work, for the usual requests.

Issuing is the request a centre's server answers by the thousand at opening
time, and calling next is what every counter does all day; through FastAPI's
dependency solving, validation and routing each cost several times the
engine's own work (docs/performance.md). This ASGI layer answers the common
case itself with the same parts the routes use — the authenticator's cache of
verified tokens, the route's ``IssueRequest`` model, the engine, the app's own
exception handlers — and hands every other request, byte for byte, to the app:
another path or method, a token not verified before, a body or header the
model or pattern refuses, a ``kiosk`` that is not the token's, a counter the
token does not act for. So every answer but the plain success still comes
from the routes in kiosk/server/routes/tickets.py and counters.py, and the
success is the same JSON (serialised with orjson, sent with prebuilt headers).

The engine call is handed to the store's committer (``issue_soon``,
``call_next_soon``): no worker thread per request.

It sits inside HostCheck and BodyLimit (their refusals still apply).
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import orjson
from fastapi import FastAPI
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request

from kiosk.queue.errors import QueueError
from kiosk.server.auth import UNKNOWN, Authenticator, Principal, Throttled
from kiosk.server.deps import issue_call
from kiosk.server.limits import ASGIApp, Message, Receive, Scope, Send
from kiosk.server.models import IssueRequest
from kiosk.server.routes import events

PATH = "/api/v1/tickets"
_COUNTERS = "/api/v1/counters/"
_NEXT = "/next"
# The route's Idempotency-Key pattern (routes/tickets.py).
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_JSON = (b"content-type", b"application/json")
EVENTS = "/api/v1/events"
_EVENTS_QUERY = (b"after", b"wait", b"limit")
# Digits, with a fraction for ``wait``: nothing a float() or int() would read differently.
_NUMBER = re.compile(rb"^[0-9]{1,20}(\.[0-9]{1,9})?$")
_NO_CONTENT: Message = {"type": "http.response.start", "status": 204, "headers": []}
_EMPTY: Message = {"type": "http.response.body", "body": b""}


class FastPaths:
    def __init__(self, app: ASGIApp, api: FastAPI) -> None:
        self.app = app
        self.api = api
        self.counters = {c.id for c in api.state.cfg.counters}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if scope["method"] == "POST":
                if path == PATH:
                    await self._issue(scope, receive, send)
                    return
                if path.startswith(_COUNTERS) and path.endswith(_NEXT):
                    counter = path[len(_COUNTERS) : -len(_NEXT)]
                    await self._call_next(scope, receive, send, counter)
                    return
            elif scope["method"] == "GET" and path == EVENTS:
                await self._events(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _caller(self, token: bytes | None) -> Principal | None:
        """The verified caller behind ``Authorization``, or None when the app must decide."""
        if token is None or token[:7].lower() != b"bearer ":
            return None
        who = self.api.state.auth.quick(token[7:].decode("latin-1").strip())
        return None if who is UNKNOWN else who

    async def _issue(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = key = ctype = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                token = value
            elif name == b"idempotency-key":
                key = value
            elif name == b"content-type":
                ctype = value
        who = self._caller(token) if ctype == b"application/json" else None
        if who is None or who.role != "kiosk":
            await self.app(scope, receive, send)
            return
        try:
            body = await _read_body(receive)
        except HTTPException as exc:  # BodyLimit: too large, not UTF-8
            await self._handled(scope, receive, send, exc)
            return
        if body is None:
            return  # the kiosk hung up before sending its body: nobody to answer
        request = _parse(body, key)
        if request is None or (request.kiosk is not None and request.kiosk != who.kiosk):
            await self.app(scope, _replay(body, receive), send)
            return
        self._trust(scope)
        key_text = key.decode("ascii") if key else None
        issue = issue_call(self.api.state.engine.issue_soon, request, who.kiosk, key_text)
        try:
            ticket = await issue()
        except QueueError as exc:
            await self._handled(scope, receive, send, exc)
            return
        await _send_json(send, 201, ticket)

    async def _call_next(self, scope: Scope, receive: Receive, send: Send, counter: str) -> None:
        token = None
        bodyless = True
        for name, value in scope["headers"]:
            if name == b"authorization":
                token = value
            elif name == b"content-length":
                bodyless = value == b"0"
            elif name == b"transfer-encoding":
                bodyless = False
        who = self._caller(token) if bodyless and counter in self.counters else None
        if who is None or who.role != f"counter:{counter}":
            await self.app(scope, receive, send)
            return
        self._trust(scope)
        try:
            ticket = await self.api.state.engine.call_next_soon(counter)
        except QueueError as exc:
            await self._handled(scope, receive, send, exc)
            return
        if ticket is None:
            await send(_NO_CONTENT)
            await send(_EMPTY)
        else:
            await _send_json(send, 200, ticket)

    async def _events(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A board's, console's or phone's long-poll with ``after`` (hundreds at once)."""
        token = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                token = value
        query = _events_query(scope["query_string"])
        who = self._caller(token) if query is not None else None
        if who is None or query is None:
            await self.app(scope, receive, send)
            return
        client = self._trust(scope)
        try:
            body = await events.page(self.api.state, f"{who.role}@{client}", *query)
        except Throttled as exc:
            await self._handled(scope, receive, send, events.throttled_reads(exc))
            return
        except QueueError as exc:
            await self._handled(scope, receive, send, exc)
            return
        await _send(send, 200, body)

    def _trust(self, scope: Scope) -> str:
        """Note the caller's address as one that showed a valid token; the address."""
        auth: Authenticator = self.api.state.auth
        client = scope.get("client")
        address: str = client[0] if client else "unknown"
        auth.trust(address)
        return address

    async def _handled(self, scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
        """Answer ``exc`` with the app's own handler for it (the route's answer)."""
        handlers = self.api.exception_handlers
        family = next(k for k in type(exc).__mro__ if k in handlers)
        response = handlers[family](Request(scope, receive), exc)
        if inspect.isawaitable(response):
            response = await response
        await response(scope, receive, send)


def _parse(body: bytes, key: bytes | None) -> IssueRequest | None:
    """The request as the route would read it, or None when the route must answer."""
    if key is not None and not _KEY.match(key.decode("latin-1")):
        return None
    try:
        return IssueRequest.model_validate_json(body)
    except ValidationError:
        return None


def _events_query(query: bytes) -> tuple[int, float, int] | None:
    """(after, wait, limit) of a plain long-poll query the route would accept, else None."""
    found: dict[bytes, bytes] = {}
    for part in query.split(b"&"):
        name, _, value = part.partition(b"=")
        if name not in _EVENTS_QUERY or name in found or not _NUMBER.match(value):
            return None
        found[name] = value
    if b"after" not in found or (b"." in found[b"after"] or b"." in found.get(b"limit", b"")):
        return None
    after, wait = int(found[b"after"]), float(found.get(b"wait", b"0"))
    limit = int(found.get(b"limit", b"%d" % events.DEFAULT_LIMIT))
    if after > events.MAX_ID or not 1 <= limit <= events.MAX_LIMIT:
        return None
    return after, wait, limit


async def _send_json(send: Send, status: int, content: Any) -> None:
    """The answer ``JSONResponse(content, status)`` gives (same bytes), without building one."""
    await _send(send, status, orjson.dumps(content))


async def _send(send: Send, status: int, body: bytes) -> None:
    """A JSON answer with prebuilt headers."""
    headers = [(b"content-length", b"%d" % len(body)), _JSON]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body, or None when the client disconnected first."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` with the body already read given again first."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        message: dict[str, Any] = {"type": "http.request", "body": body, "more_body": False}
        return message

    return again
