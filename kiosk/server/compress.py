"""gzip for the pages and their files (HTML, CSS, JS, CSV) when the browser accepts it.

A citizen's phone on 3G waits for every byte of the ticket page and the files
it loads; a counter PC or the director's dashboard gains too. Starlette's
GZipMiddleware does the work (answers under 500 bytes go as they are; fonts,
images and other already-compressed types are never gzipped). Left alone:
the JSON API under ``/api/`` (small answers; the kiosks' issue path must not
pay for a layer it does not need) and the phone's long-poll ``/t/{id}/live``,
which the server's fast path answers beside the app (kiosk/server/phone/fastpoll.py)
byte for byte as the route does.
"""

from __future__ import annotations

from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

# Level 6: nearly level 9's size for a page of a few KB at a fraction of the CPU.
LEVEL = 6
# The director's XLSX export is a zip archive already.
_ALREADY_COMPRESSED = (
    *DEFAULT_EXCLUDED_CONTENT_TYPES,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)


class CompressPages:
    """ASGI layer: gzip every page and file that is worth it (not the API, not /live)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(
            app, compresslevel=LEVEL, exclude_content_types=_ALREADY_COMPRESSED
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] == "http" and not path.startswith("/api/") and not path.endswith("/live"):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)
