"""The citizen's phone page: weight, first render on a 3G phone, and 300 phones following.

The server runs as `kiosk serve` in its own process (bench_queue's server and
config); the kiosks are benchmarks.load's open-loop load generator.

* page weight: HTML + CSS + JS of the heaviest state (a served ticket with the
  rating form), each gzip-compressed (level 6), the Khmer font excluded
* first render, full load and bytes on 3G: headless Chromium as a 360x740
  phone, Chromium's network emulation at 400 kbit/s both ways and 400 ms round
  trip, a fresh cache; first-contentful-paint of a Vietnamese and a Khmer
  ticket page, the end of its last download once its fonts are in (the live
  long-poll excluded), and the bytes it took over the wire (fonts included;
  the server has just started: it makes the web fonts as it serves the page)
* 300 phones following: the issue-ticket p99 of bench_queue's open-loop kiosks
  (20 kiosks, 500 tickets/s offered; counters calling meanwhile) with and
  without 300 phones long-polling their tickets' /t/{id}/live as the page's
  script does (in a process of their own at a lower CPU priority: on their
  own devices they would take none of the server's). Every
  kiosk and counter token is verified before measuring (a token's first use
  costs scrypt and is refused with 429 beyond two at once). Rounds alternate
  in pairs (without-with, then with-without) so a drift of the machine's
  load falls on both; each condition's p99 is over all its rounds' tickets.
  The figure is the ratio with / without; the server process's CPU time over
  the same rounds is given too, as it depends less on other load.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import multiprocessing
import os
import re
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import psutil

from benchmarks.bench_queue import CLIENTS, KIOSK, OFFERED_RATE, _start_server, kiosk_token
from benchmarks.load import (
    SERVICES,
    Conn,
    Outcome,
    open_loop,
    print_figures,
    quantile,
    ticket_body,
    warm_up,
)

PHONES = 300
CALL_INTERVAL = 2.0  # s between counter calls (round-robin): ~6x a busy centre's peak
PAIRS = 5  # rounds without and with phones, interleaved, to even out a noisy shared machine
ROUND_SECONDS = 5.0
SETTLE = 1.0  # s after the phones joined or left before a round starts
CHROMIUM = "/usr/bin/chromium"
THREE_G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.read()


def _post(url: str, token: str, body: dict[str, Any] | None = None) -> Any:
    req = urllib.request.Request(
        url,
        data=json.dumps(body or {}).encode(),
        headers={"Authorization": token, "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        data = resp.read()
    return json.loads(data) if data else None


def _issue(base: str, service: str, lang: str = "vi") -> dict[str, Any]:
    return _post(f"{base}/api/v1/tickets", KIOSK, {"service": service, "lang": lang})


# What a page loads: its stylesheets and module scripts, and what those import.
_LOADS = re.compile(r'<link rel="stylesheet" href="([^"]+)"|<script[^>]* src="([^"]+)"')
_IMPORTS = re.compile(r'^\s*import\s(?:[^;]*?\sfrom\s)?\s*"([^"]+)"', re.M)


def _page_weight(base: str) -> tuple[int, int, list[str]]:
    """gzip and raw bytes of the served ticket's page and everything it loads but the font."""
    ticket = _issue(base, "chung-thuc")
    _post(f"{base}/api/v1/counters/2/next", "Bearer dev-counter-2")
    _post(f"{base}/api/v1/counters/2/done", "Bearer dev-counter-2")
    html = _get(f"{base}/t/{ticket['id']}")
    assert b'id="rating"' in html, "the served ticket's page shows the rating form"
    parts = {"page": html}
    todo = [a or b for a, b in _LOADS.findall(html.decode())]
    while todo:
        url = todo.pop()
        if url not in parts:
            parts[url] = _get(f"{base}{url}")
            if url.endswith(".js"):
                todo += [urljoin(url, i) for i in _IMPORTS.findall(parts[url].decode())]
    sizes = [(len(gzip.compress(p, 6)), len(p)) for p in parts.values()]
    return sum(g for g, _ in sizes), sum(r for _, r in sizes), sorted(set(parts) - {"page"})


