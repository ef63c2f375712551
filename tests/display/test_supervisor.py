"""Displays on real ptys and loop://: sharing a line, pacing, unplug and replug."""

from __future__ import annotations

import errno
import itertools
import socket
import threading
from pathlib import Path

import pytest

from hardware.display import DisplayError, DisplayHub, PortSupervisor, parse_display, show_once
from hardware.display.transport import LogPort, PortSpec, open_port

from .conftest import MakeBench, started
from .emulator import modbus_echo, parse_bcd_pair


def test_loop_port_is_shared_by_addresses() -> None:
    captured = bytearray()
    written = threading.Event()

    class Tap:
        """Wraps the real loop:// port and keeps what comes back out of it."""

        def __init__(self, port):
            self.port = port

        def write(self, data: bytes) -> int:
            n = self.port.write(data)
            captured.extend(self.port.read(len(data)))
            written.set()
            return n

        def read(self, size: int = 1) -> bytes:
            return b""

        def close(self) -> None:
            self.port.close()

    opens = []

    def opener(spec):
        opens.append(spec.target)
        return Tap(open_port(spec))

    hub = DisplayHub(opener=opener)
    d1 = hub.display("loop://?protocol=bcd-pair&address=1")
    d2 = hub.display("loop://?protocol=bcd-pair&address=2")
    hub.start()
    d1.show("1005")
    d2.show("A012")
    assert d1.wait_sent(60) and d2.wait_sent(60)
    hub.stop(timeout=1)
    assert opens == ["loop://"]  # one port object for both addresses
    frames, rest = parse_bcd_pair(captured)
    assert [(a, t) for a, t, _ in frames] == [(1, "1005"), (2, "0012")]
    assert not rest


def test_two_displays_on_one_pty_line(hub: DisplayHub, display_bench: MakeBench) -> None:
    bench = display_bench("usb-rs485", "ascii")
    url = f"serial://{bench.url_path}?protocol=ascii"
    d1 = hub.display(url + "&address=1")
    d2 = hub.display(url + "&address=2")
    assert len(hub.ports) == 1
    hub.start()
    d1.show("A012")
    d2.show("5001")
    assert bench.wait_showing({1: "A012", 2: "5001"})
    assert [f.raw for f in bench.frames] == [b"\x01\x01A012\x07", b"\x01\x025001\x07"]
    d1.clear()
    assert bench.wait_showing({1: None, 2: "5001"})
    assert not bench.errors


class FakeClock:
    """Time that passes only when the test (or a paced wait) moves it: checked, not timed.

    It counts how often it is read, so a test can wait until the supervisor has
    looked at the time (and found nothing due) without sleeping.
    """

    def __init__(self) -> None:
        self.now = 1000.0
        self.reads = 0
        self._cond = threading.Condition()

    def __call__(self) -> float:
        with self._cond:
            self.reads += 1
            self._cond.notify_all()
        return self.now

    def wait_reads(self, count: int, timeout: float = 60.0) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self.reads >= count, timeout)


