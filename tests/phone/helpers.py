"""A real centre for the phone-page tests: counters acting over HTTP, as the console does."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any

import requests

from kiosk.server.devsecrets import DEV_TOKENS
from tests.console.centre import Centre

PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 11; SM-A115F) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
    ),
}


def counter(centre: Centre, c: str, action: str, body: dict[str, Any] | None = None) -> Any:
    """A counter's action over HTTP with that counter's token; the answer's JSON."""
    resp = requests.post(
        f"{centre.url}/api/v1/counters/{c}/{action}",
        json=body,
        headers={"Authorization": f"Bearer {DEV_TOKENS[f'counter:{c}']}"},
        timeout=10,
    )
    assert resp.status_code in (200, 204), resp.text
    return resp.json() if resp.status_code == 200 else None


def ratings(centre: Centre) -> list[sqlite3.Row]:
    conn = sqlite3.connect(centre.db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM ratings ORDER BY pk").fetchall()
    finally:
        conn.close()


def until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Wait for ``condition`` (never for a fixed time); fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)
