"""A real centre server on 127.0.0.1 for browser and board tests, restartable on the same port.

The development secrets of config/center.toml are used (tokens ``dev-kiosk``,
``dev-board``; counter PINs ``1111`` ... ``4444``): the temp config is a copy.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from kiosk.config import Config, load_config
from kiosk.queue.records import Event
from kiosk.server.run import ServerHandle, start_in_thread
from tests.conftest import write_config

KIOSK_TOKEN = "dev-kiosk"
BOARD_TOKEN = "dev-board"


class Centre:
    """The server in a thread of this process, its config and its database file."""

    def __init__(
        self, tmp_path: Path, auth_clock: Callable[[], float] = time.monotonic, **replace: str
    ) -> None:
        # One test kiosk issues many tickets quickly.
        replace = {r"^kiosk_rate_limit = \d+": "kiosk_rate_limit = 1000", **replace}
        self.cfg: Config = load_config(write_config(tmp_path, **replace))
        self.db = tmp_path / "queue.sqlite3"
        self.port = 0
        self.handle: ServerHandle | None = None
        self.auth_clock = auth_clock
        self.kiosk = requests.Session()
        self.kiosk.headers["Authorization"] = f"Bearer {KIOSK_TOKEN}"
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.handle = start_in_thread(
            self.cfg, "127.0.0.1", self.port, self.db, auth_clock=self.auth_clock
        )
        self.port = int(self.handle.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        if self.handle is not None:
            self.handle.stop()
            self.handle = None

    def issue(self, service: str, **body: Any) -> dict[str, Any]:
        """Take a number as the kiosk does (HTTP, kiosk token)."""
        resp = self.kiosk.post(
            f"{self.url}/api/v1/tickets", json={"service": service, **body}, timeout=10
        )
        assert resp.status_code == 201, resp.text
        return resp.json()

    def print_failed(self, ticket_id: str, error: str = "paper out") -> None:
        resp = self.kiosk.post(
            f"{self.url}/api/v1/tickets/{ticket_id}/print-result",
            json={"ok": False, "error": error},
            timeout=10,
        )
        assert resp.status_code == 200, resp.text

    def events(self, after: int = 0) -> list[Event]:
        assert self.handle is not None
        return self.handle.engine.events_after(after, 1000)

    def close(self) -> None:
        self.stop()
        self.kiosk.close()


@contextmanager
def running_centre(
    tmp_path: Path, auth_clock: Callable[[], float] = time.monotonic, **replace: str
) -> Iterator[Centre]:
    centre = Centre(tmp_path, auth_clock, **replace)
    try:
        yield centre
    finally:
        centre.close()
