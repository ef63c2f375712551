"""Printers that answer, run out of paper, open their cover, drop off or stall.

Real TCP sockets on 127.0.0.1 and real ptys; each fault must come back as the
right PrinterError kind and never as "printed". A stalled printer must come back
as kind "timeout" (the printer's own time limit fired); how long anything takes
is measured in benchmarks, never asserted here.
"""

from __future__ import annotations

import os

import pytest

from hardware.printer import PrinterError, open_printer
from hardware.printer.status import decode_status, valid_status_byte
from kiosk.printing import render, ticket_wrap
from tests.printer.escpos_decoder import decode
from tests.printer.fakes import (
    COVER_OPEN,
    CUTTER_JAM,
    NEAR_END,
    OFFLINE,
    PAPER_OUT,
    Behaviour,
    PtyFakePrinter,
    TcpFakePrinter,
)
from tests.printer.samples import FONTS, STATUS_URL, TICKETS

# The printer's time limit where a test makes it fire (a printer that never answers or
# stalls: it is what the test waits for), and where the fake printer is meant to answer
# (a generous one: its thread may answer late on a loaded machine, never not at all).
TIMEOUT = 1.5
PATIENT = 60.0

FAKES = {"tcp": TcpFakePrinter, "pty": PtyFakePrinter}


def _open(url: str, settle: float = 0.0, timeout: float = PATIENT):
    return open_printer(url, FONTS, timeout=timeout, settle_seconds=settle, wrap=ticket_wrap)


def _fail(fake, ticket=TICKETS["km"], timeout: float = PATIENT) -> PrinterError:
    printer = _open(fake.url, timeout=timeout)
    with pytest.raises(PrinterError) as info:
        printer.print_job(render(printer, ticket, name="B007"))
    printer.close()
    return info.value


@pytest.mark.parametrize("transport", ["tcp", "pty"])
def test_healthy_printer_gets_exactly_the_job(transport):
    with FAKES[transport]() as fake:
        printer = _open(fake.url)
        report = printer.print_job(render(printer, TICKETS["km"], name="B007"))
        printer.close()
        assert report.before.state == "ok" and report.after.state == "ok"
        job = render(printer, TICKETS["km"])
        assert bytes(fake.core.job) == job.data
        # Queried before (4 queries) and after (4 more).
        assert fake.core.queries == [1, 2, 3, 4, 1, 2, 3, 4]
        decoded = decode(bytes(fake.core.job), 576, FONTS.latin_bold)
        assert [q.data for q in decoded.qrs] == [STATUS_URL]


@pytest.mark.parametrize("transport", ["tcp", "pty"])
@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (PAPER_OUT, "paper_out"),
        (COVER_OPEN, "cover_open"),
        (OFFLINE, "offline"),
        (CUTTER_JAM, "fault"),
    ],
)
def test_fault_before_printing_sends_nothing(transport, status, kind):
    with FAKES[transport](Behaviour(status=status)) as fake:
        error = _fail(fake)
        assert error.kind == kind
        assert fake.core.job == bytearray()  # not one byte of the ticket went out
        assert _open(fake.url).status().state == kind


@pytest.mark.parametrize("transport", ["tcp", "pty"])
def test_paper_near_end_prints_and_says_so(transport):
    with FAKES[transport](Behaviour(status=NEAR_END)) as fake:
        printer = _open(fake.url)
        report = printer.print_job(render(printer, TICKETS["vi"], name="B007"))
        printer.close()
        assert report.after.state == "paper_near_end" and report.after.paper_near_end
        assert len(fake.core.job) == report.bytes


@pytest.mark.parametrize("transport", ["tcp", "pty"])
def test_paper_running_out_during_the_job_fails_it(transport):
    behaviour = Behaviour(status_later=PAPER_OUT, status_later_after=2000)
    with FAKES[transport](behaviour) as fake:
        error = _fail(fake)
        assert error.kind == "paper_out"
        assert "incomplete" in str(error)


@pytest.mark.parametrize("transport", ["tcp", "pty"])
def test_disconnect_mid_job(transport):
    with FAKES[transport](Behaviour(disconnect_after=3000)) as fake:
        error = _fail(fake)
        assert fake.core.dropped
        assert error.kind == "disconnected"


@pytest.mark.parametrize("transport", ["tcp", "pty"])
def test_printer_that_never_answers_times_out(transport):
    with FAKES[transport](Behaviour(answer=False)) as fake:
        error = _fail(fake, timeout=TIMEOUT)
        assert error.kind == "timeout"
        assert fake.core.job == bytearray()
        status = _open(fake.url, timeout=TIMEOUT).status()
        assert status.state == "timeout" and not status.printable


@pytest.mark.parametrize("transport", ["tcp", "pty"])
def test_printer_that_stalls_mid_job_times_out(transport):
    with FAKES[transport](Behaviour(stall_after=2500)) as fake:
        error = _fail(fake, timeout=TIMEOUT)
        assert fake.core.stalled
        assert error.kind == "timeout"


def test_large_job_to_a_stalled_serial_port_times_out_writing():
    # More than the pty's buffer: the write itself blocks, and must not block forever.
    from tests.printer.samples import CHECKLIST_KM

    with PtyFakePrinter(Behaviour(stall_after=100)) as fake:
        printer = _open(fake.url, timeout=TIMEOUT)
        job = render(printer, TICKETS["km"], CHECKLIST_KM)
        job = job + job + job
        assert len(job.data) > 40_000
        with pytest.raises(PrinterError) as info:
            printer.print_job(job)
        assert info.value.kind == "timeout"
        printer.close()


