"""Issuing tickets (kiosks), reading a ticket (anyone with its id), print results."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import JSONResponse

from kiosk.queue import Ticket
from kiosk.server.auth import Principal
from kiosk.server.deps import engine_of, in_engine, issue_call, require
from kiosk.server.errors import ApiError
from kiosk.server.models import (
    IDEMPOTENCY_KEY,
    IssueRequest,
    PrintResult,
    PublicTicketOut,
    TicketOut,
    WithdrawRequest,
    errors_doc,
)
from kiosk.server.phone.routes import public_ticket

router = APIRouter(tags=["tickets"])
TicketId = Annotated[str, Path(max_length=64, description="the ticket's id (not its number)")]


@router.post(
    "/api/v1/tickets",
    status_code=201,
    response_model=None,
    responses={201: {"model": TicketOut}, **errors_doc(400, 401, 403, 409, 413, 422, 429, 503)},
)
async def issue(
    request: Request,
    body: IssueRequest,
    who: Annotated[Principal, Depends(require("kiosk"))],
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            pattern=IDEMPOTENCY_KEY,
            description="the same key from the same kiosk returns the ticket already issued",
        ),
    ] = None,
) -> JSONResponse:
    """Issue a number (role kiosk). The ticket is on disk before this answers.

    The kiosk is the one its token names; a body `kiosk` that names another is
    refused (403 `kiosk_mismatch`). A retry with the same `Idempotency-Key` (the
    answer was lost) gets the same ticket, never a second number; the same key
    with a different request is 422 `idempotency_key_reused`.
    409 `daily_limit_reached` / `numbers_exhausted`, 429 `rate_limited` (Retry-After).
    """
    if body.kiosk is not None and body.kiosk != who.kiosk:
        raise ApiError(
            403,
            "kiosk_mismatch",
            f"this token belongs to kiosk {who.kiosk!r}, not {body.kiosk!r}; "
            "a kiosk's identity comes from its token",
        )
    issue = issue_call(engine_of(request).issue, body, who.kiosk, idempotency_key)
    return JSONResponse(await in_engine(request, issue), status_code=201)


@router.post(
    "/api/v1/tickets/withdraw",
    response_model=None,
    responses={200: {"model": TicketOut}, **errors_doc(400, 401, 403, 404, 409, 413, 422)},
)
async def withdraw(
    request: Request,
    body: WithdrawRequest,
    who: Annotated[Principal, Depends(require("kiosk"))],
) -> Ticket:
    """Take back a number the kiosk never showed (role kiosk).

    For an issue whose answer the kiosk gave up on: the ticket this kiosk was issued
    today under that `Idempotency-Key` leaves the queue with status `withdrawn`, so
    nobody is called for it. Repeating it answers 200 with the same ticket.
    404 `not_found`: no ticket of today has that key from this kiosk (the issue
    never reached the server's disk: nothing to do); 409 `wrong_state`: it was called
    already (staff have it).
    """
    engine = engine_of(request)
    return await in_engine(request, engine.withdraw, who.kiosk, body.idempotency_key)


@router.get(
    "/api/v1/tickets/{ticket_id}",
    response_model=None,
    responses={200: {"model": PublicTicketOut}, **errors_doc(404, 410)},
)
async def ticket(request: Request, ticket_id: TicketId) -> dict[str, Any]:
    """A ticket's status, people ahead and ETA (no auth: the id is unguessable).

    Without what only staff may see (priority reason, kiosk, procedure, printing);
    410 `expired` for tickets more than a week old.
    """
    return public_ticket(await in_engine(request, engine_of(request).ticket, ticket_id), request)


@router.post(
    "/api/v1/tickets/{ticket_id}/print-result",
    response_model=None,
    responses={200: {"model": TicketOut}, **errors_doc(400, 401, 403, 404, 413, 422)},
)
async def print_result(
    request: Request,
    ticket_id: TicketId,
    body: PrintResult,
    who: Annotated[Principal, Depends(require("kiosk"))],
) -> Ticket:
    """What the kiosk's printer did (role kiosk); a failure shows on the staff console."""
    engine = engine_of(request)
    return await in_engine(request, engine.record_print, ticket_id, body.ok, body.error)
