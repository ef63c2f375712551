"""The `kiosk` command as a user meets it: real subprocesses, one-line errors, exit codes."""

from __future__ import annotations

from pathlib import Path

from kiosk.credentials import verify_secret

from .conftest import run_cli, write_config

SUBCOMMANDS = [
    "run", "serve", "ui", "board", "search", "sync", "print-test",
    "display-test", "voice", "report", "hash-secret",
]  # fmt: skip


def test_help_lists_every_subcommand() -> None:
    out = run_cli("--help")
    assert out.returncode == 0
    for name in SUBCOMMANDS:
        assert name in out.stdout


def test_broken_config_is_one_line_and_exit_2(tmp_path: Path) -> None:
    broken = write_config(tmp_path, **{r"^port = 8080": "port = 'eighty'"})
    out = run_cli("serve", "--config", str(broken))
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "server.port" in lines[0] and str(broken) in lines[0]
    assert "Traceback" not in out.stderr


def test_missing_config_file(tmp_path: Path) -> None:
    out = run_cli("report", "--config", str(tmp_path / "missing.toml"))
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0
    assert "config file not found" in out.stderr


def test_usage_mistakes_are_one_line() -> None:
    out = run_cli("search")
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0, out.stderr
    out = run_cli("serve", "--port", "http")
    assert out.returncode == 2 and "--port" in out.stderr
    assert out.stderr.strip().count("\n") == 0


def test_hash_secret_prints_a_verifiable_hash() -> None:
    out = run_cli("hash-secret", "s3cret-token-for-kiosk-2")
    assert out.returncode == 0
    assert verify_secret("s3cret-token-for-kiosk-2", out.stdout.strip())
    short = run_cli("hash-secret", "12")
    assert short.returncode == 2 and "too short" in short.stderr
