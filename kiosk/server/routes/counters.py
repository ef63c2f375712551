"""Staff actions of one counter (role counter:<id>) and its state (that counter or admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from kiosk.server.deps import acting_counter, engine_of, in_engine, viewed_counter
from kiosk.server.models import (
    CounterOut,
    RecallRequest,
    TicketOut,
    TransferRequest,
    errors_doc,
)

router = APIRouter(prefix="/api/v1/counters/{c}", tags=["counters"])
Acting = Annotated[str, Depends(acting_counter)]
_ACTION_ERRORS = errors_doc(401, 403, 404, 409, 503)
_TICKET: dict[int | str, dict[str, Any]] = {200: {"model": TicketOut}}


@router.get("", response_model=None, responses={200: {"model": CounterOut}, **_ACTION_ERRORS})
async def counter_state(
    request: Request, c: Annotated[str, Depends(viewed_counter)]
) -> dict[str, Any]:
    """Current ticket, waiting per service, today's counts, recallable no-shows, paused."""
    return await in_engine(request, engine_of(request).counter_state, c)


@router.post(
    "/next",
    response_model=None,
    responses={**_TICKET, 204: {"description": "nobody is waiting"}, **_ACTION_ERRORS},
)
async def call_next(request: Request, c: Acting) -> Any:
    """Finish the current ticket (done) and call the next: 200 ticket, 204 nobody waiting.

    409 `counter_paused` while the counter is paused.
    """
    ticket = await in_engine(request, engine_of(request).call_next, c)
    return Response(status_code=204) if ticket is None else ticket


@router.post(
    "/recall", response_model=None, responses={**_TICKET, **errors_doc(422, 413), **_ACTION_ERRORS}
)
async def recall(request: Request, c: Acting, body: RecallRequest | None = None) -> dict[str, Any]:
    """Announce the current ticket again; with `{"ticket": id or number}` call back a no-show.

    409 `no_current_ticket`, `counter_busy`, `not_recallable`; 404 `unknown_ticket`.
    """
    ref = body.ticket if body else None
    return await in_engine(request, engine_of(request).recall, c, ref)


@router.post("/start", response_model=None, responses={**_TICKET, **_ACTION_ERRORS})
async def start(request: Request, c: Acting) -> dict[str, Any]:
    """The citizen has reached the counter: called -> serving (optional step)."""
    return await in_engine(request, engine_of(request).start, c)


@router.post("/no-show", response_model=None, responses={**_TICKET, **_ACTION_ERRORS})
async def no_show(request: Request, c: Acting) -> dict[str, Any]:
    """The called citizen did not come; recallable within queue.no_show_grace_minutes."""
    return await in_engine(request, engine_of(request).no_show, c)


@router.post("/done", response_model=None, responses={**_TICKET, **_ACTION_ERRORS})
async def done(request: Request, c: Acting) -> dict[str, Any]:
    """The counter has finished with its current ticket."""
    return await in_engine(request, engine_of(request).done, c)


@router.post(
    "/transfer",
    response_model=None,
    responses={**_TICKET, **errors_doc(422, 413), **_ACTION_ERRORS},
)
async def transfer(request: Request, c: Acting, body: TransferRequest) -> dict[str, Any]:
    """Send the current ticket to another service; it keeps its number and its place.

    Answers the new leg of the ticket (a new id, waiting in the target service).
    """
    return await in_engine(request, engine_of(request).transfer, c, body.service)


@router.post(
    "/pause", response_model=None, responses={200: {"model": CounterOut}, **_ACTION_ERRORS}
)
async def pause(request: Request, c: Acting) -> dict[str, Any]:
    """Stop calling at this counter (it no longer counts as open for ETAs)."""
    return await in_engine(request, engine_of(request).pause, c)


@router.post(
    "/resume", response_model=None, responses={200: {"model": CounterOut}, **_ACTION_ERRORS}
)
async def resume(request: Request, c: Acting) -> dict[str, Any]:
    """Open the counter again."""
    return await in_engine(request, engine_of(request).resume, c)
