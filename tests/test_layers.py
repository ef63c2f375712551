"""The one-way dependency rule, checked on the source (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOMAIN = ("kiosk/queue", "kiosk/catalogue", "kiosk/text", "kiosk/voice")
INTERFACES = (
    "kiosk.ui",
    "kiosk.server",
    "kiosk.commands",
    "kiosk.cli",
    "kiosk.client",
    "kiosk.printing",
    "kiosk.reports",
    "devtools",
)
FRAMEWORKS = ("kivy", "fastapi", "starlette", "uvicorn", "jinja2")


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("package", DOMAIN)
def test_the_domain_imports_no_ui_no_http_framework_and_no_interface(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in _imports(path)
        if _under(name, FRAMEWORKS) or _under(name, INTERFACES)
    ]
    assert wrong == []


def test_hardware_imports_nothing_from_kiosk() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "hardware").rglob("*.py"))
        for name in _imports(path)
        if _under(name, ("kiosk", "devtools"))
    ]
    assert wrong == []


def test_the_product_never_imports_the_dev_tools() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "kiosk").rglob("*.py"))
        if path.name != "catalogue.py" or path.parent.name != "commands"  # `kiosk dev-central`
        for name in _imports(path)
        if _under(name, ("devtools",))
    ]
    assert wrong == []
