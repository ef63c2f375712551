"""The event log over HTTP: long-poll ``GET /api/v1/events?after=N&wait=S``.

Answers at once when events after N exist, otherwise waits up to S seconds
(capped at MAX_WAIT) for the next commit. A client keeps ``last`` and passes it
as ``after`` next time; ids only grow and every event stays in the log, so a
client that reconnects with its last id misses nothing. Without ``after`` the
answer is empty with ``last`` = the newest id: where a new board starts.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from kiosk.server.auth import Principal
from kiosk.server.deps import engine_of, in_engine, principal
from kiosk.server.models import EventsOut, errors_doc
from kiosk.server.notify import EventNotifier

router = APIRouter(tags=["events"])
MAX_WAIT = 30.0
MAX_ID = 2**62
# Re-read the log at least this often while waiting (events from another process).
_RECHECK = 1.0


@router.get(
    "/api/v1/events",
    response_model=None,
    responses={200: {"model": EventsOut}, **errors_doc(401, 422)},
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
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """Events after `after`, oldest first (any role)."""
    engine = engine_of(request)
    if after is None:
        head = await in_engine(request, engine.last_event_id)
        return {"events": [], "last": head, "head": head}
    notifier: EventNotifier = request.app.state.notifier
    loop = asyncio.get_running_loop()
    deadline = loop.time() + min(wait, MAX_WAIT)
    while True:
        # Take the wake-up event before reading, so a commit in between still wakes us.
        fired = notifier.current()
        found = engine.events_after(after, limit)  # one indexed read: fine on the loop
        remaining = deadline - loop.time()
        if found or remaining <= 0 or notifier.stopping:
            break
        await notifier.wait(fired, min(remaining, _RECHECK))
    last = found[-1]["id"] if found else after
    return {"events": found, "last": last, "head": max(last, engine.last_event_id())}
