"""Issue 15, item 9: the disk holding the queue database fills up.

On a real small filesystem (a tmpfs of a few MB, mounted for the test):
starting on a full disk is one sentence with the free space and exit code 2
(systemd can then back off instead of looping); running out of space while
serving answers 503 and issuing recovers once space is freed.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.queue import QueueEngine
from tests.conftest import run_cli, write_config
from tests.security.conftest import StartCentre, issue
from tests.server.conftest import free_port


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path) -> Path:
    """Take every free byte of ``disk``; returns the file to delete to free it again."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def test_starting_on_a_full_disk_is_one_sentence_and_exit_2(
    small_disk: Path, tmp_path: Path
) -> None:
    config = write_config(tmp_path)
    db = small_disk / "queue.sqlite3"
    engine = QueueEngine(load_config(config), db)
    engine.issue("ho-tich")
    engine.close()
    _fill(small_disk)
    out = run_cli(
        "serve", "--config", str(config), "--db", str(db),
        "--host", "127.0.0.1", "--port", str(free_port()),
    )  # fmt: skip
    assert out.returncode == 2, out.stderr
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith(f"kiosk serve: the disk holding {db} is full (")
    assert "MB free" in last and "Traceback" not in out.stderr


def test_running_out_of_space_is_503_and_recovers(
    small_disk: Path, start_centre: StartCentre
) -> None:
    centre = start_centre(db=small_disk / "queue.sqlite3")
    assert issue(centre.url).status_code == 201
    filler = _fill(small_disk)
    refused = [issue(centre.url) for _ in range(3)]
    assert {r.status_code for r in refused} == {503}
    assert refused[0].json()["error"] == "storage_unavailable"
    filler.unlink()
    again = issue(centre.url)
    assert again.status_code == 201, again.text
    # Nothing refused was issued: the number follows the last one that was.
    assert again.json()["number"] == "A002"
    centre.stop()
