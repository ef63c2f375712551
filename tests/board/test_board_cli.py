"""`kiosk board` as a process: the bad inputs it refuses in one line, and a real run under Xvfb."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.credentials import hash_secret
from tests.conftest import run_cli, write_config
from tests.console.centre import Centre, running_centre

from .process import board_process, kiosk_env, wait_for_line


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


def test_without_a_display_the_board_says_so_and_starts_nothing(tmp_path: Path) -> None:
    """SDL would otherwise open a window nobody sees: a dark hall TV, a healthy-looking unit."""
    env = {
        k: v
        for k, v in kiosk_env(tmp_path).items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER", "KIVY_WINDOW")
    }
    conf = write_config(tmp_path)
    out = run_cli("board", "--config", str(conf), "--server", "http://127.0.0.1:9", env=env)
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "Traceback" not in out.stderr
    assert "no display to show the board on" in out.stderr


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Centre]:
    with running_centre(tmp_path) as c:
        yield c


@pytest.mark.ui
@pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs a display (xvfb-run -a)")
def test_kiosk_board_shows_calls_and_stops_on_sigterm(tmp_path: Path, centre: Centre) -> None:
    with board_process(tmp_path, centre) as board:
        centre.issue("chung-thuc")
        assert centre.handle is not None
        centre.handle.engine.call_next("2")
        wait_for_line(board.log, "board: B001 to counter 2")
    assert "Traceback" not in board.log.read_text(encoding="utf-8")
