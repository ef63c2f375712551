"""The `kiosk` command as a user meets it: real subprocesses, one-line errors, exit codes."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

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


def test_output_into_a_closed_pipe_is_not_an_error(tmp_path: Path) -> None:
    """`kiosk check-config | head -1`: the reader leaves early; no traceback, SIGPIPE's code."""
    config = write_config(tmp_path)
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "kiosk", "check-config", "--config", str(config)],
            stdout=write_end, stderr=subprocess.PIPE, env=env, cwd=ROOT, text=True,
            timeout=60, check=False,
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert done.stderr == ""
    assert done.returncode == 141


def crash_in(tmp_path: Path, module: str, func: str, logs_first: bool) -> tuple[str, Path]:
    """``kiosk report`` whose handler fails unexpectedly (after setting up logging, like serve)."""
    config = write_config(tmp_path)
    code = (
        "import sys, " + module + " as m\n"
        "from kiosk.cli import main\n"
        "from kiosk.logs import setup_for\n"
        "def boom(args, cfg):\n"
        + ("    setup_for(cfg, 'server')\n" if logs_first else "")
        + "    raise RuntimeError('something nobody foresaw')\n"
        f"m.{func} = boom\n"
        f"sys.exit(main(['report', '--config', {str(config)!r}]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    return done.stderr, tmp_path / "var" / "log"


def test_an_unexpected_failure_is_one_line_and_its_traceback_goes_to_a_log_file(
    tmp_path: Path,
) -> None:
    stderr, logs = crash_in(tmp_path, "kiosk.commands.report", "report", logs_first=False)
    assert "Traceback" not in stderr
    [line] = stderr.strip().splitlines()
    log = logs / "cli.log"
    assert line == (
        "kiosk report: internal error: RuntimeError: something nobody foresaw "
        f"(the full report is in {log})"
    )
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "something nobody foresaw" in text


def test_a_process_that_logs_to_stderr_shows_no_traceback_there(tmp_path: Path) -> None:
    stderr, logs = crash_in(tmp_path, "kiosk.commands.report", "report", logs_first=True)
    assert "Traceback" not in stderr
    log = logs / "server.log"
    assert f"unexpected error in `kiosk report` (traceback in {log})" in stderr
    assert "Traceback" in log.read_text(encoding="utf-8")
