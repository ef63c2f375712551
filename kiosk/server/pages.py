"""Server-rendered pages: one Jinja2 set-up for all, with the shared templates (the head).

The console and the /rate/ terminal are rendered once at start (nothing in them
changes per request) and served like static files: ``no-cache`` with an ETag, so
a browser revalidates and gets 304 until the centre is updated.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from kiosk.text import N_, gettext

SHARED_TEMPLATES = Path(__file__).resolve().parent / "templates"
# A language switcher names each language in itself: the name's translation
# into that very language (the catalogs hold it, as for the kiosk and the console).
_LANGUAGE_MSGIDS = {"vi": N_("Vietnamese"), "km": N_("Khmer"), "en": N_("English")}


def language_name(code: str) -> str:
    """What the language ``code`` calls itself ("Tiếng Việt", "ភាសាខ្មែរ", "English")."""
    return gettext(_LANGUAGE_MSGIDS[code], code)


def language_switch(codes: Iterable[str], current: str) -> list[dict[str, Any]]:
    """The entries of a page's language switch: the centre's languages in their own names."""
    return [
        {"code": code, "name": language_name(code), "current": code == current}
        for code in codes
        if code in _LANGUAGE_MSGIDS
    ]


def environment(templates: Path) -> Environment:
    """Templates of ``templates`` (first) and the shared ones; everything autoescaped."""
    return Environment(
        loader=FileSystemLoader([templates, SHARED_TEMPLATES]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        # The templates ship with the code: no stat() of the file on every render
        # (a phone's live answer renders its status block).
        auto_reload=False,
    )


class RenderedPage:
    """A page rendered once, answered like a static file (ETag, revalidated every time)."""

    def __init__(self, html: str, headers: Mapping[str, str]) -> None:
        self.body = html.encode("utf-8")
        self.etag = f'"{hashlib.sha256(self.body).hexdigest()[:32]}"'
        self.headers = {
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-cache",
            **headers,
            "ETag": self.etag,
        }

    def response(self, request: Request) -> Response:
        if self.etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=self.headers)
        return HTMLResponse(self.body, headers=self.headers)


def mount_page(app: FastAPI, prefix: str, directory: Path, headers: Mapping[str, str]) -> None:
    """``directory/index.html`` (a template using the shared partials) at ``prefix/``.

    Rendered once, here; ``prefix`` redirects to ``prefix/``. Call before mounting
    the directory's static files at ``prefix``, so that these routes come first.
    """
    page = RenderedPage(environment(directory).get_template("index.html").render(), headers)

    async def answer(request: Request) -> Response:
        return page.response(request)

    async def slash() -> RedirectResponse:
        return RedirectResponse(f"{prefix}/", status_code=307)

    app.add_api_route(prefix, slash, include_in_schema=False)
    for path in (f"{prefix}/", f"{prefix}/index.html"):
        app.add_api_route(path, answer, include_in_schema=False)