class Recorder(LogPort):
    """The development log port, keeping each frame with the (fake) time it was written."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock
        self.writes: list[tuple[float, bytes]] = []

    def write(self, data: bytes) -> int:
        self.writes.append((self.clock.now, data))
        return super().write(data)


def test_frames_keep_the_protocols_gap() -> None:
    clock = FakeClock()
    port = Recorder(clock)

    class Paced(PortSupervisor):
        def _wait_gap(self, seconds: float) -> None:
            clock.now += seconds

    spec, _ = parse_display("loop://?protocol=ascii")
    sup = Paced(spec, opener=lambda _spec: port, clock=clock)
    sup.start()
    try:
        sup.set(1, "A012")
        sup.set(2, "5001")
        sup.set(3, None)
        assert sup.wait_sent(60)
    finally:
        sup.stop(timeout=1)
    assert [data for _, data in port.writes] == [
        b"\x01\x01A012\x07",
        b"\x01\x025001\x07",
        b"\x01\x03\x07",
    ]
    # Each frame starts at least 300 ms (the ascii boards' gap) after the last one ended.
    bits_per_byte = 10 / 9600
    for (before, frame), (after, _) in itertools.pairwise(port.writes):
        assert after - (before + len(frame) * bits_per_byte) >= 0.3 - 1e-9


class Answering(Recorder):
    """A Modbus display that answers each frame (its echo) once ``answering`` is set."""

    answering = False

    def read(self, size: int = 1) -> bytes:
        if not self.answering or not self.writes:
            return b""
        return modbus_echo(self.writes[-1][1])[:size]


def test_a_display_that_did_not_answer_is_retried_by_the_injected_clock() -> None:
    clock = FakeClock()
    port = Answering(clock)
    spec, _ = parse_display("loop://?protocol=led485-modbus&timeout=100")
    sup = PortSupervisor(spec, opener=lambda _spec: port, backoff_start=0.5, clock=clock)
    sup.start()
    try:
        sup.set(1, "A012")
        assert sup.wait_until(lambda s: 1 in s.status()["unanswered"], 60)
        # The supervisor looks at the time again and again; while it stands still the
        # retry (due 0.5 s after the silence) is not.
        assert clock.wait_reads(clock.reads + 4)
        assert len(port.writes) == 1
        port.answering = True
        clock.now += 0.5
        assert sup.wait_sent(60)
        assert len(port.writes) == 2 and sup.status()["unanswered"] == []
    finally:
        sup.stop(timeout=1)


def test_an_outage_is_measured_by_the_injected_clock(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    port = Recorder(clock)
    plugged = threading.Event()

    def opener(_spec: PortSpec) -> Recorder:
        if not plugged.is_set():
            raise OSError(errno.ENOENT, "No such file or directory")
        return port

    spec, _ = parse_display("loop://?protocol=ascii")
    sup = PortSupervisor(spec, opener=opener, clock=clock)
    with caplog.at_level("WARNING", logger="hardware.display"):
        sup.start()
        try:
            sup.set(1, "A012")
            assert sup.wait_until(lambda s: "no such device" in s.status()["last_error"], 60)
            clock.now += 7.5
            plugged.set()
            assert sup.wait_sent(60)
        finally:
            sup.stop(timeout=1)
    assert "is back after 7.5 s" in caplog.text
    assert [data for _, data in port.writes] == [b"\x01\x01A012\x07"]


def test_rapid_calls_show_the_latest_and_coalesce(
    hub: DisplayHub, display_bench: MakeBench
) -> None:
    bench = display_bench("line", "ascii")
    display = hub.display(f"serial://{bench.url_path}?protocol=ascii&address=5")
    hub.start()
    for n in range(1, 21):
        display.show(f"A{n:03d}")
    assert bench.wait_showing({5: "A020"})
    assert display.wait_sent(60)
    # While a 300 ms gap runs, newer numbers replace older unsent ones.
    assert len(bench.frames) < 20
    assert display.current == "A020"


def test_unplug_replug_resends_every_display(hub: DisplayHub, display_bench: MakeBench) -> None:
    bench = display_bench("by-id-usb-1a86_USB_Serial-if00-port0", "bcd-pair")
    url = f"serial://{bench.url_path}?protocol=bcd-pair"
    d1, d2, d3 = started(hub, url, 1, 2, 3)
    d1.show("1005")
    d2.show("5002")
    assert bench.wait_showing({1: "1005", 2: "5002"})
    d3.clear()
    assert bench.wait_showing({3: None})

    bench.unplug()
    assert hub.ports[0].wait_until(lambda sup: not sup.connected, 60)
    d1.show("1006")  # called while the display is away: must not be lost
    assert d1.current == "1006"

    bench.plug()
    replugged = bench.plugged_at
    assert bench.wait_showing({1: "1006", 2: "5002", 3: None}, timeout=60)
    resent = bench.frames_since(replugged)
    assert {f.raw for f in resent} == {
        bytes.fromhex("AA 01 10 06"),
        bytes.fromhex("AA 02 50 02"),
        bytes.fromhex("AA 03 FF FF"),
    }
    # How soon after the replug (the promise: within 2 s) is a figure of make bench.
    assert hub.ports[0].reconnects == 1
    assert not bench.errors


def test_display_absent_at_start_shows_once_plugged(
    hub: DisplayHub, display_bench: MakeBench
) -> None:
    bench = display_bench("late", "bcd-pair", plugged=False)
    display = hub.display(f"serial://{bench.url_path}?protocol=bcd-pair&address=4")
    hub.start()
    display.show("2024")
    sup = hub.ports[0]
    assert sup.wait_until(lambda s: "no such device" in s.status()["last_error"], 60)
    assert not display.connected
    status = display.status()
    assert "no such device" in status["last_error"] and status["showing"] == "2024"
    bench.plug()
    assert bench.wait_showing({4: "2024"})


def test_port_is_opened_exclusively(hub: DisplayHub, display_bench: MakeBench) -> None:
    bench = display_bench("busy", "ascii")
    url = f"serial://{bench.url_path}?protocol=ascii&address=1"
    display = hub.display(url)
    hub.start()
    display.show("1")
    assert bench.wait_showing({1: "1"})
    with pytest.raises(DisplayError, match="busy"):
        show_once(url, "2")
    hub.stop(timeout=1)
    show_once(url, "3")  # free again once the hub closed it
    assert bench.wait_showing({1: "3"})


def test_socket_display_reconnects(hub: DisplayHub) -> None:
    """A display behind a serial-to-Ethernet converter (socket://) that drops the link."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(10)
    port = server.getsockname()[1]
    display = hub.display(f"socket://127.0.0.1:{port}?protocol=bcd-pair&address=2")
    hub.start()
    display.show("1005")
    conn, _ = server.accept()
    conn.settimeout(10)
    assert conn.recv(4) == bytes.fromhex("AA 02 10 05")
    conn.close()  # the converter reboots
    display.show("1006")
    conn, _ = server.accept()  # the supervisor came back by itself
    conn.settimeout(10)
    got = b""
    while len(got) < 4:
        got += conn.recv(4 - len(got))
    assert got == bytes.fromhex("AA 02 10 06")
    conn.close()
    server.close()


def test_settings_conflict_on_one_port(tmp_path: Path, hub: DisplayHub) -> None:
    hub.display(f"serial://{tmp_path}/x?protocol=ascii&address=1")
    with pytest.raises(DisplayError, match="one protocol and speed"):
        hub.display(f"serial://{tmp_path}/x?protocol=bcd-pair&address=2")


def test_none_display_is_a_no_op(hub: DisplayHub) -> None:
    display = hub.display("none")
    display.show("1005")
    display.clear()
    assert display.current is None and display.connected and display.wait_sent(0.1)
