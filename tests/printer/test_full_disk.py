"""A kiosk started on a full disk still prints, and a printer it cannot open is a print
result, not a crash: python-escpos writes a cache of its printer database on its first
import in each process (kiosk.printing -> hardware.printer.codepages.escpos_capabilities).

The full disk is RLIMIT_FSIZE in the kiosk process (tests.conftest.full_disk_at); the
printer is a real TCP ESC/POS port on 127.0.0.1 (tests.printer.fakes).
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

from tests.conftest import full_disk_at, run_python, write_config
from tests.printer.fakes import TcpFakePrinter
from tests.ui.harness import closed_port_url

# A kiosk process printing one ticket (the centre server away: its print result waits
# in the outbox, printed or not).
CHILD = textwrap.dedent(
    """
    import json, sys
    from kiosk.client import CentreClient
    from kiosk.config import load_config
    from kiosk.ui.backend import CatalogueHolder, KioskBackend

    cfg = load_config(sys.argv[1])
    backend = KioskBackend(cfg, CentreClient(sys.argv[2], "kiosk-token"), CatalogueHolder(None))
    ticket = {"id": "t-1", "number": "A001", "service": "ho-tich", "priority": False,
              "lang": "vi", "issued_at": "2026-12-07T01:00:00Z", "ahead": 0, "eta_minutes": 0}
    outcome = backend.print_issued(ticket, "vi")
    print(json.dumps({**outcome.printed.report(), "waiting": backend.outbox.reports()}))
    """
)


def _print_one(config: Path, home: Path, *, full: bool) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ESCPOS_", "XDG_CACHE"))}
    env["HOME"] = str(home)
    out = run_python(
        "-c",
        CHILD,
        str(config),
        closed_port_url(),
        env=env,
        preexec_fn=full_disk_at(16) if full else None,
    )
    assert out.returncode == 0, out.stderr
    result: dict[str, object] = json.loads(out.stdout.splitlines()[-1])
    return result


PRINTED = {"ok": True, "error": None, "waiting": ["t-1"]}


def test_a_kiosk_restarted_on_a_full_disk_prints_and_a_first_start_says_why_not(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with TcpFakePrinter() as printer:
        config = write_config(tmp_path, **{r"^printer = .*$": f'printer = "{printer.url}"'})
        # A first start ever on a full disk: the library cannot write its cache.
        first = _print_one(config, home, full=True)
        assert first["ok"] is False and first["waiting"] == ["t-1"], first
        assert "io: the printer library cannot start: its cache file cannot be written" in str(
            first["error"]
        )
        assert printer.connections == 0
        # With space it prints, and the cache stays in the kiosk user's home...
        assert _print_one(config, home, full=False) == PRINTED
        assert list((home / ".cache" / "python-escpos").glob("*.capabilities.pickle"))
        # ...so a restart on a full disk prints too.
        job = len(printer.core.job)
        assert _print_one(config, home, full=True) == PRINTED
        assert len(printer.core.job) > job
