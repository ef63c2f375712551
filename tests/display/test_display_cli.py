"""`kiosk display-test` as centre IT runs it: a real subprocess against a pty."""

from __future__ import annotations

from pathlib import Path

from .conftest import DisplayTest, MakeBench


def test_display_test_drives_a_pty(display_bench: MakeBench, display_test: DisplayTest) -> None:
    bench = display_bench("ttyUSB1", "bcd-pair")
    out = display_test(f"serial://{bench.url_path}?baudrate=9600&protocol=bcd-pair&address=3",
                       "1005", "3")  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert bench.wait_showing({3: "1005"})
    assert bench.frames[-1].raw == bytes.fromhex("AA 03 10 05")
    assert "aa 03 10 05" in out.stdout and "address 3" in out.stdout


def test_display_test_takes_the_address_from_the_counter(
    display_bench: MakeBench, display_test: DisplayTest
) -> None:
    bench = display_bench("ttyUSB2", "ascii")
    out = display_test(f"serial://{bench.url_path}?protocol=ascii", "a012", "2")
    assert out.returncode == 0, out.stderr
    assert bench.wait_showing({2: "A012"})


def test_display_test_errors_are_one_line(tmp_path: Path, display_test: DisplayTest) -> None:
    out = display_test(f"serial://{tmp_path}/ttyUSB9?protocol=bcd-pair", "1005", "1")
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "no such device" in out.stderr
    assert "Traceback" not in out.stderr
    out = display_test("loop://", "10-5", "1")
    assert out.returncode == 2 and "not a ticket number" in out.stderr
    out = display_test("loop://?protocol=led9", "1", "1")
    assert out.returncode == 2 and "unknown display protocol" in out.stderr
    assert out.stderr.count("\n") == 1
