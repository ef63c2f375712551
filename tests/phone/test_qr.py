"""The ticket's status QR opens the phone page: decoded from print-test's ESC/POS bytes and
from the kiosk's ticket screen, then fetched over the network like a phone would.

The server listens on every interface and the QR carries this machine's LAN
address (never a loopback one); a machine without a LAN interface skips.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import zxingcpp
from PIL import Image

from kiosk.config import load_config
from kiosk.publicurl import SAMPLE_TICKET_ID, is_loopback, lan_address, resolve
from kiosk.server.devsecrets import DEV_TOKENS
from kiosk.server.run import start_in_thread
from tests.conftest import ROOT, run_cli, write_config
from tests.printer.escpos_decoder import decode
from tests.printer.samples import FONTS
from tests.server.conftest import serve_process, stop_process, wait_healthy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def lan() -> str:
    address = lan_address()
    if address is None:
        pytest.skip("this machine has no LAN address for phones to reach")
    return address


def lan_edits(port: int) -> dict[str, str]:
    return {r'^host = "127.0.0.1"': 'host = "0.0.0.0"', r"^port = 8080": f"port = {port}"}


def test_print_test_qr_opens_a_page(tmp_path: Path, lan: str) -> None:
    port = free_port()
    config = write_config(tmp_path, **lan_edits(port))
    out = tmp_path / "t.bin"
    done = run_cli("print-test", "--config", str(config), "--printer", f"file://{out}")
    assert done.returncode == 0, done.stderr
    decoded = decode(out.read_bytes(), 576, FONTS.latin_bold)
    [qr] = [q.data for q in decoded.qrs]
    assert urlsplit(qr).hostname == lan and not is_loopback(urlsplit(qr).hostname)
    handle = start_in_thread(load_config(config))
    try:
        page = requests.get(qr, timeout=10)
        assert page.status_code == 200
        assert "Thử máy in: mã QR hoạt động" in page.text
    finally:
        handle.stop()


def test_the_shipped_config_serves_the_phone_page_alone_on_the_lan(
    tmp_path: Path, lan: str
) -> None:
    """A fresh centre (API on 127.0.0.1): its ticket QR opens on the LAN, the API does not."""
    port = free_port()
    config = write_config(tmp_path, **{r"^port = 8080": f"port = {port}"})
    out = tmp_path / "t.bin"
    done = run_cli("print-test", "--config", str(config), "--printer", f"file://{out}")
    assert done.returncode == 0, done.stderr
    [qr] = [q.data for q in decode(out.read_bytes(), 576, FONTS.latin_bold).qrs]
    assert qr == f"http://{lan}:{port}/t/{SAMPLE_TICKET_ID}"
    log = tmp_path / "serve.log"
    proc = serve_process(config, port, tmp_path / "queue.sqlite3", log)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc)
        assert requests.get(qr, timeout=10).status_code == 200
        issued = requests.post(
            f"http://127.0.0.1:{port}/api/v1/tickets",
            json={"service": "ho-tich", "lang": "km"},
            headers={"Authorization": f"Bearer {DEV_TOKENS['kiosk']}"},
            timeout=10,
        ).json()
        page = requests.get(f"http://{lan}:{port}/t/{issued['id']}", timeout=10)
        assert page.status_code == 200 and "A001" in page.text
        # Only the citizen's routes face the network; the API and the console do not.
        for path in ("/api/v1/services", "/api/v1/info", "/console/", "/api/v1/events", "/docs"):
            assert requests.get(f"http://{lan}:{port}{path}", timeout=10).status_code == 404
    finally:
        stop_process(proc)
    assert "phones open the ticket pages at" in log.read_text()


@pytest.mark.ui
def test_kiosk_run_on_another_port_serves_the_phone_page_on_that_port(
    tmp_path: Path, lan: str
) -> None:
    """`kiosk run --port N` (8080 taken): phones open the ticket page on N, as the QR says."""
    if not os.environ.get("DISPLAY"):
        pytest.skip("needs a display: run the tests under xvfb-run -a (make test does)")
    port = free_port()
    config = write_config(tmp_path)  # server.port stays 8080
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "run", "--config", str(config), "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc)
        issued = requests.post(
            f"http://127.0.0.1:{port}/api/v1/tickets",
            json={"service": "ho-tich"},
            headers={"Authorization": f"Bearer {DEV_TOKENS['kiosk']}"},
            timeout=10,
        ).json()
        page = wait_until_served(f"http://{lan}:{port}/t/{issued['id']}")
        assert page.status_code == 200 and "A001" in page.text
    finally:
        stop_process(proc)
    run_log = (tmp_path / "var" / "log" / "run.log").read_text(encoding="utf-8")
    assert f"phones open the ticket pages at http://{lan}:{port}/t/" in run_log


def wait_until_served(url: str, timeout: float = 30) -> requests.Response:
    """The phone listener starts just after the API: retry a refused connection until then."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return requests.get(url, timeout=10)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.mark.ui
def test_ticket_screen_qr_opens_the_ticket_page(tmp_path: Path, lan: str) -> None:
    if not os.environ.get("DISPLAY"):
        pytest.skip("needs a display: run the tests under xvfb-run -a (make test does)")
    from tests.ui.harness import kiosk_rig, screenshot, tap, wait_until

    with kiosk_rig(tmp_path, lan_port=free_port()) as rig:
        tap(rig.ids("attract").start_vi)
        rig.wait_screen("home")
        tap(rig.ids("home").take)
        services = rig.wait_screen("services")
        cards = wait_until(lambda: list(reversed(services.ids.grid.children)))
        tap(cards[0])
        tap(rig.wait_screen("confirm").ids.confirm)
        ticket = rig.wait_screen("ticket")
        wait_until(lambda: ticket.state != "printing", 30, "the print")
        shot = screenshot(tmp_path / "ticket.png")
        found = [r.text for r in zxingcpp.read_barcodes(Image.open(shot))]
        assert found == [f"http://{lan}:{rig.cfg.server.port}/t/{ticket.ticket['id']}"]
        page = requests.get(found[0], timeout=10)
        assert page.status_code == 200 and "A001" in page.text


def test_the_public_url_is_never_a_loopback_address(tmp_path: Path) -> None:
    def cfg(**edits: str):  # type: ignore[no-untyped-def]
        return load_config(write_config(tmp_path, **edits))

    local = resolve(cfg(**{r'^phones = "lan"': 'phones = "off"'}))
    assert local.base == "" and "127.0.0.1" in local.reason("en")
    assert "server.public_url" in local.reason("vi")
    address = lan_address()
    shipped = resolve(cfg())  # the phone page's own listener on the LAN address
    assert shipped.base == (f"http://{address}:8080" if address else "")
    lan = resolve(cfg(**{r'^host = "127.0.0.1"': 'host = "192.168.1.5"'}))
    assert lan.ticket("abc") == "http://192.168.1.5:8080/t/abc"
    named = resolve(cfg(**{r'^public_url = ""': 'public_url = "https://hcc.example.gov.vn/"'}))
    assert named.ticket("abc") == "https://hcc.example.gov.vn/t/abc"
    for loop in ("http://localhost:8080", "http://127.0.0.1", "http://[::1]:8080"):
        bad = resolve(cfg(**{r'^public_url = ""': f'public_url = "{loop}"'}))
        assert bad.base == "" and loop in bad.reason("en")
    every = resolve(cfg(**{r'^host = "127.0.0.1"': 'host = "0.0.0.0"'}))
    assert every.base == (f"http://{address}:8080" if address else "")
    assert every.base or every.reason("km")
