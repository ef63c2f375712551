"""The day's figures for the centre's admin."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse

from kiosk.queue.report import comments_csv, parse_day, report_csv
from kiosk.server.auth import Principal
from kiosk.server.deps import engine_of, in_engine, require
from kiosk.server.errors import ApiError
from kiosk.server.models import ReportOut, errors_doc

router = APIRouter(tags=["report"])


@router.get(
    "/api/v1/report",
    response_model=None,
    responses={
        200: {"model": ReportOut, "content": {"text/csv": {}}},
        **errors_doc(401, 403, 422),
    },
)
async def report(
    request: Request,
    who: Annotated[Principal, Depends(require("admin"))],
    date: Annotated[
        str | None, Query(max_length=32, description="local date YYYY-MM-DD; default today")
    ] = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
    table: Annotated[
        Literal["figures", "comments"], Query(description="with format=csv: which table")
    ] = "figures",
) -> Any:
    """Per service and per counter: issued, served, no-shows, median/p90 wait, median service;
    the citizens' comments of the day (newest first, never linked to a person)."""
    day = None
    if date is not None:
        try:
            day = parse_day(date)
        except ValueError as exc:
            raise ApiError(422, "invalid_date", str(exc)) from None
    figures = await in_engine(request, engine_of(request).report, day)
    if format == "csv":
        text = comments_csv(figures) if table == "comments" else report_csv(figures)
        return PlainTextResponse(text, media_type="text/csv; charset=utf-8")
    return figures
