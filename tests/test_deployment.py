"""docs/deployment.md followed literally, in a scratch directory standing for ``/``.

Every command of the guide's ``sh`` blocks runs as written, with ``sudo`` dropped
and its absolute paths moved under the scratch root: the project is copied to
``opt/kiosk``, the config goes to ``etc/kiosk``, data to ``var/lib/kiosk``.
The few lines that would change this shared test machine itself (packages,
users, the service manager, an interactive editor) are listed in NOT_RUN with
what the test does in their place; a new line in the guide runs, or fails here.
The server unit's own ExecStart is started as the real process the unit starts.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from devtools.central import DevCentral
from kiosk.credentials import verify_secret
from tests.conftest import ROOT, write_config

GUIDE = ROOT / "docs" / "deployment.md"
UNITS = sorted(p.name for p in (ROOT / "deploy").glob("*.service"))
# What a copy of the project holds (what `git clone` gives, plus compiled translations).
PROJECT_PARTS = [
    "kiosk", "hardware", "devtools", "assets", "config", "deploy", "docs", "locales", "scripts",
    "Makefile", "pyproject.toml", "README.md", "babel.cfg",
]  # fmt: skip
SYSTEM_PATHS = re.compile(
    r"(?<![\w./-])(/etc/kiosk|/etc/systemd/system|/etc/default/nodm|/opt/kiosk|/var/lib/kiosk|/backup)"
)
# Lines not run as written, and why (the test does the equivalent where it matters).
NOT_RUN = {
    r"^apt-get install ": "installs Debian packages: scripts/system-deps test has",
    r"^cd /opt/kiosk && make install translations$": "the scratch copy gets this checkout's "
    "installed .venv and compiled translations",
    r"^useradd ": "creates the kiosk user: the test makes its home directory",
    r"^nano ": "the editor: the test makes the edits an IT officer would",
    r"^systemctl daemon-reload$": "the service manager",
    r"^systemctl enable --now ": "the service manager: the test verifies the unit and "
    "starts the server unit's ExecStart",
    r"^sed -i .* /etc/default/nodm$": "nodm's settings exist once nodm is installed",
}

pytestmark = pytest.mark.slow


def guide_lines() -> list[str]:
    """Every command of the guide's ``sh`` blocks, in order."""
    lines: list[str] = []
    inside = False
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("```"):
            inside = line.strip() == "```sh"
            continue
        if inside and line.strip() and not line.strip().startswith("#"):
            lines.append(line.strip())
    return lines


def without_sudo(line: str) -> str:
    return re.sub(r"(^|\| |&& )sudo (-u kiosk )?", r"\1", line)


def as_root_of(root: Path, line: str) -> str:
    """The line without ``sudo``, its system paths under ``root``."""
    return SYSTEM_PATHS.sub(lambda m: f"{root}{m.group(1)}", without_sudo(line))


def not_run(line: str) -> str | None:
    for pattern, why in NOT_RUN.items():
        if re.search(pattern, line):
            return why
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unit_exec_start(unit: Path) -> list[str]:
    for line in unit.read_text(encoding="utf-8").splitlines():
        if line.startswith("ExecStart="):
            return shlex.split(line.partition("=")[2])
    raise AssertionError(f"{unit} has no ExecStart")


