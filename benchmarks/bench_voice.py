"""Offline voice: how long espeak-ng takes to render a call before it can be heard.

The board renders a language's sentence on the player thread just before playing
it (then keeps the WAV), so this is the delay a fresh call adds after the chime:
it must stay well under the chime's 1.6 s. Also the listen button's first
sentence on a procedure page. Each text is new (a different number), so every
figure is a real espeak-ng run, not a cache hit.
"""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

from kiosk.voice import OfflineVoice

RUNS = 20


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def run(workdir: Path) -> list[dict]:
    if shutil.which("espeak-ng") is None:
        return [
            {"name": "voice_offline_call_render_p95", "value": None, "unit": "ms",
             "target": "<= 500", "note": "espeak-ng is not installed (scripts/system-deps)"}
        ]  # fmt: skip
    voice = OfflineVoice(workdir / "offline", dialect="south")
    call, page = [], []
    for i in range(RUNS):
        text = f"Xin mời công dân có số thứ tự, a không {i // 10} {i % 10}, đến quầy số, ba"
        started = time.perf_counter()
        voice.render(text, "vi")
        call.append((time.perf_counter() - started) * 1000)
        text = (
            f"Tờ khai đăng ký khai sinh theo mẫu số {i}; giấy chứng sinh do cơ sở khám "
            "bệnh, chữa bệnh cấp; giấy tờ tùy thân của người đi đăng ký khai sinh."
        )
        started = time.perf_counter()
        voice.render(text, "vi")
        page.append((time.perf_counter() - started) * 1000)
    return [
        {"name": "voice_offline_call_render_p95", "value": round(_pct(call, 0.95), 1),
         "unit": "ms", "target": "<= 500",
         "note": f"median {statistics.median(call):.1f} ms, {RUNS} calls, espeak-ng vi-vn-x-south"},
        {"name": "voice_offline_listen_sentence_p95", "value": round(_pct(page, 0.95), 1),
         "unit": "ms", "target": "<= 1000",
         "note": f"median {statistics.median(page):.1f} ms, a 30-word document line"},
    ]  # fmt: skip