# What a loaded page reports once its fonts are in: first paint, the end of its
# last download (the live long-poll excluded: it stays open by design) and the
# bytes that came over the wire (headers included, compressed where served so).
_LOAD_FIGURES = """async () => {
  await document.fonts.ready;
  const nav = performance.getEntriesByType("navigation")[0];
  const loads = [nav, ...performance.getEntriesByType("resource")]
    .filter((e) => !e.name.includes("/live"));
  return {
    fcp: performance.getEntriesByName("first-contentful-paint")[0].startTime,
    full: Math.max(nav.loadEventEnd, ...loads.map((e) => e.responseEnd)),
    bytes: loads.reduce((sum, e) => sum + e.transferSize, 0),
    fonts: loads.filter((e) => e.name.includes("/fonts/")).map((e) => e.name.split("/").pop()),
  };
}"""


def _loads_on_3g(base: str) -> dict[str, dict[str, Any]]:
    """A Vietnamese and a Khmer ticket page opened on 3G with a fresh cache: what it cost.

    The server has just started: these are the first phones, and the server makes
    the web fonts when it serves the pages that will ask for them.
    """
    from playwright.sync_api import sync_playwright

    pages = {"vi": _issue(base, "dat-dai", "vi"), "km": _issue(base, "dat-dai", "km")}
    out: dict[str, dict[str, Any]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            for lang, ticket in pages.items():
                context = browser.new_context(
                    viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
                )
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.emulateNetworkConditions", THREE_G)
                page.goto(f"{base}/t/{ticket['id']}", wait_until="load")
                out[lang] = page.evaluate(_LOAD_FIGURES)
                context.close()
        finally:
            browser.close()
    return out


async def _counters(port: int, stop: asyncio.Event) -> Outcome:
    """Four counters calling the next ticket in turn, one call every CALL_INTERVAL s."""
    conns = [await Conn.open(port) for _ in range(4)]
    calls = Outcome(expected=200)
    while not stop.is_set():
        n = len(calls.latencies) % 4
        t0 = time.perf_counter()
        status, data = await conns[n].request(
            "POST", f"/api/v1/counters/{n + 1}/next", f"Bearer dev-counter-{n + 1}"
        )
        # 204: that counter's services have nobody waiting (not a refusal).
        calls.record(time.perf_counter() - t0, 200 if status == 204 else status, data)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), CALL_INTERVAL)
    for conn in conns:
        conn.close()
    return calls


class Phones:
    """The phones' shared counters and switches (across the process boundary)."""

    def __init__(self, ctx: Any) -> None:
        self.follow = ctx.Event()  # set: phones follow their tickets; clear: they hang up
        self.quit = ctx.Event()
        self.following = ctx.Value("i", 0)  # phones connected that had a first answer
        self.answers = ctx.Value("i", 0)
        self.refused = ctx.Value("i", 0)  # answers other than 200

    @staticmethod
    def add(counter: Any, n: int) -> None:
        with counter.get_lock():
            counter.value += n


async def _phone(port: int, ticket_id: str, phones: Phones) -> None:
    """One phone's page script: long-poll its ticket, again at once after each answer."""
    conn = await Conn.open(port)
    version = ""
    counted = False
    try:
        while True:
            # A phone's browser sends no Authorization: the ticket id is the capability.
            status, data = await conn.request(
                "GET", f"/t/{ticket_id}/live?v={version}&wait=25", None
            )
            if status != 200:
                Phones.add(phones.refused, 1)
                await asyncio.sleep(2.0)  # as the page does after a failed poll
                continue
            version = json.loads(data)["version"]
            Phones.add(phones.answers, 1)
            if not counted:
                counted = True
                Phones.add(phones.following, 1)
    finally:
        if counted:
            Phones.add(phones.following, -1)
        conn.close()


