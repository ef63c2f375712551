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

A long-poll that must wait is not even started as a request of the app:
:class:`ParkedPolls` takes it when the connection offers it (kiosk/server/parking.py),
with the same checks (Host, token, query, the caller's long-poll places), and
answers every poll a commit wakes with the route's bytes, read and built once.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from collections.abc import Callable
from typing import Any

import orjson
from fastapi import FastAPI
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request

from kiosk.queue.errors import QueueError
from kiosk.server.auth import UNKNOWN, Authenticator, Principal, Throttled
from kiosk.server.budgets import ReadBudget
from kiosk.server.deps import issue_call
from kiosk.server.limits import ASGIApp, HostNames, Message, Receive, Scope, Send
from kiosk.server.models import IssueRequest
from kiosk.server.notify import EventNotifier
from kiosk.server.parking import Desk, Parked, answer, bodyless_and_direct
from kiosk.server.routes import events

log = logging.getLogger(__name__)

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
        return _caller(self.api.state.auth, token)

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
        return _trust(self.api.state.auth, scope)

    async def _handled(self, scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
        """Answer ``exc`` with the app's own handler for it (the route's answer)."""
        handlers = self.api.exception_handlers
        family = next(k for k in type(exc).__mro__ if k in handlers)
        response = handlers[family](Request(scope, receive), exc)
        if inspect.isawaitable(response):
            response = await response
        await response(scope, receive, send)


def _trust(auth: Authenticator, scope: Scope) -> str:
    """Note the caller's address as one that showed a valid token; the address."""
    client = scope.get("client")
    address: str = client[0] if client else "unknown"
    auth.trust(address)
    return address


def _caller(auth: Authenticator, token: bytes | None) -> Principal | None:
    """The verified caller behind ``Authorization``, or None when the app must decide."""
    if token is None or token[:7].lower() != b"bearer ":
        return None
    who = auth.quick(token[7:].decode("latin-1").strip())
    return None if who is UNKNOWN else who


class ParkedPolls:
    """Event long-polls that must wait, parked (kiosk/server/parking.py) until a commit.

    A poll is taken only when the route would wait: a verified token, a plain
    query with ``wait`` > 0 and ``after`` = the log's head, a Host this server
    answers for, no body, and a long-poll place left for the caller
    (kiosk/server/budgets.py, held while parked). A commit's wake-up (or the
    once-a-second look at the log, for another process's commits) answers each
    group of the same ``after`` and ``limit`` with one shared page read; the
    deadline answers the empty page, as the route does. Event-loop thread only.
    """

    def __init__(self, state: Any, hosts: HostNames) -> None:
        self.state = state
        self.hosts = hosts
        self.notifier: EventNotifier = state.notifier
        self.reads: ReadBudget = state.reads
        self._loop = asyncio.get_running_loop()
        # (after, limit) -> the polls parked for that page, each with its caller and deadline.
        self._groups: dict[tuple[int, int], dict[Parked, tuple[str, asyncio.TimerHandle]]] = {}
        self._recheck: asyncio.TimerHandle | None = None

    def __len__(self) -> int:
        """How many polls are parked."""
        return sum(len(group) for group in self._groups.values())

    def start(self, desk: Desk) -> Callable[[], None]:
        """Take polls from ``desk`` and wake them at commits; returns the function that stops."""
        untake = desk.add(self.take)
        unlisten = self.notifier.listen(self.wake)

        def stop() -> None:
            untake()
            unlisten()
            self._release_all()

        return stop

    def take(self, parked: Parked) -> bool:
        scope = parked.scope
        if scope["method"] != "GET" or scope["path"] != EVENTS or self.notifier.stopping:
            return False
        token = host = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                token = value
            elif name == b"host":
                host = value
            elif not bodyless_and_direct(name, value):
                return False
        query = _events_query(scope["query_string"])
        if query is None or query[1] <= 0:
            return False
        after, wait, limit = query
        who = _caller(self.state.auth, token)
        if who is None or (host is not None and not self.hosts.answers(host.decode("latin-1"))):
            return False
        if self.state.engine.last_event_id() != after:
            return False  # the route answers at once
        client = scope.get("client")
        caller = f"{who.role}@{client[0] if client else 'unknown'}"
        try:
            self.reads.begin_wait(caller)
        except Throttled:
            return False  # the route answers 429
        _trust(self.state.auth, scope)
        key = (after, limit)
        deadline = self._loop.call_later(min(wait, events.MAX_WAIT), self._expire, parked, key)
        self._groups.setdefault(key, {})[parked] = (caller, deadline)
        parked.on_lost(lambda gone: self._leave(gone, key))
        if self._recheck is None:
            self._recheck = self._loop.call_later(events.RECHECK, self._look)
        return True

    def wake(self, head: int) -> None:
        """A commit of this process (notifier listener): answer the polls it concerns."""
        if self.notifier.stopping:
            self._release_all()
            return
        for key in [k for k in self._groups if k[0] < head]:
            self._answer(key, self._take_group(key), head)

    def _look(self) -> None:
        """Once a second while polls wait: the log's head, for another process's commits."""
        self._recheck = None
        if not self._groups:
            return
        self.wake(self.state.engine.last_event_id())
        if self._groups and self._recheck is None:
            self._recheck = self._loop.call_later(events.RECHECK, self._look)

    def _expire(self, parked: Parked, key: tuple[int, int]) -> None:
        """A poll's wait is over: the empty page, or the page if the log moved (the route's)."""
        if self._leave(parked, key):
            head = self.state.engine.last_event_id()
            self._answer(key, [parked], head)

    def _answer(self, key: tuple[int, int], group: list[Parked], head: int) -> None:
        after, limit = key
        if head <= after:
            answer(group, 200, b'{"events":[],"last":%d,"head":%d}' % (after, after))
            return
        page = self.reads.share((after, limit, head), events.answer, self.state.engine, *key, head)

        def send(read: asyncio.Future[bytes]) -> None:
            if read.cancelled() or read.exception() is not None:
                for parked in group:  # the route reads again, or answers the error
                    parked.to_route()
            else:
                answer(group, 200, read.result())

        page.add_done_callback(send)

    def _take_group(self, key: tuple[int, int]) -> list[Parked]:
        """Every poll of ``key``, out of the lot: places given back, deadlines cancelled."""
        group = self._groups.pop(key)
        for caller, deadline in group.values():
            deadline.cancel()
            self.reads.end_wait(caller)
        return list(group)

    def _leave(self, parked: Parked, key: tuple[int, int]) -> bool:
        """Take one poll out of the lot (hang-up, deadline); False if it was not in it."""
        group = self._groups.get(key)
        held = group.pop(parked, None) if group is not None else None
        if held is None:
            return False
        if not group:
            del self._groups[key]
        caller, deadline = held
        deadline.cancel()
        self.reads.end_wait(caller)
        return True

    def _release_all(self) -> None:
        """Server stopping: every poll gets the empty page at once (the route's answer)."""
        if self._recheck is not None:
            self._recheck.cancel()
            self._recheck = None
        for key in list(self._groups):
            self._answer(key, self._take_group(key), key[0])


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
