"""Ticket printing: render + encode time, bytes per ticket, time on the wire.

A standard ticket (no priority mark, QR to the status page) in Vietnamese and
Khmer on 80 mm paper, built from the bundled config as the kiosk builds it.
Each round is a different ticket (number, people ahead, wait, time, id).
Two timings: "uncached" draws every line (the printer's cache of drawn lines
cleared each round: the worst case), "at the kiosk" keeps the cache, so lines
that repeat from ticket to ticket (centre, headings, footer) are not redrawn.
Targets (issue #7): render + encode <= 50 ms, <= 12 KB. The print-test ticket
(priority, a chosen procedure, marked TEST) against the targets of issue #18:
vi <= 4 KB, km <= 6 KB, en <= 1.5 KB, with its seconds on a 9600/19200-baud line.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.load import quantile
from hardware.printer import Printer
from hardware.printer.raster import draw_ink, measure
from kiosk.commands.printer import SAMPLE_PROCEDURE, sample_ticket
from kiosk.config import Config, load_config
from kiosk.printing import build_ticket_slip, open_printer, render
from tests.conftest import write_config

ROUNDS = 60


def _on_the_wire(what: str, lang: str, size: int, bauds: tuple[int, ...], note: str) -> list[dict]:
    """Seconds ``size`` bytes take on a serial line at each speed (8N1: ten bits a byte)."""
    return [
        {
            "name": f"{what} on the wire at {baud} baud ({lang})",
            "value": round(size * 10 / baud, 2),
            "unit": "s",
            "target": None,
            "note": note,
        }
        for baud in bauds
    ]


def _tickets(cfg: Config, lang: str, count: int) -> list[dict]:
    base = {**sample_ticket(cfg, lang), "priority": False}
    start = datetime(2025, 3, 5, 1, 0, tzinfo=UTC)
    return [
        {
            **base,
            "id": f"bench-{lang}-{i:04d}-7Qm4ZK2vXcR9pL3w",
            "number": f"A{i + 1:03d}",
            "ahead": i % 23,
            "eta_minutes": (i % 23) * 7,
            "issued_at": (start + timedelta(minutes=3 * i)).isoformat(),
        }
        for i in range(count)
    ]


def _clear_line_cache() -> None:
    draw_ink.cache_clear()
    measure.cache_clear()


def _time(printer: Printer, slips: list, clear: bool) -> tuple[list[float], list[int]]:
    times, sizes = [], []
    for slip in slips:
        if clear:
            _clear_line_cache()
        started = time.perf_counter()
        data = render(printer, slip).data
        times.append((time.perf_counter() - started) * 1000)
        sizes.append(len(data))
    return times, sizes


def _ms(name: str, values: list[float], note: str) -> list[dict]:
    return [
        {
            "name": f"{name} p50",
            "value": round(statistics.median(values), 2),
            "unit": "ms",
            "target": "<= 50",
            "note": note,
        },
        {
            "name": f"{name} p99",
            "value": round(quantile(values, 99), 2),
            "unit": "ms",
            "target": "<= 50",
            "note": note,
        },
    ]


PRINT_TEST_TARGET_KB = {"vi": 4, "km": 6, "en": 1.5}


def _print_test_figures(cfg: Config, printer: Printer) -> list[dict]:
    out: list[dict] = []
    for lang, target in PRINT_TEST_TARGET_KB.items():
        slip = build_ticket_slip(sample_ticket(cfg, lang), cfg, lang, SAMPLE_PROCEDURE, test=True)
        size = len(render(printer, slip).data)
        out.append(
            {
                "name": f"print-test ticket size ({lang})",
                "value": round(size / 1024, 2),
                "unit": "KB",
                "target": f"<= {target}",
                "note": f"{size} bytes: priority, procedure named, TEST mark, 80 mm",
            }
        )
        out += _on_the_wire("print-test ticket", lang, size, (9600, 19200), "8N1 serial")
    return out


def run(workdir: Path) -> list[dict]:
    # A centre whose server phones can reach: the tickets carry their status QR.
    lan = {r'public_url = ""': 'public_url = "http://192.168.1.10:8080"'}
    cfg = load_config(write_config(workdir, **lan))
    printer = open_printer(f"file://{workdir}/bench.bin", cfg.kiosk.paper_width_mm)
    image_qr = open_printer(f"file://{workdir}/bench.bin?qr=image", cfg.kiosk.paper_width_mm)
    out: list[dict] = _print_test_figures(cfg, printer)
    for lang in ("vi", "km"):
        slips = [build_ticket_slip(t, cfg, lang) for t in _tickets(cfg, lang, ROUNDS)]
        _clear_line_cache()
        _time(printer, slips[:1], clear=True)  # loads the fonts
        cold, sizes = _time(printer, slips, clear=True)
        _clear_line_cache()
        warm, _ = _time(printer, slips, clear=False)
        size = max(sizes)
        _, image_sizes = _time(image_qr, slips, clear=False)
        out += _ms(
            f"ticket render+encode, uncached ({lang})",
            cold,
            f"80 mm, {ROUNDS} different tickets, every line drawn",
        )
        out += _ms(
            f"ticket render+encode at the kiosk ({lang})",
            warm,
            f"80 mm, {ROUNDS} different tickets in a row, repeated lines cached",
        )
        out.append(
            {
                "name": f"ticket size ({lang})",
                "value": round(size / 1024, 2),
                "unit": "KB",
                "target": "<= 12",
                "note": f"largest of {ROUNDS}: {size} bytes, QR by GS ( k",
            }
        )
        out.append(
            {
                "name": f"ticket size, QR as image ({lang})",
                "value": round(max(image_sizes) / 1024, 2),
                "unit": "KB",
                "target": "<= 12",
                "note": "printers without GS ( k: QR in GS v 0 quadruple mode",
            }
        )
        out += _on_the_wire(
            "ticket", lang, size, (9600, 19200, 115200), "8N1 serial, the largest ticket"
        )
    return out
