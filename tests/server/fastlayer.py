"""Calling kiosk/server/fastpath.py's layer alone, to see which requests it answers itself."""

from __future__ import annotations

import asyncio
from typing import Any

from kiosk.server.fastpath import FastPaths
from kiosk.server.run import ServerHandle


def asgi_call(
    server: ServerHandle,
    method: str,
    path: str,
    headers: list[tuple[bytes, bytes]],
    query: bytes = b"",
) -> tuple[list[str], list[dict[str, Any]]]:
    """(what reached the app behind the layer: path?query, the messages the layer sent).

    The layer runs on its own event loop with the server's state (engine, budgets).
    """
    passed: list[str] = []
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        passed.append(f"{scope['path']}?{scope['query_string'].decode()}")

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query,
        "headers": headers,
        "client": ("127.0.0.1", 5000),
    }
    asyncio.run(FastPaths(app, server.app)(scope, receive, send))
    return passed, sent
