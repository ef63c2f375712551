"""Concurrent kiosk processes over HTTP, with and without kill -9 of the server.

`kiosk serve` runs as a subprocess; eight kiosk processes (tests/server/_issuer.py)
issue tickets as fast as they can, each recording every ticket the server
acknowledged (201).

* Without kills: every acknowledged ticket is stored, nothing else is, no
  number is handed out twice.
* With kills: the server is killed with SIGKILL five times at random moments
  while tickets are being issued and restarted on the same database. Every
  acknowledged ticket must still be there with the same number, and each
  service's numbers must run 1..N without a gap or a repeat (a transaction cut
  off by the kill was never acknowledged and leaves no trace).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, write_config

from .conftest import free_port, serve_process, stop_process, wait_healthy

KILLS = 5
KIOSKS = 8


@dataclass
class Hall:
    """A running `kiosk serve` and the kiosk processes issuing against it."""

    config: Path
    db: Path
    log: Path
    port: int
    server: subprocess.Popen
    clients: list[subprocess.Popen]
    outs: list[Path]
    stop_file: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def acks(self) -> list[dict]:
        lines = []
        for out in self.outs:
            if out.exists():
                lines += [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
        return lines

    def wait_for_acks(self, more_than: int) -> int:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            count = len(self.acks())
            if count > more_than:
                return count
            assert all(c.poll() is None for c in self.clients), "a kiosk process died"
            time.sleep(0.02)
        raise AssertionError("no ticket was issued for 120 s")

    def kill_and_restart(self) -> None:
        self.server.send_signal(signal.SIGKILL)
        self.server.wait(30)
        self.server = serve_process(self.config, self.port, self.db, self.log)
        wait_healthy(self.url, self.server)

    def stop(self) -> None:
        self.stop_file.touch()
        for c in self.clients:
            try:
                c.wait(60)
            except subprocess.TimeoutExpired:
                c.kill()
        stop_process(self.server)


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[Hall]:
    config = write_config(
        tmp_path,
        **{
            r"^kiosk_rate_limit = \d+": "kiosk_rate_limit = 1000",
            r"^kiosk_rate_window_seconds = 60": "kiosk_rate_window_seconds = 1",
            r"daily_limit = \d+\n": "",
        },
    )
    db, log, stop_file = tmp_path / "queue.sqlite3", tmp_path / "serve.log", tmp_path / "stop"
    port = free_port()
    server = serve_process(config, port, db, log)
    wait_healthy(f"http://127.0.0.1:{port}", server)
    outs = [tmp_path / f"kiosk-{k}.jsonl" for k in range(KIOSKS)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    url = f"http://127.0.0.1:{port}"
    clients = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.server._issuer", url, str(out), str(stop_file), f"k{k}"],
            cwd=ROOT,
            env=env,
        )
        for k, out in enumerate(outs)
    ]
    h = Hall(config, db, log, port, server, clients, outs, stop_file)
    try:
        yield h
    finally:
        h.stop()


def _stored(db: Path) -> dict[str, tuple]:
    conn = sqlite3.connect(db)
    try:
        return {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT id, number, service, day, origin_service, seq FROM tickets "
                "WHERE transferred_from IS NULL"
            )
        }
    finally:
        conn.close()


def _check(acks: list[dict], stored: dict[str, tuple]) -> None:
    assert not [a for a in acks if "server_error" in a], "the server answered 5xx"
    for ack in acks:
        assert ack["id"] in stored, f"acknowledged ticket {ack['number']} was lost"
        assert stored[ack["id"]][:3] == (ack["number"], ack["service"], ack["day"])
    seqs: dict[tuple[str, str], list[int]] = defaultdict(list)
    uses: dict[tuple[str, str], int] = defaultdict(int)
    for number, _, day, origin, seq in stored.values():
        seqs[(day, origin)].append(seq)
        uses[(day, number)] += 1
    assert max(uses.values()) == 1, "a number was issued twice"
    for key, found in seqs.items():
        assert sorted(found) == list(range(1, len(found) + 1)), f"gap or repeat in {key}"


def test_eight_kiosk_processes_over_http(hall: Hall) -> None:
    hall.wait_for_acks(300)
    hall.stop()
    acks = hall.acks()
    stored = _stored(hall.db)
    _check(acks, stored)
    assert len(stored) == len(acks), "the server stored a ticket nobody was told about"
    assert {a["id"] for a in acks} == set(stored)


@pytest.mark.slow
def test_kill_9_loses_no_acknowledged_ticket(hall: Hall) -> None:
    rng = random.Random(20250701)
    seen = 0
    for _ in range(KILLS):
        # Kill while tickets are flowing: after some new acknowledgements, at a random moment.
        seen = hall.wait_for_acks(seen + rng.randint(10, 60))
        time.sleep(rng.uniform(0, 0.05))
        hall.kill_and_restart()
    hall.wait_for_acks(len(hall.acks()) + 20)
    hall.stop()
    acks = hall.acks()
    assert len(acks) > 100
    _check(acks, _stored(hall.db))
