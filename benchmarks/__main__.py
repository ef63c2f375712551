"""Run every ``benchmarks/bench_*.py`` and write ``benchmarks/results.json``.

Each module has ``run(workdir: pathlib.Path) -> list[dict]``; an entry is
``{"name", "value", "unit", "target", "note"?}`` where ``target`` is a string
such as ``"<= 5"`` (same unit) or null. A module that fails is recorded with its
error and the suite goes on, so one broken figure never hides the others.

Named suites (``python -m benchmarks queue phone``) replace only their own
entries in ``results.json``: the figures of the other suites are kept, each
entry carrying the time it was measured, so one suite can be rerun on a quiet
machine without losing the rest.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def machine() -> dict[str, object]:
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }


def kept_figures(ran: set[str]) -> list[dict[str, object]]:
    """The figures of suites not run this time, from the previous results.json."""
    try:
        previous = json.loads((HERE / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [f for f in previous.get("figures", []) if f.get("suite") not in ran]


def main(argv: list[str]) -> int:
    only = set(argv)
    results: list[dict[str, object]] = []
    ran: set[str] = set()
    failures = 0
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    for name in modules:
        if only and name not in only and name.removeprefix("bench_") not in only:
            continue
        started = time.perf_counter()
        measured_at = datetime.now(UTC).isoformat(timespec="seconds")
        ran.add(name)
        print(f"== {name}", flush=True)
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            with tempfile.TemporaryDirectory(prefix=f"{name}-") as work:
                entries = module.run(Path(work))
        except Exception as exc:  # one broken figure must not hide the others
            failures += 1
            traceback.print_exc()
            entries = [
                {"name": name, "value": None, "unit": "", "target": None, "error": repr(exc)}
            ]
        for entry in entries:
            entry.setdefault("suite", name)
            entry["measured_at"] = measured_at
            print(
                f"   {entry['name']}: {entry['value']} {entry['unit']} (target {entry['target']})"
            )
        results.extend(entries)
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    if only:
        results = sorted(kept_figures(ran) + results, key=lambda f: str(f.get("suite")))
    out = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "figures": results,
    }
    (HERE / "results.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {HERE / 'results.json'} ({len(results)} figures, {failures} failed suites)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
