"""kill -9 during concurrent issuance: every acknowledged ticket survives, no number twice.

`kiosk serve` runs as a subprocess; four kiosk processes issue tickets over
HTTP as fast as they can; the server is killed with SIGKILL five times at
random moments while tickets are being issued, and restarted on the same
database. Afterwards every ticket answered 201 must be in the database with the
same number, and each service's numbers must be 1..N without a gap or a repeat.
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
from pathlib import Path

import pytest

from tests.conftest import ROOT, write_config

from .conftest import free_port, serve_process, stop_process, wait_healthy

KILLS = 5
KIOSKS = 4


def _acks(outs: list[Path]) -> list[dict]:
    lines = []
    for out in outs:
        if out.exists():
            lines += [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
    return lines


def _wait_for_more(outs: list[Path], than: int, clients: list[subprocess.Popen]) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        count = len(_acks(outs))
        if count > than:
            return count
        assert all(c.poll() is None for c in clients), "a kiosk process died"
        time.sleep(0.02)
    raise AssertionError("no ticket was issued for 120 s")


@pytest.mark.slow
def test_kill_9_loses_no_acknowledged_ticket(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        **{
            r"^kiosk_rate_limit = 6": "kiosk_rate_limit = 1000",
            r"^kiosk_rate_window_seconds = 60": "kiosk_rate_window_seconds = 1",
            r"daily_limit = \d+\n": "",
        },
    )
    db, log, stop = tmp_path / "crash.sqlite3", tmp_path / "serve.log", tmp_path / "stop"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = serve_process(config, port, db, log)
    wait_healthy(url, server)
    outs = [tmp_path / f"kiosk-{k}.jsonl" for k in range(KIOSKS)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    clients = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.server._issuer", url, str(out), str(stop), f"k{k}"],
            cwd=ROOT,
            env=env,
        )
        for k, out in enumerate(outs)
    ]
    rng = random.Random(20250701)
    try:
        seen = 0
        for _ in range(KILLS):
            # Kill while tickets are flowing: after some new acknowledgements, at a random moment.
            seen = _wait_for_more(outs, seen + rng.randint(10, 60), clients)
            time.sleep(rng.uniform(0, 0.05))
            server.send_signal(signal.SIGKILL)
            server.wait(30)
            server = serve_process(config, port, db, log)
            wait_healthy(url, server)
        _wait_for_more(outs, len(_acks(outs)) + 20, clients)
    finally:
        stop.touch()
        for c in clients:
            try:
                c.wait(60)
            except subprocess.TimeoutExpired:
                c.kill()
        stop_process(server)

    acks = _acks(outs)
    assert not [a for a in acks if "server_error" in a], "the server answered 5xx"
    assert len(acks) > 40
    conn = sqlite3.connect(db)
    rows = {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT id, number, service, day, origin_service, seq FROM tickets "
            "WHERE transferred_from IS NULL"
        )
    }
    conn.close()
    for ack in acks:
        assert ack["id"] in rows, f"acknowledged ticket {ack['number']} was lost"
        assert rows[ack["id"]][:3] == (ack["number"], ack["service"], ack["day"])
    by_service: dict[tuple[str, str], list[int]] = defaultdict(list)
    numbers: dict[tuple[str, str], int] = defaultdict(int)
    for number, _, day, origin, seq in rows.values():
        by_service[(day, origin)].append(seq)
        numbers[(day, number)] += 1
    assert max(numbers.values()) == 1, "a number was issued twice"
    for key, seqs in by_service.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), f"gap or repeat in {key}"
