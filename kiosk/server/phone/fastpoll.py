"""Phones' long-polls (``GET /t/{id}/live``) parked at their connection, beside the framework.

Hundreds of phones follow their tickets at once, each renewing its 25-s
long-poll after every answer. Through FastAPI each poll cost a Request,
dependency solving, two tasks and a timer, about 1.9 ms of the server's CPU
per answer and its re-poll, and the parked requests' objects lived long enough
to make the young garbage collections slow (docs/performance.md, "The phone
figures"). :class:`PhonePolls` is a taker on the server's parking desk
(kiosk/server/parking.py, the same mechanism as the boards' event long-polls):
the HTTP protocol offers it each request before starting the app, and it takes
the page's plain poll:

* the path and query (``lang``, ``v``, ``wait``, each at most once, in the
  shapes the page sends) are read from the request; anything else — an id
  that is not a ticket id, another parameter, a value with escapes, a Host the
  app does not serve, a body — is not taken: the app (its HostCheck and
  BodyLimit, the route in kiosk/server/phone/routes.py) answers it as before;
  an unknown ticket, or a read or render that fails, is given back to the
  route (:meth:`Parked.to_route`), which answers it as it answers any other;
* a waiting poll is filed with the ticket watch as a bare future, with a
  timer for its deadline (as the event long-polls' deadlines): no task, no
  frame of the app; a phone that hangs up is taken off the watch at once;
* the answer is the route's JSON, the same bytes (orjson) and headers,
  rendered on the loop from the watch's shared read and written by
  :func:`kiosk.server.parking.answer`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import Callable

import orjson
from fastapi import FastAPI

from kiosk.server.limits import HostNames
from kiosk.server.parking import JSON, Desk, Parked, answer, bodyless_and_direct
from kiosk.server.phone import render
from kiosk.server.phone.routes import MAX_WAIT
from kiosk.server.phone.watch import Parked as Filed
from kiosk.server.phone.watch import Seen, TicketWatch

log = logging.getLogger(__name__)

PREFIX = "/t/"
SUFFIX = "/live"
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# The values the page sends, in shapes the route reads the same (no escapes).
_VALUES = {
    b"lang": re.compile(rb"^[a-z]{1,8}$"),
    b"v": re.compile(rb"^[0-9A-Za-z]{0,32}$"),
    b"wait": re.compile(rb"^[0-9]{1,9}(\.[0-9]{1,9})?$"),
}
# The route's JSONResponse headers (content-length is written by parking.answer).
_HEADERS = ((b"cache-control", b"no-store"), JSON)


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


class _Poll:
    """One phone's poll, from the desk to its answer."""

    __slots__ = ("deadline", "filed", "future", "parked", "query", "seen", "ticket", "timer")

    def __init__(self, parked: Parked, ticket: str, query: Query, deadline: float) -> None:
        self.parked = parked
        self.ticket = ticket
        self.query = query
        self.deadline = deadline
        self.seen: Seen | None = None  # the view it waits to differ from
        self.filed: Filed | None = None  # with the watch while it waits
        self.future: asyncio.Future[Seen | None] | None = None
        self.timer: asyncio.TimerHandle | None = None


