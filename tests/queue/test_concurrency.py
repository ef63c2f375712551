"""Eight processes issue on one database file at once: no duplicate, no lost ticket."""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections import Counter
from pathlib import Path

from kiosk.config import load_config
from kiosk.queue import IssueOrder, QueueEngine
from tests.conftest import write_config

PROCESSES = 8
PER_PROCESS = 40
SERVICES = ("ho-tich", "chung-thuc", "van-hoa-xa-hoi")


def _issuer(config: str, db: str, n: int, go, out) -> None:
    engine = QueueEngine(load_config(config), db)
    go.wait(60)
    issued = []
    for i in range(PER_PROCESS):
        t = engine.issue(IssueOrder(SERVICES[(i + n) % len(SERVICES)], kiosk=f"kiosk-{n}"))
        issued.append((t["id"], t["number"], t["service"]))
    engine.close()
    out.put(issued)


def test_eight_processes_issue_at_once(tmp_path: Path) -> None:
    config = write_config(tmp_path, **{r"^kiosk_rate_limit = \d+": "kiosk_rate_limit = 1000"})
    db = tmp_path / "queue.sqlite3"
    QueueEngine(load_config(config), db).close()  # schema first, like a running server
    ctx = multiprocessing.get_context("spawn")
    go, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_issuer, args=(str(config), str(db), n, go, out))
        for n in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    go.set()
    answers = [t for _ in procs for t in out.get(timeout=120)]
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert len(answers) == PROCESSES * PER_PROCESS
    per_service = Counter(service for _, _, service in answers)
    numbers = {(service, number) for _, number, service in answers}
    assert len(numbers) == len(answers), "a number was handed out twice"
    for service, count in per_service.items():
        expected = {
            load_config(config).service(service).prefix + f"{i:03d}"
            if service != "van-hoa-xa-hoi"
            else str(5000 + i)
            for i in range(1, count + 1)
        }
        assert {n for s, n in numbers if s == service} == expected  # no gaps either
    conn = sqlite3.connect(db)
    stored = dict(conn.execute("SELECT id, number FROM tickets").fetchall())
    conn.close()
    assert stored == {ticket_id: number for ticket_id, number, _ in answers}
