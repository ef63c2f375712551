"""One citizen served end to end: `kiosk serve`, the kiosk's HTTP call, the console, the board.

The centre server runs as its own process (`kiosk serve`, the server half of
`kiosk run`); the ticket is taken over HTTP with the kiosk's token as the
kiosk UI does; the staff member calls it from the console in headless
Chromium; the hall board (Kivy, this process's Xvfb window) shows it and
queues its announcement.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from kiosk.config import Config, load_config
from kiosk.voice import Announcer, compose_for
from tests.board.kivy_board import FakeSink, pump_until, record_voice, start_board, stop_board
from tests.conftest import ROOT, write_config
from tests.console.centre import KIOSK_TOKEN

pytestmark = [
    pytest.mark.ui,
    pytest.mark.browser,
    pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs a display (xvfb-run -a)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Config]]:
    """`kiosk serve` on a free port with a temp copy of the default centre."""
    conf = write_config(tmp_path)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "serve", "--config", str(conf), "--host", "127.0.0.1",
         "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "kiosk serve did not start"
            time.sleep(0.1)
        yield url, load_config(conf)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_citizen_is_called_from_the_console_and_the_hall_sees_and_hears_it(
    served: tuple[str, Config], browser: Any
) -> None:
    url, cfg = served
    record_voice(cfg, [("A001", "1")])
    sink = FakeSink()
    board: Any = start_board(cfg, url, sink)
    try:
        pump_until(lambda: board.screen.online, what="the board to connect")
        page = browser.new_context(bypass_csp=True).new_page()
        page.goto(f"{url}/")
        expect(page.locator("body.ready")).to_have_count(1, timeout=20_000)
        page.select_option("#login-counter", "1")
        page.fill("#login-pin", "1111")
        page.click("#login-submit")
        expect(page.locator("#desk")).to_be_visible(timeout=20_000)

        # The citizen takes a number at the kiosk.
        kiosk = requests.Session()
        kiosk.headers["Authorization"] = f"Bearer {KIOSK_TOKEN}"
        resp = kiosk.post(
            f"{url}/api/v1/tickets",
            json={"service": "ho-tich", "lang": "km", "procedure": "1.001193"},
            timeout=10,
        )
        assert resp.status_code == 201, resp.text
        ticket = resp.json()
        assert ticket["number"] == "A001"
        expect(page.locator("#waiting tr.total td.n")).to_have_text("1", timeout=20_000)

        # The staff member calls the next citizen with F1.
        page.keyboard.press("F1")
        expect(page.locator("#cur-number")).to_have_text("A001", timeout=20_000)

        # The hall: the number large with its counter, and the announcement queued.
        pump_until(lambda: board.screen.now_number == "A001", what="A001 on the board")
        assert board.screen.now_counter == "Quầy 1 – Ưu tiên"
        assert board.screen.highlighted
        assert board.announcer.wait_idle(30)
        plan = Announcer(cfg, FakeSink()).plan(compose_for(cfg, "A001", "1"))
        assert sink.clips == plan

        # The citizen's own ticket page says where to go; then the counter finishes.
        status = requests.get(f"{url}/api/v1/tickets/{ticket['id']}", timeout=10).json()
        assert (status["status"], status["counter"]) == ("called", "1")
        page.keyboard.press("F4")
        expect(page.locator("#current-empty")).to_be_visible(timeout=20_000)
        status = requests.get(f"{url}/api/v1/tickets/{ticket['id']}", timeout=10).json()
        assert status["status"] == "done"
    finally:
        stop_board(board)