def test_nobody_listening_is_offline():
    with TcpFakePrinter() as fake:
        url = fake.url
    # The fake has closed its port: connection refused.
    error = _fail(type("Gone", (), {"url": url})())
    assert error.kind == "offline"


def test_missing_serial_device_is_offline(tmp_path):
    error = _fail(type("Gone", (), {"url": f"serial://{tmp_path}/ttyUSB9"})())
    assert error.kind == "offline"


def test_serial_port_kept_open_between_jobs():
    with PtyFakePrinter() as fake:
        printer = _open(fake.url)
        printer.print_job(render(printer, TICKETS["vi"], name="one"))
        printer.print_job(render(printer, TICKETS["vi"], name="two"))
        assert printer.status().state == "ok"
        printer.close()
        assert len(fake.core.queries) == 4 * 5


def test_tcp_reconnects_per_job():
    with TcpFakePrinter() as fake:
        printer = _open(fake.url)
        printer.print_job(render(printer, TICKETS["en"], name="one"))
        printer.print_job(render(printer, TICKETS["en"], name="two"))
        assert fake.connections == 2


def test_status_switched_off_says_unknown():
    with TcpFakePrinter(Behaviour(answer=False)) as fake:
        printer = _open(fake.url + "?status=off")
        assert printer.status().state == "unknown"
        report = printer.print_job(render(printer, TICKETS["vi"], name="B007"))
        assert report.after.state == "unknown"
        # The job was sent without waiting for an answer: wait until the fake has it all.
        with fake.core.changed:
            fake.core.changed.wait_for(lambda: len(fake.core.job) >= report.bytes)
        assert len(fake.core.job) == report.bytes


def test_settle_watches_status_after_the_data():
    # Paper runs out only once the paper has moved on: the status is fine before the
    # job (4 queries) and right after it (4 more), then out: caught by the settle polling.
    behaviour = Behaviour(status_later=PAPER_OUT, status_later_queries=8)
    with TcpFakePrinter(behaviour) as fake:
        printer = _open(fake.url, settle=60)  # the polling stops at the first paper out
        with pytest.raises(PrinterError) as info:
            printer.print_job(render(printer, TICKETS["vi"], name="B007"))
        assert info.value.kind == "paper_out"
        assert len(fake.core.queries) > 8


@pytest.mark.parametrize(
    ("answers", "state"),
    [
        ((0x12, 0x12, 0x12, 0x12), "ok"),
        ((0x12, 0x12, 0x12, 0x1E), "paper_near_end"),
        ((0x1A, 0x32, 0x12, 0x72), "paper_out"),
        ((0x1A, 0x16, 0x12, 0x12), "cover_open"),
        ((0x1A, 0x12, 0x12, 0x12), "offline"),
        ((0x1A, 0x52, 0x1A, 0x12), "fault"),
        ((0x12, 0x12, 0x52, 0x12), "fault"),
    ],
)
def test_decode_status(answers, state):
    status = decode_status(*answers)
    assert status.state == state
    assert status.detail


def test_status_byte_shape():
    assert valid_status_byte(0x12) and valid_status_byte(0x72)
    assert (
        not valid_status_byte(0x00) and not valid_status_byte(0x13) and not valid_status_byte(0x92)
    )


def test_file_that_never_takes_the_bytes_times_out(tmp_path):
    # A FIFO nobody reads: open() blocks like a device node of a switched-off printer.
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    printer = open_printer(f"file://{fifo}", FONTS, timeout=TIMEOUT)
    with pytest.raises(PrinterError) as info:
        printer.print_job(render(printer, TICKETS["vi"], name="B007"))
    assert info.value.kind == "timeout"
    # Let the abandoned writer finish so that no thread is left blocked.
    with open(fifo, "rb") as reader:
        assert reader.read(2) == b"\x1b@"


def test_stale_serial_port_is_reopened_once():
    with PtyFakePrinter() as fake:
        printer = _open(fake.url)
        printer.print_job(render(printer, TICKETS["vi"], name="one"))
        # The port kept open since the last job went away under us (cable replugged).
        printer.link._port.close()
        report = printer.print_job(render(printer, TICKETS["vi"], name="two"))
        assert report.after.state == "ok"
        printer.close()


def test_preview_keeps_the_newest_jobs(tmp_path, monkeypatch):
    from hardware.printer.links import PreviewLink

    monkeypatch.setattr(PreviewLink, "keep", 3)
    printer = open_printer(f"preview://{tmp_path}/previews", FONTS)
    reports = [printer.print_job(render(printer, TICKETS["en"], name=f"n{i}")) for i in range(5)]
    kept = sorted(p.name for p in (tmp_path / "previews").iterdir())
    assert len(kept) == 6
    assert {p.name for p in reports[-1].preview} <= set(kept)
    assert reports[0].preview[0].name not in kept


def test_hardware_imports_nothing_from_kiosk():
    import ast
    from pathlib import Path

    import hardware

    for path in Path(hardware.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n == "kiosk" or n.startswith("kiosk.") for n in names), path
