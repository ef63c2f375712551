"""Issue 8's end-to-end check: `kiosk serve` with a counter display on a pty.

A counter's `next` over HTTP must put the called number on that counter's
LED display; after a server restart the display shows the same citizen again.
"""

from __future__ import annotations

import time
from pathlib import Path

import requests

from tests.conftest import write_config
from tests.display.conftest import MakeBench
from tests.display.emulator import counter_displays
from tests.server.conftest import TOKENS, free_port, serve_process, stop_process, wait_healthy


def _auth(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[role]}"}


def test_next_puts_the_number_on_the_counters_display(
    tmp_path: Path, display_bench: MakeBench
) -> None:
    bench = display_bench("by-id-counter3", "bcd-pair")
    display = f"serial://{bench.url_path}?baudrate=9600&protocol=bcd-pair&address=3"
    config = write_config(tmp_path, **counter_displays({3: display}))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    db = tmp_path / "queue.sqlite3"
    proc = serve_process(config, port, db, tmp_path / "serve.log")
    try:
        wait_healthy(url, proc)
        r = requests.post(
            f"{url}/api/v1/tickets",
            json={"service": "dat-dai", "kiosk": "kiosk-1"},
            headers=_auth("kiosk"),
            timeout=30,
        )
        assert r.status_code == 201, r.text
        number = r.json()["number"]
        assert number == "C001"
        r = requests.post(f"{url}/api/v1/counters/3/next", headers=_auth("counter:3"), timeout=30)
        assert r.status_code == 200, r.text
        # bcd-pair shows the digits of the number (docs/displays.md).
        assert bench.wait_showing({3: "0001"}), (bench.showing, bench.errors)
        assert not bench.errors
    finally:
        stop_process(proc)

    # A restarted server restores what each counter is serving.
    bench.unplug()
    bench.plug()
    restarted = time.monotonic()
    proc = serve_process(config, port, db, tmp_path / "serve.log")
    try:
        wait_healthy(url, proc)
        assert bench.wait_showing({3: "0001"}), (bench.showing, bench.errors)
        assert bench.frames_since(restarted)
    finally:
        stop_process(proc)
