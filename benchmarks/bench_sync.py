"""Catalogue sync from the reference central API on 127.0.0.1.

Figures: a full sync of the generated 5,000-procedure, 3-language catalogue by
``kiosk sync`` in its own process (wall time, target <= 10 s; peak RSS,
target <= 300 MB), an unchanged sync (requests made and time, target 1 request
and <= 100 ms), and for the record an incremental sync of 50 changed
procedures.
"""

from __future__ import annotations

import copy
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.bench_catalogue import synthetic_catalogue
from devtools.central import DevCentral
from kiosk.catalogue.sync import Syncer
from kiosk.config import load_config
from kiosk.paths import PROJECT_ROOT


def _config(workdir: Path, central: DevCentral) -> Path:
    text = (PROJECT_ROOT / "config" / "center.toml").read_text(encoding="utf-8")
    text = text.replace('"../assets/', f'"{PROJECT_ROOT}/assets/')
    text = text.replace('data_dir = "../var"', f'data_dir = "{workdir / "var"}"')
    text = text.replace('source = ""', f'source = "{central.url}"', 1)
    text = text.replace('public_key = ""', f'public_key = "{central.public_key}"', 1)
    path = workdir / "center.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run(workdir: Path) -> list[dict]:
    doc = synthetic_catalogue()
    with DevCentral(doc) as central:
        conf = _config(workdir, central)
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "kiosk", "sync", "--config", str(conf)],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        full_s = time.perf_counter() - started
        rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if out.returncode != 0:
            raise RuntimeError(f"kiosk sync failed: {out.stderr.strip()}")
        export_mb = len(central.versions[central.version].body) / 1e6

        cfg = load_config(conf)
        unchanged_ms, unchanged_requests = [], []
        for _ in range(5):
            t0 = time.perf_counter()
            result = Syncer(cfg).run()
            unchanged_ms.append((time.perf_counter() - t0) * 1000)
            unchanged_requests.append(result.requests)
            assert result.outcome == "unchanged", result

        changed = copy.deepcopy(doc)
        changed["version"] = 2
        for p in changed["procedures"][:50]:
            p["name"]["en"] += " (amended)"
        central.publish(changed)
        t0 = time.perf_counter()
        result = Syncer(cfg).run()
        incremental_s = time.perf_counter() - t0
        assert result.outcome == "updated" and result.changed == 50, result

    return [
        {
            "name": "full sync wall time",
            "value": round(full_s, 2),
            "unit": "s",
            "target": "<= 10",
            "note": f"`kiosk sync` process, 5,000 procedures x 3 languages, export "
            f"{export_mb:.1f} MB (gzip on the wire); {out.stdout.strip()[:60]}",
        },
        {
            "name": "full sync peak RSS",
            "value": round(rss_mb, 1),
            "unit": "MB",
            "target": "<= 300",
            "note": "peak resident memory of the `kiosk sync` process",
        },
        {
            "name": "unchanged sync requests",
            "value": max(unchanged_requests),
            "unit": "requests",
            "target": "<= 1",
            "note": "manifest answered 304 Not Modified (If-None-Match)",
        },
        {
            "name": "unchanged sync time",
            "value": round(statistics.median(unchanged_ms), 1),
            "unit": "ms",
            "target": "<= 100",
            "note": f"median of 5; max {max(unchanged_ms):.1f} ms",
        },
        {
            "name": "incremental sync (50 changed)",
            "value": round(incremental_s, 2),
            "unit": "s",
            "target": None,
            "note": "one changes page; the whole store is rebuilt and swapped",
        },
    ]
