"""`kiosk display-test` as centre IT runs it: a real subprocess against a pty."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli, write_config

from .emulator import DisplayBench


def test_display_test_drives_a_pty(tmp_path: Path) -> None:
    conf = write_config(tmp_path)
    with DisplayBench(tmp_path / "ttyUSB1", "bcd-pair") as bench:
        url = f"serial://{bench.url_path}?baudrate=9600&protocol=bcd-pair&address=3"
        out = run_cli("display-test", "--config", str(conf), "--display", url, "--number", "1005",
                    "--counter", "3")  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert bench.wait_showing({3: "1005"})
        assert bench.frames[-1].raw == bytes.fromhex("AA 03 10 05")
        assert "aa 03 10 05" in out.stdout and "address 3" in out.stdout


def test_display_test_takes_the_address_from_the_counter(tmp_path: Path) -> None:
    conf = write_config(tmp_path)
    with DisplayBench(tmp_path / "ttyUSB2", "ascii") as bench:
        url = f"serial://{bench.url_path}?protocol=ascii"
        out = run_cli("display-test", "--config", str(conf), "--display", url, "--number", "a012",
                    "--counter", "2")  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert bench.wait_showing({2: "A012"})


def test_display_test_errors_are_one_line(tmp_path: Path) -> None:
    conf = write_config(tmp_path)
    missing = f"serial://{tmp_path}/ttyUSB9?protocol=bcd-pair"
    out = run_cli("display-test", "--config", str(conf), "--display", missing, "--number", "1005",
                "--counter", "1")  # fmt: skip
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "no such device" in out.stderr
    assert "Traceback" not in out.stderr
    out = run_cli("display-test", "--config", str(conf), "--display", "loop://", "--number", "10-5",
                "--counter", "1")  # fmt: skip
    assert out.returncode == 2 and "not a ticket number" in out.stderr
    out = run_cli("display-test", "--config", str(conf), "--display", "loop://?protocol=led9",
                "--number", "1", "--counter", "1")  # fmt: skip
    assert out.returncode == 2 and "unknown display protocol" in out.stderr
    assert out.stderr.count("\n") == 1
