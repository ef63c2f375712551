"""`kiosk board` as a process: the bad inputs it refuses in one line, and a real run under Xvfb."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.credentials import hash_secret
from tests.conftest import ROOT, run_cli, write_config
from tests.console.centre import Centre, running_centre


def kiosk_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "KIOSK_TOKEN"}
    env.update(
        PYTHONPATH=str(ROOT),
        KIVY_HOME=str(tmp_path / "kivy-home"),
        KIVY_NO_CONSOLELOG="1",
        SDL_AUDIODRIVER="dummy",
        **extra,
    )
    return env


def run_kiosk(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli("board", *args, env=kiosk_env(tmp_path, **env), timeout=60)


def test_a_server_url_that_is_not_http_is_one_line(tmp_path: Path) -> None:
    conf = write_config(tmp_path)
    out = run_kiosk(tmp_path, "--config", str(conf), "--server", "ftp://centre")
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0
    assert "not an http:// or https:// address" in out.stderr
    assert "Traceback" not in out.stderr


def test_without_its_token_the_board_says_how_to_give_it(tmp_path: Path) -> None:
    """A centre that replaced the development secrets must give the board its own token."""
    own = hash_secret("a-real-board-secret")
    conf = write_config(
        tmp_path,
        **{r'(role = "board"\nhash = )"[^"]+"': rf'\1"{own}"'},
    )
    out = run_kiosk(tmp_path, "--config", str(conf), "--server", "http://127.0.0.1:9")
    assert out.returncode == 2
    assert "set KIOSK_TOKEN" in out.stderr and out.stderr.strip().count("\n") == 0


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Centre]:
    with running_centre(tmp_path) as c:
        yield c


def wait_for_line(path: Path, text: str, timeout: float = 60.0) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.exists():
            content = path.read_text(encoding="utf-8", errors="replace")
            if text in content:
                return content
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared in {path}")


@pytest.mark.ui
@pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs a display (xvfb-run -a)")
def test_kiosk_board_shows_calls_and_stops_on_sigterm(tmp_path: Path, centre: Centre) -> None:
    # The board machine has its own copy of the config and its own data dir (logs, voice).
    (tmp_path / "board").mkdir()
    board_conf = write_config(tmp_path / "board")
    log_dir = tmp_path / "board" / "var"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "board", "--window", "--config", str(board_conf),
         "--server", centre.url],
        cwd=ROOT,
        env=kiosk_env(tmp_path, KIOSK_TOKEN="dev-board"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    log = log_dir / "log" / "board.log"
    try:
        wait_for_line(log, "board: connected to")
        centre.issue("chung-thuc")
        assert centre.handle is not None
        centre.handle.engine.call_next("2")
        wait_for_line(log, "board: B001 to counter 2")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in log.read_text(encoding="utf-8")
