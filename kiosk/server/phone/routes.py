"""The citizen's phone page ``/t/{id}``, its live updates, and the satisfaction rating.

* ``GET /t/{id}``: the page, server-rendered in the ticket's language (``?lang=``
  switches); without JavaScript it refreshes itself.
* ``GET /t/{id}/live?v=VERSION&wait=S``: long-poll scoped to that ticket; answers
  as soon as what the page shows differs from ``VERSION`` (or after S s).
* ``POST /t/{id}/rating``: the rating form without JavaScript (303 back to the page).
* ``POST /api/v1/tickets/{id}/rating``: the rating as JSON; 201 once, 409 after.
  No auth (the id is the capability); with a counter's staff session it is the
  counter-side terminal's rating (``source`` terminal, that counter's tickets only).
* ``GET /t/fonts/{file}``: the shipped Noto Sans Khmer as WOFF2 (and TrueType for a
  browser without WOFF2), so Khmer is shaped by the phone's browser with the
  centre's font (no CDN: the guest Wi-Fi may have no internet); see
  :mod:`kiosk.server.phone.fonts`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field

from kiosk.publicurl import SAMPLE_TICKET_ID
from kiosk.queue import Ticket, citizen
from kiosk.queue import errors as qerr
from kiosk.queue.clock import utc_now
from kiosk.server.deps import bearer, config_of, engine_of, in_engine, principal
from kiosk.server.errors import ApiError
from kiosk.server.models import errors_doc
from kiosk.server.phone import render
from kiosk.server.phone.fonts import PHONE_FONTS, TRUETYPE, WEEK, fonts_of_page
from kiosk.server.phone.watch import TicketWatch
from kiosk.server.static import font_file

log = logging.getLogger(__name__)

MAX_WAIT = 30.0
UNKNOWN = "there is no ticket with this id"
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

router = APIRouter(include_in_schema=False)
api = APIRouter(tags=["tickets"])
# Included after /t/static: a ticket address cut short or with something after it
# (a hand-typed /t/, a chat app's added path) is the phone's friendly page, not JSON.
fallback = APIRouter(include_in_schema=False)
TicketPath = Annotated[str, Field(max_length=64)]
Lang = Annotated[str | None, Query(max_length=8, description="vi, km or en")]


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    score: int = Field(description="1..N, N = the most satisfied level of [satisfaction]")
    reasons: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list, max_length=20)
    comment: str | None = Field(default=None, max_length=2000, description="kept: 500 characters")


class RatingOut(BaseModel):
    ticket: str
    number: str
    service: str
    score: int
    levels: int
    reasons: list[str]
    source: str
    rated_at: str


def public_ticket(ticket: Ticket, request: Request) -> dict[str, Any]:
    """GET /api/v1/tickets/{id}: what anyone holding the id may read of a ticket."""
    engine = engine_of(request)
    if citizen.age_days(ticket["day"], engine.today()) > citizen.HISTORY_DAYS:
        raise ApiError(410, "expired", f"this ticket is from {ticket['day']}")
    return citizen.public_ticket(ticket)


def watch_of(request: Request) -> TicketWatch:
    return request.app.state.ticket_watch


async def follow_view(request: Request, ticket_id: str) -> dict[str, Any] | None:
    if len(ticket_id) > 64:
        return None
    try:
        return await in_engine(request, engine_of(request).follow, ticket_id)
    except qerr.UnknownTicket:
        return None


def _missing(request: Request) -> HTMLResponse:
    return HTMLResponse(render.render_missing(config_of(request)), 404, headers=_HEADERS)


def _context(
    request: Request, view: dict[str, Any], lang: str | None, error: str = ""
) -> dict[str, Any]:
    cfg = config_of(request)
    chosen = render.language(lang, view.get("lang", "vi"), cfg)
    return render.page_context(view, cfg, chosen, utc_now(), error)


@router.get("/t/{ticket_id}", response_class=HTMLResponse)
async def page(request: Request, ticket_id: str, lang: Lang = None) -> HTMLResponse:
    if ticket_id == SAMPLE_TICKET_ID:
        return HTMLResponse(render.render_sample(config_of(request)), headers=_HEADERS)
    view = await follow_view(request, ticket_id)
    if view is None:
        return _missing(request)
    ctx = _context(request, view, lang)
    PHONE_FONTS.prepare(fonts_of_page(ctx["lang"]))
    return HTMLResponse(render.render_page(ctx), headers=_HEADERS)


async def _gone(request: Request) -> None:
    """Return once the phone has closed the connection (its body, if any, is skipped)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def _changed(request: Request, ticket_id: str, v: str, wait: float) -> dict[str, Any]:
    """The ticket's view once it differs from version ``v``, or after ``wait`` s.

    The watch hands the long-poll a new view when an event changed what the
    page shows (see :mod:`kiosk.server.phone.watch` for when and how late).
    """
    watch = watch_of(request)
    seen = await watch.view(ticket_id) if len(ticket_id) <= 64 else None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + min(wait, MAX_WAIT)
    while seen is not None and seen.view["version"] == v and not watch.stopping:
        remaining = deadline - loop.time()
        if remaining <= 0:
            break
        seen = await watch.next(ticket_id, seen, remaining) or await watch.view(ticket_id)
    if seen is None:
        raise ApiError(404, "unknown_ticket", UNKNOWN)
    return seen.view


