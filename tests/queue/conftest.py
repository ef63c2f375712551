"""Engines over real SQLite files in tmp_path, with a clock the test moves by hand."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.queue import ManualClock, QueueEngine
from tests.conftest import write_config

# 09:00 in Hồ Chí Minh City (UTC+7) on 1 July 2025.
MORNING = datetime(2025, 7, 1, 2, 0, tzinfo=UTC)

MakeEngine = Callable[..., QueueEngine]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MORNING)


@pytest.fixture
def make_engine(tmp_path: Path, clock: ManualClock) -> Iterator[MakeEngine]:
    """``make_engine(**{regex: replacement})``: an engine on an edited copy of the config."""
    engines: list[QueueEngine] = []

    def make(**replace: str) -> QueueEngine:
        replace.setdefault(r"^kiosk_rate_limit = \d+", "kiosk_rate_limit = 1000")
        cfg = load_config(write_config(tmp_path, **replace))
        engine = QueueEngine(cfg, tmp_path / "queue.sqlite3", clock=clock)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.close()


@pytest.fixture
def engine(make_engine: MakeEngine) -> QueueEngine:
    return make_engine()


def types(engine: QueueEngine, after: int = 0) -> list[str]:
    return [e["type"] for e in engine.events_after(after, 10_000)]
