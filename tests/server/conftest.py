"""Real centre servers on 127.0.0.1 (ephemeral ports) over real SQLite files in tmp_path."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.config import load_config
from kiosk.server.devsecrets import DEV_TOKENS
from kiosk.server.run import ServerHandle, start_in_thread
from tests.conftest import ROOT, write_config

# The published development tokens of config/center.toml (README).
TOKENS = DEV_TOKENS


class Api:
    """A requests session against one server, with a role's token per call."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()

    def call(
        self,
        method: str,
        path: str,
        role: str | None = None,
        *,
        token: str | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}))
        if not token and role:
            token = TOKENS[role]
        if token:
            headers["Authorization"] = f"Bearer {token}"
        kwargs.setdefault("timeout", 60)
        return self.http.request(method, self.url + path, headers=headers, **kwargs)

    def get(self, path: str, role: str | None = None, **kwargs: Any) -> requests.Response:
        return self.call("GET", path, role, **kwargs)

    def post(self, path: str, role: str | None = None, **kwargs: Any) -> requests.Response:
        return self.call("POST", path, role, **kwargs)

    def issue(self, service: str = "ho-tich", **body: Any) -> dict[str, Any]:
        body.setdefault("kiosk", "kiosk-1")
        r = self.post("/api/v1/tickets", "kiosk", json={"service": service, **body})
        assert r.status_code == 201, r.text
        return r.json()


StartServer = Callable[..., ServerHandle]


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[StartServer]:
    """``start_server(**{regex: replacement})`` -> a running server on an edited config."""
    handles: list[ServerHandle] = []

    def start(**replace: str) -> ServerHandle:
        cfg = load_config(write_config(tmp_path, **replace))
        handle = start_in_thread(cfg, "127.0.0.1", 0)
        handles.append(handle)
        return handle

    yield start
    for handle in handles:
        handle.stop()


@pytest.fixture
def server(start_server: StartServer) -> ServerHandle:
    return start_server(**{r"^kiosk_rate_limit = \d+": "kiosk_rate_limit = 1000"})


@pytest.fixture
def api(server: ServerHandle) -> Api:
    return Api(server.url)


# -- `kiosk serve` as a real subprocess ---------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_process(config: Path, port: int, db: Path, log: Path) -> subprocess.Popen:
    """Start `kiosk serve` the way a centre does, output to ``log``."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "kiosk", "serve", "--config", str(config)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--db", str(db)]
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"`kiosk serve` exited with {proc.returncode}")
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise AssertionError(f"`kiosk serve` did not answer at {url} within {timeout} s")


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            # Generous: a stop is in order (the UI, the phones' listener up to 5 s, the
            # server's graceful end up to 15 s) on a machine other test workers load.
            proc.wait(120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(30)
