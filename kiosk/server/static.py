"""Static files of the centre (console, phone page, /rate/, reports): always revalidated.

After a centre updates, phones and counter screens get the new files at once
(``no-cache``: the browser asks again with the ETag and gets 304 when nothing
changed); no file is ever sniffed as another type. Script modules must come as
JavaScript (browsers refuse a module of any other type), whatever the
system's mime.types says.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Collection, Mapping
from pathlib import Path, PurePosixPath
from typing import ClassVar

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from kiosk.paths import FONTS
from kiosk.server.errors import ApiError

# The script modules every page shares (an API call, long-poll with backoff), at /js/.
SCRIPTS_DIR = Path(__file__).resolve().parent / "js"

mimetypes.add_type("text/javascript", ".js")


# What a static directory serves: scripts, styles, images, fonts. A page (.html)
# in these directories is a Jinja template that its route renders (pages.py):
# its source is never served.
SERVED_SUFFIXES = frozenset({".js", ".css", ".svg", ".png", ".ico", ".woff2", ".ttf"})
# A separator sent encoded (%2F, %5C) is decoded before routing, where it could
# climb out of a sub-folder (fonts/..%2Findex.html): such a path names no file.
_ENCODED_SEPARATORS = (b"%2f", b"%5c")
_NOT_A_NAME = frozenset({"", ".", ".."})


def names_a_file(scope: Scope) -> bool:
    """Whether the request's path inside the mount is a plain file name of a served type.

    Starlette would normalise ``a/../b`` and ``a//b`` to a file of the folder;
    here they, encoded separators and backslashes name nothing.
    """
    raw = bytes(scope.get("raw_path") or b"").split(b"?", 1)[0].lower()
    if any(sep in raw for sep in _ENCODED_SEPARATORS):
        return False
    path, root = str(scope["path"]), str(scope.get("root_path", ""))
    segments = path.removeprefix(root).split("/")[1:]
    if not segments or any(s in _NOT_A_NAME or "\\" in s or "\0" in s for s in segments):
        return False
    return PurePosixPath(segments[-1]).suffix.lower() in SERVED_SUFFIXES


class RevalidatedFiles(StaticFiles):
    # Extra headers of a subclass's files (e.g. the console's content security policy).
    extra_headers: ClassVar[Mapping[str, str]] = {}

    async def get_response(self, path: str, scope: Scope) -> Response:
        if not names_a_file(scope):
            raise HTTPException(status_code=404)
        response = await super().get_response(path, scope)
        response.headers.update({"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"})
        response.headers.update(self.extra_headers)
        return response


def mount_scripts(app: FastAPI) -> None:
    """Serve the shared script modules at /js/ (once per app; each page mounts it)."""
    if any(getattr(route, "name", None) == "scripts" for route in app.routes):
        return
    app.mount("/js", RevalidatedFiles(directory=SCRIPTS_DIR), name="scripts")


def font_file(name: str, shipped: Collection[str], max_age: int) -> FileResponse:
    """One of the ``shipped`` font files by name (404 for any other name); cached ``max_age`` s."""
    if name not in shipped:
        raise ApiError(404, "not_found", "there is no such font")
    return FileResponse(
        FONTS / name, media_type="font/ttf", headers={"Cache-Control": f"max-age={max_age}"}
    )
