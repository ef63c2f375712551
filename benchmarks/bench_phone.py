"""The citizen's phone page: weight, first render on a 3G phone, and 300 phones following.

The server runs as `kiosk serve` in its own process (see bench_queue, whose
client and server helpers this module reuses).

* page weight: HTML + CSS + JS of the heaviest state (a served ticket with the
  rating form), each gzip-compressed (level 6), the Khmer font excluded
* first render on 3G: headless Chromium as a 360x740 phone, Chromium's network
  emulation at 400 kbit/s both ways and 400 ms round trip, a fresh cache;
  first-contentful-paint of a Vietnamese and a Khmer ticket page
* 300 phones following: the issue-ticket p99 of bench_queue's open-loop kiosks
  (with counters calling meanwhile) with and without 300 phones long-polling
  their tickets' /t/{id}/live; the figure is the ratio with / without
"""

from __future__ import annotations

import asyncio
import gzip
import json
import statistics
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.bench_queue import KIOSK, Conn, _latency, _quantile, _start_server

PHONES = 300
CALL_INTERVAL = 0.25  # s between counter calls (round-robin over the four counters)
ROUNDS = 2  # alternate without/with phones, to even out a noisy shared machine
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


def _page_weight(base: str) -> tuple[int, int]:
    ticket = _issue(base, "chung-thuc")
    _post(f"{base}/api/v1/counters/2/next", "Bearer dev-counter-2")
    _post(f"{base}/api/v1/counters/2/done", "Bearer dev-counter-2")
    parts = [
        _get(f"{base}/t/{ticket['id']}"),
        _get(f"{base}/t/static/phone.css"),
        _get(f"{base}/t/static/phone.js"),
    ]
    assert b'id="rating"' in parts[0], "the served ticket's page shows the rating form"
    return sum(len(gzip.compress(p, 6)) for p in parts), sum(len(p) for p in parts)


def _first_render(base: str) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    pages = {"vi": _issue(base, "dat-dai", "vi"), "km": _issue(base, "dat-dai", "km")}
    out: dict[str, float] = {}
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
                out[lang] = page.evaluate(
                    "performance.getEntriesByName('first-contentful-paint')[0].startTime"
                )
                context.close()
        finally:
            browser.close()
    return out


async def _counters(port: int, stop: asyncio.Event) -> int:
    conns = [await Conn.open(port) for _ in range(4)]
    calls = 0
    while not stop.is_set():
        n = calls % 4
        await conns[n].request(
            "POST", f"/api/v1/counters/{n + 1}/next", f"Bearer dev-counter-{n + 1}"
        )
        calls += 1
        try:
            await asyncio.wait_for(stop.wait(), CALL_INTERVAL)
        except TimeoutError:
            pass
    for conn in conns:
        conn.close()
    return calls


async def _phone(port: int, ticket_id: str, answers: list[int]) -> None:
    conn = await Conn.open(port)
    version = ""
    try:
        while True:
            status, data = await conn.request(
                "GET", f"/t/{ticket_id}/live?v={version}&wait=25", "Bearer none"
            )
            if status != 200:
                return
            version = json.loads(data)["version"]
            answers.append(1)
    finally:
        conn.close()


async def _issue_p99(port: int, ticket_ids: list[str]) -> tuple[float, int, int]:
    """Issue p99 (ms) while counters call and ``ticket_ids`` are followed by phones."""
    answers: list[int] = []
    phones = [asyncio.create_task(_phone(port, tid, answers)) for tid in ticket_ids]
    await asyncio.sleep(0.5)  # every phone has its long-poll open
    stop = asyncio.Event()
    counters = asyncio.create_task(_counters(port, stop))
    latencies, errors = await _latency(port)
    stop.set()
    await counters
    for task in phones:
        task.cancel()
    await asyncio.gather(*phones, return_exceptions=True)
    return _quantile([x * 1000 for x in latencies], 99), errors, len(answers)


async def _follow_figures(port: int, base: str) -> dict[str, Any]:
    services = ("ho-tich", "chung-thuc", "dat-dai", "kinh-doanh-cu-tru", "van-hoa-xa-hoi")
    followed = [_issue(base, services[i % 5])["id"] for i in range(PHONES)]
    without: list[float] = []
    with_phones: list[float] = []
    woken = 0
    errors = 0
    for _ in range(ROUNDS):
        p99, err, _ = await _issue_p99(port, [])
        without.append(p99)
        errors += err
        p99, err, answers = await _issue_p99(port, followed)
        with_phones.append(p99)
        errors += err
        woken += answers
    return {"without": without, "with": with_phones, "errors": errors, "answers": woken}


def run(workdir: Path) -> list[dict]:
    proc, port = _start_server(workdir)
    base = f"http://127.0.0.1:{port}"
    try:
        gz, raw = _page_weight(base)
        render = _first_render(base)
        follow = asyncio.run(_follow_figures(port, base))
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except Exception:
            proc.kill()
    before = statistics.median(follow["without"])
    after = statistics.median(follow["with"])
    return [
        {
            "name": "phone page weight (HTML + CSS + JS, gzip)",
            "value": round(gz / 1024, 1),
            "unit": "KB",
            "target": "<= 30",
            "note": f"served ticket with the rating form; {raw / 1024:.1f} KB uncompressed",
        },
        {
            "name": "phone page first render on 3G",
            "value": round(max(render.values())),
            "unit": "ms",
            "target": "<= 2000",
            "note": (
                "first-contentful-paint, 360x740 phone, 400 kbit/s, 400 ms RTT; "
                + ", ".join(f"{lang} {ms:.0f} ms" for lang, ms in render.items())
            ),
        },
        {
            "name": "issue p99 with 300 phones following / without",
            "value": round(after / before, 2),
            "unit": "x",
            "target": "<= 1.2",
            "note": (
                f"issue p99 {before:.1f} ms without, {after:.1f} ms with {PHONES} phones "
                f"(medians of {ROUNDS} rounds each: {follow['without']} / {follow['with']}); "
                f"counters calling every {CALL_INTERVAL:g} s; {follow['answers']} live answers "
                f"to phones, {follow['errors']} issue errors"
            ),
        },
    ]
