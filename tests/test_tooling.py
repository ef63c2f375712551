"""The checks of ``make test`` cover every piece of Python in the tree, not only the product."""

from __future__ import annotations

import tomllib

from tests.conftest import ROOT


def test_mypy_checks_every_python_script() -> None:
    # A script has no .py suffix, so mypy sees it only when pyproject.toml names it.
    files = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"][
        "files"
    ]
    scripts = sorted(
        f"scripts/{path.name}"
        for path in (ROOT / "scripts").iterdir()
        if path.is_file()
        and path.read_bytes().startswith(b"#!")
        and b"python" in path.read_bytes().split(b"\n", 1)[0]
    )
    assert scripts, "no Python script found: the test no longer looks where the scripts are"
    assert [s for s in scripts if s not in files] == []
    for package in ("kiosk", "hardware", "benchmarks", "devtools"):
        assert package in files
