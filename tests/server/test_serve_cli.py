"""`kiosk serve` and `kiosk report` as a centre's IT person meets them."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from kiosk.config import load_config
from kiosk.queue import QueueEngine
from tests.conftest import ROOT, run_cli, write_config

from .conftest import free_port, serve_process, stop_process, wait_healthy


def _http(method: str, url: str, token: str | None = None, body: dict | None = None):
    """What `curl -X METHOD -H 'Authorization: Bearer ...' -d JSON URL` does."""
    request = urllib.request.Request(
        url, method=method, data=json.dumps(body).encode() if body else None
    )
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as r:
        return r.status, json.loads(r.read() or b"null")


def test_serve_walks_a_ticket_from_issue_to_done(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    server = serve_process(config, port, tmp_path / "q.sqlite3", log)
    try:
        wait_healthy(url, server)
        status, ticket = _http(
            "POST", f"{url}/api/v1/tickets", "dev-kiosk",
            {"service": "van-hoa-xa-hoi", "priority": True, "lang": "vi"},
        )  # fmt: skip
        assert (status, ticket["number"], ticket["status"]) == (201, "5001", "waiting")
        status, called = _http("POST", f"{url}/api/v1/counters/4/next", "dev-counter-4")
        assert (status, called["number"], called["counter"]) == (200, "5001", "4")
        status, done = _http("POST", f"{url}/api/v1/counters/4/done", "dev-counter-4")
        assert (status, done["status"]) == (200, "done")
        status, seen = _http("GET", f"{url}/api/v1/tickets/{ticket['id']}")
        assert (status, seen["status"]) == (200, "done")
        # The published development secrets are called out in the log (checked in the
        # background at start-up: scrypt is slow).
        deadline = time.monotonic() + 60
        while "SECURITY: the published development secrets" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
    finally:
        stop_process(server)
    assert server.returncode == 0  # SIGTERM is a clean stop


def test_port_in_use_is_one_line_exit_2(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = run_cli("serve", "--config", str(config), "--host", "127.0.0.1", "--port", str(port))
    assert out.returncode == 2
    assert out.stderr.strip().splitlines()[-1].startswith("kiosk serve: port")
    assert "already in use" in out.stderr and "Traceback" not in out.stderr


def test_unusable_database_path_is_one_line_exit_2(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = run_cli(
        "serve", "--config", str(config), "--port", str(free_port()),
        "--db", str(blocker / "queue.sqlite3"),
    )  # fmt: skip
    assert out.returncode == 2
    last = out.stderr.strip().splitlines()[-1]
    assert (
        last.startswith("kiosk serve: cannot create the folder") and "Traceback" not in out.stderr
    )


def test_report_table_and_csv(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    engine = QueueEngine(load_config(config))  # the database of the config: var/queue.sqlite3
    engine.issue("dat-dai")
    engine.call_next("3")
    engine.done("3")
    day = engine.today()
    engine.close()
    table = run_cli("report", "--config", str(config))
    assert table.returncode == 0, table.stderr
    # Vietnamese unless --lang says otherwise, like the period report.
    assert f"Ngày {day}" in table.stdout and "Đất đai – Xây dựng – Môi trường" in table.stdout
    out = run_cli("report", "--config", str(config), "--date", day, "--csv")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    land = next(r for r in rows if r["id"] == "dat-dai")
    assert (land["issued"], land["served"]) == ("1", "1")


def test_report_bad_input(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    out = run_cli("report", "--config", str(config), "--date", "2025-13-01")
    assert out.returncode == 2 and "YYYY-MM-DD" in out.stderr
    assert out.stderr.strip().count("\n") == 0
    out = run_cli("report", "--config", str(config))
    assert out.returncode == 2 and "no queue database" in out.stderr


def test_run_starts_the_centre_server(tmp_path: Path) -> None:
    port = free_port()
    config = write_config(tmp_path, **{r"^port = 8080": f"port = {port}"})
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "run", "--config", str(config)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc)
        status, ticket = _http(
            "POST", f"http://127.0.0.1:{port}/api/v1/tickets", "dev-kiosk", {"service": "ho-tich"}
        )
        assert (status, ticket["number"]) == (201, "A001")
    finally:
        stop_process(proc)
    assert proc.returncode == 0
    assert f"centre server running at http://127.0.0.1:{port}" in proc.stdout.read()
