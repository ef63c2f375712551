"""What a durable state-file write costs: the kiosk's outbox, written on every issue.

`kiosk.filetarget.atomic_write` fsyncs the new file, renames it over the old one
and fsyncs the folder, so a power cut leaves the old or the new file, never an
empty one. The kiosk writes its outbox (`kiosk-outbox.json`) through it on every
issue whose answer is in doubt and on every print result, from worker threads,
while the citizen waits for the ticket. Figures:

* one outbox change (`Outbox.add_report` on an outbox holding a busy day's
  backlog: 20 withdrawals, 50 print results), p50 and p99 over 300 changes;
* the same change written the old way (write, rename, no fsync), p50: the price
  of durability is the difference;
* four worker threads changing the outbox at once: changes per second (they
  share one lock, so this is the ceiling a kiosk could ever ask of it).

Target: the p99 stays far inside the touch -> ticket printed budget (1 s);
<= 50 ms leaves the printer its time.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.load import quantile
from kiosk.ui.outbox import Outbox

CHANGES = 300
THREADS = 4
OK = {"ok": True, "error": None}


def _outbox(path: Path) -> Outbox:
    box = Outbox(path, ZoneInfo("Asia/Ho_Chi_Minh"))
    for i in range(20):
        box.add_withdrawal(f"{i:032x}")
    for i in range(50):
        failed = i % 7 == 0
        box.add_report(f"T{i:05d}", {"ok": not failed, "error": "paper out" if failed else None})
    return box


def _timed(change: Callable[[int], object], count: int) -> list[float]:
    times = []
    for i in range(count):
        t0 = time.perf_counter()
        change(i)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def _plain_write(path: Path, data: bytes) -> None:
    """The write before durability: a temporary file renamed over, nothing fsynced."""
    tmp = path.with_name(f".{path.name}.plain")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def run(workdir: Path) -> list[dict]:
    box = _outbox(workdir / "kiosk-outbox.json")
    durable = _timed(lambda i: box.add_report(f"X{i:05d}", OK), CHANGES)
    data = box.path.read_bytes()  # the same bytes, written without fsync
    plain = _timed(lambda i: _plain_write(workdir / "plain.json", data), CHANGES)

    shared = _outbox(workdir / "shared" / "kiosk-outbox.json")
    per_thread = CHANGES // THREADS

    def worker(n: int) -> None:
        for i in range(per_thread):
            shared.add_report(f"W{n}-{i:05d}", OK)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rate = per_thread * THREADS / (time.perf_counter() - t0)
    return [
        {
            "name": "outbox change, durable write p50",
            "value": round(statistics.median(durable), 2),
            "unit": "ms",
            "target": None,
        },
        {
            "name": "outbox change, durable write p99",
            "value": round(quantile(durable, 99), 2),
            "unit": "ms",
            "target": "<= 50",
        },
        {
            "name": "outbox-sized write without fsync p50 (before)",
            "value": round(statistics.median(plain), 2),
            "unit": "ms",
            "target": None,
        },
        {
            "name": f"outbox changes/s, {THREADS} threads at once",
            "value": round(rate),
            "unit": "1/s",
            "target": None,
            "note": "one lock: the ceiling of one kiosk",
        },
    ]
