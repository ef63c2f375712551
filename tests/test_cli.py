"""The `kiosk` command as a user meets it: real subprocesses, one-line errors, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kiosk.credentials import verify_secret

from .conftest import ROOT, write_config

SUBCOMMANDS = [
    "run", "serve", "ui", "board", "search", "sync", "print-test",
    "display-test", "voice", "report", "hash-secret",
]  # fmt: skip


def kiosk(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_help_lists_every_subcommand() -> None:
    out = kiosk("--help")
    assert out.returncode == 0
    for name in SUBCOMMANDS:
        assert name in out.stdout


def test_broken_config_is_one_line_and_exit_2(tmp_path: Path) -> None:
    broken = write_config(tmp_path, **{r"^port = 8080": "port = 'eighty'"})
    out = kiosk("serve", "--config", str(broken))
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "server.port" in lines[0] and str(broken) in lines[0]
    assert "Traceback" not in out.stderr


def test_missing_config_file(tmp_path: Path) -> None:
    out = kiosk("report", "--config", str(tmp_path / "missing.toml"))
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0
    assert "config file not found" in out.stderr


def test_usage_mistakes_are_one_line() -> None:
    out = kiosk("search")
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0, out.stderr
    out = kiosk("serve", "--port", "http")
    assert out.returncode == 2 and "--port" in out.stderr
    assert out.stderr.strip().count("\n") == 0


def test_hash_secret_prints_a_verifiable_hash() -> None:
    out = kiosk("hash-secret", "s3cret-token-for-kiosk-2")
    assert out.returncode == 0
    assert verify_secret("s3cret-token-for-kiosk-2", out.stdout.strip())
    short = kiosk("hash-secret", "12")
    assert short.returncode == 2 and "too short" in short.stderr
