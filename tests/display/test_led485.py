"""The LED-485 family on a pty line: Modbus RTU (echo, silence, bad CRC) and ASCII frames."""

from __future__ import annotations

import pytest

from hardware.display import DisplayError, DisplayHub, get_protocol, parse_display, show_once
from hardware.urls import DeviceURLError, parse_display_url

from .conftest import DisplayTest, MakeBench, started
from .emulator import crc16_modbus, modbus_echo, parse_led485_ascii, parse_led485_modbus

# Tests wait for conditions, never for time; the reply timeout is generous for a
# loaded machine wherever a display is meant to answer.
PATIENT = "&timeout=3000"


def test_vendor_example_frame_and_crc() -> None:
    frame = get_protocol("led485-modbus").frame(1, "P2.3")
    expected = "01 10 00 70 00 06 0c" + " 50 32 2e 33" + " 00" * 8 + " 3b 25"
    assert frame.hex(" ") == expected
    assert crc16_modbus(frame[:-2]) == frame[-2:]  # the test bench's own CRC agrees


def test_modbus_frames_parse_back_and_blank() -> None:
    proto = get_protocol("led485-modbus")
    stream = bytearray(proto.frame(3, "a012") + proto.frame(247, None))
    frames, rest = parse_led485_modbus(stream)
    assert [(a, t) for a, t, _ in frames] == [(3, "A012"), (247, None)]
    assert not rest
    assert proto.frame(1, None)[7:19] == bytes(12)
    with pytest.raises(DisplayError, match="out of range"):
        proto.frame(0, "1")  # broadcast: no display would answer
    with pytest.raises(DisplayError, match="longer than 12"):
        proto.frame(1, "1234567890123")


def test_register_override_from_the_url() -> None:
    spec, address = parse_display("loop://?protocol=led485-modbus&address=2&register=0x0000")
    assert spec.register == 0 and address == 2
    frame = get_protocol(spec.protocol, spec.register).frame(2, "7")
    assert frame[:7] == bytes.fromhex("02 10 00 00 00 06 0c")
    assert crc16_modbus(frame[:-2]) == frame[-2:]
    with pytest.raises(DeviceURLError, match="register"):
        parse_display_url("loop://?protocol=led485-modbus&register=0x1zz")
    with pytest.raises(DeviceURLError, match="applies to Modbus"):
        parse_display_url("loop://?protocol=ascii&register=0x70")
    with pytest.raises(DeviceURLError, match="timeout"):
        parse_display_url("loop://?protocol=led485-modbus&timeout=0")


def test_modbus_replies_are_checked() -> None:
    proto = get_protocol("led485-modbus")
    frame = proto.frame(1, "A012")
    proto.check_reply(1, modbus_echo(frame))
    with pytest.raises(DisplayError, match="no answer"):
        proto.check_reply(1, b"")
    bad = modbus_echo(frame)[:-1] + b"\x00"
    with pytest.raises(DisplayError, match="garbled"):
        proto.check_reply(1, bad)
    with pytest.raises(DisplayError, match="garbled"):
        proto.check_reply(2, modbus_echo(frame))  # another display's answer
    refused = bytes.fromhex("01 90 02")
    with pytest.raises(DisplayError, match="exception 2"):
        proto.check_reply(1, refused + crc16_modbus(refused))
    other = get_protocol("led485-modbus", 0x0080).frame(1, "A012")
    with pytest.raises(DisplayError, match="does not echo"):
        proto.check_reply(1, modbus_echo(other))


def test_led485_ascii_frames() -> None:
    proto = get_protocol("led485-ascii")
    assert proto.frame(1, "A012") == b"$001,A012#"
    assert proto.frame(12, None) == b"$012,#"
    assert proto.frame(3, "a#1") == b"$003,A?1#"  # a delimiter never reaches the wire
    frames, rest = parse_led485_ascii(bytearray(b"$001,A012#$255,#"))
    assert [(a, t) for a, t, _ in frames] == [(1, "A012"), (255, None)]
    assert not rest


# The first frame on the wire for "A012" at address 1, written out by hand (the Modbus
# one: write 6 registers from 0x0070, 12 bytes of text, the test bench's own CRC).
_MODBUS_A012 = bytes.fromhex("01 10 00 70 00 06 0c") + b"A012" + bytes(8)
FIRST_FRAME = {
    "led485-modbus": _MODBUS_A012 + crc16_modbus(_MODBUS_A012),
    "led485-ascii": b"$001,A012#",
}


@pytest.mark.parametrize("protocol", list(FIRST_FRAME))
def test_displays_share_a_line(hub: DisplayHub, display_bench: MakeBench, protocol: str) -> None:
    """Two displays on one pty line show their numbers and blank, in either protocol;
    Modbus displays also answer each frame, and the port counts what they confirmed."""
    bench = display_bench(f"{protocol}-line", protocol)
    url = f"serial://{bench.url_path}?protocol={protocol}{PATIENT}"
    d1, d7 = started(hub, url, 1, 7)
    d1.show("A012")
    d7.show("1005")
    assert bench.wait_showing({1: "A012", 7: "1005"})
    assert bench.frames[0].raw == FIRST_FRAME[protocol]
    if protocol == "led485-modbus":  # the ASCII mode has no answer to check
        assert d1.wait_sent(60) and d7.wait_sent(60)
        assert [a for a, _ in bench.replies] == [1, 7]
        status = hub.ports[0].status()
        assert status["unanswered"] == [] and status["connected"]
        assert hub.ports[0].replies_missed == 0
    d1.clear()
    assert bench.wait_showing({1: None, 7: "1005"})
    assert not bench.errors


