"""The API's browsable documentation at /docs, served whole by the centre server.

FastAPI's own /docs page loads Swagger UI from a CDN: on a centre LAN without
internet it stays blank. fastapi-offline ships the same Swagger UI files; they
are served here at /docs/assets/ like every other static file of the centre.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse

from kiosk.server.static import RevalidatedFiles

ASSETS = Path(str(files("fastapi_offline") / "static"))
ASSETS_URL = "/docs/assets"


def mount_api_docs(app: FastAPI, url: str = "/docs") -> None:
    """Swagger UI for ``app``'s OpenAPI document at ``url``, with no file from the internet."""
    assert app.openapi_url is not None
    openapi_url = app.openapi_url
    app.mount(ASSETS_URL, RevalidatedFiles(directory=ASSETS), name="api-docs-assets")

    @app.get(url, include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
        )
