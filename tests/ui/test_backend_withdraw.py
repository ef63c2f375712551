"""A number the server recorded but nobody was shown is withdrawn (the kiosk's outbox).

The trial: `kiosk serve` frozen with SIGSTOP, the kiosk's issue times out (retried
once), the citizen is told there is no number; the server, resumed, records the
ticket anyway. The kiosk's next flush withdraws it. The same after a kiosk crash
between the server's answer and the screen, and print results survive a crash.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from kiosk.catalogue import open_catalogue
from kiosk.client import CentreClient, IssueOutcomeUnknown, ServerRefused, ServerUnreachable
from kiosk.config import Config
from kiosk.queue.schema import connect
from kiosk.server.run import ServerHandle, start_in_thread
from kiosk.ui.backend import (
    OUTBOX_FILE,
    WITHDRAW_404_GRACE_SECONDS,
    CatalogueHolder,
    KioskBackend,
)
from tests.conftest import ROOT
from tests.printer.fakes import Behaviour, TcpFakePrinter
from tests.server.conftest import free_port, serve_process, stop_process, wait_healthy
from tests.ui.harness import KIOSK_TOKEN, rig_config


def backend_for(cfg: Config, url: str, *, read_timeout: float = 60.0) -> KioskBackend:
    """A kiosk backend; patient (a loaded machine answers late, not never)."""
    client = CentreClient(url, KIOSK_TOKEN, read_timeout=read_timeout)
    return KioskBackend(cfg, client, CatalogueHolder(open_catalogue(cfg)))


def outbox(cfg: Config) -> dict:
    return json.loads(cfg.data_path(OUTBOX_FILE).read_text(encoding="utf-8"))


def statuses(db: Path) -> list[str]:
    conn = connect(db, readonly=True)
    try:
        return [r[0] for r in conn.execute("SELECT status FROM tickets ORDER BY pk")]
    finally:
        conn.close()


def wait_until(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(0.05)


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[tuple[Config, ServerHandle]]:
    """The centre server in this process (its engine at hand), on 127.0.0.1."""
    cfg = rig_config(tmp_path, printer="none")
    handle = start_in_thread(cfg, host="127.0.0.1", port=0)
    try:
        yield cfg, handle
    finally:
        handle.stop()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Config, str, Path, object]]:
    """A real `kiosk serve` process on 127.0.0.1 over a database file in tmp_path."""
    cfg = rig_config(tmp_path, printer="none")
    port, db = free_port(), tmp_path / "queue.sqlite3"
    proc = serve_process(tmp_path / "config" / "center.toml", port, db, tmp_path / "serve.log")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield cfg, url, db, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGCONT)
        stop_process(proc)


def test_a_frozen_server_records_the_number_late_and_the_kiosk_withdraws_it(served) -> None:
    cfg, url, db, proc = served
    backend = backend_for(cfg, url)
    assert backend.services()[0].waiting == 0
    # Short read timeout while the server is frozen: the kiosk gives up (twice).
    patient = backend.client.timeout
    backend.client.timeout = (patient[0], 0.5)
    proc.send_signal(signal.SIGSTOP)
    try:
        with pytest.raises(IssueOutcomeUnknown) as unknown:
            backend.issue("ho-tich", "vi")
    finally:
        proc.send_signal(signal.SIGCONT)
        backend.client.timeout = patient
    assert isinstance(unknown.value, ServerUnreachable)  # the citizen's screen: unchanged
    key = unknown.value.idempotency_key
    assert list(outbox(cfg)["withdrawals"]) == [key]

    # Resumed, the server reads the request it was sent and records a number nobody holds.
    wait_until(lambda: backend.services()[0].waiting == 1, "the late issue")
    assert statuses(db) == ["waiting"]

    assert backend.flush_reports() == 0
    assert statuses(db) == ["withdrawn"]
    assert backend.services()[0].waiting == 0
    assert outbox(cfg)["withdrawals"] == {}
    # Withdrawing again (a crash before the outbox was written) changes nothing.
    assert backend.client.withdraw_ticket(key)["status"] == "withdrawn"

    # The next citizen is first in line, and a counter calls them, not the ghost.
    ticket = backend.issue("ho-tich", "vi")
    assert backend.client.ticket(ticket["id"])["ahead"] == 0
    backend.close()


def test_a_kiosk_that_died_before_showing_the_number_withdraws_it_when_it_starts_again(
    centre,
) -> None:
    cfg, handle = centre
    crashed = backend_for(cfg, handle.url)
    ghost = crashed.issue("ho-tich", "vi")  # recorded; the process dies before the screen
    shown = crashed.issue("ho-tich", "vi")
    crashed.print_issued(shown, "vi")  # this one reached the screen and the printer
    assert len(outbox(cfg)["withdrawals"]) == 1

    restarted = backend_for(cfg, handle.url)
    assert restarted.flush_reports() == 0
    assert handle.engine.ticket(ghost["id"])["status"] == "withdrawn"
    assert handle.engine.ticket(shown["id"])["status"] == "waiting"
    assert handle.engine.ticket(shown["id"])["ahead"] == 0
    assert outbox(cfg)["withdrawals"] == {}


def test_the_running_kiosk_never_withdraws_a_number_on_its_way_to_the_screen(centre) -> None:
    """The periodic check may flush between the server's answer and the ticket screen."""
    cfg, handle = centre
    backend = backend_for(cfg, handle.url)
    ticket = backend.issue("ho-tich", "vi")
    assert backend.flush_reports() == 0
    assert handle.engine.ticket(ticket["id"])["status"] == "waiting"
    backend.print_issued(ticket, "vi")
    assert outbox(cfg)["withdrawals"] == {}