def _phones_main(port: int, ticket_ids: list[str], phones: Phones) -> None:
    """The phones, in their own process as on their own devices (not in the kiosks' loop).

    At a lower CPU priority: a phone's work runs on the phone, not on the centre
    server's cores; here it must not take the server's share of the machine.
    """
    os.nice(10)

    async def main() -> None:
        while not phones.quit.is_set():
            if not phones.follow.is_set():
                await asyncio.sleep(0.05)
                continue
            tasks = [asyncio.create_task(_phone(port, tid, phones)) for tid in ticket_ids]
            while phones.follow.is_set() and not phones.quit.is_set():
                await asyncio.sleep(0.05)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(main())


async def _until(condition: Any, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not happen within {timeout:g} s")
        await asyncio.sleep(0.05)


async def _round(
    port: int, procs: list[psutil.Process], phones: Phones, following: bool
) -> tuple[Outcome, Outcome, list[float]]:
    """One round with or without the phones following: issues, calls, CPU seconds of ``procs``."""
    if following:
        phones.follow.set()
        # Measure the phones following, not PHONES pages opening at the same instant.
        await _until(lambda: phones.following.value == PHONES, "all phones following")
    else:
        phones.follow.clear()
        await _until(lambda: phones.following.value == 0, "all phones hanging up")
    await asyncio.sleep(SETTLE)
    stop = asyncio.Event()
    cpu = [_cpu(p) for p in procs]
    counters = asyncio.create_task(_counters(port, stop))
    issues = await open_loop(port, CLIENTS, CLIENTS / OFFERED_RATE, ROUND_SECONDS, kiosk_token)
    stop.set()
    called = await counters
    return issues, called, [_cpu(p) - c for p, c in zip(procs, cpu, strict=True)]


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


async def _follow_figures(port: int, base: str, server: psutil.Process) -> dict[str, Any]:
    await warm_up(
        port,
        [("POST", "/api/v1/tickets", kiosk_token(n), ticket_body(n)) for n in range(CLIENTS)]
        + [("GET", f"/api/v1/counters/{n}", f"Bearer dev-counter-{n}", None) for n in range(1, 5)],
    )
    followed = [_issue(base, SERVICES[i % len(SERVICES)])["id"] for i in range(PHONES)]
    ctx = multiprocessing.get_context("spawn")
    phones = Phones(ctx)
    child = ctx.Process(target=_phones_main, args=(port, followed, phones), daemon=True)
    child.start()
    # The server's, the phones' and this process's (the kiosks') CPU seconds per condition.
    procs = [server, psutil.Process(child.pid), psutil.Process()]
    rounds: dict[bool, list[Outcome]] = {False: [], True: []}
    calls = Outcome(expected=200)
    cpu: dict[bool, list[float]] = {False: [0.0] * 3, True: [0.0] * 3}
    try:
        for pair in range(PAIRS):
            # Without-with, then with-without: a drift of the machine's load cancels out.
            for following in (False, True) if pair % 2 == 0 else (True, False):
                issues, called, seconds = await _round(port, procs, phones, following)
                rounds[following].append(issues)
                cpu[following] = [a + b for a, b in zip(cpu[following], seconds, strict=True)]
                calls.add(called)
    finally:
        phones.quit.set()
        child.join(30)
    return {
        "without": rounds[False],
        "with": rounds[True],
        "calls": calls,
        "cpu": cpu,
        "answers": phones.answers.value,
        "phone_refusals": phones.refused.value,
    }


def _p99(outcome: Outcome) -> float:
    return quantile(outcome.ms(), 99)


def _follow_entry(follow: dict[str, Any]) -> dict[str, Any]:
    without, with_phones = Outcome(), Outcome()
    for o in follow["without"]:
        without.add(o)
    for o in follow["with"]:
        with_phones.add(o)
    before, after = _p99(without), _p99(with_phones)
    pairs = zip(follow["without"], follow["with"], strict=True)
    per_round = " / ".join(
        f"{_p99(a):.1f}-{_p99(b):.1f} ({_p99(b) / _p99(a):.2f}x)" for a, b in pairs
    )
    calls = follow["calls"]
    return {
        "name": "issue p99 with 300 phones following / without",
        "value": round(after / before, 2),
        "unit": "x",
        "target": "<= 1.2",
        "note": (
            f"issue p99 {before:.1f} ms without, {after:.1f} ms with {PHONES} phones "
            f"long-polling their tickets (p50 {quantile(without.ms(), 50):.1f} / "
            f"{quantile(with_phones.ms(), 50):.1f} ms); {PAIRS} interleaved pairs of "
            f"{ROUND_SECONDS:g} s rounds, {len(without.latencies)} / "
            f"{len(with_phones.latencies)} tickets from {CLIENTS} kiosks at "
            f"{OFFERED_RATE:g}/s; p99 per pair without-with (ms): {per_round}; "
            f"not issued: {without.describe_errors()} / {with_phones.describe_errors()}; "
            f"{len(calls.latencies)} counter calls (one every {CALL_INTERVAL:g} s), "
            f"{calls.errors} refused; {follow['answers']} live answers to phones, "
            f"{follow['phone_refusals']} refused; load average {os.getloadavg()[0]:.1f} "
            f"on {os.cpu_count()} cores at the end"
        ),
    }


def _full_load_entries(loads: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Full load time and bytes on 3G of the Khmer and the Vietnamese page."""
    fonts = "; ".join(
        f"{lang} fonts: {', '.join(load['fonts']) or 'none'}" for lang, load in loads.items()
    )
    return [
        entry
        for lang, load in loads.items()
        for entry in (
            {
                "name": f"phone page full load on 3G ({lang})",
                "value": round(load["full"]),
                "unit": "ms",
                "target": "<= 3000",
                "note": (
                    "the end of the last download (page, CSS, JS, fonts; the live long-poll "
                    "excluded) after the fonts are ready, 360x740 phone, 400 kbit/s, "
                    f"400 ms RTT; {fonts}; a server just started (it makes each web font "
                    "as it serves the first page that will ask for it)"
                ),
            },
            {
                "name": f"phone page bytes on 3G ({lang})",
                "value": round(load["bytes"] / 1024, 1),
                "unit": "KB",
                "target": "<= 60",
                "note": "transferred, headers included, fresh cache, as the browser reports it",
            },
        )
    ]


def run(workdir: Path) -> list[dict]:
    proc, port = _start_server(workdir)
    base = f"http://127.0.0.1:{port}"
    try:
        gz, raw, loaded = _page_weight(base)
        loads = _loads_on_3g(base)
        follow = asyncio.run(_follow_figures(port, base, psutil.Process(proc.pid)))
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except Exception:
            proc.kill()
    return [
        {
            "name": "phone page weight (HTML + CSS + JS, gzip)",
            "value": round(gz / 1024, 1),
            "unit": "KB",
            "target": "<= 30",
            "note": (
                f"served ticket with the rating form and {', '.join(loaded)}; "
                f"{raw / 1024:.1f} KB uncompressed"
            ),
        },
        {
            "name": "phone page first render on 3G",
            "value": round(max(load["fcp"] for load in loads.values())),
            "unit": "ms",
            "target": "<= 2000",
            "note": (
                "first-contentful-paint, 360x740 phone, 400 kbit/s, 400 ms RTT; "
                + ", ".join(f"{lang} {load['fcp']:.0f} ms" for lang, load in loads.items())
            ),
        },
        *_full_load_entries(loads),
        _follow_entry(follow),
        {
            "name": "server CPU with 300 phones following / without",
            "value": round(follow["cpu"][True][0] / follow["cpu"][False][0], 2),
            "unit": "x",
            "target": None,
            "note": (
                f"the server process's CPU time over the same rounds: "
                f"{follow['cpu'][False][0]:.1f} s without, {follow['cpu'][True][0]:.1f} s with; "
                "what the phones cost the server, less sensitive to other load than a p99; "
                f"on the same 2 cores the phones' own process took {follow['cpu'][True][1]:.2f} s "
                f"(at nice 10) and the kiosks' {follow['cpu'][False][2]:.1f} / "
                f"{follow['cpu'][True][2]:.1f} s"
            ),
        },
    ]


if __name__ == "__main__":
    print_figures(run)
