"""The report worker runs only on CPU that issuing tickets does not want."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from kiosk.server.reports import worker


@pytest.fixture
def report_pool() -> Iterator[None]:
    worker.stop()
    yield
    worker.stop()


def test_the_report_worker_is_an_idle_class_process(report_pool: None) -> None:
    # nice 10 alone measured issue p99 +47 % with dashboards computed back to back
    # (benchmarks/bench_reports.py); an idle-class worker +14 %
    policy = worker.pool().submit(os.sched_getscheduler, 0).result(timeout=60)
    assert policy == os.SCHED_IDLE
    assert worker.pool().submit(os.getpriority, os.PRIO_PROCESS, 0).result(timeout=60) == 10