def test_a_dead_display_does_not_stall_the_others(
    hub: DisplayHub, display_bench: MakeBench
) -> None:
    bench = display_bench("line", "led485-modbus")
    bench.answers[2] = "silent"
    url = f"serial://{bench.url_path}?protocol=led485-modbus&timeout=1000"
    d1, d2, d3 = started(hub, url, 1, 2, 3)
    d1.show("A001")
    d2.show("A002")
    d3.show("A003")
    assert bench.wait_showing({1: "A001", 3: "A003"})
    sup = hub.ports[0]
    assert sup.wait_until(lambda s: 2 in s.status()["unanswered"], 60)
    d1.show("A004")  # calls on the live displays go on while 2 is silent
    assert bench.wait_showing({1: "A004"})
    assert sup.connected and "address 2: no answer" in sup.status()["last_error"]
    assert not d2.wait_sent(0.05)
    assert not d2.status()["answering"] and d1.status()["answering"]
    bench.answers[2] = "echo"  # the display is powered again: it gets its number
    assert bench.wait_showing({2: "A002"})
    assert d2.wait_sent(60) and sup.status()["unanswered"] == []
    assert not bench.errors


def test_a_bad_crc_answer_is_resent(hub: DisplayHub, display_bench: MakeBench) -> None:
    bench = display_bench("noisy", "led485-modbus")
    bench.answers[1] = "bad-crc"
    display = hub.display(f"serial://{bench.url_path}?protocol=led485-modbus&address=1")
    hub.start()
    display.show("B007")
    assert bench.wait_for(lambda b: len(b.replies) >= 2)  # sent again after a bad answer
    assert not display.wait_sent(0.05)
    bench.answers[1] = "echo"
    assert display.wait_sent(60)
    assert {f.raw[7:11] for f in bench.frames} == {b"B007"}
    assert hub.ports[0].replies_missed >= 2


def test_a_silent_line_is_reopened_and_recovers(hub: DisplayHub, display_bench: MakeBench) -> None:
    bench = display_bench("adapter", "led485-modbus")
    bench.default_answer = "silent"
    url = f"serial://{bench.url_path}?protocol=led485-modbus&timeout=200"
    d1, d2 = started(hub, url, 1, 2)
    d1.show("1005")
    d2.show("1006")
    sup = hub.ports[0]
    assert sup.wait_until(
        lambda s: "no display on the line answers" in s.status()["last_error"], 10
    )
    assert not sup.connected
    bench.default_answer = "echo"
    assert bench.wait_showing({1: "1005", 2: "1006"})
    assert d1.wait_sent(60) and d2.wait_sent(60)
    assert sup.wait_until(lambda s: s.connected, 60)
    assert sup.reconnects >= 1


def test_show_once_checks_the_answer(display_bench: MakeBench) -> None:
    bench = display_bench("once", "led485-modbus")
    url = f"serial://{bench.url_path}?protocol=led485-modbus&address=4{PATIENT}"
    assert show_once(url, "C150")[7:11] == b"C150"
    assert bench.wait_showing({4: "C150"})
    bench.answers[4] = "silent"
    quick = f"serial://{bench.url_path}?protocol=led485-modbus&address=4&timeout=100"
    with pytest.raises(DisplayError, match="did not confirm the number: no answer"):
        show_once(quick, "C151")


def test_display_test_cli_modbus(display_bench: MakeBench, display_test: DisplayTest) -> None:
    bench = display_bench("ttyUSB5", "led485-modbus")
    url = f"serial://{bench.url_path}?protocol=led485-modbus&address=3{PATIENT}"
    out = display_test(url, "1005", "3")
    assert out.returncode == 0, out.stderr
    assert bench.wait_showing({3: "1005"})
    assert "answered" in out.stdout and "address 3" in out.stdout
    bench.answers[3] = "silent"
    url = f"serial://{bench.url_path}?protocol=led485-modbus&address=3&timeout=100"
    out = display_test(url, "1006", "3")
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "did not confirm" in out.stderr
    assert "Traceback" not in out.stderr


def test_display_test_cli_led485_ascii(display_bench: MakeBench, display_test: DisplayTest) -> None:
    bench = display_bench("ttyUSB6", "led485-ascii")
    url = f"serial://{bench.url_path}?protocol=led485-ascii&address=12"
    out = display_test(url, "b007", "3")
    assert out.returncode == 0, out.stderr
    assert bench.wait_showing({12: "B007"})
    assert bench.frames[-1].raw == b"$012,B007#"
    assert "answered" not in out.stdout  # this mode has no answer to wait for
