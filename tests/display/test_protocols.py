"""Display protocols byte by byte (docs/displays.md) and the display URL idiom."""

from __future__ import annotations

import logging
from typing import ClassVar

import pytest

from hardware.display import (
    DisplayError,
    Protocol,
    get_protocol,
    parse_display,
    protocol_names,
    register_protocol,
)
from hardware.urls import DeviceURLError, parse_display_url

from .emulator import parse_ascii, parse_bcd_pair


@pytest.mark.parametrize(
    ("number", "frame"),
    [
        ("1005", "aa 03 10 05"),
        ("5001", "aa 03 50 01"),
        ("0", "aa 03 00 00"),
        ("9999", "aa 03 99 99"),
        ("A012", "aa 03 00 12"),  # digits only: the board has no letters
        ("C150", "aa 03 01 50"),
    ],
)
def test_bcd_pair_frames(number: str, frame: str) -> None:
    assert get_protocol("bcd-pair").frame(3, number).hex(" ") == frame


def test_bcd_pair_blank_and_limits(caplog: pytest.LogCaptureFixture) -> None:
    proto = get_protocol("bcd-pair")
    assert proto.frame(1, None) == bytes.fromhex("AA 01 FF FF")
    assert proto.frame(255, "7") == bytes.fromhex("AA FF 00 07")
    with caplog.at_level(logging.WARNING):
        assert proto.frame(2, "123456") == bytes.fromhex("AA 02 34 56")
    assert "last 4 digits" in caplog.text
    with pytest.raises(DisplayError, match="no digits"):
        proto.frame(1, "AB")
    with pytest.raises(DisplayError, match="out of range"):
        proto.frame(256, "1")
    assert proto.shown("A012") == "0012" and proto.shown(None) == ""


def test_bcd_pair_frames_parse_back() -> None:
    proto = get_protocol("bcd-pair")
    stream = bytearray(proto.frame(1, "1005") + proto.frame(2, None) + proto.frame(3, "A7"))
    frames, rest = parse_bcd_pair(stream)
    assert [(a, t) for a, t, _ in frames] == [(1, "1005"), (2, None), (3, "0007")]
    assert not rest


def test_ascii_frames() -> None:
    proto = get_protocol("ascii")
    assert proto.frame(1, "A012") == bytes.fromhex("01 01 41 30 31 32 07")
    assert proto.frame(4, "5001") == b"\x01\x045001\x07"
    assert proto.frame(7, None) == b"\x01\x07\x07"  # address 7 is legal: it is positional
    assert proto.frame(2, "a1") == b"\x01\x02A1\x07"
    assert proto.frame(2, "Ă1") == b"\x01\x02?1\x07"  # never a byte outside 20-7E
    with pytest.raises(DisplayError, match="longer than"):
        proto.frame(1, "X" * 17)
    assert proto.gap == pytest.approx(0.3)
    frames, rest = parse_ascii(bytearray(proto.frame(7, None) + proto.frame(1, "B003")))
    assert [(a, t) for a, t, _ in frames] == [(7, None), (1, "B003")]
    assert not rest


def test_registry_accepts_a_new_protocol() -> None:
    @register_protocol
    class Reversed(Protocol):
        name: ClassVar[str] = "test-reversed"
        description: ClassVar[str] = "test only"

        def frame(self, address: int, number: str | None) -> bytes:
            return bytes([address]) + (number or "")[::-1].encode()

        def shown(self, number: str | None) -> str:
            return number or ""

    assert "test-reversed" in protocol_names()
    spec, address = parse_display("loop://?protocol=test-reversed&address=9")
    assert spec.protocol == "test-reversed" and address == 9
    assert get_protocol("test-reversed").frame(9, "12") == b"\x0921"
    with pytest.raises(DisplayError, match="known: ascii, bcd-pair"):
        get_protocol("nope")
    with pytest.raises(DeviceURLError, match="unknown display protocol"):
        parse_display_url("loop://?protocol=nope")


def test_display_urls_to_ports() -> None:
    spec, address = parse_display(
        "serial:///dev/serial/by-id/usb-FTDI-if00?baudrate=19200&protocol=bcd-pair&address=3"
    )
    assert (spec.kind, spec.target, spec.baudrate, address) == (
        "device",
        "/dev/serial/by-id/usb-FTDI-if00",
        19200,
        3,
    )
    assert spec.exclusive and spec.probes
    spec, address = parse_display("loop://?protocol=ascii")
    assert (spec.target, spec.gap, address) == ("loop://", 0.3, None)
    assert not spec.exclusive and not spec.probes
    spec, _ = parse_display("socket://127.0.0.1:7000?logging=debug&address=2&gap=100")
    assert spec.target == "socket://127.0.0.1:7000?logging=debug" and spec.gap == 0.1
    spec, address = parse_display("hwgrep://1a86:7523&n=2?protocol=bcd-pair&address=4")
    assert (spec.target, spec.protocol, address) == ("hwgrep://1a86:7523&n=2", "bcd-pair", 4)
    assert spec.exclusive
    spec, _ = parse_display("hwgrep://VID:PID=1A86:7523&skip_busy&address=4")
    assert spec.target == "hwgrep://VID:PID=1A86:7523&skip_busy"
    spec, _ = parse_display("log://?address=1")
    assert spec.kind == "log" and spec.gap == 0
    spec, _ = parse_display("serial:///dev/ttyUSB0?parity=e&stopbits=2&bytesize=7")
    assert (spec.parity, spec.stopbits, spec.bytesize) == ("E", 2, 7)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("serial:///dev/ttyUSB0?parity=X", "parity"),
        ("serial:///dev/ttyUSB0?gap=9000", "gap"),
        ("serial:///dev/ttyUSB0?stopbits=3", "stopbits"),
        ("loop://?address=-1", "address"),
        ("hwgrep://", "pattern"),
    ],
)
def test_display_urls_refused(url: str, words: str) -> None:
    with pytest.raises(DeviceURLError, match=words):
        parse_display(url)


def test_config_refuses_an_unknown_protocol(tmp_path) -> None:
    from kiosk.config import ConfigError, load_config
    from tests.conftest import write_config

    conf = write_config(
        tmp_path, **{r'^display = "log://\?address=2"': 'display = "log://?protocol=led7"'}
    )
    with pytest.raises(ConfigError, match=r"counter '2' display.*unknown display protocol 'led7'"):
        load_config(conf)
