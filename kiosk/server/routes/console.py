"""The staff console: its static page under /console/, its translations, procedure names.

The page (``kiosk/server/console/``) is plain HTML/JS/CSS with no build step
and nothing from a CDN (a centre's LAN may have no internet); it talks to the
same /api/v1 as every other client. Two helpers live here because only the
console needs them:

* ``GET /console/i18n.json?lang=vi``: the gettext catalog of ``lang`` as a
  msgid -> text object (the console's ``_()`` and ``data-i18n`` look up there);
* ``GET /console/procedures/{code}``: the name of the procedure a citizen chose
  at the kiosk, from the centre's local catalogue copy (tickets carry only the code);
* ``GET /console/fonts/{file}``: the shipped Noto Sans / Kiosk Sans Khmer fonts.
"""

from __future__ import annotations

import functools
import logging
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from kiosk.catalogue import Catalogue, CatalogueError, open_catalogue, store_path
from kiosk.config import Config
from kiosk.server.errors import ApiError
from kiosk.server.pages import mount_page
from kiosk.server.static import RevalidatedFiles, font_file, mount_scripts
from kiosk.text.fonts import LANGUAGES
from kiosk.text.i18n import translator

log = logging.getLogger(__name__)

CONSOLE_DIR = Path(__file__).resolve().parent.parent / "console"
# The shipped fonts, so Vietnamese marks and Khmer look the same on every counter PC.
CONSOLE_FONTS = frozenset(
    {
        "NotoSans-Regular.ttf",
        "NotoSans-Bold.ttf",
        "KioskSansKhmer-Regular.ttf",
        "KioskSansKhmer-Bold.ttf",
    }
)
# The page only ever loads itself and talks to its own origin.
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Revalidate every time: after an update the counter PCs get the new page at once.
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


class ConsoleFiles(RevalidatedFiles):
    """The console's files with the headers above."""

    extra_headers = _HEADERS


@router.get("/")
async def root() -> RedirectResponse:
    """Staff type the server's address; they land on the console."""
    return RedirectResponse("/console/", status_code=307)


@functools.lru_cache(maxsize=8)
def _messages(lang: str) -> dict[str, str]:
    return translator.messages(lang)


@router.get("/console/i18n.json")
async def console_messages(
    lang: Annotated[str, Query(max_length=8, description="vi, km or en")] = "vi",
) -> JSONResponse:
    """Every translated UI string of ``lang`` (msgid -> text)."""
    if lang not in LANGUAGES:
        raise ApiError(422, "unknown_language", f"there is no language {lang!r} (vi, km, en)")
    messages = await run_in_threadpool(_messages, lang)
    return JSONResponse(messages, headers={"Cache-Control": "no-cache"})


@router.get("/console/fonts/{name}")
async def console_font(name: str) -> FileResponse:
    return font_file(name, CONSOLE_FONTS, max_age=86400)


class ProcedureNames:
    """Procedure code -> names, from the catalogue store; reopened when a sync replaced it."""

    def __init__(self, cfg: Config) -> None:
        self._cfg = cfg
        self._lock = threading.Lock()
        self._catalogue: Catalogue | None = None
        self._stamp: int | None = None

    def _stamp_now(self) -> int | None:
        try:
            return store_path(self._cfg).stat().st_mtime_ns
        except OSError:
            return None

    def name(self, code: str) -> dict[str, str] | None:
        """The names of ``code`` (vi, km, en when known), or None; blocking (worker thread)."""
        with self._lock:
            stamp = self._stamp_now()
            if self._catalogue is None or stamp != self._stamp:
                old, self._catalogue = self._catalogue, open_catalogue(self._cfg)
                self._stamp = self._stamp_now()
                if old is not None:
                    old.close()
            summary = self._catalogue.summary(code)
        return summary.name.to_dict() if summary else None


@router.get("/console/procedures/{code}")
async def procedure_name(request: Request, code: str) -> dict[str, Any]:
    """The name of a procedure by its catalogue code (public information, no auth)."""
    names: ProcedureNames = request.app.state.procedure_names
    if len(code) > 32:
        raise ApiError(404, "unknown_procedure", "there is no procedure with this code")
    try:
        found = await run_in_threadpool(names.name, code)
    except (CatalogueError, OSError) as exc:
        log.error("the console cannot read the catalogue: %s", exc)
        raise ApiError(503, "catalogue_unavailable", "the procedure list cannot be read") from None
    if found is None:
        raise ApiError(
            404, "unknown_procedure", "there is no procedure with this code in the catalogue"
        )
    return {"code": code, "name": found}


def mount_console(app: FastAPI) -> None:
    """Serve the console at /console/ (and / redirects there)."""
    app.state.procedure_names = ProcedureNames(app.state.cfg)
    app.include_router(router)
    mount_scripts(app)
    mount_page(app, "/console", CONSOLE_DIR, _HEADERS)
    app.mount("/console", ConsoleFiles(directory=CONSOLE_DIR), name="console")
