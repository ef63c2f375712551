"""Headers on every answer of the centre server, whoever built it.

``X-Content-Type-Options: nosniff`` keeps a browser from reading an answer as
another type than the one it says (a JSON error or a CSV file run as a page or
a script). Pages add their own content security policy; this layer makes sure
that nothing leaves without nosniff: routes, static files, the fast paths, the
limits' refusals and the last-resort 500 (which Starlette answers outside every
middleware added with ``add_middleware``, so :class:`CentreApp` wraps the whole
stack). Answers written before the app runs (kiosk/server/guard.py: 408, 414,
431, 503, 400) and the phones' poll layer in front of the app
(kiosk/server/phone/fastpoll.py) carry the same header.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp as StarletteApp

from kiosk.server.limits import ASGIApp, Message, Receive, Scope, Send

NOSNIFF = (b"x-content-type-options", b"nosniff")


def adding_nosniff(send: Send) -> Send:
    """``send`` that adds :data:`NOSNIFF` to an answer's head when it is not there."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", ()))
            if not any(name.lower() == NOSNIFF[0] for name, _value in headers):
                headers.append(NOSNIFF)
            message = {**message, "headers": headers}
        await send(message)

    return send_with_headers


class SecurityHeaders:
    """ASGI layer: adds :data:`NOSNIFF` to every HTTP answer that has not set it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, adding_nosniff(send))


class CentreApp(FastAPI):
    """A FastAPI app whose every answer, the 500 included, passes :class:`SecurityHeaders`."""

    def build_middleware_stack(self) -> StarletteApp:
        return SecurityHeaders(super().build_middleware_stack())
