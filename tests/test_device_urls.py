"""hardware.urls: the device URL idiom of docs/printers.md and docs/displays.md."""

from __future__ import annotations

import pytest

from hardware.urls import DeviceURLError, parse_display_url, parse_printer_url


@pytest.mark.parametrize(
    "url",
    [
        "usb://04b8:0202",
        "usb://04b8:0e15?profile=TM-T20II",
        "serial:///dev/ttyUSB0?baudrate=19200",
        "tcp://192.0.2.10:9100",
        "cups://TM-T20",
        "file:///tmp/raw.bin",
        "preview:///var/tickets",
        "preview://tickets",
        "none",
    ],
)
def test_printer_urls_accepted(url: str) -> None:
    assert parse_printer_url(url).raw == url


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "non-empty"),
        ("lpt1", "not a printer URL"),
        ("http://printer", "unknown scheme"),
        ("usb://epson", "VID:PID"),
        ("serial://", "device path"),
        ("serial:///dev/ttyUSB0?baudrate=fast", "baudrate"),
        ("tcp://:9100", "needs a host"),
        ("tcp://printer:99999", "invalid port"),
    ],
)
def test_printer_urls_refused_with_a_reason(url: str, words: str) -> None:
    with pytest.raises(DeviceURLError, match=words):
        parse_printer_url(url)


def test_display_urls() -> None:
    dev = parse_display_url("serial:///dev/ttyUSB1?baudrate=9600&protocol=bcd-pair&address=3")
    assert dev.scheme == "serial" and dev.path == "/dev/ttyUSB1"
    assert dev.params == {"baudrate": "9600", "protocol": "bcd-pair", "address": "3"}
    for ok in ("loop://", "socket://127.0.0.1:7000", "rfc2217://host:2217", "log://", "none"):
        parse_display_url(ok)
    with pytest.raises(DeviceURLError, match="address"):
        parse_display_url("loop://?address=300")
    with pytest.raises(DeviceURLError, match="host:port"):
        parse_display_url("socket://host")
