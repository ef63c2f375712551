"""A CLI command whose output cannot be written (a full disk) says so in one line, exit 2.

Before: `kiosk report --csv > file` on a full disk either printed "internal
error" with logging tracebacks, or (the write cut short at exit) left half a CSV
and exited 0. The full disk is RLIMIT_FSIZE in the child (EFBIG, as ENOSPC on a
full disk); stdout is buffered as for a user (no PYTHONUNBUFFERED: with it,
CPython drops the rest of a short write without an error, which this cannot catch).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kiosk.queue.schema import connect, create_schema
from tests.conftest import ROOT, full_disk_at, write_config

LIMIT = 20  # bytes: less than the CSV's header line


def test_report_csv_into_a_full_disk_is_one_line_and_exit_2(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    (tmp_path / "var").mkdir()
    create_schema(connect(tmp_path / "var" / "queue.sqlite3"))  # a server ran: an empty day
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    command = [sys.executable, "-m", "kiosk", "report", "--config", str(config), "--csv"]
    whole = subprocess.run(command, capture_output=True, env=env, cwd=ROOT, timeout=120, check=True)
    assert len(whole.stdout) > LIMIT
    out_file = tmp_path / "report.csv"
    with out_file.open("wb") as out:
        cut = subprocess.run(
            command,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=120,
            preexec_fn=full_disk_at(LIMIT),
            check=False,
        )
    assert cut.returncode == 2, cut.stderr
    lines = cut.stderr.strip().splitlines()
    assert len(lines) == 1, cut.stderr
    assert lines[0].startswith("kiosk report: cannot write to its disk (File too large)")
    assert out_file.stat().st_size <= LIMIT
