"""Stopping a centre (SIGTERM, as systemd does) with clients parked on it.

A real `kiosk serve` and a real `kiosk run` on 127.0.0.1 hold three board
long-polls (`/api/v1/events?wait=25`), three phone polls (`/t/{id}/live?wait=25`)
and an idle keep-alive connection. On SIGTERM the process must exit with code 0
(waited for with a generous timeout, never timed), every parked poll must get
its whole answer (the stopping server answers them, nothing new) before its
connection ends, and the idle connection must end cleanly, never by a reset.
`kiosk run` is stopped while its kiosk window is still being built: the moment
the flaky `test_run_starts_the_centre_server` met (the signal used to kill the
process outright, or be raised into whatever start-up code was running).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, write_config

from .conftest import free_port, wait_healthy

EXIT_WAIT = 120  # generous: the machine may be busy; this is no timing


def _raw(port: int, path: str, token: str | None = None) -> socket.socket:
    """A connection that has sent ``GET path`` (HTTP/1.1, keep-alive) and not yet read."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=EXIT_WAIT)
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth}\r\n".encode())
    return sock


def _read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes; a reset raises (what a parked client must not get)."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _length(head: bytes) -> int:
    return next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )


def _one_answer(sock: socket.socket) -> bytes:
    """One whole HTTP answer from a connection that stays open (keep-alive)."""
    data = b""
    while b"\r\n\r\n" not in data or len(data.partition(b"\r\n\r\n")[2]) < _length(
        data.partition(b"\r\n\r\n")[0]
    ):
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
    return data


def _answered(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        return False
    return len(body) == _length(head) and json.loads(body) is not None


@pytest.mark.parametrize("command", ["serve", "run"])
def test_sigterm_with_parked_polls_and_a_keep_alive_connection(
    tmp_path: Path, command: str
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config = write_config(tmp_path, **{r"^port = 8080": f"port = {port}"})
    args = [sys.executable, "-m", "kiosk", command, "--config", str(config)]
    with (tmp_path / "out.log").open("wb") as out:
        proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    parked: list[socket.socket] = []
    try:
        wait_healthy(url, proc)
        kiosk = {"Authorization": "Bearer dev-kiosk"}
        ticket = requests.post(
            f"{url}/api/v1/tickets", json={"service": "ho-tich"}, headers=kiosk, timeout=30
        ).json()
        board = {"Authorization": "Bearer dev-board"}
        head = requests.get(f"{url}/api/v1/events", headers=board, timeout=30).json()["head"]
        version = requests.get(f"{url}/t/{ticket['id']}/live", timeout=30).json()["version"]
        parked += [
            _raw(port, f"/api/v1/events?after={head}&wait=25", "dev-board") for _ in range(3)
        ]
        parked += [_raw(port, f"/t/{ticket['id']}/live?v={version}&wait=25") for _ in range(3)]
        # The server has taken them all: connections are accepted and read in order,
        # and a later one on the idle keep-alive connection has its answer.
        keep_alive = _raw(port, "/healthz")
        assert _one_answer(keep_alive).startswith(b"HTTP/1.1 200")
        for sock in parked:  # still parked: nothing written to them yet
            sock.setblocking(False)
            with pytest.raises(BlockingIOError):
                sock.recv(1)
            sock.setblocking(True)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(EXIT_WAIT) == 0, (tmp_path / "out.log").read_text(errors="replace")
        for sock in parked:  # answered (nothing new: empty), as a stopping server does
            data = _read_all(sock)  # raises ConnectionResetError on a reset
            assert _answered(data), data[:300]
        assert _read_all(keep_alive) == b""  # the idle connection: closed, cleanly
    finally:
        for sock in parked:
            sock.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait(EXIT_WAIT)
