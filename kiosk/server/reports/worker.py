"""Reports are computed and drawn in a separate process, so issuing never waits for them.

A month of a busy centre is ~10,000 tickets of Python work; in the server's own
process that work would hold the interpreter lock while kiosks wait for their
tickets. One worker process (started on the first report, stopped with the
server) reads the queue database on its own read-only connection (WAL: readers
never block the writer) and returns finished pages and files.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from kiosk.config import Config
from kiosk.queue import stats
from kiosk.queue.clock import local_day, utc_now
from kiosk.queue.schema import connect
from kiosk.reports import export
from kiosk.reports.tables import period_label, tables
from kiosk.text import pick

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def _background() -> None:
    # A report may take a second of CPU; a kiosk's ticket must not wait for it.
    # nice 10 alone still let a report hold a core for a scheduler slice while the
    # server woke for a ticket (issue p99 +40-70 % with dashboards computed back to
    # back); SCHED_IDLE runs the worker only on a core nothing else wants, and any
    # waking server thread preempts it at once.
    os.nice(10)
    if hasattr(os, "sched_setscheduler"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def pool() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            # spawn, not fork: the server process has threads (uvicorn, engine, scrypt)
            _pool = ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("spawn"), initializer=_background
            )
        return _pool


def stop() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
            _pool = None


def figures(
    cfg: Config, db: Path, period: stats.Period, *, live: bool, all_comments: bool = False
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The period's figures (the newest comments, or all: exports) and, if ``live``, today's."""
    conn = connect(db, readonly=True)
    try:
        limit = None if all_comments else stats.COMMENTS_SHOWN
        found = stats.period_figures(conn, cfg, period, comments_limit=limit)
        now = utc_now()
        today = stats.live_figures(conn, cfg, local_day(now, cfg.tz), now) if live else None
    finally:
        conn.close()
    return found, today


def page(
    cfg: Config, db: Path, period: stats.Period, template: str, lang: str, query: dict[str, str]
) -> str:
    from kiosk.server.reports import render

    found, today = figures(cfg, db, period, live=template == "dashboard.html")
    return render.page(template, cfg, lang, found, today, query)


def xlsx(cfg: Config, db: Path, period: stats.Period, lang: str) -> bytes:
    found, _today = figures(cfg, db, period, live=False, all_comments=True)
    heading = f"{pick(cfg.centre.name, lang)} — {period_label(found, lang)}"
    return export.workbook_bytes(found, lang, heading)


def csv_table(cfg: Config, db: Path, period: stats.Period, lang: str, table: str) -> str:
    found, _today = figures(cfg, db, period, live=False, all_comments=table == "comments")
    return export.table_csv(tables(found, lang)[table], lang)


def live(cfg: Config, db: Path) -> dict[str, Any]:
    today = stats.period_of("day", date.fromisoformat(local_day(utc_now(), cfg.tz)))
    _found, now = figures(cfg, db, today, live=True)
    assert now is not None
    return now


def period_json(
    cfg: Config, db: Path, period: stats.Period, all_comments: bool = False
) -> dict[str, Any]:
    return figures(cfg, db, period, live=False, all_comments=all_comments)[0]