class PhonePolls:
    """Takes the phones' plain polls from the desk and answers them (event-loop thread only).

    ``api`` is the app whose phone routes it answers for (its ``state`` holds the
    config and the ticket watch); ``hosts`` the names its HostCheck answers for.
    """

    def __init__(self, api: FastAPI, hosts: HostNames) -> None:
        self.state = api.state
        self.hosts = hosts
        self.answered = 0  # polls answered here, not by the route (tests and benchmarks count)
        self.waiting: set[_Poll] = set()  # filed with the watch, each with its deadline timer
        self._reads: set[asyncio.Task[Seen | None]] = set()  # the loop keeps weak references
        self._loop = asyncio.get_running_loop()
        api.state.phone_polls = self

    def start(self, desk: Desk) -> Callable[[], None]:
        """Take polls from ``desk``; returns the function that stops taking them."""
        return desk.add(self.take)

    @property
    def _watch(self) -> TicketWatch:
        return self.state.ticket_watch

    def take(self, parked: Parked) -> bool:
        scope = parked.scope
        path: str = scope["path"]
        if scope["method"] != "GET" or not (path.startswith(PREFIX) and path.endswith(SUFFIX)):
            return False
        ticket = path[len(PREFIX) : -len(SUFFIX)]
        if not _ID.match(ticket) or not self._plain_head(scope["headers"]):
            return False
        query = plain_query(scope["query_string"])
        if query is None:
            return False
        poll = _Poll(parked, ticket, query, self._loop.time() + min(query.wait, MAX_WAIT))
        parked.on_lost(lambda _: self._unfile(poll))
        # Not answered from inside the protocol's offer: an answer starts the next
        # pipelined request, which the protocol would then offer before this returns.
        self._loop.call_soon(self._read, poll)
        return True

    def _plain_head(self, headers: list[tuple[bytes, bytes]]) -> bool:
        """True when neither HostCheck nor BodyLimit would refuse these headers."""
        for name, value in headers:
            if name == b"host":
                if not self.hosts.answers(value.decode("latin-1")):
                    return False
            elif not bodyless_and_direct(name, value):
                return False
        return True

    # -- reading the ticket's view ---------------------------------------------
    def _read(self, poll: _Poll) -> None:
        """Go on with the ticket's view: the watch's reusable one, else read it."""
        if poll.parked.done:
            return  # the phone hung up meanwhile
        seen = self._watch.cached(poll.ticket)
        if seen is not None:
            self._wait(poll, seen)
            return
        reading = self._loop.create_task(self._watch.view(poll.ticket))
        self._reads.add(reading)
        reading.add_done_callback(lambda done: self._read_done(poll, done))

    def _read_done(self, poll: _Poll, done: asyncio.Task[Seen | None]) -> None:
        self._reads.discard(done)
        failed = done.cancelled() or done.exception() is not None
        seen = None if failed else done.result()
        if seen is None:  # an unknown ticket, a failed read: the route answers it
            poll.parked.to_route()
        else:
            self._wait(poll, seen)

    # -- waiting ------------------------------------------------------------------
    def _wait(self, poll: _Poll, seen: Seen) -> None:
        """Answer with ``seen`` if it is new or time is up, else file it until it changes."""
        if poll.parked.done:
            return  # the phone hung up meanwhile
        watch = self._watch
        now = self._loop.time()
        if seen.view["version"] != poll.query.version or watch.stopping or poll.deadline <= now:
            self._answer(poll, seen)
            return
        future: asyncio.Future[Seen | None] = self._loop.create_future()
        filed = watch.park(poll.ticket, seen, future)
        if filed is None:  # something changed since it was read: read again
            self._read(poll)
            return
        poll.seen, poll.filed, poll.future = seen, filed, future
        poll.timer = self._loop.call_later(poll.deadline - now, self._expire, poll)
        self.waiting.add(poll)
        future.add_done_callback(lambda done: self._woken(poll, done))

    def _unfile(self, poll: _Poll) -> None:
        """Take the poll off the watch and cancel its timer (a no-op when it is not filed)."""
        if poll.filed is None:
            return
        self._watch.unpark(poll.filed)
        self.waiting.discard(poll)
        assert poll.timer is not None and poll.future is not None
        poll.timer.cancel()
        if not poll.future.done():
            poll.future.cancel()
        poll.filed = poll.timer = poll.future = None

    def _woken(self, poll: _Poll, done: asyncio.Future[Seen | None]) -> None:
        if done.cancelled() or done is not poll.future:
            return  # the phone hung up, or its time was up first
        seen, last = done.result(), poll.seen
        self._unfile(poll)
        if seen is not None:
            self._wait(poll, seen)
        elif self._watch.stopping and last is not None:
            self._answer(poll, last)  # the server stops: nothing changed, as far as it knows
        else:
            self._read(poll)  # the watch's read failed: read again

    def _expire(self, poll: _Poll) -> None:
        """The poll's wait is over: read the view again (time alone moves the wait shown)."""
        self._unfile(poll)
        self._read(poll)

    # -- answering ----------------------------------------------------------------
    def _answer(self, poll: _Poll, seen: Seen) -> None:
        view = seen.view
        try:
            if view["version"] == poll.query.version:  # nothing new: nothing to render
                body = orjson.dumps({"version": poll.query.version, "live": True})
            else:
                # On the loop: rendering the block (~0.15 ms) costs less than the
                # hand-over to a worker thread and back (~0.5 ms under --gil).
                block = render.live_answer(view, self.state.cfg, poll.query.lang)
                body = orjson.dumps(block)
        except Exception:  # the route renders it again and answers as the app answers errors
            log.exception("rendering a phone's answer failed; the route answers it")
            poll.parked.to_route()
            return
        self.answered += 1
        answer([poll.parked], 200, body, _HEADERS)


def start_phone_polls(api: FastAPI, hosts: HostNames) -> Callable[[], None]:
    """Park the phones' polls on ``api.state.parking``; returns the function that stops."""
    return PhonePolls(api, hosts).start(api.state.parking)
