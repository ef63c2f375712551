"""The director's dashboard at /reports/ (:mod:`kiosk.server.reports.routes`, docs/reports.md)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from kiosk.server.reports import routes
from kiosk.server.static import RevalidatedFiles

HERE = Path(__file__).resolve().parent


def mount_reports(app: FastAPI) -> None:
    app.include_router(routes.api)
    app.include_router(routes.router)
    app.mount("/reports/static", RevalidatedFiles(directory=HERE / "static"), name="reports-static")
