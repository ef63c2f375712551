"""`kiosk board` as its own process, as on the PC behind the hall's TV."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT, write_config
from tests.console.centre import Centre


def kiosk_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "KIOSK_TOKEN"}
    env.update(
        PYTHONPATH=str(ROOT),
        KIVY_HOME=str(tmp_path / "kivy-home"),
        KIVY_NO_CONSOLELOG="1",
        SDL_AUDIODRIVER="dummy",
    )
    env.update(extra)
    return env


def wait_for_line(path: Path, text: str, timeout: float = 120.0) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.exists():
            content = path.read_text(encoding="utf-8", errors="replace")
            if text in content:
                return content
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared in {path}")


@dataclass(frozen=True)
class Board:
    config: Path
    log: Path


@contextmanager
def board_process(tmp_path: Path, centre: Centre, **env: str) -> Iterator[Board]:
    """`kiosk board --window` against ``centre`` with the board token, once it is connected.

    The board machine has its own copy of the config and its own data dir (logs,
    voice) under ``tmp_path/board``; ``env`` adds to its environment. Leaving the
    block sends SIGTERM, which must stop it cleanly (exit 0).
    """
    (tmp_path / "board").mkdir()
    board = Board(
        write_config(tmp_path / "board"), tmp_path / "board" / "var" / "log" / "board.log"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "board", "--window", "--config", str(board.config),
         "--server", centre.url],
        cwd=ROOT, env=kiosk_env(tmp_path, KIOSK_TOKEN="dev-board", **env),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_for_line(board.log, "board: connected to")
        yield board
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
