"""The director's dashboard under /reports/ and the period report API.

* ``GET /reports/?period=day|week|month|custom&date=D&from=D&to=D&lang=L``: the
  dashboard (signed in with the director's PIN, or an admin token).
* ``GET /reports/print?…``: the A4 monthly report for the People's Committee.
* ``GET /reports/export.xlsx?…``, ``GET /reports/export.csv?table=ID&…``.
* ``GET /reports/live.json``: today's strip, refreshed by the page.
* ``POST /reports/sign-in`` (form ``pin``), ``POST /reports/sign-out``.
* ``GET /api/v1/report/period?from=D&to=D`` (role admin): the same figures as JSON.

The session is an HttpOnly, SameSite=Strict cookie limited to /reports; figures are
computed on their own read-only connection in a worker thread, so issuing goes on.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from kiosk.config import Config
from kiosk.queue import stats
from kiosk.queue.clock import local_day, utc_now
from kiosk.reports.tables import TABLE_IDS
from kiosk.server.auth import Principal, Throttled
from kiosk.server.deps import client_address, config_of, engine_of, require
from kiosk.server.errors import ApiError
from kiosk.server.models import errors_doc
from kiosk.server.reports import render, worker
from kiosk.text import N_, gettext, pick
from kiosk.text.numbers import native_digits

log = logging.getLogger(__name__)
T = TypeVar("T")

COOKIE = "kiosk_reports"
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
Lang = Annotated[str | None, Query(max_length=8)]
Day = Annotated[str | None, Query(max_length=10)]

router = APIRouter(include_in_schema=False)
api = APIRouter(tags=["report"])


def _html(body: str, status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=_HEADERS | (headers or {}))


async def _caller(request: Request) -> Principal | None:
    token = request.cookies.get(COOKIE, "")
    header = request.headers.get("authorization", "")
    if not token and header[:7].lower() == "bearer ":
        token = header[7:].strip()
    if not token:
        return None
    try:
        return await request.app.state.auth.authenticate(token, client_address(request))
    except Throttled:
        return None


async def _gate(request: Request, lang: str) -> Response | None:
    """None for an admin; else the sign-in page (401) or 'not allowed' (403)."""
    cfg = config_of(request)
    who = await _caller(request)
    if who is None:
        return _html(render.sign_in(cfg, lang, next_url=str(request.url.path)), 401)
    if who.role != "admin":
        return _html(render.forbidden(cfg, lang), 403)
    return None


def _period(cfg: Config, q: dict[str, str | None]) -> tuple[stats.Period, stats.PeriodError | None]:
    """The period asked for, or this month and why not (None: nothing to say why)."""
    today = date.fromisoformat(local_day(utc_now(), cfg.tz))
    kind = q.get("period") or "month"
    try:
        if kind == "custom" or (q.get("from") and q.get("to")):
            return stats.parse_period(q.get("from") or "", q.get("to") or ""), None
        asked = q.get("date")
        anchor = date.fromisoformat(asked) if asked else today
        return stats.period_of(kind, anchor), None
    except stats.PeriodError as exc:
        return stats.period_of("month", today), exc
    except (ValueError, KeyError) as exc:  # a ?date= or ?period= no form of the page sends
        return stats.period_of("month", today), stats.PeriodError(str(exc), "unreadable")


# Why a period was not read, in the reader's language (the domain's sentence is English).
_WHY = {
    "not_a_date": N_("“{day}” is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01"),
    "ends_before_start": N_("the period ends ({end}) before it starts ({start})"),
    "too_long": N_("a report covers at most {most} days; this period has {days}"),
}


async def _in_worker(request: Request, fn: Callable[..., T], *args: object) -> T:
    """Run ``fn(cfg, db, *args)`` in the reports process (see worker.py)."""
    loop = asyncio.get_running_loop()
    call = functools.partial(fn, config_of(request), engine_of(request).path, *args)
    return await loop.run_in_executor(worker.pool(), call)


def _query(request: Request) -> dict[str, str | None]:
    q = request.query_params
    return {k: q.get(k) for k in ("period", "date", "from", "to", "lang")}


@dataclass(frozen=True)
class _Asked:
    """What a signed-in director asked for: language, period, and the page's links."""

    lang: str
    period: stats.Period
    problem: stats.PeriodError | None
    query: dict[str, str]


async def _asked(request: Request) -> _Asked | Response:
    """The director's request, or the sign-in / 'not allowed' page to answer instead."""
    cfg = config_of(request)
    q = _query(request)
    lang = render.language(q.get("lang"), cfg)
    denied = await _gate(request, lang)
    if denied is not None:
        return denied
    period, problem = _period(cfg, q)
    links = {"from": period["start"], "to": period["end"], "lang": lang}
    return _Asked(lang, period, problem, {"qs": urlencode(links), **links})


@router.get("/reports")
async def reports_slash() -> RedirectResponse:
    return RedirectResponse("/reports/", status_code=307)


@router.get("/reports/", response_class=HTMLResponse)
async def dashboard(request: Request) -> Response:
    a = await _asked(request)
    if isinstance(a, Response):
        return a
    body = await _in_worker(request, worker.page, a.period, "dashboard.html", a.lang, a.query)
    if a.problem:
        body = body.replace(
            "<!--problem-->",
            f'<p class="problem" role="alert">{_escape(_problem(a.problem, a.lang))}</p>',
        )
    return _html(body)


