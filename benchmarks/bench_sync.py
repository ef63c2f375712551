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
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_catalogue import synthetic_catalogue
from devtools.central import DevCentral
from kiosk.catalogue import store_path
from kiosk.catalogue.signing import state_sha256_of
from kiosk.catalogue.store import connect_ro, state_texts, stored_fields_json
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


# Starts the measured command and writes its peak RSS (KB) to the file named first.
# A child's ru_maxrss counts the pages it had when forked, and a child forked from
# this benchmark process starts with all of them (300 MB after the reports suite under
# ``make bench``): forked from this small launcher instead, it counts only its own.
_LAUNCHER = (
    "import os, subprocess, sys\n"
    "proc = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(proc.pid, 0)\n"
    "open(sys.argv[1], 'w').write(str(usage.ru_maxrss))\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def _run_measured(cmd: list[str], env: dict[str, str]) -> tuple[int, str, str, float]:
    """Run ``cmd``; (exit code, stdout, stderr, its own peak RSS in MB).

    ``RUSAGE_CHILDREN`` would report the largest child this benchmark process ever
    waited for (under ``make bench``, another suite's), and ``wait4`` on a child of
    this process the pages it inherited: the launcher's ``wait4`` gives this one's.
    """
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.NamedTemporaryFile("r") as peak,
    ):
        launcher = [sys.executable, "-c", _LAUNCHER, peak.name, *cmd]
        done = subprocess.run(launcher, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=err)
        out.seek(0)
        err.seek(0)
        return done.returncode, out.read(), err.read(), int(peak.read() or 0) / 1024


def run(workdir: Path) -> list[dict]:
    doc = synthetic_catalogue()
    with DevCentral(doc) as central:
        conf = _config(workdir, central)
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
        started = time.perf_counter()
        returncode, stdout, stderr, rss_mb = _run_measured(
            [sys.executable, "-m", "kiosk", "sync", "--config", str(conf)], env
        )
        full_s = time.perf_counter() - started
        if returncode != 0:
            raise RuntimeError(f"kiosk sync failed: {stderr.strip()}")
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

        # The state hash every incremental sync checks (docs/catalogue-api.md), taken as
        # the sync takes it: over the canonical texts the store holds, in code order.
        state_ms = []
        for _ in range(5):
            t0 = time.perf_counter()
            con = connect_ro(store_path(cfg))
            try:
                state = state_sha256_of(stored_fields_json(con), state_texts(con))
            finally:
                con.close()
            state_ms.append((time.perf_counter() - t0) * 1000)
        assert state == central.versions[2].state_sha256

    return [
        {
            "name": "full sync wall time",
            "value": round(full_s, 2),
            "unit": "s",
            "target": "<= 10",
            "note": f"`kiosk sync` process, 5,000 procedures x 3 languages, export "
            f"{export_mb:.1f} MB (gzip on the wire); {stdout.strip()[:60]}",
        },
        {
            "name": "full sync peak RSS",
            "value": round(rss_mb, 1),
            "unit": "MB",
            "target": "<= 300",
            "note": "peak resident memory of the `kiosk sync` process itself (wait4)",
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
            "note": "one changes page; unchanged records reused from the store, not re-cleaned; "
            "the store and its index are rebuilt beside the old one and swapped",
        },
        {
            "name": "state hash check (5,000 procedures)",
            "value": round(statistics.median(state_ms), 1),
            "unit": "ms",
            "target": None,
            "note": "part of every incremental sync: SHA-256 over the stored canonical texts, "
            "median of 5",
        },
    ]
