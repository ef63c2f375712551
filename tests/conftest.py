"""Shared test fixtures: a writable copy of the default centre config."""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Generator, Iterator, Mapping
from pathlib import Path
from typing import Any

import pluggy
import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config" / "center.toml"

# Kivy must not read sys.argv or write into the user's home during tests.
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")


def _require_all() -> bool:
    """CI (``.ci/run`` sets KIOSK_TEST_REQUIRE_ALL; CI services set CI=true) runs everything."""
    return any(
        os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")
        for name in ("KIOSK_TEST_REQUIRE_ALL", "CI")
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pluggy.Result[pytest.TestReport], None]:
    """Where everything must run, a skipped test (no display, Xvfb, Chromium) is a failure.

    One place for every kind of skip (markers, ``pytest.skip`` in fixtures or
    helpers), so a test added later cannot make CI green by skipping.
    """
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail") and _require_all():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped where every test must run (KIOSK_TEST_REQUIRE_ALL/CI): {reason}"


@pytest.fixture(autouse=True, scope="session")
def _kivy_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ.setdefault("KIVY_HOME", str(tmp_path_factory.mktemp("kivy-home")))


def full_disk_at(limit: int) -> Callable[[], None]:
    """A ``preexec_fn``: the child's files cannot grow past ``limit`` bytes (a full disk).

    RLIMIT_FSIZE makes such a write fail with EFBIG, as ENOSPC on a full disk, for
    that process only; it does not cover a rename or a log rotation failing.
    """

    def limit_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    return limit_files


def write_config(tmp_path: Path, text: str | None = None, **replace: str) -> Path:
    """Copy the default config into tmp_path (data under tmp_path/var) with edits.

    ``replace`` maps a regular expression to its replacement in the TOML text.
    """
    conf_dir = tmp_path / "config"
    conf_dir.mkdir(exist_ok=True)
    body = DEFAULT_CONFIG.read_text(encoding="utf-8") if text is None else text
    # Shipped assets stay where they are; data goes to the temp dir.
    body = body.replace('"../assets/', f'"{ROOT}/assets/')
    for pattern, repl in replace.items():
        body, n = re.subn(pattern, repl, body, flags=re.M)
        assert n, f"pattern {pattern!r} not found in the config"
    path = conf_dir / "center.toml"
    path.write_text(body, encoding="utf-8")
    return path


def run_cli(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``kiosk ARGS`` as a user runs it: a real process from the repo root, output captured.

    ``env`` is the whole environment (default: this process's); the repo is put on
    PYTHONPATH so the process imports this checkout.
    """
    return run_python("-m", "kiosk", *args, env=env, timeout=timeout)


def run_python(
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` (e.g. ``-c CODE ...``) in a real process from the repo root, output
    captured; ``env`` and PYTHONPATH as for :func:`run_cli`, ``preexec_fn`` e.g.
    :func:`full_disk_at`."""
    full = dict(os.environ if env is None else env)
    full["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        preexec_fn=preexec_fn,
    )


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return write_config(tmp_path)


@pytest.fixture
def copy_config(tmp_path: Path) -> Callable[..., Path]:
    def _copy(**replace: str) -> Path:
        return write_config(tmp_path, **replace)

    return _copy


@pytest.fixture
def project_root() -> Path:
    return ROOT


__all__ = ["DEFAULT_CONFIG", "ROOT", "run_cli", "run_python", "shutil", "write_config"]


@pytest.fixture
def ui_window() -> Iterator[None]:
    """A display to open the kiosk window on, and the UI language reset around the test."""
    if not os.environ.get("DISPLAY"):
        pytest.skip("needs a display: run the tests under xvfb-run -a (make test does)")
    from kiosk.text import translator

    translator.reset()
    yield
    translator.reset()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (tests/browser.py), one per test module."""
    from tests.browser import running_browser

    yield from running_browser()
