"""The director's dashboard over a busy month: how fast it renders, and what it costs issuing.

A month of a busy centre (300 tickets a day, 31 days, written by the real engine:
tests/reports/seed.py) is served by `kiosk serve` in its own process. Figures:

* the month's dashboard page (GET /reports/), the XLSX export: median of 5;
* issue latency of one kiosk (one ticket every 50 ms) alone, then while a client
  asks for the month's dashboard back to back: p99 of each and the increase.
"""

from __future__ import annotations

import re
import statistics
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import requests

from benchmarks.bench_queue import _config, _free_port
from kiosk.config import load_config
from kiosk.reports.tables import TABLE_IDS
from kiosk.server.devsecrets import DEV_REPORTS_PIN
from tests.reports.seed import seed_month
from tests.server.conftest import serve_process, stop_process, wait_healthy

PER_DAY = 300
DAYS = 31
START = date(2026, 10, 1)
MONTH = {"from": "2026-10-01", "to": "2026-10-31"}
ISSUES = 300


def _issue_latencies(url: str, stop: threading.Event | None = None) -> list[float]:
    kiosk = requests.Session()
    kiosk.headers["Authorization"] = "Bearer dev-kiosk"
    out = []
    for i in range(ISSUES):
        t0 = time.perf_counter()
        r = kiosk.post(f"{url}/api/v1/tickets", json={"service": "ho-tich"}, timeout=30)
        out.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 201, r.text
        time.sleep(max(0.0, 0.05 - (time.perf_counter() - t0)))
        if i == ISSUES - 1 and stop is not None:
            stop.set()
    return out


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def run(workdir: Path) -> list[dict]:
    shm = Path("/dev/shm")
    base = Path(tempfile.mkdtemp(prefix="bench-reports-", dir=shm if shm.is_dir() else workdir))
    config = _config(base)
    text = config.read_text(encoding="utf-8")
    text = re.sub(r'^data_dir = "\.\./var"', f'data_dir = "{base}/var"', text, flags=re.M)
    config.write_text(text, encoding="utf-8")
    db = base / "var" / "queue.sqlite3"
    db.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    counts = seed_month(load_config(config), db, start=START, days=DAYS, per_day=PER_DAY)
    seeded = time.perf_counter() - started
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = serve_process(config, port, db, base / "serve.log")
    try:
        wait_healthy(url, proc)
        director = requests.Session()
        r = director.post(
            f"{url}/reports/sign-in",
            data={"pin": DEV_REPORTS_PIN},
            allow_redirects=False,
            timeout=30,
        )
        assert r.status_code == 303, r.text
        pages, sheets = [], []
        for _ in range(5):
            t0 = time.perf_counter()
            assert director.get(f"{url}/reports/", params=MONTH, timeout=60).status_code == 200
            pages.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            x = director.get(f"{url}/reports/export.xlsx", params=MONTH, timeout=60)
            assert x.status_code == 200
            sheets.append((time.perf_counter() - t0) * 1000)
        alone = _issue_latencies(url)
        stop = threading.Event()
        reports = 0

        def keep_asking() -> None:
            nonlocal reports
            while not stop.is_set():
                director.get(f"{url}/reports/", params=MONTH, timeout=60)
                reports += 1

        asker = threading.Thread(target=keep_asking, daemon=True)
        asker.start()
        during = _issue_latencies(url, stop)
        asker.join(timeout=60)
    finally:
        stop_process(proc)
    p99_alone, p99_during = _p99(alone), _p99(during)
    return [
        {
            "name": "month dashboard (GET /reports/), busy centre",
            "value": round(statistics.median(pages)),
            "unit": "ms",
            "target": "<= 1000",
            "note": f"{counts['issued']} tickets, {counts['rated']} ratings over {DAYS} days; "
            f"median of 5; seeding took {seeded:.0f} s",
        },
        {
            "name": "month XLSX export",
            "value": round(statistics.median(sheets)),
            "unit": "ms",
            "target": None,
            "note": f"{len(TABLE_IDS)} sheets (the comments' included), median of 5",
        },
        {
            "name": "issue p99, one kiosk, no report running",
            "value": round(p99_alone, 1),
            "unit": "ms",
            "target": None,
            "note": f"{ISSUES} tickets, one every 50 ms",
        },
        {
            "name": "issue p99 while month dashboards are computed back to back",
            "value": round(p99_during, 1),
            "unit": "ms",
            "target": None,
            "note": f"{reports} dashboards computed meanwhile",
        },
        {
            "name": "issue p99 increase while reports are computed",
            "value": round((p99_during / p99_alone - 1) * 100),
            "unit": "%",
            "target": "<= 20",
            "note": "reports run on a read-only connection in a worker process",
        },
    ]
