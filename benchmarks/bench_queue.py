"""Queue server figures on 127.0.0.1: issue latency, throughput, call -> event delivery.

The server runs as `kiosk serve` in its own process (as in a centre); the
clients are asyncio tasks in this process, each with its own keep-alive
connection, speaking minimal HTTP/1.1 so that the load generator costs little
CPU on the same 2-core machine.

* issue latency p50/p99: 20 concurrent kiosks, each issuing one ticket every
  ~40 ms (500 tickets/s offered in total), open loop
* sustained tickets/s: 20 clients issuing back to back (closed loop) for a few seconds
* call -> event: a board waits in a long-poll; a counter calls; time from sending
  the call until the board has the `called` event (p95 over many calls)
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchmarks.load import Conn, open_loop
from benchmarks.load import quantile as _quantile
from benchmarks.load import ticket_body as _ticket_body

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 20
OFFERED_RATE = 500.0  # tickets/s over all clients, for the latency figure
LATENCY_SECONDS = 6.0
THROUGHPUT_SECONDS = 6.0
CALLS = 150
KIOSK = "Bearer dev-kiosk"
BOARD = "Bearer dev-board"
COUNTER = "Bearer dev-counter-1"


def _config(workdir: Path) -> Path:
    text = (ROOT / "config" / "center.toml").read_text(encoding="utf-8")
    text = text.replace('"../assets/', f'"{ROOT}/assets/')
    text = re.sub(r"^kiosk_rate_limit = \d+", "kiosk_rate_limit = 1000", text, flags=re.M)
    text = re.sub(
        r"^kiosk_rate_window_seconds = \d+", "kiosk_rate_window_seconds = 1", text, flags=re.M
    )
    text = re.sub(r"^daily_limit = \d+\n", "", text, flags=re.M)
    text = re.sub(r"^width = 3", "width = 6", text, flags=re.M)
    text = re.sub(r"^band = \[5001, 5999\]", "band = [100000, 999999]", text, flags=re.M)
    text = re.sub(r'^level = "INFO"', 'level = "WARNING"', text, flags=re.M)
    text += kiosk_tokens(CLIENTS)
    (workdir / "config").mkdir(parents=True, exist_ok=True)
    path = workdir / "config" / "center.toml"
    path.write_text(text, encoding="utf-8")
    return path


def kiosk_token(n: int) -> str:
    """Client n is kiosk bench-n, with its own token (a kiosk's identity is its token)."""
    return f"Bearer bench-kiosk-{n}"


def kiosk_tokens(count: int) -> str:
    """``[[tokens]]`` entries for kiosks bench-0 .. bench-(count-1)."""
    from kiosk.credentials import hash_secret

    return "".join(
        f'\n[[tokens]]\nrole = "kiosk"\nid = "bench-{n}"\n'
        f'hash = "{hash_secret(kiosk_token(n).split()[1])}"\n'
        for n in range(count)
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _latency(port: int) -> tuple[list[float], int]:
    """Open loop: each client sends on its own schedule, so queueing shows as latency."""
    out = await open_loop(port, CLIENTS, CLIENTS / OFFERED_RATE, LATENCY_SECONDS, kiosk_token)
    return out.latencies, out.errors


async def _throughput(port: int) -> tuple[int, float, list[float], int]:
    """Closed loop: every client issues back to back; tickets per second overall."""
    done = 0
    errors = 0
    latencies: list[float] = []
    stop_at = time.perf_counter() + THROUGHPUT_SECONDS

    async def client(n: int) -> None:
        nonlocal done, errors
        conn = await Conn.open(port)
        i = 0
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            status, _ = await conn.request(
                "POST", "/api/v1/tickets", kiosk_token(n), _ticket_body(i)
            )
            latencies.append(time.perf_counter() - t0)
            done += status == 201
            errors += status != 201
            i += 1
        conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    return done, time.perf_counter() - started, latencies, errors


async def _call_to_event(port: int) -> list[float]:
    board = await Conn.open(port)
    counter = await Conn.open(port)
    _, body = await board.request("GET", "/api/v1/events", BOARD)
    last = json.loads(body)["last"]
    delays: list[float] = []
    for _ in range(CALLS):
        poll = asyncio.ensure_future(
            board.request("GET", f"/api/v1/events?after={last}&wait=10", BOARD)
        )
        await asyncio.sleep(0.01)  # let the long-poll reach the server and wait
        sent = time.perf_counter()
        status, _ = await counter.request("POST", "/api/v1/counters/1/next", COUNTER)
        if status not in (200, 204):
            raise RuntimeError(f"next answered {status}")
        while True:
            _, body = await poll
            got = json.loads(body)
            last = got["last"]
            if any(e["type"] == "called" for e in got["events"]):
                delays.append(time.perf_counter() - sent)
                break
            poll = asyncio.ensure_future(
                board.request("GET", f"/api/v1/events?after={last}&wait=10", BOARD)
            )
    board.close()
    counter.close()
    return delays


def _start_server(workdir: Path) -> tuple[subprocess.Popen, int]:
    cfg = _config(workdir)
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "serve", "--config", str(cfg), "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "server.log").open("w"),
    )
    deadline = time.monotonic() + 60
    log = workdir / "server.log"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                pass
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(log.read_text()) from None
            time.sleep(0.1)
            continue
        # The start-up check for development secrets runs scrypt for about a second;
        # measure after it, as a centre's server would be measured after start-up.
        if "SECURITY" in log.read_text():
            return proc, port
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not start within 60 s")


async def _measure(port: int) -> dict[str, object]:
    warm = await Conn.open(port)
    for n in range(CLIENTS):  # token verification (scrypt) and connections warm up
        await warm.request("POST", "/api/v1/tickets", kiosk_token(n), _ticket_body(n))
    for i in range(30):
        await warm.request("POST", "/api/v1/tickets", KIOSK, _ticket_body(i))
    await warm.request("GET", "/api/v1/services", BOARD)
    await warm.request("GET", "/api/v1/counters/1", COUNTER)
    warm.close()
    latencies, lat_errors = await _latency(port)
    done, elapsed, closed_latencies, tp_errors = await _throughput(port)
    delays = await _call_to_event(port)
    return {
        "latencies": latencies,
        "lat_errors": lat_errors,
        "done": done,
        "elapsed": elapsed,
        "closed_latencies": closed_latencies,
        "tp_errors": tp_errors,
        "delays": delays,
    }


def run(workdir: Path) -> list[dict]:
    proc, port = _start_server(workdir)
    try:
        m = asyncio.run(_measure(port))
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
    lat = [x * 1000 for x in m["latencies"]]
    closed = [x * 1000 for x in m["closed_latencies"]]
    delays = [x * 1000 for x in m["delays"]]
    rate = m["done"] / m["elapsed"]
    offered = f"{CLIENTS} kiosks, {OFFERED_RATE:g} tickets/s offered, {len(lat)} tickets"
    return [
        {
            "name": "issue ticket latency p50",
            "value": round(_quantile(lat, 50), 2),
            "unit": "ms",
            "target": None,
            "note": f"{offered}, {m['lat_errors']} errors",
        },
        {
            "name": "issue ticket latency p99",
            "value": round(_quantile(lat, 99), 2),
            "unit": "ms",
            "target": "<= 20",
            "note": offered,
        },
        {
            "name": "sustained tickets per second",
            "value": round(rate, 1),
            "unit": "tickets/s",
            "target": ">= 500",
            "note": (
                f"{CLIENTS} clients back to back for {m['elapsed']:.1f} s, "
                f"{m['tp_errors']} errors; "
                f"latency at saturation p50 {_quantile(closed, 50):.1f} ms, "
                f"p99 {_quantile(closed, 99):.1f} ms"
            ),
        },
        {
            "name": "call -> event at a waiting long-poll p95",
            "value": round(_quantile(delays, 95), 2),
            "unit": "ms",
            "target": "<= 50",
            "note": (
                f"{len(delays)} calls; p50 {_quantile(delays, 50):.2f} ms, "
                f"max {max(delays):.2f} ms (issue's hard limit 200 ms)"
            ),
        },
    ]


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for entry in run(Path(tmp)):
            print(entry)
