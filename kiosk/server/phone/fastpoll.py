"""Phones' long-polls (``GET /t/{id}/live``) answered beside the framework.

Hundreds of phones follow their tickets at once, each renewing its 25-s
long-poll after every answer. Through FastAPI each poll cost a Request,
dependency solving, two tasks and a timer, about 1.9 ms of the server's CPU
per answer and its re-poll, and the parked requests' objects lived long enough
to make the young garbage collections slow (docs/performance.md, "The phone
figures"). This ASGI layer, in front of the app (uvicorn runs :func:`serving`),
answers the page's plain poll itself:

* the path and query (``lang``, ``v``, ``wait``, each at most once, in the
  shapes the page sends) are read from the ASGI scope; anything else — an id
  that is not a ticket id, another parameter, a value with escapes, an
  unknown ticket, a Host the app does not serve, a body — goes to the app
  (its HostCheck and BodyLimit, the route in kiosk/server/phone/routes.py),
  which answers it as before;
* a waiting poll is parked with the ticket watch as a bare future: the
  request's own task waits for the phone to hang up (``receive``), the
  watch's answer is sent from a short task started only when it comes, and
  the timeouts of all parked polls are kept on one timer wheel swept every
  ``TICK`` s instead of a timer each;
* the answer is the route's JSON, the same bytes (orjson) and headers,
  rendered from the watch's shared read on the phones' threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import math
import re
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

import orjson
from fastapi import FastAPI
from starlette.requests import Request

from kiosk.server.app import _server_names
from kiosk.server.errors import ApiError
from kiosk.server.limits import ASGIApp, HostCheck, Receive, Scope, Send
from kiosk.server.phone import render
from kiosk.server.phone.routes import MAX_WAIT, UNKNOWN
from kiosk.server.phone.watch import Parked, Seen, TicketWatch

log = logging.getLogger(__name__)

PREFIX = "/t/"
SUFFIX = "/live"
# How late a parked poll's timeout may be answered (the page waits 10 s longer).
TICK = 0.25
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# The values the page sends, in shapes the route reads the same (no escapes).
_VALUES = {
    b"lang": re.compile(rb"^[a-z]{1,8}$"),
    b"v": re.compile(rb"^[0-9A-Za-z]{0,32}$"),
    b"wait": re.compile(rb"^[0-9]{1,9}(\.[0-9]{1,9})?$"),
}
# The route's JSONResponse headers, in its order.
_NO_STORE = (b"cache-control", b"no-store")
_JSON = (b"content-type", b"application/json")


class Query:
    """A plain poll's parameters, as the route would read them."""

    __slots__ = ("lang", "version", "wait")

    def __init__(self, lang: str | None, version: str, wait: float) -> None:
        self.lang, self.version, self.wait = lang, version, wait


def plain_query(raw: bytes) -> Query | None:
    """The poll's ``lang``, ``v`` and ``wait``, or None when the route must read the query."""
    found: dict[bytes, bytes] = {}
    for part in raw.split(b"&") if raw else ():
        name, eq, value = part.partition(b"=")
        shape = _VALUES.get(name)
        if not eq or shape is None or name in found or not shape.match(value):
            return None
        found[name] = value
    wait = float(found.get(b"wait", b"0"))
    if not math.isfinite(wait):
        return None
    lang = found.get(b"lang")
    return Query(lang.decode() if lang else None, found.get(b"v", b"").decode(), wait)


@dataclass(eq=False)
class _Poll:
    """One phone's parked long-poll."""

    ticket: str
    query: Query
    deadline: float
    scope: Scope = field(repr=False)
    send: Send = field(repr=False)
    future: asyncio.Future[Seen | None] | None = field(default=None, repr=False)
    parked: Parked | None = field(default=None, repr=False)
    slot: int | None = None  # its place on the timer wheel while parked
    answering: bool = False
    gone: bool = False  # the phone hung up