class Machine:
    """The scratch root, and what the guide has started in it."""

    def __init__(self, tmp: Path, central: DevCentral) -> None:
        self.root = tmp / "root"
        self.home = tmp / "home" / "it"  # where the IT officer types the commands
        self.central = central
        self.port = free_port()
        self.server: subprocess.Popen[bytes] | None = None
        self.ran: list[str] = []
        self.home.mkdir(parents=True)
        (self.root / "opt").mkdir(parents=True)
        (self.root / "etc" / "systemd" / "system").mkdir(parents=True)
        (self.root / "var" / "lib").mkdir(parents=True)
        # The project as received: copied by the guide's own `cp -r`.
        received = self.home / "commune-kiosk"
        received.mkdir()
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        for part in PROJECT_PARTS:
            src = ROOT / part
            if src.is_dir():
                shutil.copytree(src, received / part, ignore=ignore)
            else:
                shutil.copy2(src, received / part)
        self.env = {
            **os.environ,
            # The code of the copy in opt/kiosk, not this checkout's.
            "PYTHONPATH": str(self.root / "opt" / "kiosk"),
        }
        self.env.pop("KIOSK_TOKEN", None)

    @property
    def config(self) -> Path:
        return self.root / "etc" / "kiosk" / "center.toml"

    def instead_of(self, line: str) -> None:
        """What the test does for a line in NOT_RUN."""
        if line.startswith("cd /opt/kiosk && make install"):
            opt = self.root / "opt" / "kiosk"
            (opt / ".venv").symlink_to(ROOT / ".venv")
            for mo in (ROOT / "locales").glob("*/LC_MESSAGES/*.mo"):
                shutil.copy2(mo, opt / mo.relative_to(ROOT))
        elif line.startswith("useradd "):
            home = shlex.split(line)[shlex.split(line).index("--home-dir") + 1]
            Path(as_root_of(self.root, home)).mkdir(parents=True)
        elif line.startswith("nano "):
            self.edit_config()
        elif line.startswith("systemctl enable --now "):
            unit = line.split()[-1] + ".service"
            self.verify_unit(self.root / "etc" / "systemd" / "system" / unit)
            if unit == "kiosk-server.service":
                self.start_server(self.root / "etc" / "systemd" / "system" / unit)

    def edit_config(self) -> None:
        """The edits of the guide's editor step, for this test machine: a free port, and
        the central catalogue API (the reference server on 127.0.0.1)."""
        text = self.config.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^port = 8080", f"port = {self.port}", text)
        text = re.sub(r'(?m)^source = ""', f'source = "{self.central.url}"', text)
        text = re.sub(r'(?m)^public_key = ""', f'public_key = "{self.central.public_key}"', text)
        self.config.write_text(text, encoding="utf-8")

    def verify_unit(self, unit: Path) -> None:
        """systemd-analyze verify on the installed unit, its paths in the scratch root."""
        checked = unit.parent.parent / "verify" / unit.name
        checked.parent.mkdir(exist_ok=True)
        checked.write_text(as_root_of(self.root, unit.read_text(encoding="utf-8")))
        out = subprocess.run(
            ["systemd-analyze", "verify", str(checked)],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert out.returncode == 0 and not out.stderr.strip(), out.stderr

    def start_server(self, unit: Path) -> None:
        command = unit_exec_start(unit)
        command = [as_root_of(self.root, part) for part in command]
        # The unit listens on the LAN; on the shared test machine, loopback only.
        command[command.index("0.0.0.0")] = "127.0.0.1"
        log = (self.home / "server.log").open("ab")
        self.server = subprocess.Popen(
            command, cwd=self.root / "opt" / "kiosk", env=self.env, stdout=log, stderr=log
        )
        url = f"http://127.0.0.1:{self.port}/healthz"
        deadline = time.monotonic() + 120
        while True:
            assert self.server.poll() is None, (self.home / "server.log").read_text()
            try:
                if requests.get(url, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "the server unit's ExecStart did not answer"
            time.sleep(0.1)

    def run(self, line: str) -> subprocess.CompletedProcess[str]:
        command = as_root_of(self.root, line)
        out = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", command],
            cwd=self.home, env=self.env, input="a-new-token-typed-twice\n",
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert out.returncode == 0, f"{line}\n-> exit {out.returncode}\n{out.stdout}{out.stderr}"
        self.ran.append(line)
        return out

    def stop(self) -> int | None:
        if self.server is None or self.server.poll() is not None:
            return None if self.server is None else self.server.returncode
        self.server.send_signal(signal.SIGTERM)  # what `systemctl stop` sends
        try:
            return self.server.wait(15)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait(15)
            raise AssertionError("the server did not stop on SIGTERM") from None


@pytest.fixture
def machine(tmp_path: Path) -> Iterator[Machine]:
    import json

    doc = json.loads((ROOT / "assets" / "catalogue" / "sample.json").read_text(encoding="utf-8"))
    with DevCentral(doc) as central:
        m = Machine(tmp_path, central)
        try:
            yield m
        finally:
            m.stop()


def test_the_deployment_guide_works_as_written(machine: Machine) -> None:
    outputs: dict[str, str] = {}
    for line in guide_lines():
        if not_run(without_sudo(line)):
            machine.instead_of(without_sudo(line))
            continue
        outputs[line] = machine.run(line).stdout

    root = machine.root
    # The code ran from the copy in /opt/kiosk, and found its assets there.
    where = subprocess.run(
        [str(root / "opt/kiosk/.venv/bin/python"), "-c",
         "import kiosk.paths; print(kiosk.paths.PROJECT_ROOT)"],
        cwd=machine.home, env=machine.env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert where.stdout.strip() == str(root / "opt" / "kiosk")

    def output_of(command: str) -> str:
        found = [out for line, out in outputs.items() if f"kiosk {command}" in line]
        assert found, f"the guide has no `kiosk {command}`"
        return found[0]

    # The config in /etc/kiosk checks, naming the project's catalogue in /opt/kiosk.
    checked = output_of("check-config")
    assert "config is valid" in checked
    assert str(root / "opt" / "kiosk" / "assets" / "catalogue" / "sample.json") in checked
    # Sync took the central API's catalogue; search answers from it.
    assert "1.001193" in output_of("search")  # Thủ tục đăng ký khai sinh
    assert "version" in output_of("sync").lower()
    # hash-secret made a kiosk's named token and its entry ...
    made = [x for x in output_of("hash-secret --new-token").splitlines() if not x.startswith("#")]
    assert made[0].startswith("kiosk-2.") and made[1:3] == ["[[tokens]]", 'role = "kiosk"']
    assert verify_secret(made[0], made[-1].removeprefix('hash = "').removesuffix('"'))
    # ... and read a secret from stdin, as a pipe gives it.
    hashed = next(out for line, out in outputs.items() if line.endswith("kiosk hash-secret"))
    hashed = hashed.strip()
    assert verify_secret("a-new-token-typed-twice", hashed)
    # The server unit's process writes into /var/lib/kiosk only.
    data = root / "var" / "lib" / "kiosk"
    assert (data / "queue.sqlite3").exists() and (data / "catalogue.sqlite3").exists()
    assert not (root / "etc" / "var").exists() and not (root / "opt" / "kiosk" / "var").exists()
    assert "Tổng" in output_of("report")  # the day's table, in Vietnamese
    # The backup line made a copy of the live queue database.
    assert list((root / "backup").glob("queue-*.sqlite3"))
    # The env files the units read are root-only.
    for env_file in ("kiosk-ui.env", "kiosk-board.env"):
        mode = (root / "etc" / "kiosk" / env_file).stat().st_mode & 0o777
        assert mode == 0o600
    # Every unit in deploy/ is installed by the guide and was verified.
    installed = sorted(p.name for p in (root / "etc" / "systemd" / "system").glob("*.service"))
    assert installed == UNITS == ["kiosk-board.service", "kiosk-server.service", "kiosk-ui.service"]
    assert (root / "etc" / "systemd" / "verify").is_dir()
    assert sorted(p.name for p in (root / "etc" / "systemd" / "verify").iterdir()) == UNITS
    # `systemctl stop`: SIGTERM ends the server cleanly.
    assert machine.stop() == 0


@pytest.mark.parametrize("unit", UNITS)
def test_every_unit_restarts_with_a_pause_and_may_hold_many_files(unit: str) -> None:
    settings = unit_settings(unit)
    assert settings["LimitNOFILE"] == "65536"
    assert settings["Restart"] in ("always", "on-failure")
    assert float(settings["RestartSec"]) >= 1  # a crash loop must not spin
    assert settings["StateDirectory"] == "kiosk"
    assert "--config /etc/kiosk/center.toml" in settings["ExecStart"]


def unit_settings(unit: str) -> dict[str, str]:
    text = (ROOT / "deploy" / unit).read_text(encoding="utf-8")
    return dict(
        line.split("=", 1) for line in text.splitlines() if "=" in line and line[0].isalpha()
    )


@pytest.mark.parametrize("unit", UNITS)
def test_a_crash_loop_stops_and_shows(unit: str) -> None:
    """Restarts that keep failing end in a failed unit that `systemctl status` shows."""
    settings = unit_settings(unit)
    interval, burst = int(settings["StartLimitIntervalSec"]), int(settings["StartLimitBurst"])
    # A program that dies at once restarts every RestartSec: the burst must be reached
    # inside the interval, or the limit never trips and the loop goes on for ever.
    assert 0 < burst * float(settings["RestartSec"]) < interval
    assert settings.get("StandardError", "journal") in ("journal", "inherit")


def exec_start_of(unit: str, config: Path) -> list[str]:
    """The unit's ExecStart, on this checkout's kiosk and ``config``, its server on 127.0.0.1."""
    command = unit_exec_start(ROOT / "deploy" / unit)
    assert command[0] == "/opt/kiosk/.venv/bin/kiosk"
    command[0] = str(ROOT / ".venv" / "bin" / "kiosk")
    command = [
        str(config) if part == "/etc/kiosk/center.toml" else part.replace(
            "${KIOSK_SERVER}", "http://127.0.0.1:1"
        )
        for part in command
    ]  # fmt: skip
    return ["127.0.0.1" if part == "0.0.0.0" else part for part in command]


def run_unit(unit: str, config: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "KIOSK_TOKEN": "a-token", "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        exec_start_of(unit, config), cwd=ROOT, env=environ,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("unit", UNITS)
def test_a_config_mistake_stops_the_unit_with_one_line_in_the_journal(
    unit: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path, **{r"^timezone = .*$": 'timezone = "Asia/Nowhere"'})
    out = run_unit(unit, config)
    # systemd does not restart on this code: the mistake would only repeat every 5 s.
    prevented = unit_settings(unit)["RestartPreventExitStatus"].split()
    assert str(out.returncode) in prevented, out.stderr
    # What the journal gets (the unit's stderr): the one line that names the mistake.
    assert "Traceback" not in out.stderr
    assert (
        out.stderr.strip().splitlines()[-1].startswith(f"kiosk {exec_start_of(unit, config)[1]}: ")
    )
    assert str(config) in out.stderr and "centre.timezone" in out.stderr


@pytest.mark.parametrize("unit", ["kiosk-ui.service", "kiosk-board.service"])
def test_a_screen_whose_x_session_is_not_up_yet_is_restarted(unit: str, tmp_path: Path) -> None:
    """At boot the X session may come after the unit: that is worth another try."""
    out = run_unit(unit, write_config(tmp_path), DISPLAY=":9871")
    settings = unit_settings(unit)
    assert out.returncode not in (0, *map(int, settings["RestartPreventExitStatus"].split()))
    assert settings["Restart"] in ("on-failure", "always")
    assert "does not answer" in out.stderr and "Traceback" not in out.stderr
