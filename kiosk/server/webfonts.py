"""Web fonts made from the shipped TrueType files when first asked for: WOFF2, without hints.

A citizen's phone on 3G pays for every byte of a font. The shipped Noto Sans
Khmer (113 KB per weight as TrueType) is served as WOFF2 (Brotli, with the
glyph outlines transformed) and without TrueType hinting instructions, which
phones do not run (iOS ignores them, Android renders unhinted): 17 KB per weight.
A font for a few labels keeps only the glyphs that shape those labels.

Nothing derived is committed: the TTFs in ``assets/fonts/`` (and, for a
label font, the gettext catalogs) are the one source, and a font is made by
fontTools' subsetter the first time a browser asks for it after the server
started (about 0.3 s, on a worker thread; or as soon as a page that will ask
for it was served, see :meth:`WebFonts.prepare`), then served from memory. The
output is deterministic (no build time inside), so its ETag stays the same
across restarts and a phone's cached copy stays valid.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from kiosk.server.errors import ApiError

log = logging.getLogger(__name__)

WOFF2 = "font/woff2"


@dataclass(frozen=True)
class WebFont:
    data: bytes
    etag: str


def woff2(ttf: Path, text: str | None = None) -> bytes:
    """``ttf`` as unhinted WOFF2; with ``text``, only the glyphs that shape ``text``.

    The subsetter keeps the closure of every OpenType layout feature (GSUB:
    a Khmer subscript consonant or a split vowel needs glyphs that are in no
    character map entry), so a label shapes as it does with the whole font.
    """
    from fontTools import subset

    options = subset.Options()
    options.layout_features = ["*"]
    options.hinting = False
    options.name_IDs = ["*"]  # the copyright and licence records (OFL) stay in the file
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.flavor = "woff2"
    font = subset.load_font(ttf, options)  # keeps the source's timestamps: same bytes each time
    subsetter = subset.Subsetter(options)
    if text is None:
        subsetter.populate(unicodes=font.getBestCmap())
    else:
        subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()


class WebFonts:
    """Fonts by file name, each made once by its recipe and then kept in memory."""

    def __init__(self, recipes: Mapping[str, Callable[[], bytes]], max_age: Mapping[str, int]):
        self._recipes = recipes
        self._max_age = max_age
        self._made: dict[str, WebFont] = {}
        self._lock = threading.Lock()

    def names(self) -> frozenset[str]:
        return frozenset(self._recipes)

    def get(self, name: str) -> WebFont:
        """The font ``name`` (blocking: made on first use, one thread at a time)."""
        with self._lock:
            font = self._made.get(name)
            if font is None:
                data = self._recipes[name]()
                digest = hashlib.blake2b(data, digest_size=10).hexdigest()
                font = self._made[name] = WebFont(data, f'"{digest}"')
            return font

    def prepare(self, names: Iterable[str]) -> None:
        """Start making ``names`` on a worker thread: a page that asks for them has just left.

        On 3G the browser asks for a font a second or more after the page (it
        first needs the stylesheet): by then the first phone after a restart
        finds the font made, as every later one does.
        """
        loop = asyncio.get_running_loop()
        for name in names:
            if name not in self._made:
                loop.run_in_executor(None, self._make_quietly, name)

    def _make_quietly(self, name: str) -> None:
        try:
            self.get(name)
        except Exception:  # the font's own request will answer the error
            log.exception("could not make the web font %s", name)

    async def response(self, request: Request, name: str) -> Response:
        """The font as an HTTP answer (404 for another name, 304 when the phone has it)."""
        if name not in self._recipes:
            raise ApiError(404, "not_found", "there is no such font")
        font = await asyncio.get_running_loop().run_in_executor(None, self.get, name)
        headers = {
            "Cache-Control": f"max-age={self._max_age[name]}"
            if self._max_age[name]
            else "no-cache",
            "ETag": font.etag,
            "X-Content-Type-Options": "nosniff",
        }
        if font.etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(font.data, media_type=WOFF2, headers=headers)
