"""A log file on a full disk: one line says so, no traceback per record, and it recovers.

The full disk is simulated with RLIMIT_FSIZE in a child process (writes past
the limit fail with EFBIG, as they fail with ENOSPC on a full disk); this does
not cover a disk that fills while the rotating handler renames its files.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import ROOT

CHILD = textwrap.dedent(
    """
    import logging, resource, signal, sys
    from pathlib import Path
    from kiosk.logs import setup_logging

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead
    path = setup_logging(Path(sys.argv[1]), component="trial")
    log = logging.getLogger("trial")
    log.info("before the disk filled")
    for handler in logging.getLogger().handlers:
        handler.flush()
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (path.stat().st_size, hard))
    for n in range(30):
        log.error("issue %d refused: the queue database is full", n)
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    log.info("after the space came back")
    """
)


def test_a_full_log_disk_is_one_line_not_a_traceback_per_record(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path / "log")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    err = out.stderr
    assert "Traceback" not in err and "Logging error" not in err, err[:2000]
    assert err.count("cannot write the log file") == 1, err
    assert "File too large" in err
    assert err.count("takes records again") == 1, err
    # Every record still reached stderr (the journal) while the file refused them.
    assert all(f"issue {n} refused" in err for n in range(30))
    written = (tmp_path / "log" / "trial.log").read_text(encoding="utf-8")
    assert "before the disk filled" in written and "after the space came back" in written
