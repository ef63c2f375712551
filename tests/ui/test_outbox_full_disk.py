"""The kiosk's outbox on a full disk: kept in memory, said once, written again after.

The full disk is RLIMIT_FSIZE in a child process (writes past it fail with EFBIG,
as with ENOSPC on a full disk); it does not cover a rename failing for want of inodes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import ROOT

CHILD = textwrap.dedent(
    """
    import logging, resource, signal, sys
    from pathlib import Path
    from zoneinfo import ZoneInfo
    from kiosk.ui.outbox import Outbox

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead
    outbox = Outbox(Path(sys.argv[1]), ZoneInfo("Asia/Ho_Chi_Minh"))
    outbox.add_withdrawal("key-before-00")
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (16, hard))  # the disk is full
    for n in range(1, 6):
        outbox.add_withdrawal(f"key-while-{n:02}")
        outbox.add_report(f"ticket-{n}", {"ok": True, "error": None})
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # space again
    outbox.add_withdrawal("key-after-00")
    """
)


def test_an_unwritable_outbox_is_said_once_and_nothing_is_lost_when_space_returns(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kiosk-outbox.json"
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr.count("cannot be written (File too large)") == 1, out.stderr
    assert out.stderr.count("is written again") == 1, out.stderr
    body = json.loads(path.read_text(encoding="utf-8"))
    assert len(body["withdrawals"]) == 7 and len(body["print_results"]) == 5