class PhonePolls:
    """The ASGI layer in front of the whole app (uvicorn runs it: :func:`serving`).

    In front of the framework's own layers, so that a parked poll keeps none of
    their frames alive; it applies their refusals itself by handing the app
    any request they would refuse: a Host the app does not answer for, a body.
    """

    def __init__(self, app: ASGIApp, api: FastAPI) -> None:
        self.app = app
        self.api = api
        self.hosts = HostCheck(app, _server_names(api.state.cfg))
        self.answered = 0  # polls this layer answered itself (tests and benchmarks count)
        self._wheel: dict[int, set[_Poll]] = {}
        self._sweeping: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        api.state.phone_polls = self

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path: str = scope["path"]
            if path.startswith(PREFIX) and path.endswith(SUFFIX):
                ticket = path[len(PREFIX) : -len(SUFFIX)]
                plain = _ID.match(ticket) and self._plain_head(scope["headers"])
                query = plain_query(scope["query_string"]) if plain else None
                if query is not None and await self._poll(scope, receive, send, ticket, query):
                    return
        await self.app(scope, receive, send)

    def _plain_head(self, headers: list[tuple[bytes, bytes]]) -> bool:
        """True when neither HostCheck nor BodyLimit would refuse these headers."""
        for name, value in headers:
            if name == b"host":
                if not self.hosts._allowed(value.decode("latin-1")):
                    return False
            elif name == b"transfer-encoding" or (name == b"content-length" and value != b"0"):
                return False
        return True

    @property
    def _watch(self) -> TicketWatch:
        return self.api.state.ticket_watch

    async def _poll(
        self, scope: Scope, receive: Receive, send: Send, ticket: str, query: Query
    ) -> bool:
        """Answer the poll (True), or leave an unknown ticket to the route (False)."""
        try:
            seen = await self._watch.view(ticket)
        except Exception as exc:  # outside the app's error layer: answer as it would
            await self._refuse(scope, send, exc)
            return True
        if seen is None:
            return False
        loop = asyncio.get_running_loop()
        poll = _Poll(ticket, query, loop.time() + min(query.wait, MAX_WAIT), scope, send)
        self._wait(poll, seen)
        # Wait for the phone to hang up; once the answer is sent this returns too.
        while (await receive())["type"] != "http.disconnect":
            pass
        poll.gone = True
        if not poll.answering:  # it went away while parked: nobody to answer
            self._unpark(poll)
        return True

    # -- parking ----------------------------------------------------------------
    def _wait(self, poll: _Poll, seen: Seen) -> None:
        """Answer with ``seen`` if it is new or time is up, else park until it changes."""
        if poll.gone:
            return
        watch = self._watch
        loop = asyncio.get_running_loop()
        if (
            seen.view["version"] != poll.query.version
            or watch.stopping
            or poll.deadline <= loop.time()
        ):
            self._start(self._answer(poll, seen))
            return
        future: asyncio.Future[Seen | None] = loop.create_future()
        parked = watch.park(poll.ticket, seen, future)
        if parked is None:  # something changed since it was read: read again
            self._start(self._read_again(poll))
            return
        poll.future, poll.parked = future, parked
        poll.slot = math.ceil(poll.deadline / TICK)
        self._wheel.setdefault(poll.slot, set()).add(poll)
        if self._sweeping is None:
            self._sweeping = loop.call_later(TICK, self._sweep)
        future.add_done_callback(lambda done: self._woken(poll, done))

    def _unpark(self, poll: _Poll) -> None:
        """Take the poll off the watch and the wheel (once; a no-op when it is not parked)."""
        if poll.parked is not None:
            self._watch.unpark(poll.parked)
            poll.parked = None
        if poll.slot is not None:
            due = self._wheel.get(poll.slot)
            if due is not None:
                due.discard(poll)
                if not due:
                    del self._wheel[poll.slot]
            poll.slot = None
        if poll.future is not None and not poll.future.done():
            poll.future.cancel()
        poll.future = None

    def _woken(self, poll: _Poll, done: asyncio.Future[Seen | None]) -> None:
        if done.cancelled():
            return  # the phone hung up
        self._unpark(poll)
        seen = done.result()
        if seen is None:  # timed out, or the server stops
            self._start(self._read_again(poll))
        else:
            self._wait(poll, seen)

    def _sweep(self) -> None:
        """Wake every parked poll whose wait is over (one timer for all of them)."""
        loop = asyncio.get_running_loop()
        now = math.floor(loop.time() / TICK)
        for slot in [s for s in self._wheel if s <= now]:
            for poll in self._wheel.pop(slot):
                poll.slot = None
                if poll.future is not None and not poll.future.done():
                    poll.future.set_result(None)
        self._sweeping = loop.call_later(TICK, self._sweep) if self._wheel else None

    # -- answering ----------------------------------------------------------------
    def _start(self, work: Coroutine[Any, Any, None]) -> None:
        poll_task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(poll_task)  # the loop keeps only a weak reference
        poll_task.add_done_callback(self._tasks.discard)

    async def _read_again(self, poll: _Poll) -> None:
        try:
            seen = await self._watch.view(poll.ticket)
        except Exception as exc:
            poll.answering = True
            await self._refuse(poll.scope, poll.send, exc)
            return
        if seen is None:
            poll.answering = True
            await self._refuse(poll.scope, poll.send, ApiError(404, "unknown_ticket", UNKNOWN))
        else:
            self._wait(poll, seen)

    async def _answer(self, poll: _Poll, seen: Seen) -> None:
        poll.answering = True
        view = seen.view
        try:
            if view["version"] == poll.query.version:  # nothing new: nothing to render
                body = orjson.dumps({"version": poll.query.version, "live": True})
            else:
                # On the loop: rendering the block (~0.15 ms) costs less than the
                # hand-over to a worker thread and back (~0.5 ms under --gil).
                answer = render.live_answer(view, self.api.state.cfg, poll.query.lang)
                body = orjson.dumps(answer)
        except Exception as exc:
            await self._refuse(poll.scope, poll.send, exc)
            return
        self.answered += 1
        headers = [_NO_STORE, (b"content-length", b"%d" % len(body)), _JSON]
        await poll.send({"type": "http.response.start", "status": 200, "headers": headers})
        await poll.send({"type": "http.response.body", "body": body})

    async def _refuse(self, scope: Scope, send: Send, exc: Exception) -> None:
        """Answer ``exc`` with the app's own handler for it (the route's answer)."""
        handlers = self.api.exception_handlers
        family = next(k for k in type(exc).__mro__ if k in handlers)
        response = handlers[family](Request(scope), exc)
        if inspect.isawaitable(response):
            response = await response
        with contextlib.suppress(OSError):
            await response(scope, _no_body, send)


def serving(app: FastAPI) -> PhonePolls:
    """The app as uvicorn runs it: the phones' polls answered in front of it."""
    return PhonePolls(app, app)


async def _no_body() -> dict[str, Any]:
    return {"type": "http.disconnect"}