def test_print_results_survive_a_kiosk_crash(tmp_path: Path) -> None:
    cfg = rig_config(tmp_path, printer="none")
    handle = start_in_thread(cfg, host="127.0.0.1", port=0)
    backend = backend_for(cfg, handle.url)
    ticket = backend.issue("dat-dai", "vi")
    port = int(handle.url.rsplit(":", 1)[1])
    handle.stop()  # the server goes away before the printer answers
    outcome = backend.print_issued(ticket, "vi")
    assert not outcome.reported
    assert list(outbox(cfg)["print_results"]) == [ticket["id"]]
    del backend  # the kiosk dies: only the file is left

    again = start_in_thread(cfg, host="127.0.0.1", port=port)
    try:
        restarted = backend_for(cfg, again.url)
        assert restarted.pending_reports == 1
        assert restarted.flush_reports() == 0
        stored = again.engine.ticket(ticket["id"])
        assert stored["print_status"] == "failed" and stored["status"] == "waiting"
        assert outbox(cfg) == {"version": 1, "withdrawals": {}, "print_results": {}}
    finally:
        again.stop()


def test_no_number_recorded_means_nothing_to_withdraw(tmp_path: Path) -> None:
    """Refused before sending (server down) or refused with an answer: nothing kept."""
    cfg = rig_config(tmp_path, printer="none", rate_limit=1)
    handle = start_in_thread(cfg, host="127.0.0.1", port=0)
    backend = backend_for(cfg, handle.url)
    try:
        backend.take_number("ho-tich", lang="vi")
        with pytest.raises(ServerRefused) as refused:
            backend.issue("ho-tich", "vi")  # over this kiosk's rate limit
        assert refused.value.status == 429
        assert outbox(cfg)["withdrawals"] == {}
    finally:
        handle.stop()
    with pytest.raises(ServerUnreachable) as unreachable:
        backend.issue("ho-tich", "vi")  # connection refused: the request never left
    assert not isinstance(unreachable.value, IssueOutcomeUnknown)
    assert outbox(cfg)["withdrawals"] == {}


def test_withdrawals_of_an_earlier_day_are_dropped_and_unknown_keys_too(centre) -> None:
    cfg, handle = centre
    earlier = (date.today() - timedelta(days=2)).isoformat()  # whatever the time zone
    path = cfg.data_path(OUTBOX_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"version": 1, "withdrawals": {"old-key-123": earlier}, "print_results": {}}
    path.write_text(json.dumps(body), encoding="utf-8")
    backend = backend_for(cfg, handle.url)
    assert outbox(cfg)["withdrawals"] == {}
    assert backend.outbox is not None
    now = [1000.0]
    backend.clock = lambda: now[0]
    backend.outbox.add_withdrawal("never-reached-server")
    assert backend.flush_reports() == 1  # 404, but a late issue may still land: asked again
    assert list(outbox(cfg)["withdrawals"]) == ["never-reached-server"]
    now[0] += WITHDRAW_404_GRACE_SECONDS
    assert backend.flush_reports() == 0  # still 404 after the grace: the issue left no ticket
    assert outbox(cfg)["withdrawals"] == {}


def test_a_late_issue_recorded_after_a_404_is_still_withdrawn(centre) -> None:
    """The stalled server answers the withdrawal before it writes the late issue."""
    cfg, handle = centre
    backend = backend_for(cfg, handle.url)
    now = [1000.0]
    backend.clock = lambda: now[0]
    assert backend.outbox is not None
    backend.outbox.add_withdrawal("late-issue-key")
    backend.outbox.add_report("some-ticket", {"ok": True, "error": None})
    assert backend.flush_reports() == 1  # 404: not recorded (yet); kept
    assert outbox(cfg)["print_results"] == {}  # the print result went on all the same
    late = CentreClient(handle.url, KIOSK_TOKEN).issue_ticket(
        "ho-tich", idempotency_key="late-issue-key"
    )  # the issue the server was still holding lands now
    now[0] += 1
    assert backend.flush_reports() == 0
    assert handle.engine.ticket(late["id"])["status"] == "withdrawn"
    assert outbox(cfg)["withdrawals"] == {}


PREVIOUS_RELEASE_405 = b'{"error":"method_not_allowed","detail":"this address answers only GET"}'


