"""scripts/system-deps on a machine that lacks a package, run by someone who is not root.

The Debian package database of this shared test machine cannot be made to miss
a package, so ``dpkg-query`` is the one thing replaced: a script early on PATH
that answers like dpkg-query for every package but one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "system-deps"
NOBODY = 65534


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A directory the unprivileged user can reach (pytest's tmp_path is root-only)."""
    with tempfile.TemporaryDirectory(prefix="system-deps-") as name:
        path = Path(name)
        path.chmod(0o755)
        yield path


def run_as_nobody(
    step: str, missing: str, tmp_path: Path, *, no_python: bool = False
) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if no_python:
        # A fresh Debian 12 has no python3 at all: the venv cannot be made.
        python = bin_dir / "python3"
        python.write_text("#!/bin/sh\nexit 127\n", encoding="utf-8")
        python.chmod(0o755)
    fake = bin_dir / "dpkg-query"
    fake.write_text(
        "#!/bin/sh\n"
        "# dpkg-query -W -f=FORMAT PKG: the status line, or nothing for a package not installed\n"
        f'for last; do :; done\n[ "$last" = "{missing}" ] && exit 1\n'
        "printf 'install ok installed'\n",
        encoding="utf-8",
    )
    fake.chmod(0o755)
    bin_dir.chmod(0o755)

    def drop_root() -> None:
        if os.getuid() == 0:
            os.setgid(NOBODY)
            os.setuid(NOBODY)

    # A copy the unprivileged user can read: a clone under /root is out of its reach.
    script = tmp_path / "system-deps"
    shutil.copy2(SCRIPT, script)
    script.chmod(0o755)
    return subprocess.run(
        [str(script), step],
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)},
        cwd="/", capture_output=True, text=True, timeout=60, check=False,
        preexec_fn=drop_root,
    )  # fmt: skip


@pytest.mark.parametrize("missing", ["libmtdev1", "chromium", "xvfb"])
def test_not_as_root_make_test_stops_with_the_exact_install_line(
    missing: str, open_dir: Path
) -> None:
    out = run_as_nobody("test", missing, open_dir)
    assert out.returncode != 0
    assert f"sudo apt-get install -y {missing}\n" in out.stderr


def test_not_as_root_make_run_says_what_to_install_and_goes_on(open_dir: Path) -> None:
    out = run_as_nobody("run", "libmtdev1", open_dir)
    assert out.returncode == 0
    assert "sudo apt-get install -y libmtdev1\n" in out.stderr


def test_with_everything_installed_it_is_silent(open_dir: Path) -> None:
    out = run_as_nobody("test", "no-such-package", open_dir)
    assert (out.returncode, out.stderr) == (0, "")


@pytest.mark.parametrize("step", ["run", "test"])
def test_not_as_root_without_python_both_steps_stop_at_the_one_line(
    step: str, open_dir: Path
) -> None:
    out = run_as_nobody(step, "python3-venv", open_dir, no_python=True)
    assert out.returncode != 0
    install_lines = [line for line in out.stderr.splitlines() if "apt-get install" in line]
    assert install_lines == ["sudo apt-get install -y python3-venv"]
