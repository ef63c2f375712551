"""The kiosk's outbox on a full disk: kept in memory, said once (log and admin panel),
written again as soon as there is space, and what a stop on a full disk loses is named.

The full disk is RLIMIT_FSIZE in a child process (writes past it fail with EFBIG,
as with ENOSPC on a full disk); it does not cover a rename failing for want of inodes.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

from tests.conftest import run_python, write_config
from tests.ui.harness import closed_port_url

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


def _child(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a new Python process from the repo root; it must exit 0."""
    out = run_python("-c", code, *args)
    assert out.returncode == 0, out.stderr
    return out


def test_an_unwritable_outbox_is_said_once_and_nothing_is_lost_when_space_returns(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kiosk-outbox.json"
    out = _child(CHILD, str(path))
    assert out.stderr.count("cannot be written (File too large)") == 1, out.stderr
    assert out.stderr.count("is written again") == 1, out.stderr
    body = json.loads(path.read_text(encoding="utf-8"))
    assert len(body["withdrawals"]) == 7 and len(body["print_results"]) == 5


# A kiosk backend as `kiosk ui` makes it (the server away: nothing can be sent), with
# two messages that arrive while the disk is full. argv: config, server URL, and
# "restart" (the kiosk stops on the full disk) or "space-back" (space is freed, then
# the 15 s health check runs: it flushes, the server is still away).
BACKEND_CHILD = textwrap.dedent(
    """
    import json, logging, resource, signal, sys
    from kiosk.client import CentreClient
    from kiosk.config import load_config
    from kiosk.ui.backend import CatalogueHolder, KioskBackend

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead
    cfg, url, mode = load_config(sys.argv[1]), sys.argv[2], sys.argv[3]
    backend = KioskBackend(cfg, CentreClient(url, "kiosk-token"), CatalogueHolder(None))
    backend.outbox.add_withdrawal("key-before")
    # Opened before the disk fills, as on a kiosk that has printed: python-escpos
    # writes a cache file the first time it is imported.
    backend.printer_status()
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (16, hard))  # the disk is full
    backend.outbox.add_withdrawal("key-while-full")
    backend.outbox.add_report("ticket-while-full", {"ok": False, "error": "paper out"})
    def panel():
        st = backend.admin_status()
        print(json.dumps({"unwritten": st.outbox_unwritten, "held": st.outbox_held}))
    panel()
    if mode == "space-back":
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        backend.flush_reports()  # what the health check does; nothing new to write
        panel()
    backend.close()
    """
)


def _run_backend(tmp_path: Path, mode: str) -> tuple[list[dict[str, object]], str, Path]:
    out = _child(BACKEND_CHILD, str(write_config(tmp_path)), closed_port_url(), mode)
    panels = [json.loads(line) for line in out.stdout.splitlines()]
    return panels, out.stderr, tmp_path / "var" / "kiosk-outbox.json"


FULL = {"unwritten": "File too large", "held": 2}  # key-before is on disk


def test_a_kiosk_stopped_on_a_full_disk_names_every_message_it_loses(tmp_path: Path) -> None:
    panels, log, path = _run_backend(tmp_path, "restart")
    assert panels == [FULL]  # the admin panel said so while it ran
    assert log.count("(File too large); kept in memory") == 1, log
    lost = [line for line in log.splitlines() if "still cannot be written" in line]
    assert len(lost) == 1, log
    assert lost[0].startswith("ERROR the kiosk stops and its outbox")
    assert "1 withdrawal(s) (issue keys: key-while-full)" in lost[0]
    assert "1 print result(s) (tickets: ticket-while-full NOT printed)" in lost[0]
    # Lost, but said: the next start finds what was written before the disk filled.
    body = json.loads(path.read_text(encoding="utf-8"))
    assert list(body["withdrawals"]) == ["key-before"] and body["print_results"] == {}


def test_space_back_writes_the_outbox_at_the_next_health_check_without_a_new_message(
    tmp_path: Path,
) -> None:
    panels, log, path = _run_backend(tmp_path, "space-back")
    assert panels == [FULL, {"unwritten": None, "held": 0}]
    assert log.count("is written again (2 withdrawal(s), 1 print result(s))") == 1, log
    assert "still cannot be written" not in log
    body = json.loads(path.read_text(encoding="utf-8"))
    assert list(body["withdrawals"]) == ["key-before", "key-while-full"]
    assert body["print_results"] == {"ticket-while-full": {"ok": False, "error": "paper out"}}
