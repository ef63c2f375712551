"""Where every test must run (CI), a skip fails the run: alone and across xdist workers.

``make test`` runs pytest on both cores (pytest-xdist). The hook that turns a
skip into a failure (tests/conftest.py) runs in each worker and its verdict
travels to the controller in the report; these runs of a real pytest prove
the controller's exit code and summary line still say so.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

SUITE = """
import pytest

def test_runs():
    assert True

def test_needs_what_is_missing():
    pytest.skip("no Chromium here")

@pytest.mark.parametrize("n", range(4))
def test_many(n):
    assert n >= 0
"""


def run_pytest(tmp_path: Path, require_all: bool, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(
        "from tests.conftest import pytest_runtest_makereport  # noqa: F401\n", encoding="utf-8"
    )
    (tmp_path / "test_sample.py").write_text(SUITE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("KIOSK_TEST_REQUIRE_ALL", "CI")}
    env["PYTHONPATH"] = str(ROOT)
    # Only the plugin under test: the project's others (schemathesis ...) cost seconds each start.
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    if require_all:
        env["KIOSK_TEST_REQUIRE_ALL"] = "1"
    # The project's pytest config (addopts) stays out: this run has its own rootdir.
    own = ["-p", "no:cacheprovider", "-c", "/dev/null", "--rootdir", str(tmp_path)]
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *own, *args, str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("workers", [[], ["-p", "xdist.plugin", "-n", "2"]], ids=["one", "xdist"])
def test_a_skip_fails_the_run_where_everything_must_run(tmp_path: Path, workers: list[str]) -> None:
    result = run_pytest(tmp_path, True, *workers)
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    summary = out.strip().splitlines()[-1]
    assert "1 failed" in summary and "5 passed" in summary and "skipped" not in summary, out
    assert "skipped where every test must run" in out and "no Chromium here" in out


@pytest.mark.parametrize("workers", [[], ["-p", "xdist.plugin", "-n", "2"]], ids=["one", "xdist"])
def test_elsewhere_a_skip_is_reported_as_a_skip(tmp_path: Path, workers: list[str]) -> None:
    result = run_pytest(tmp_path, False, *workers)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    summary = out.strip().splitlines()[-1]
    assert "5 passed" in summary and "1 skipped" in summary, out