def _problem(problem: stats.PeriodError, lang: str) -> str:
    why = _WHY.get(problem.reason)
    if why is None:
        return gettext("That period could not be read; this month is shown.", lang)
    values = {
        k: native_digits(v, lang) if k in ("start", "end") else v for k, v in problem.values.items()
    }
    detail = gettext(why, lang, **values)
    return gettext(
        "That period could not be read ({detail}); this month is shown.", lang, detail=detail
    )


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


@router.get("/reports/print", response_class=HTMLResponse)
async def printable(request: Request) -> Response:
    a = await _asked(request)
    if isinstance(a, Response):
        return a
    return _html(await _in_worker(request, worker.page, a.period, "print.html", a.lang, a.query))


def _filename(cfg: Config, period: stats.Period, ext: str) -> str:
    return f"bao-cao-{cfg.centre.id}-{period['start']}-{period['end']}.{ext}"


@router.get("/reports/export.xlsx")
async def export_xlsx(request: Request) -> Response:
    a = await _asked(request)
    if isinstance(a, Response):
        return a
    data = await _in_worker(request, worker.xlsx, a.period, a.lang)
    name = _filename(config_of(request), a.period, "xlsx")
    return _download(
        data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name
    )


@router.get("/reports/export.csv")
async def export_csv(
    request: Request, table: Annotated[str, Query(max_length=32)] = "outcomes"
) -> Response:
    a = await _asked(request)
    if isinstance(a, Response):
        return a
    if table not in TABLE_IDS:
        raise ApiError(
            404, "unknown_table", f"there is no table {table!r} ({', '.join(TABLE_IDS)})"
        )
    text = await _in_worker(request, worker.csv_table, a.period, a.lang, table)
    name = _filename(config_of(request), a.period, "csv").replace("bao-cao-", f"bao-cao-{table}-")
    return _download(text.encode("utf-8"), "text/csv; charset=utf-8", name)


def _download(data: bytes, media_type: str, filename: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/reports/live.json")
async def live_json(request: Request) -> Response:
    cfg = config_of(request)
    denied = await _gate(request, "vi")
    if denied is not None:
        return JSONResponse(
            {"error": "unauthorized", "detail": "sign in again"}, status_code=denied.status_code
        )
    lang = render.language(request.query_params.get("lang"), cfg)
    live = await _in_worker(request, worker.live)
    return JSONResponse(
        {
            "waiting": live["waiting"],
            "longest_wait_minutes": live["longest_wait_minutes"],
            "counters_open": live["counters_open"],
            "counters_paused": live["counters_paused"],
            "served": live["served"],
            "services": [
                {"name": pick(s["name"], lang), "waiting": s["waiting"]} for s in live["services"]
            ],
            "shown": render.live_shown(live, lang),
        },
        headers={"Cache-Control": "no-store"},
    )


@router.post("/reports/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request) -> Response:
    cfg = config_of(request)
    body = await request.body()
    if len(body) > 1024:
        raise ApiError(413, "too_large", "the sign-in form is too large")
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    lang = render.language(form.get("lang"), cfg)
    next_url = form.get("next", "/reports/")
    if not next_url.startswith("/reports/") or "//" in next_url:
        next_url = "/reports/"
    auth = request.app.state.auth
    try:
        session = await auth.admin_pin_login(client_address(request), form.get("pin", "")[:64])
    except Throttled as exc:
        wait = max(1, round(exc.retry_after))
        message = gettext(
            "Too many wrong PINs. Try again in {seconds} seconds.", lang, seconds=wait
        )
        return _html(
            render.sign_in(cfg, lang, message=message, next_url=next_url),
            429,
            {"Retry-After": str(wait)},
        )
    if session is None:
        message = gettext("That PIN is not right.", lang)
        return _html(render.sign_in(cfg, lang, message=message, next_url=next_url), 401)
    response = RedirectResponse(f"{next_url}?lang={lang}", status_code=303)
    response.set_cookie(COOKIE, session.token, httponly=True, samesite="strict", path="/reports")
    log.info("director signed in to /reports/ from %s", client_address(request))
    return response


@router.post("/reports/sign-out")
async def sign_out(request: Request) -> Response:
    token = request.cookies.get(COOKIE)
    if token:
        request.app.state.auth.logout(token)
    response = RedirectResponse("/reports/", status_code=303)
    response.delete_cookie(COOKIE, path="/reports")
    return response


@api.get("/api/v1/report/period", response_model=None, responses=errors_doc(401, 403, 422, 429))
async def period_report(
    request: Request,
    who: Annotated[Principal, Depends(require("admin"))],
    start: Annotated[str, Query(alias="from", max_length=10)],
    end: Annotated[str, Query(alias="to", max_length=10)],
    comments: Annotated[
        Literal["newest", "all"],
        Query(description="the newest comments (see comments_total) or all of them"),
    ] = "newest",
) -> dict[str, Any]:
    """Every dashboard figure over a range of local days (at most 400)."""
    try:
        period = stats.parse_period(start, end)
    except ValueError as exc:
        raise ApiError(422, "invalid_period", str(exc)) from None
    return await _in_worker(request, worker.period_json, period, comments == "all")
