"""Static files served by the centre (phone page, /rate/ terminal, reports): always revalidated.

After a centre updates, phones and counter screens get the new files at once; no
file is ever sniffed as another type.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope


class RevalidatedFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update({"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"})
        return response