@router.get("/t/{ticket_id}/live")
async def live(
    request: Request,
    ticket_id: str,
    lang: Lang = None,
    v: Annotated[str, Query(max_length=32)] = "",
    wait: Annotated[float, Query(ge=0, allow_inf_nan=False)] = 0.0,
) -> Response:
    """The status block as soon as it differs from version ``v`` (or after ``wait`` s).

    A phone that goes away while waiting (asleep, out of Wi-Fi, page closed)
    ends its long-poll at once: it then costs no view when its queue moves,
    and a phone that reconnects often never holds more than one waiter.
    """
    changed = asyncio.ensure_future(_changed(request, ticket_id, v, wait))
    gone = asyncio.ensure_future(_gone(request))
    try:
        await asyncio.wait((changed, gone), return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
        if not changed.done():
            changed.cancel()
    if not changed.done() or changed.cancelled():
        return Response(status_code=499)  # nobody is left to read an answer
    view = changed.result()
    if view["version"] == v:  # nothing new: nothing to render
        return JSONResponse({"version": v, "live": True}, headers={"Cache-Control": "no-store"})
    answer = await asyncio.get_running_loop().run_in_executor(
        request.app.state.phone_executor, render.live_answer, view, config_of(request), lang
    )
    return JSONResponse(answer, headers={"Cache-Control": "no-store"})


async def _rate(request: Request, ticket_id: str, body: RatingIn, counter: str | None) -> Any:
    return await in_engine(
        request,
        engine_of(request).rate,
        ticket_id,
        body.score,
        reasons=body.reasons,
        comment=body.comment,
        source="terminal" if counter else "phone",
        counter=counter,
    )


async def _terminal_counter(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> str | None:
    """The counter whose staff session sent this rating (the /rate/ terminal), else None."""
    if credentials is None:
        return None
    who = await principal(request, credentials)
    if not who.role.startswith("counter:"):
        raise ApiError(403, "forbidden", f"the role {who.role} may not rate tickets")
    return who.role.split(":", 1)[1]


@api.post(
    "/api/v1/tickets/{ticket_id}/rating",
    status_code=201,
    response_model=None,
    responses={201: {"model": RatingOut}, **errors_doc(400, 403, 404, 409, 413, 422)},
)
async def rate(
    request: Request,
    ticket_id: TicketPath,
    body: RatingIn,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> JSONResponse:
    """Rate a served ticket once (201); 409 `already_rated` or `not_ratable` (not served,
    or more than `[satisfaction].window_hours` after service). No auth: the id is the key."""
    counter = await _terminal_counter(request, credentials)
    rating = await _rate(request, ticket_id, body, counter)
    rating.pop("comment", None)
    rating.pop("counter", None)
    return JSONResponse(rating, status_code=201)


@router.post("/t/{ticket_id}/rating", response_model=None)
async def rate_form(
    request: Request, ticket_id: str, lang: Lang = None
) -> HTMLResponse | RedirectResponse:
    """The rating form posted without JavaScript: back to the page (303), or the page
    with one sentence when the rating cannot be taken.

    The form is urlencoded (the page sends no files): parsed with the standard
    library rather than a multipart dependency for one form.
    """
    form = parse_qs((await request.body()).decode("utf-8", "replace"), max_num_fields=40)
    raw_score = (form.get("score") or [""])[0]
    score = int(raw_score) if raw_score.isdigit() and len(raw_score) < 3 else None
    reasons = form.get("reasons") or []
    comment = (form.get("comment") or [""])[0][:2000]
    view = await follow_view(request, ticket_id)
    if view is None:
        return _missing(request)
    chosen = render.language(lang, view.get("lang", "vi"), config_of(request))
    error = ""
    try:
        if score is None:
            raise qerr.InvalidRequest("no score", field="score")
        body = RatingIn(score=score, reasons=reasons or [], comment=comment or None)
        await _rate(request, ticket_id, body, None)
    except qerr.AlreadyRated:
        pass  # the page thanks them: it was rated
    except qerr.QueueError as exc:
        error = render.rating_error(exc, chosen)
    if not error:
        return RedirectResponse(f"/t/{ticket_id}?lang={chosen}", status_code=303)
    view = await follow_view(request, ticket_id) or view
    ctx = _context(request, view, chosen, error)
    return HTMLResponse(render.render_page(ctx), status_code=409, headers=_HEADERS)


@fallback.get("/t", response_class=HTMLResponse)
@fallback.get("/t/{rest:path}", response_class=HTMLResponse)
async def not_a_ticket_address(request: Request) -> HTMLResponse:
    return _missing(request)


@router.get("/t/fonts/{name}", response_model=None)
async def font(request: Request, name: str) -> Response:
    if name in TRUETYPE:
        return font_file(name, TRUETYPE, max_age=WEEK)
    return await PHONE_FONTS.response(request, name)
