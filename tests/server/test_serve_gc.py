"""`kiosk serve` leaves its start-up heap out of garbage collections before it serves.

In-process: serve_forever runs its real start-up (config, database, app) on a
free port, and the uvicorn server it would run is replaced by one that looks
at the collector at the moment serving would begin.
"""

from __future__ import annotations

import gc
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import load_config
from kiosk.server import run
from tests.conftest import write_config


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_freezing_the_start_up_heap_leaves_it_out_of_collections(unfrozen: None) -> None:
    assert gc.get_freeze_count() == 0
    run.freeze_startup_heap()
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # the framework, the app's modules, the catalogs
    assert gc.get_count()[0] < 1_000  # a collection after it walks only what came later


def test_serve_freezes_the_heap_it_built_before_serving(
    unfrozen: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = load_config(write_config(tmp_path))
    seen: dict[str, Any] = {}

    class Server:
        def run(self, sockets: list[socket.socket]) -> None:
            seen["frozen"] = gc.get_freeze_count()
            seen["listening"] = sockets[0].getsockname()[1] > 0

    build = run._uvicorn

    def built_not_served(*args: Any, **kwargs: Any) -> Server:
        seen["app"] = build(*args, **kwargs).api  # the app and its server, not run
        return Server()

    monkeypatch.setattr(run, "_uvicorn", built_not_served)
    monkeypatch.setattr(run, "stop_cleanly_on_sigterm", lambda: None)  # pytest's own handler
    monkeypatch.setattr(run, "warn_dev_secrets", lambda cfg: None)  # scrypt: seconds of CPU
    assert gc.get_freeze_count() == 0
    run.serve_forever(cfg, "127.0.0.1", 0, tmp_path / "queue.db")
    assert seen["app"] is not None and seen["listening"]
    assert seen["frozen"] > 10_000
