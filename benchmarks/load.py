"""The load generator the server benchmarks share: kiosks issuing tickets over HTTP/1.1.

Clients are asyncio tasks in the benchmark's process, each with its own
keep-alive connection, speaking just enough HTTP/1.1 for the JSON API, so that
the load generator costs little CPU on the same small machine as the server.

:func:`open_loop` is the kiosks' issuance on a fixed schedule (open loop: a
slow answer does not slow the offered rate, so queueing in the server shows as
latency). Every answer's status is counted and the first body of each refused
status kept, so a figure never silently includes refusals (429, 503, ...).
"""

from __future__ import annotations

import asyncio
import json
import socket
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SERVICES = ("ho-tich", "chung-thuc", "dat-dai", "kinh-doanh-cu-tru", "van-hoa-xa-hoi")


class Conn:
    """One keep-alive HTTP/1.1 connection; just enough protocol for JSON APIs."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int, source: str | None = None) -> Conn:
        """A connection to the server, from the loopback address ``source`` if given."""
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", port, local_addr=(source, 0) if source else None
        )
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(reader, writer)

    async def request(
        self, method: str, path: str, token: str | None, body: dict | None = None
    ) -> tuple[int, bytes]:
        """Send one request, read its answer: (status, body). ``token`` None: no Authorization."""
        return await self.send(encode_request(method, path, token, body))

    async def send(self, request: bytes) -> tuple[int, bytes]:
        """Send one request already encoded (:func:`encode_request`), read its answer."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        at = head.lower().find(b"\r\ncontent-length:")
        length = int(head[at + 17 : head.index(b"\r\n", at + 2)]) if at >= 0 else 0
        data = await self.reader.readexactly(length) if length else b""
        return status, data

    def close(self) -> None:
        self.writer.close()


def encode_request(method: str, path: str, token: str | None, body: dict | None = None) -> bytes:
    """One HTTP/1.1 request as bytes (built once, sent many times by a busy client)."""
    payload = json.dumps(body).encode() if body is not None else b""
    auth = f"Authorization: {token}\r\n" if token is not None else ""
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


def ticket_body(i: int) -> dict:
    """The i-th ticket a kiosk asks for: the five services in turn, no priority."""
    return {"service": SERVICES[i % len(SERVICES)], "priority": False, "lang": "vi"}


@dataclass
class Outcome:
    """What a run of requests got: every latency (s) and every status."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    refusals: dict[int, str] = field(default_factory=dict)  # first body of each other status
    expected: int = 201

    def add(self, other: Outcome) -> None:
        """Take in ``other``'s requests (rounds of one condition pooled)."""
        self.latencies += other.latencies
        self.statuses += other.statuses
        for status, body in other.refusals.items():
            self.refusals.setdefault(status, body)

    def record(self, seconds: float, status: int, body: bytes) -> None:
        self.latencies.append(seconds)
        self.statuses[status] += 1
        if status != self.expected and status not in self.refusals:
            self.refusals[status] = body[:200].decode("utf-8", "replace")

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != self.expected)

    def describe_errors(self) -> str:
        """'0' or e.g. '12 (429 x12: {"error": ...})', for a figure's note."""
        if not self.errors:
            return "0"
        parts = [
            f"{status} x{n}: {self.refusals[status]}"
            for status, n in sorted(self.statuses.items())
            if status != self.expected
        ]
        return f"{self.errors} ({'; '.join(parts)})"

    def ms(self) -> list[float]:
        return [x * 1000 for x in self.latencies]


async def open_loop(
    port: int,
    clients: int,
    interval: float,
    seconds: float,
    token: Callable[[int], str],
    body: Callable[[int], dict] = ticket_body,
) -> Outcome:
    """``clients`` kiosks, each issuing a ticket every ``interval`` s for ``seconds`` s.

    The clients' schedules are staggered evenly over one interval; client n
    sends with ``token(n)`` and its i-th ticket is ``body(i)``.
    """
    out = Outcome()

    async def client(n: int) -> None:
        conn = await Conn.open(port)
        start = time.perf_counter() + n * interval / clients
        i = 0
        try:
            while i * interval <= seconds:
                await asyncio.sleep(max(0.0, start + i * interval - time.perf_counter()))
                t0 = time.perf_counter()
                status, data = await conn.request("POST", "/api/v1/tickets", token(n), body(i))
                out.record(time.perf_counter() - t0, status, data)
                i += 1
        finally:
            conn.close()

    await asyncio.gather(*(client(n) for n in range(clients)))
    return out


def quantile(values: list[float], q: int) -> float:
    """The q-th percentile (1..99), inclusive method; the value itself for one sample."""
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


async def warm_up(port: int, requests: list[tuple[str, str, str, dict | None]]) -> None:
    """Send each (method, path, token, body) in turn until the server accepts it.

    An unnamed device token's first use is checked with scrypt against every
    configured hash (about a second on a small machine; a named one,
    ``kiosk-2.SECRET``, against its own only), and the server refuses more than
    a couple of such checks at once per address with 429; after that it costs
    a dict lookup. A centre's kiosks and counters are past this minutes after
    start-up, so a measurement starts after it, never with refusals in its figures.
    """
    conn = await Conn.open(port)
    try:
        for method, path, token, body in requests:
            for _ in range(120):
                status, data = await conn.request(method, path, token, body)
                if status < 400:
                    break
                if status != 429:
                    raise RuntimeError(f"{method} {path} answered {status}: {data[:200]!r}")
                await asyncio.sleep(0.5)
            else:
                raise RuntimeError(f"{method} {path} was still refused after a minute")
    finally:
        conn.close()


def print_figures(run: Callable[[Path], list[dict]]) -> None:
    """``python -m benchmarks.bench_X``: one module's figures, benchmarks/results.json untouched."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for entry in run(Path(tmp)):
            print(json.dumps(entry, ensure_ascii=False))
