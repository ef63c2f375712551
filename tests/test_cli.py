"""The `kiosk` command as a user meets it: real subprocesses, one-line errors, exit codes."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from kiosk.config import load_config
from kiosk.credentials import verify_secret

from .conftest import ROOT, run_cli, write_config

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


def hash_secret_with_stdin(text: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "hash-secret"],
        input=text, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_hash_secret_reads_the_secret_from_stdin() -> None:
    out = hash_secret_with_stdin("s3cret-token-for-kiosk-2\n")
    assert out.returncode == 0, out.stderr
    assert verify_secret("s3cret-token-for-kiosk-2", out.stdout.strip())
    short = hash_secret_with_stdin("12\n")
    assert short.returncode == 2 and "too short" in short.stderr
    two = hash_secret_with_stdin("one-secret\nanother-one\n")
    assert two.returncode == 2 and "one line" in two.stderr and not two.stdout


def test_hash_secret_refuses_a_secret_on_the_command_line() -> None:
    out = run_cli("hash-secret", "s3cret-token-for-kiosk-2")
    assert out.returncode == 2 and not out.stdout
    assert "shell history" in out.stderr and out.stderr.strip().count("\n") == 0
    assert "s3cret-token-for-kiosk-2" not in out.stderr


def test_hash_secret_makes_a_named_token_and_its_config_entry(tmp_path: Path) -> None:
    out = run_cli("hash-secret", "--new-token", "kiosk-2")
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stdout.splitlines() if not line.startswith("#")]
    token, entry = lines[0], "\n".join(lines[1:])
    assert token.startswith("kiosk-2.") and len(token) > len("kiosk-2.") + 30
    # The entry pasted into the config is valid, and it is this token's hash.
    config = write_config(tmp_path)
    config.write_text(config.read_text(encoding="utf-8") + "\n" + entry + "\n", encoding="utf-8")
    added = load_config(config).tokens[-1]
    assert (added.role, added.id) == ("kiosk", "kiosk-2")
    assert verify_secret(token, added.hash)
    counter = run_cli("hash-secret", "--new-token", "counter-3")
    assert 'role = "counter:3"' in counter.stdout and "\nid = " not in counter.stdout
    bad = run_cli("hash-secret", "--new-token", "Kiosk 2")
    assert bad.returncode == 2 and not bad.stdout and bad.stderr.strip().count("\n") == 0
    assert "cannot name a device" in bad.stderr


def _prompt_session(*answers: str) -> tuple[int, str]:
    """Run ``kiosk hash-secret`` on a terminal (a pty) and type ``answers`` at its prompts."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its terminal
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "kiosk", "hash-secret"], env)
    seen = since = b""
    pending = list(answers)
    try:
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
            since += chunk
            # Answer only a whole new prompt: getpass flushes input typed before it asks.
            if pending and b"secret" in since.lower() and since.rstrip().endswith(b":"):
                os.write(fd, pending.pop(0).encode() + b"\n")
                since = b""
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")


def test_hash_secret_asks_twice_at_a_prompt_without_echo() -> None:
    code, screen = _prompt_session("pin-2468-long", "pin-2468-long")
    assert code == 0, screen
    assert "pin-2468-long" not in screen  # not echoed
    hashed = screen.strip().splitlines()[-1].strip()
    assert verify_secret("pin-2468-long", hashed)
    code, screen = _prompt_session("pin-2468-long", "pin-2486-long")
    assert code == 2 and "differ" in screen and "scrypt$" not in screen
