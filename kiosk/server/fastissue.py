"""POST /api/v1/tickets without the framework's per-request work, for a kiosk's usual request.

Issuing is the one request a centre's server answers by the thousand at
opening time; through FastAPI's dependency solving, validation and routing it
cost about three times the engine's own work (docs/performance.md). This ASGI
layer answers the common case itself with the same parts the route uses — the
authenticator's cache of verified tokens, the route's ``IssueRequest`` model,
the engine, the app's own exception handlers and ``JSONResponse`` — and hands
every other request, byte for byte, to the app: another path or method, a
token not verified before, a body or header the model or pattern refuses, a
``kiosk`` that is not the token's. So every answer but the plain success
still comes from the route in kiosk/server/routes/tickets.py, and the success
is the same ticket JSON.

It sits inside HostCheck and BodyLimit (their refusals still apply).
"""

from __future__ import annotations

import asyncio
import inspect
import re
from typing import Any

from fastapi import FastAPI
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from kiosk.queue.errors import QueueError
from kiosk.server.auth import UNKNOWN, Authenticator
from kiosk.server.deps import issue_call
from kiosk.server.limits import ASGIApp, Message, Receive, Scope, Send
from kiosk.server.models import IssueRequest

PATH = "/api/v1/tickets"
# The route's Idempotency-Key pattern (routes/tickets.py).
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class IssueFastPath:
    def __init__(self, app: ASGIApp, api: FastAPI) -> None:
        self.app = app
        self.api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        token = key = ctype = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                token = value
            elif name == b"idempotency-key":
                key = value
            elif name == b"content-type":
                ctype = value
        auth: Authenticator = self.api.state.auth
        who = None
        if token is not None and token[:7].lower() == b"bearer " and ctype == b"application/json":
            who = auth.quick(token[7:].decode("latin-1").strip())
        if who is None or who is UNKNOWN or who.role != "kiosk":
            await self.app(scope, receive, send)
            return
        try:
            body = await _read_body(receive)
        except HTTPException as exc:  # BodyLimit: too large, not UTF-8
            await self._handled(scope, receive, send, exc)
            return
        if body is None:
            return  # the kiosk hung up before sending its body: nobody to answer
        request = _parse(body, key)
        if request is None or (request.kiosk is not None and request.kiosk != who.kiosk):
            await self.app(scope, _replay(body, receive), send)
            return
        client = scope.get("client")
        auth.trust(client[0] if client else "unknown")
        key_text = key.decode("ascii") if key else None
        issue = issue_call(self.api.state.engine.issue, request, who.kiosk, key_text)
        try:
            ticket = await asyncio.get_running_loop().run_in_executor(
                self.api.state.executor, issue
            )
        except QueueError as exc:
            await self._handled(scope, receive, send, exc)
            return
        await JSONResponse(ticket, status_code=201)(scope, receive, send)

    async def _handled(self, scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
        """Answer ``exc`` with the app's own handler for it (the route's answer)."""
        family = HTTPException if isinstance(exc, HTTPException) else QueueError
        response = self.api.exception_handlers[family](Request(scope, receive), exc)
        if inspect.isawaitable(response):
            response = await response
        await response(scope, receive, send)


def _parse(body: bytes, key: bytes | None) -> IssueRequest | None:
    """The request as the route would read it, or None when the route must answer."""
    if key is not None and not _KEY.match(key.decode("latin-1")):
        return None
    try:
        return IssueRequest.model_validate_json(body)
    except ValidationError:
        return None


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body, or None when the client disconnected first."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` with the body already read given again first."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        message: dict[str, Any] = {"type": "http.request", "body": body, "more_body": False}
        return message

    return again
