"""The counter-side rating terminal: ``/rate/`` (static page) and the question it shows.

The terminal is a small tablet or second screen at the counter, signed in
with the counter's PIN like the staff console. When that counter marks a
ticket done, it fetches ``/rate/question/{id}`` (the same rating form as the
phone page, in the ticket's language) and posts the answer to
``POST /api/v1/tickets/{id}/rating`` with its staff session, which records
it as a terminal rating of that counter.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kiosk.queue.clock import utc_now
from kiosk.server.deps import config_of
from kiosk.server.errors import ApiError
from kiosk.server.phone import render
from kiosk.server.phone.routes import Lang, follow_view

router = APIRouter(include_in_schema=False)


@router.get("/rate/question/{ticket_id}", response_class=HTMLResponse)
async def question(request: Request, ticket_id: str, lang: Lang = None) -> HTMLResponse:
    """The rating form of a served ticket in its language; 409 when it cannot be rated."""
    view = await follow_view(request, ticket_id)
    if view is None:
        raise ApiError(404, "unknown_ticket", "there is no ticket with this id")
    cfg = config_of(request)
    chosen = render.language(lang, view.get("lang", "vi"), cfg)
    ctx = render.page_context(view, cfg, chosen, utc_now())
    if not ctx["rating"] or ctx["rating"]["done"]:
        raise ApiError(409, "not_ratable", "this ticket cannot be rated now")
    html = render.render_rating(ctx, action=f"/api/v1/tickets/{ticket_id}/rating")
    idle = str(cfg.satisfaction.terminal_idle_seconds)
    return HTMLResponse(html, headers={"Cache-Control": "no-store", "X-Idle-Seconds": idle})
