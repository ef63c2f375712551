"""The director's dashboard at /reports/ (:mod:`kiosk.server.reports.routes`, docs/reports.md)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from kiosk.server.reports import routes

HERE = Path(__file__).resolve().parent


class _Static(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update({"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"})
        return response


def mount_reports(app: FastAPI) -> None:
    app.include_router(routes.api)
    app.include_router(routes.router)
    app.mount("/reports/static", _Static(directory=HERE / "static"), name="reports-static")
