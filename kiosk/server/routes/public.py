"""What anyone may read: health, the centre's layout; services for any known device."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from kiosk.queue.clock import to_iso, utc_now
from kiosk.server.auth import Principal
from kiosk.server.deps import config_of, engine_of, in_engine, principal
from kiosk.server.models import HealthOut, InfoOut, ServicesOut, errors_doc

router = APIRouter()


@router.get("/healthz", response_model=None, responses={200: {"model": HealthOut}}, tags=["public"])
async def healthz() -> dict[str, str]:
    """Liveness: 200 while the server answers."""
    return {"status": "ok"}


@router.get(
    "/api/v1/info", response_model=None, responses={200: {"model": InfoOut}}, tags=["public"]
)
async def info(request: Request) -> dict[str, Any]:
    """The centre as kiosks and boards draw it: names, languages, services, counters, reasons."""
    cfg = config_of(request)
    engine = engine_of(request)
    return {
        "centre": {
            "id": cfg.centre.id,
            "name": cfg.centre.name,
            "address": cfg.centre.address,
        },
        "timezone": cfg.centre.timezone,
        "languages": list(cfg.centre.languages),
        "day": engine.today(),
        "server_time": to_iso(utc_now()),
        "services": [
            {
                "id": s.id,
                "name": s.name,
                "prefix": s.prefix,
                "width": s.width if s.prefix else None,
                "band": list(s.band) if s.band else None,
                "daily_limit": s.daily_limit,
                "fields": list(s.fields),
                "procedures": list(s.procedures),
                "counters": [c.id for c in cfg.counters if s.id in c.services],
            }
            for s in cfg.services
        ],
        "counters": [
            {"id": c.id, "name": c.name, "services": list(c.services), "priority": c.priority}
            for c in cfg.counters
        ],
        "priority_reasons": [{"id": r.id, "name": r.name} for r in cfg.queue.priority_reasons],
    }


@router.get(
    "/api/v1/services",
    response_model=None,
    responses={200: {"model": ServicesOut}, **errors_doc(401)},
    tags=["queue"],
)
async def services(
    request: Request, who: Annotated[Principal, Depends(principal)]
) -> dict[str, Any]:
    """Every service with the people waiting now and the ETA for a newcomer (any role)."""
    return await in_engine(request, engine_of(request).services)