class PreviousRelease:
    """The centre server as the previous release answered: no withdraw route.

    A forwarding server on 127.0.0.1 in front of the real one: everything passes
    except ``POST /api/v1/tickets/withdraw``, which the previous release answered 405
    (the path is a ticket id's, GET only), as a trial against that release showed.
    """

    def __init__(self, upstream: str) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._forward()

            def do_POST(self) -> None:
                self._forward()

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.command == "POST" and self.path == "/api/v1/tickets/withdraw":
                    outer.refused += 1
                    status, answer = 405, PREVIOUS_RELEASE_405
                else:
                    keep = ("Authorization", "Content-Type", "Idempotency-Key")
                    resp = requests.request(
                        self.command,
                        upstream + self.path,
                        data=body or None,
                        headers={k: self.headers[k] for k in keep if self.headers[k]},
                        timeout=60,
                    )
                    status, answer = resp.status_code, resp.content
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.refused = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def test_a_server_of_the_previous_release_keeps_the_withdrawal_for_after_its_upgrade(
    centre, caplog: pytest.LogCaptureFixture
) -> None:
    """A staged upgrade: the new kiosk talks to a server without the withdraw route.

    The previous release answered 405 there (the path is a ticket id's, GET only). The
    kiosk keeps issuing and reporting prints, says it once, and keeps the key; once the
    server is upgraded (the route back) the ghost number is withdrawn.
    """
    cfg, handle = centre
    old = PreviousRelease(handle.url)
    crashed = backend_for(cfg, old.url)
    ghost = crashed.issue("ho-tich", "vi")  # recorded; the kiosk dies before the screen

    restarted = backend_for(cfg, old.url)
    for _ in range(3):
        shown = restarted.take_number("ho-tich", lang="vi")
        assert shown.reported  # issuing and print results go on
    assert restarted.flush_reports() == 1
    assert list(outbox(cfg)["withdrawals"]) and outbox(cfg)["print_results"] == {}
    assert handle.engine.ticket(ghost["id"])["status"] == "waiting"
    told = [r for r in caplog.records if "takes no withdrawals" in r.getMessage()]
    assert len(told) == 1 and old.refused == 4  # asked at each flush, said once
    old.stop()

    upgraded = backend_for(cfg, handle.url)  # the server is upgraded the same day
    assert upgraded.flush_reports() == 0
    assert handle.engine.ticket(ghost["id"])["status"] == "withdrawn"
    assert outbox(cfg)["withdrawals"] == {}


# A kiosk process that takes one number and prints it (argv: config, server URL).
PRINTING_KIOSK = """
import sys
from kiosk.catalogue import open_catalogue
from kiosk.client import CentreClient
from kiosk.config import load_config
from kiosk.ui.backend import CatalogueHolder, KioskBackend

cfg = load_config(sys.argv[1])
client = CentreClient(sys.argv[2], "dev-kiosk")
KioskBackend(cfg, client, CatalogueHolder(open_catalogue(cfg))).take_number("ho-tich", lang="vi")
"""


def test_a_power_cut_while_the_number_prints_never_withdraws_it(tmp_path: Path) -> None:
    """The ticket screen shows the number while the printer works (seconds for a raster
    ticket). A power cut then must not make the restarted kiosk withdraw a number the
    citizen has read, and maybe holds half-printed: they would never be called."""
    with TcpFakePrinter(Behaviour(stall_after=64)) as printer:
        cfg = rig_config(tmp_path, printer=f"{printer.url}?timeout=120")
        handle = start_in_thread(cfg, host="127.0.0.1", port=0)
        kiosk = subprocess.Popen(
            [
                sys.executable,
                "-c",
                PRINTING_KIOSK,
                str(tmp_path / "config" / "center.toml"),
                handle.url,
            ],
            cwd=ROOT,
        )
        try:
            wait_until(lambda: printer.core.stalled, "the ticket half-printed")
            kiosk.kill()  # the power goes, paper half out
            kiosk.wait(60)
            db = tmp_path / "var" / "queue.sqlite3"
            assert statuses(db) == ["waiting"]
            restarted = backend_for(cfg, handle.url)
            assert restarted.flush_reports() == 0
            assert statuses(db) == ["waiting"]  # the citizen who read it will be called
        finally:
            if kiosk.poll() is None:
                kiosk.kill()
            handle.stop()


def test_an_outbox_cut_in_half_is_set_aside_and_the_kiosk_goes_on(centre) -> None:
    """A power cut on a disk that lost the end of the file (the writer is atomic; the
    disk may not be): the kiosk starts empty and issues; the broken file stays for a look."""
    cfg, handle = centre
    path = cfg.data_path(OUTBOX_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    whole = json.dumps(
        {"version": 1, "withdrawals": {"key-of-a-ghost-1": date.today().isoformat()}}
    ).encode()
    path.write_bytes(whole[: len(whole) // 2])
    backend = backend_for(cfg, handle.url)
    assert backend.take_number("ho-tich", lang="vi").reported
    assert path.with_name(OUTBOX_FILE + ".broken").read_bytes() == whole[: len(whole) // 2]
    assert outbox(cfg) == {"version": 1, "withdrawals": {}, "print_results": {}}
