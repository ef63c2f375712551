"""Printer transports are one registry: a new scheme is one registered factory."""

from __future__ import annotations

from typing import ClassVar

import pytest

from hardware.printer import open_printer
from hardware.printer.links import Link
from hardware.printer.transports import _REGISTRY, printer_schemes, register_transport
from hardware.urls import DeviceURLError, parse_printer_url
from kiosk.printing import render, ticket_wrap
from tests.printer.escpos_decoder import decode
from tests.printer.samples import FONTS, TICKETS


class MemoryLink(Link):
    """A transport that keeps what it is sent: stands for any new kind of printer link."""

    sent: ClassVar[list[bytes]] = []

    def send(self, job, timeout: float) -> None:
        self.sent.append(job.data)

    def describe(self) -> str:
        return "memory"


@pytest.fixture
def memory_scheme():
    def check(dev):
        if dev.params.get("slot", "1") not in ("1", "2"):
            raise DeviceURLError(f"{dev.raw!r}: slot must be 1 or 2")

    register_transport("mem", params=("slot",), check=check)(lambda dev, s, f: MemoryLink())
    yield
    del _REGISTRY["mem"]


def test_a_registered_scheme_is_parsed_checked_and_printed_to(memory_scheme) -> None:
    assert "mem" in printer_schemes()
    assert parse_printer_url("mem://x?slot=2&qr=image").params == {"slot": "2", "qr": "image"}
    with pytest.raises(DeviceURLError, match="slot must be 1 or 2"):
        parse_printer_url("mem://x?slot=3")
    with pytest.raises(DeviceURLError, match="unknown setting 'baudrate'"):
        parse_printer_url("mem://x?baudrate=9600")  # a serial setting, not this transport's
    printer = open_printer("mem://x", FONTS, wrap=ticket_wrap)
    report = printer.print_job(render(printer, TICKETS["vi"], name="B007"))
    assert report.bytes == len(MemoryLink.sent[-1])
    assert decode(MemoryLink.sent[-1], 576, FONTS.latin_bold).overflow == []


def test_unregistered_schemes_and_other_transports_settings_are_refused() -> None:
    with pytest.raises(DeviceURLError, match="unknown scheme 'mem'"):
        parse_printer_url("mem://x")
    with pytest.raises(DeviceURLError, match="unknown setting 'flow' for a tcp printer"):
        parse_printer_url("tcp://10.0.0.5:9100?flow=rtscts")
    with pytest.raises(DeviceURLError, match="flow must be one of"):
        parse_printer_url("serial:///dev/ttyUSB0?flow=magic")
