"""The event log over HTTP: long-poll ``GET /api/v1/events?after=N&wait=S``.

Answers at once when events after N exist, otherwise waits up to S seconds
(capped at MAX_WAIT) for the next commit. Pages are read on the reader thread
within the caller's budget (kiosk.server.budgets) and sent as the JSON stored
in the log, so readers cannot slow down issuing. A client keeps ``last`` and passes it
as ``after`` next time; ids only grow and every event stays in the log, so a
client that reconnects with its last id misses nothing. Without ``after`` the
answer is empty with ``last`` = the newest id: where a new board starts.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import State

from kiosk.queue import QueueEngine
from kiosk.server.auth import Principal, Throttled
from kiosk.server.budgets import ReadBudget
from kiosk.server.deps import client_address, engine_of, in_engine, principal, throttled
from kiosk.server.errors import ApiError
from kiosk.server.models import EventsOut, errors_doc
from kiosk.server.notify import EventNotifier

router = APIRouter(tags=["events"])
MAX_WAIT = 30.0
MAX_ID = 2**62
DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
# Re-read the log at least this often while waiting (events from another process).
RECHECK = 1.0


@router.get(
    "/api/v1/events",
    response_model=None,
    responses={200: {"model": EventsOut}, **errors_doc(401, 422, 429)},
)
async def events(
    request: Request,
    who: Annotated[Principal, Depends(principal)],
    after: Annotated[
        int | None, Query(ge=0, le=MAX_ID, description="last event id you have")
    ] = None,
    wait: Annotated[
        float,
        Query(ge=0, allow_inf_nan=False, description=f"seconds to wait, capped at {MAX_WAIT:g}"),
    ] = 0.0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Response:
    """Events after `after`, oldest first (any role).

    `after` beyond the server's newest id (its database was replaced) is answered
    at once with `resync: true`, `last` = your `after` and `head` = the real newest
    id: re-read your state and continue from `head`.
    """
    engine = engine_of(request)
    if after is None:
        head = await in_engine(request, engine.last_event_id)
        return JSONResponse({"events": [], "last": head, "head": head})
    caller = f"{who.role}@{client_address(request)}"
    try:
        body = await page(request.app.state, caller, after, wait, limit)
    except Throttled as exc:
        raise throttled_reads(exc) from None
    return Response(body, media_type="application/json")


def throttled_reads(exc: Throttled) -> ApiError:
    """429 for a device over its event-read or long-poll budget."""
    return throttled(exc, f"{exc.reason} for this device; come back later")


async def page(state: State, caller: str, after: int, wait: float, limit: int) -> bytes:
    """The answer's JSON for ``caller`` asking for events after ``after`` (the route's and
    the fast path's); Throttled over ``caller``'s budget.

    Every long-poll woken by one commit asks for the same page: it is read once
    (ReadBudget.shared) and the answer's bytes are built once and sent to all.
    """
    engine: QueueEngine = state.engine
    reads: ReadBudget = state.reads
    head = engine.last_event_id()  # max(id) of the primary key: cheap on the loop
    if after > head:
        return b'{"events":[],"last":%d,"head":%d,"resync":true}' % (after, head)
    if head == after and wait > 0:
        with reads.waiting(caller):
            # No await since the head was read: a commit since then wakes the waiter.
            head = await _wait_past(state.notifier, engine, after, min(wait, MAX_WAIT))
    if head == after:
        return b'{"events":[],"last":%d,"head":%d}' % (after, head)
    return await reads.shared(caller, (after, limit, head), answer, engine, after, limit, head)


def answer(engine: QueueEngine, after: int, limit: int, head: int) -> bytes:
    """On the reader thread: the page after ``after`` as the answer's bytes."""
    events, last = engine.events_json(after, limit)
    return f'{{"events":{events},"last":{last},"head":{max(head, last)}}}'.encode()


async def _wait_past(notifier: EventNotifier, engine: QueueEngine, after: int, wait: float) -> int:
    """Wait until the log has an event after ``after`` (or ``wait`` s pass); the head.

    Called right after the head was read as ``after`` (on the loop, no await
    since). A wake-up from this process's commit carries the new head (no query
    per waiter); the log itself is read on each recheck (another process's commits).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    head = after
    while True:
        # Take the wake-up event before reading, so a commit in between still wakes us.
        fired = notifier.current()
        remaining = deadline - loop.time()
        if head != after or remaining <= 0 or notifier.stopping:
            return head
        if await notifier.wait(fired, min(remaining, RECHECK)) and notifier.head > after:
            head = notifier.head
        else:
            head = engine.last_event_id()
