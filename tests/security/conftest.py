"""A real `kiosk serve` on 127.0.0.1 under attack from another address of the loopback range.

The legitimate kiosk talks from 127.0.0.1; the attacker from ATTACKER
(127.0.0.2), so per-address limits see two devices as on a centre's LAN.
Every attack is bounded in count. No test asserts how long anything takes: what
tells a fixed server from a broken one is asserted as conditions (the kiosk's
ticket issued, hashes done, bytes buffered, caps logged, 429s given); the
latency under attack is measured in benchmarks/bench_security.py.
"""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.credentials import hash_secret
from tests.conftest import write_config
from tests.server.conftest import free_port, serve_process, stop_process, wait_healthy

ATTACKER = "127.0.0.2"
# Client timeouts only keep a hung server from hanging the test run (it then
# fails instead); they are not a latency bound, so they are generous.
HANG_GUARD = 120.0
KIOSK = "dev-kiosk"
BOARD = "dev-board"


@dataclass
class Centre:
    url: str
    port: int
    proc: Any
    log: Path
    db: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        stop_process(self.proc)


def kiosk_token_toml(kiosk_id: str, secret: str) -> str:
    """A ``[[tokens]]`` entry for one more kiosk."""
    return f'\n[[tokens]]\nrole = "kiosk"\nid = "{kiosk_id}"\nhash = "{hash_secret(secret)}"\n'


StartCentre = Callable[..., Centre]


def launch(
    tmp_path: Path,
    extra_toml: str = "",
    db: Path | None = None,
    port: int | None = None,
    **replace: str,
) -> Centre:
    """Start `kiosk serve` on an edited copy of the default config; returns once it answers."""
    config = write_config(tmp_path, **replace)
    if extra_toml:
        config.write_text(config.read_text(encoding="utf-8") + extra_toml, encoding="utf-8")
    port = port or free_port()
    log = tmp_path / f"serve-{port}.log"
    proc = serve_process(config, port, db or tmp_path / "queue.sqlite3", log)
    centre = Centre(f"http://127.0.0.1:{port}", port, proc, log, db or tmp_path / "queue.sqlite3")
    try:
        wait_healthy(centre.url, proc)
    except BaseException:
        centre.stop()
        raise
    return centre


@pytest.fixture
def start_centre(tmp_path: Path) -> Iterator[StartCentre]:
    """``start_centre(extra_toml="", db=None, port=None, **{regex: replacement})`` -> a centre."""
    centres: list[Centre] = []

    def start(
        extra_toml: str = "", db: Path | None = None, port: int | None = None, **replace: str
    ) -> Centre:
        centres.append(launch(tmp_path, extra_toml, db, port, **replace))
        return centres[-1]

    yield start
    for centre in centres:
        centre.stop()


@pytest.fixture(scope="module")
def shared_centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Centre]:
    """One centre for a module whose attacks do not change what the next test sees."""
    centre = launch(tmp_path_factory.mktemp("centre"))
    yield centre
    centre.stop()


def issue(
    url: str, token: str = KIOSK, *, timeout: float = HANG_GUARD, **body: Any
) -> requests.Response:
    """The legitimate kiosk's issuance, from 127.0.0.1 (``timeout``: a hang guard only)."""
    body.setdefault("service", "ho-tich")
    return requests.post(
        f"{url}/api/v1/tickets",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=timeout,
    )


def attacker_request(
    centre: Centre,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: Any = None,
    conn: http.client.HTTPConnection | None = None,
    timeout: float = 30.0,
) -> tuple[int, dict[str, str], bytes]:
    """One request from ATTACKER (on ``conn`` if given, kept alive); status, headers, body."""
    own = conn is None
    conn = conn or attacker_connection(centre, timeout)
    data = json.dumps(body).encode() if body is not None and not isinstance(body, bytes) else body
    all_headers = dict(headers or {})
    if data is not None:
        all_headers.setdefault("Content-Type", "application/json")
    try:
        conn.request(method, path, body=data, headers=all_headers)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        if own:
            conn.close()


def attacker_connection(centre: Centre, timeout: float = 30.0) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(
        "127.0.0.1", centre.port, timeout=timeout, source_address=(ATTACKER, 0)
    )


def log_has(centre: Centre, pattern: str) -> bool:
    return re.search(pattern, centre.log_text()) is not None
