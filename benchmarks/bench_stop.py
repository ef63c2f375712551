"""How long each long-running program takes to stop on SIGTERM (what `systemctl stop` sends).

`kiosk serve`, `kiosk ui`, `kiosk board` and `kiosk run` are started as real
processes (the Kivy ones on the bench's Xvfb display); once each is up (the
server answers /healthz, the window is on the screen), SIGTERM is sent and the
time until the process has exited is measured. Target (issue 14): within 5 s,
well inside the units' TimeoutStopSec=15.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
WINDOW = re.compile(r'^\s+0x[0-9a-f]+ "(Kiosk|Board)": ', re.M)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(workdir: Path, port: int) -> Path:
    text = (ROOT / "config" / "center.toml").read_text(encoding="utf-8")
    text = text.replace('"../assets/', f'"{ROOT}/assets/').replace("port = 8080", f"port = {port}")
    path = workdir / "config" / "center.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _window_shown() -> bool:
    out = subprocess.run(
        ["xwininfo", "-root", "-children"], capture_output=True, text=True, timeout=30
    )
    return bool(WINDOW.search(out.stdout))


def _up(command: str, port: int) -> bool:
    if command == "serve":
        try:
            return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False
    return _window_shown()


def _stop_seconds(command: str, workdir: Path) -> float:
    port = _free_port()
    config = _config(workdir / command, port)
    args = [sys.executable, "-m", "kiosk", command, "--config", str(config)]
    if command in ("ui", "board"):
        args += ["--server", "http://127.0.0.1:9"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SDL_AUDIODRIVER": "dummy"}
    env["KIVY_HOME"] = str(workdir / command / "kivy-home")
    env["KIOSK_TOKEN"] = "dev-kiosk" if command == "ui" else ""
    proc = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 180
        while not _up(command, port):
            if proc.poll() is not None:
                raise RuntimeError(f"`kiosk {command}` exited with {proc.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"`kiosk {command}` did not come up")
            time.sleep(0.1)
        time.sleep(1.0)  # let it settle into its loop, as a running service is
        started = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
        elapsed = time.perf_counter() - started
        if code != 0:
            raise RuntimeError(f"`kiosk {command}` exited with {code} on SIGTERM")
        return elapsed
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)


def run(workdir: Path) -> list[dict]:
    commands = ["serve", "ui", "board", "run"]
    if not os.environ.get("DISPLAY"):
        commands = ["serve"]
    return [
        {
            "name": f"sigterm_to_exit_{command}",
            "value": round(_stop_seconds(command, workdir), 2),
            "unit": "s",
            "target": "<= 5",
        }
        for command in commands
    ]
